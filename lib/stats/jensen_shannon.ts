/**
 * Jensen-Shannon divergence and distance between two discrete distributions.
 *
 * JSD(p, q) = (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2 and 0 log 0 = 0, in units of
 * `base` (natural log by default: nats; base 2: bits, range [0, 1]). The distance is its square
 * root (SciPy's `spatial.distance.jensenshannon`, which returns the distance). Like SciPy, inputs
 * are normalised to sum 1 first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jensenShannonDistance, jensenShannonDivergence } from "./jensen_shannon.ts";
 * assert.equal(jensenShannonDivergence([0.5, 0.5, 0], [0, 0.5, 0.5], { base: 2 }), 0.5);
 * assert.equal(jensenShannonDistance([1, 0, 0], [0, 1, 0], { base: 2 }), 1);
 * ```
 *
 * @module
 */
import { checkFinite, checkNonEmpty, checkSameLength, Numbers } from "./_checks.ts";

/** Options of the Jensen-Shannon divergence and distance. */
export interface JensenShannonOptions {
  /** Logarithm base (default e). */
  base?: number;
}

function normalise(fn: string, name: string, p: Numbers): number[] {
  checkFinite(fn, name, p);
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0) {
      throw new RangeError(
        `Cannot compute ${fn}: expected non-negative values in ${name}, found ${p[i]} at index ${i}`,
      );
    }
    s += p[i];
  }
  if (s === 0) throw new RangeError(`Cannot compute ${fn}: expected ${name} with a positive sum, found 0`);
  return Array.from(p, (x) => x / s);
}

/**
 * Jensen-Shannon divergence in units of `base` (inputs normalised to sum 1).
 * @throws {RangeError} on different lengths, empty input, negative or non-finite values, a zero-sum vector
 * or a bad base.
 */
export function jensenShannonDivergence(p: Numbers, q: Numbers, options: JensenShannonOptions = {}): number {
  const fn = "jensenShannonDivergence";
  checkNonEmpty(fn, "p", p);
  checkSameLength(fn, p, q, ["p", "q"]);
  const a = normalise(fn, "p", p), b = normalise(fn, "q", q);
  let js = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i] + b[i]) / 2;
    if (a[i] > 0) js += a[i] * Math.log(a[i] / m);
    if (b[i] > 0) js += b[i] * Math.log(b[i] / m);
  }
  js /= 2;
  const base = options.base ?? Math.E;
  if (!(base > 0 && base !== 1)) {
    throw new RangeError(`Cannot compute ${fn}: expected a logarithm base > 0 and != 1, found ${base}`);
  }
  return Math.max(0, js / Math.log(base));
}

/** Jensen-Shannon distance: the square root of the divergence (SciPy's `jensenshannon`); throws as the divergence. */
export function jensenShannonDistance(p: Numbers, q: Numbers, options: JensenShannonOptions = {}): number {
  return Math.sqrt(jensenShannonDivergence(p, q, options));
}
