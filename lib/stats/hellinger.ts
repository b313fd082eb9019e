/**
 * Hellinger distance between two discrete distributions:
 * H(p, q) = |sqrt(p) - sqrt(q)|_2 / sqrt(2) (range [0, 1]) when `normalized` (default), else without
 * the 1/sqrt(2) factor (range [0, sqrt 2]). Equivalently H = sqrt(1 - BC) with the Bhattacharyya
 * coefficient BC = sum_i sqrt(p_i q_i). Against the one-hot target of class k: sqrt(1 - sqrt(p_k)).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bhattacharyyaCoefficient, hellingerDistance } from "./hellinger.ts";
 * assert.equal(bhattacharyyaCoefficient([0.5, 0.5], [0.25, 0.75]).toFixed(6), "0.965926");
 * assert.equal(hellingerDistance([0.5, 0.5], [0.25, 0.75]).toFixed(6), "0.184592"); // sqrt(1 - BC)
 * ```
 *
 * @module
 */
import { checkFinite, checkNonEmpty, checkSameLength, Numbers } from "./_checks.ts";

function check(fn: string, p: Numbers, q: Numbers) {
  checkNonEmpty(fn, "p", p);
  checkSameLength(fn, p, q, ["p", "q"]);
  checkFinite(fn, "p", p);
  checkFinite(fn, "q", q);
  for (const [name, v] of [["p", p], ["q", q]] as const) {
    for (let i = 0; i < v.length; i++) {
      if (v[i] < 0) {
        throw new RangeError(
          `Cannot compute ${fn}: expected non-negative values in ${name}, found ${v[i]} at index ${i}`,
        );
      }
    }
  }
}

/**
 * Hellinger distance |sqrt(p) - sqrt(q)|_2 / sqrt(2) (range [0, 1]); without the 1/sqrt(2) factor
 * when `normalized` is false (range [0, sqrt 2]). Inputs are not renormalised.
 * @throws {RangeError} on different lengths, empty input, or negative or non-finite values.
 */
export function hellingerDistance(p: Numbers, q: Numbers, options: { normalized?: boolean } = {}): number {
  check("hellingerDistance", p, q);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (Math.sqrt(p[i]) - Math.sqrt(q[i])) ** 2;
  return Math.sqrt(s) / ((options.normalized ?? true) ? Math.SQRT2 : 1);
}

/** Bhattacharyya coefficient sum_i sqrt(p_i q_i); throws as `hellingerDistance`. */
export function bhattacharyyaCoefficient(p: Numbers, q: Numbers): number {
  check("bhattacharyyaCoefficient", p, q);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.sqrt(p[i] * q[i]);
  return s;
}
