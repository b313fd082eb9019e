/**
 * Seeds for tfjs weight initialisers. tfjs' normal initialisers (`heNormal`, `glorotNormal`,
 * `truncatedNormal`, `randomNormal`: `MPRandGauss` in tfjs-core 4.22) treat a falsy seed as "no
 * seed" and draw from `Math.random()`, so a run with `--seed 0` got different weights every time.
 * `initializerSeed` maps 0 to 0.5, a value no integer seed reaches (seeds are integers), and leaves
 * every other seed unchanged, so existing runs with non-zero seeds keep their weights. (Uniform
 * initialisers seed with `String(seed)` and already honour 0; they need no mapping.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initializerSeed } from "./init_seed.ts";
 * assert.equal(initializerSeed(0), 0.5);
 * assert.equal(initializerSeed(7), 7);
 * assert.equal(initializerSeed(-3), -3);
 * ```
 *
 * @module
 */

/**
 * A seed that tfjs' initialisers honour, for an integer run seed.
 * @throws {RangeError} for a seed that is not a finite integer.
 */
export function initializerSeed(seed: number): number {
  if (!Number.isInteger(seed)) {
    throw new RangeError(`Cannot seed an initialiser: expected an integer seed, found ${seed}`);
  }
  return seed === 0 ? 0.5 : seed;
}
