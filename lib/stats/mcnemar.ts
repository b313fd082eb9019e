/**
 * McNemar's test of two paired binary outcomes (e.g. two classifiers right/wrong on the same cases),
 * from the 2x2 table [[a, b], [c, d]]. Only the discordant counts b and c carry information about a
 * difference: the concordant cases (both right, both wrong) are the same under either classifier.
 *
 * - "exact" (statsmodels `mcnemar(exact=True)`): conditional binomial test, statistic min(b, c),
 *   p = min(1, 2 P(X <= min(b, c))), X ~ Bin(b + c, 1/2).
 * - "midp" (Fagerland, Lydersen & Laake 2013, BMC Med Res Methodol 13:91; the study's test): the exact
 *   p minus the probability of the observed table, p = min(1, 2 P(X <= min(b, c))) - P(X = b); when
 *   b = c, p = 1 - P(X = b)/2; b = c = 0 gives 1. Statistic min(b, c).
 * - "asymptotic": chi2 = (|b - c| - cc)^2 / (b + c) with cc = 1 when `correction` (default true, as
 *   statsmodels and R), p from chi-square with 1 df. Note: statsmodels applies the correction even
 *   when b = c (R does not); this follows statsmodels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mcnemar, mcnemarTable } from "./mcnemar.ts";
 * assert.equal(mcnemar([[229, 10], [24, 132]], { method: "midp" }).pValue.toFixed(6), "0.016674");
 * assert.deepEqual(mcnemarTable([0, 1, 1], [0, 1, 0], [1, 1, 1]), [[1, 1], [1, 0]]);
 * ```
 *
 * @module
 */
import { checkCounts, checkSameLength } from "./_checks.ts";
import { binomialCdf, binomialPmf, chiSquare1Sf } from "./special.ts";

/** A 2x2 table of counts [[a, b], [c, d]]. */
export type Table2x2 = readonly [readonly [number, number], readonly [number, number]] | readonly (readonly number[])[];

/** McNemar's test result. */
export interface McNemarResult {
  /** min(b, c) for "exact" and "midp"; the chi-square statistic for "asymptotic" (NaN when b + c = 0). */
  statistic: number;
  /** Two-sided p-value (NaN for "asymptotic" when b + c = 0). */
  pValue: number;
  /**
   * Asymptotic only: z = (b - c)/sqrt(b + c) without correction, (|b - c| - 1)/sqrt(b + c) with it
   * (as R contingencytables' McNemar_asymptotic_test(_CC)); statistic = z^2.
   */
  z?: number;
  /** Discordant count table[0][1] (e.g. A right, B wrong). */
  b: number;
  /** Discordant count table[1][0] (e.g. A wrong, B right). */
  c: number;
  /** The method used. */
  method: "exact" | "midp" | "asymptotic";
}

/**
 * McNemar's test on a 2x2 table of counts.
 * @throws {RangeError} unless the table is 2x2 of non-negative integer counts, or on an unknown method.
 */
export function mcnemar(
  table: Table2x2,
  options: { method?: "exact" | "midp" | "asymptotic"; correction?: boolean } = {},
): McNemarResult {
  if (table.length !== 2 || table.some((r) => r.length !== 2)) {
    throw new RangeError(
      `Cannot compute mcnemar: expected a 2x2 table, found ${table.length}x${table[0]?.length ?? 0}`,
    );
  }
  checkCounts("mcnemar", "table", table.flat());
  const b = table[0][1], c = table[1][0];
  const method = options.method ?? "midp";
  const n = b + c;
  const m = Math.min(b, c);
  if (method === "exact") {
    return { statistic: m, pValue: n === 0 ? 1 : Math.min(1, 2 * binomialCdf(m, n, 0.5)), b, c, method };
  }
  if (method === "midp") {
    if (n === 0) return { statistic: m, pValue: 1, b, c, method };
    const p = b === c
      ? 1 - binomialPmf(b, n, 0.5) / 2
      : Math.min(1, 2 * binomialCdf(m, n, 0.5)) - binomialPmf(b, n, 0.5);
    return { statistic: m, pValue: Math.min(1, Math.max(0, p)), b, c, method };
  }
  if (method === "asymptotic") {
    const cc = (options.correction ?? true) ? 1 : 0;
    if (n === 0) return { statistic: NaN, pValue: NaN, b, c, method };
    const stat = (Math.abs(b - c) - cc) ** 2 / n;
    const z = cc ? (Math.abs(b - c) - cc) / Math.sqrt(n) : (b - c) / Math.sqrt(n);
    return { statistic: stat, pValue: chiSquare1Sf(stat), z, b, c, method };
  }
  throw new RangeError(`Cannot compute mcnemar: expected method "exact", "midp" or "asymptotic", found "${method}"`);
}

/**
 * The correct/incorrect 2x2 table of two predictions against the same truth:
 * [[both right, A right B wrong], [A wrong B right, both wrong]].
 * @throws {RangeError} on different lengths.
 */
export function mcnemarTable(
  truth: readonly number[],
  predA: readonly number[],
  predB: readonly number[],
): [[number, number], [number, number]] {
  checkSameLength("mcnemarTable", truth, predA, ["truth", "predA"]);
  checkSameLength("mcnemarTable", truth, predB, ["truth", "predB"]);
  const t: [[number, number], [number, number]] = [[0, 0], [0, 0]];
  for (let i = 0; i < truth.length; i++) t[truth[i] === predA[i] ? 0 : 1][truth[i] === predB[i] ? 0 : 1]++;
  return t;
}
