/**
 * A small, fast, seedable pseudo-random number generator (xoshiro128**), seeded through
 * SplitMix32 so that any 32-bit integer (or string) gives a well-mixed state.
 *
 * Randomness in this project is always passed down as a `Prng` (never a global): a function that
 * needs randomness takes `{ prng }` in its options, and independent sub-streams are derived with
 * {@linkcode Prng.fork} so that adding draws in one place does not shift another.
 *
 * Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2018),
 * https://prng.di.unimi.it/xoshiro128starstar.c
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "./prng.ts";
 * const a = new Prng(42), b = new Prng(42);
 * assert.equal(a.next(), b.next()); // same seed, same stream
 * const child = a.fork("bootstrap"); // an independent stream for one job, whatever `a` drew before
 * assert.equal(child.int(10), new Prng(42).fork("bootstrap").int(10));
 * assert.ok(Number.isInteger(child.int(10)) && child.int(10) < 10);
 * ```
 *
 * @module
 */
export class Prng {
  #s: Uint32Array;
  /** The seed this generator was created from (for provenance records). */
  readonly seed: number | string;

  /**
   * A generator seeded by a finite number or by a string (hashed); the same seed gives the same draws.
   * @throws {RangeError} on a number that is not finite.
   */
  constructor(seed: number | string) {
    if (typeof seed === "number" && !Number.isFinite(seed)) {
      throw new RangeError(`Cannot seed Prng: expected a finite number or a string, found ${seed}`);
    }
    this.seed = seed;
    let x = typeof seed === "number" ? (Math.trunc(seed) >>> 0) ^ Math.trunc(seed / 2 ** 32) : hashString(seed);
    this.#s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * A uniform integer in [0, n), without modulo bias.
   * @throws {RangeError} when n is not a positive integer below 2^32.
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new RangeError(`Cannot draw Prng.int(n): expected a positive integer n <= 2^32, found ${n}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    let v: number;
    do v = this.nextUint32(); while (v >= limit);
    return v % n;
  }

  /** A standard normal draw (Box-Muller; one value per call). */
  normal(mean = 0, sd = 1): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (!(w >= 0)) throw new RangeError(`Cannot draw Prng.categorical: expected weights >= 0, found ${w} at ${i}`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError("Cannot draw Prng.categorical: expected a positive total weight, found 0");
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return weights.length - 1;
  }

  /** A new shuffled copy of `values` (Fisher-Yates); the input is not changed. */
  shuffle<T>(values: readonly T[]): T[] {
    const out = values.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /**
   * A new generator whose stream depends only on this generator's seed and `label`, not on how many
   * draws were made before: `new Prng(1).fork("a")` equals `new Prng(1)` after any draws `.fork("a")`.
   */
  fork(label: string | number): Prng {
    return new Prng(`${String(this.seed)}/${String(label)}`);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** FNV-1a 32-bit hash of a string (used to seed from labels). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
