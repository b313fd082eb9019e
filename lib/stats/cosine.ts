/**
 * Cosine distance, 1 - u.v / (|u| |v|) (SciPy `spatial.distance.cosine`). Between a probability
 * vector p and the one-hot target of class k it is 1 - p_k / |p|_2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineDistance } from "./cosine.ts";
 * assert.equal(cosineDistance([1, 0, 0], [0, 1, 0]), 1);
 * assert.equal(cosineDistance([1, 2, 3], [1, 1, 5]).toFixed(6), "0.074180"); // 1 - 18 / sqrt(14 * 27)
 * ```
 *
 * @module
 */
import { checkFinite, checkNonEmpty, checkSameLength, Numbers } from "./_checks.ts";

/**
 * Cosine distance 1 - u.v / (|u| |v|), clamped to [0, 2].
 * @throws {RangeError} on different lengths, empty or non-finite input, or an all-zero vector.
 */

export function cosineDistance(u: Numbers, v: Numbers): number {
  checkNonEmpty("cosineDistance", "u", u);
  checkSameLength("cosineDistance", u, v, ["u", "v"]);
  checkFinite("cosineDistance", "u", u);
  checkFinite("cosineDistance", "v", v);
  let uv = 0, uu = 0, vv = 0;
  for (let i = 0; i < u.length; i++) {
    uv += u[i] * v[i];
    uu += u[i] * u[i];
    vv += v[i] * v[i];
  }
  if (uu === 0 || vv === 0) {
    throw new RangeError("Cannot compute cosineDistance: expected non-zero vectors, found an all-zero one");
  }
  const d = 1 - uv / Math.sqrt(uu * vv);
  return Math.max(0, Math.min(2, d));
}
