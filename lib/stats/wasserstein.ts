/**
 * The 1-D Wasserstein (earth mover's) distance between two weighted empirical distributions, with
 * SciPy's semantics (`scipy.stats.wasserstein_distance(u_values, v_values, u_weights, v_weights)`):
 * W1 = integral |U(x) - V(x)| dx over the two cumulative distribution functions. Weights default to
 * equal; they are normalised.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wassersteinDistance } from "./wasserstein.ts";
 * assert.equal(wassersteinDistance([0, 1], [0], { uWeights: [1, 1], vWeights: [1] }), 0.5);
 * assert.equal(wassersteinDistance([0, 1, 3], [5, 6, 8]), 5); // every unit of mass moves 5
 * ```
 *
 * @module
 */
import { checkFinite, checkNonEmpty, Numbers } from "./_checks.ts";

/** Weights of the two samples' values. */
export interface WassersteinOptions {
  /** Weights of `uValues`, one per value, normalised to sum 1 (default: equal). */
  uWeights?: Numbers;
  /** Weights of `vValues`, one per value, normalised to sum 1 (default: equal). */
  vWeights?: Numbers;
}

/**
 * W1 = integral |U(x) - V(x)| dx between the weighted empirical distributions of `uValues` and
 * `vValues` (in the units of the values).
 * @throws {RangeError} on empty input, non-finite values, weights of the wrong length, negative
 * weights or weights summing to 0.
 */
export function wassersteinDistance(uValues: Numbers, vValues: Numbers, options: WassersteinOptions = {}): number {
  const fn = "wassersteinDistance";
  checkNonEmpty(fn, "uValues", uValues);
  checkNonEmpty(fn, "vValues", vValues);
  checkFinite(fn, "uValues", uValues);
  checkFinite(fn, "vValues", vValues);
  const weights = (name: string, vals: Numbers, w?: Numbers): number[] => {
    if (!w) return Array.from(vals, () => 1 / vals.length);
    if (w.length !== vals.length) {
      throw new RangeError(`Cannot compute ${fn}: expected ${name} of length ${vals.length}, found ${w.length}`);
    }
    checkFinite(fn, name, w);
    let s = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] < 0) {
        throw new RangeError(`Cannot compute ${fn}: expected non-negative ${name}, found ${w[i]} at index ${i}`);
      }
      s += w[i];
    }
    if (s <= 0) throw new RangeError(`Cannot compute ${fn}: expected ${name} with a positive sum, found ${s}`);
    return Array.from(w, (x) => x / s);
  };
  const uw = weights("uWeights", uValues, options.uWeights), vw = weights("vWeights", vValues, options.vWeights);
  const points = [...new Set([...Array.from(uValues), ...Array.from(vValues)])].sort((a, b) => a - b);
  const cdfAt = (vals: Numbers, w: number[]) => {
    const order = Array.from(vals, (_, i) => i).sort((a, b) => vals[a] - vals[b]);
    const out: number[] = [];
    let j = 0, acc = 0;
    for (const x of points) {
      while (j < order.length && vals[order[j]] <= x) acc += w[order[j++]];
      out.push(acc);
    }
    return out;
  };
  const U = cdfAt(uValues, uw), V = cdfAt(vValues, vw);
  let d = 0;
  for (let i = 0; i < points.length - 1; i++) d += Math.abs(U[i] - V[i]) * (points[i + 1] - points[i]);
  return d;
}
