/**
 * Descriptive statistics: mean, variance and standard deviation (ddof option), quantiles (type 7),
 * and average ranks.
 *
 * `quantile` is Hyndman & Fan's type 7, the default of NumPy (`np.percentile`, method "linear") and
 * R (`quantile(type = 7)`): h = (n - 1) q, interpolate linearly between the order statistics
 * floor(h) and ceil(h).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mean, quantile, rankdata, sd } from "./descriptive.ts";
 * assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
 * assert.equal(mean([1, 2, 3]), 2);
 * assert.equal(sd([1, 2, 3, 4]), Math.sqrt(5 / 3)); // ddof = 1
 * assert.deepEqual(rankdata([10, 20, 20, 30]), [1, 2.5, 2.5, 4]);
 * ```
 *
 * @module
 */
import { checkFinite, checkNonEmpty, Numbers } from "./_checks.ts";

/** Arithmetic mean. @throws {RangeError} on empty or non-finite input. */
export function mean(xs: Numbers): number {
  checkNonEmpty("mean", "sample", xs);
  checkFinite("mean", "sample", xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** A mean and a standard deviation. */
export interface MeanSd {
  /** The arithmetic mean. */
  mean: number;
  /** The sample standard deviation (ddof 1). */
  sd: number;
}

/**
 * Mean and sample standard deviation (ddof 1) of values over folds, seeds or raters, for "mean ± SD"
 * summaries: the SD is NaN for a single value, both are NaN for none, and a NaN value (an undefined
 * metric of one fold) makes both NaN rather than throwing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanSd } from "./descriptive.ts";
 * assert.deepEqual(meanSd([1, 2, 3, 4]), { mean: 2.5, sd: Math.sqrt(5 / 3) });
 * assert.deepEqual(meanSd([0.7]), { mean: 0.7, sd: NaN });
 * ```
 */
export function meanSd(xs: Numbers): MeanSd {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  const m = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return { mean: m, sd: xs.length > 1 ? Math.sqrt(v / (xs.length - 1)) : NaN };
}

/**
 * Variance with `ddof` degrees of freedom removed (default 1: the sample variance).
 * @throws {RangeError} on empty or non-finite input, or no more than `ddof` values.
 */
export function variance(xs: Numbers, options: { ddof?: number } = {}): number {
  const ddof = options.ddof ?? 1;
  const m = mean(xs);
  if (xs.length - ddof <= 0) {
    throw new RangeError(`Cannot compute variance: expected more than ${ddof} values, found ${xs.length}`);
  }
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return s / (xs.length - ddof);
}

/** Standard deviation, the square root of `variance` (default ddof = 1); throws as `variance`. */
export function sd(xs: Numbers, options: { ddof?: number } = {}): number {
  return Math.sqrt(variance(xs, options));
}

/**
 * Type-7 quantile(s) of `values` at q in [0, 1] (a number or an array).
 * @throws {RangeError} on empty input, non-finite values, or q outside [0, 1].
 */
export function quantile(values: Numbers, q: number): number;
/** Type-7 quantiles of `values` at each q in [0, 1]. */
export function quantile(values: Numbers, q: readonly number[]): number[];
export function quantile(values: Numbers, q: number | readonly number[]): number | number[] {
  checkNonEmpty("quantile", "sample", values);
  checkFinite("quantile", "sample", values);
  const sorted = Float64Array.from(values).sort();
  const one = (p: number) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Cannot compute quantile: expected q in [0, 1], found ${p}`);
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h), hi = Math.ceil(h);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  };
  return typeof q === "number" ? one(q) : q.map(one);
}

/** Ranks 1..n with ties given their average rank (SciPy `rankdata`, method "average"). */
export function rankdata(xs: Numbers): number[] {
  const idx = Array.from(xs, (_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const ranks = new Array<number>(xs.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]] === xs[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Sizes of groups of tied values (only groups larger than 1). */
export function tieGroups(xs: Numbers): number[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < xs.length; i++) counts.set(xs[i], (counts.get(xs[i]) ?? 0) + 1);
  return [...counts.values()].filter((c) => c > 1);
}
