/**
 * Resampling confidence intervals.
 *
 * `bootstrap(values, statistic, {samples, size, replace, prng})` draws `samples` resamples of `size`
 * values and returns every draw, their mean, standard deviation (ddof 1) and the percentile interval
 * (type-7 quantiles at alpha/2 and 1 - alpha/2). The default is the classical bootstrap (size N,
 * with replacement). The study's scheme is 1000 subsamples of size N/2 without replacement
 * (`studySubsampling`), i.e. `{ samples: 1000, size: floor(N/2), replace: false }`.
 *
 * `pairedBootstrap` resamples case indices once per draw and applies a statistic to both paired
 * vectors (or any function of the drawn indices), so that two prediction sets on the same cases
 * are compared on the same resamples.
 *
 * Randomness comes only from the `prng` passed in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrap, studySubsampling } from "./bootstrap.ts";
 * import { Prng } from "../util/prng.ts";
 * const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
 * const r = bootstrap([1, 2, 3, 4, 5, 6, 7, 8], mean, { ...studySubsampling(8), prng: new Prng(1) });
 * assert.equal(r.draws.length, 1000);
 * assert.deepEqual(r.settings, { samples: 1000, size: 4, replace: false });
 * assert.ok(2.5 <= r.ci[0] && r.ci[0] <= r.mean && r.mean <= r.ci[1] && r.ci[1] <= 6.5);
 * ```
 *
 * @module
 */
import { checkNonEmpty } from "./_checks.ts";
import { MeanSd, quantile } from "./descriptive.ts";

/** The randomness a resampler needs: a seeded uniform integer in [0, n) (e.g. util/prng.ts's Prng). */
export interface RandomSource {
  /** A uniform integer in 0..n-1. */
  int(n: number): number;
}

/** How `bootstrap` and `pairedBootstrap` resample. */
export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  samples?: number;
  /** Resample size (default: N). */
  size?: number;
  /** With replacement (default true). */
  replace?: boolean;
  /** Confidence level of the percentile interval (default 0.95). */
  level?: number;
  /** The only source of randomness (e.g. `new Prng(seed)`). */
  prng: RandomSource;
}

/** Draws summarised: their mean and SD (ddof 1; 0 for a single draw) and a percentile interval. */
export interface DrawSummary extends MeanSd {
  /** The percentile interval of the draws at the requested level. */
  ci: [number, number];
}

/** Every draw of the statistic, their summary, and the settings used. */
export interface BootstrapResult extends DrawSummary {
  /** The statistic on each resample, in draw order. */
  draws: number[];
  /** Confidence level of `ci`. */
  level: number;
  /** Resamples drawn, their size, and whether with replacement. */
  settings: { samples: number; size: number; replace: boolean };
}

/** The study's subsampling scheme for N cases: 1000 subsamples of floor(N/2) without replacement. */
export function studySubsampling(n: number): { samples: number; size: number; replace: false } {
  return { samples: 1000, size: Math.floor(n / 2), replace: false };
}

/**
 * Draws `samples` index sets of `size` from 0..n-1 (each sorted when drawn without replacement).
 * @throws {RangeError} on a non-positive sample count, or a size outside 1..n without replacement.
 */
export function resampleIndices(n: number, options: BootstrapOptions): number[][] {
  const samples = options.samples ?? 1000;
  const size = options.size ?? n;
  const replace = options.replace ?? true;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`Cannot resample: expected a positive integer number of samples, found ${samples}`);
  }
  if (!Number.isInteger(size) || size < 1 || (!replace && size > n)) {
    throw new RangeError(`Cannot resample: expected a size in 1..${replace ? "any" : n}, found ${size}`);
  }
  const out: number[][] = [];
  const pool = [...Array(n).keys()];
  for (let s = 0; s < samples; s++) {
    if (replace) out.push(Array.from({ length: size }, () => options.prng.int(n)));
    else {
      // partial Fisher-Yates: the first `size` of a fresh shuffle
      const a = pool.slice();
      for (let i = 0; i < size; i++) {
        const j = i + options.prng.int(n - i);
        [a[i], a[j]] = [a[j], a[i]];
      }
      out.push(a.slice(0, size).sort((x, y) => x - y));
    }
  }
  return out;
}

/** Summarises draws: mean, sd (ddof 1) and the percentile interval at `level`. */
export function summariseDraws(
  draws: readonly number[],
  level = 0.95,
): DrawSummary {
  checkNonEmpty("summariseDraws", "draws", draws);
  const m = draws.reduce((a, b) => a + b, 0) / draws.length;
  const s = draws.length > 1 ? Math.sqrt(draws.reduce((a, b) => a + (b - m) ** 2, 0) / (draws.length - 1)) : 0;
  const [lo, hi] = quantile(draws, [(1 - level) / 2, 1 - (1 - level) / 2]);
  return { mean: m, sd: s, ci: [lo, hi] };
}

/**
 * Bootstrap (or subsampling) distribution of `statistic` over resamples of `values`.
 * @throws {RangeError} on empty `values` or invalid options (see `resampleIndices`).
 */
export function bootstrap<T>(
  values: readonly T[],
  statistic: (resample: T[]) => number,
  options: BootstrapOptions,
): BootstrapResult {
  checkNonEmpty("bootstrap", "values", values);
  return pairedBootstrap(values.length, (ix) => statistic(ix.map((i) => values[i])), options);
}

/**
 * Paired resampling: the same drawn case indices feed `statistic(indices)` — e.g. the difference of
 * a metric between two prediction sets on the same cases.
 */
export function pairedBootstrap(
  n: number,
  statistic: (indices: number[]) => number,
  options: BootstrapOptions,
): BootstrapResult {
  const idx = resampleIndices(n, options);
  const draws = idx.map(statistic);
  const level = options.level ?? 0.95;
  return {
    draws,
    ...summariseDraws(draws, level),
    level,
    settings: { samples: idx.length, size: idx[0].length, replace: options.replace ?? true },
  };
}
