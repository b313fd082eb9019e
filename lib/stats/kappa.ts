/**
 * Agreement beyond chance: Cohen's kappa for two raters and Fleiss' kappa for many.
 *
 * Cohen (1960): kappa = (p_o - p_e) / (1 - p_e) with observed agreement p_o and chance agreement
 * p_e = sum_i p_i. p_.i from the two raters' marginals; weighted kappa (Cohen 1968) uses
 * disagreement weights |i - j| ("linear") or (i - j)^2 ("quadratic"), as scikit-learn's
 * `cohen_kappa_score`. Standard errors (Fleiss, Cohen & Everitt 1969, as SAS PROC FREQ, statsmodels
 * `cohens_kappa` and R `irr::kappa2` report them, weighted or not): `ase` (for confidence
 * intervals) and `aseH0` (under no agreement beyond chance), z = kappa / aseH0, two-sided p.
 *
 * Fleiss (1971): for N subjects each rated by n raters into k categories with counts n_ij,
 * P_i = (sum_j n_ij^2 - n) / (n (n - 1)), P_bar = mean P_i, p_j = sum_i n_ij / (N n),
 * P_e = sum_j p_j^2, kappa = (P_bar - P_e) / (1 - P_e). "randolph" uses P_e = 1/k (free marginals).
 * z uses the standard error under H0 of Fleiss, Nee & Landis (1979), as R's `irr::kappam.fleiss`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cohenKappa, countsFromRatings, fleissKappa } from "./kappa.ts";
 * assert.equal(cohenKappa([0, 0, 1, 1], [0, 1, 1, 1]).kappa, 0.5); // p_o 3/4, p_e 1/2
 * const counts = countsFromRatings([[0, 0, 0], [1, 1, 0]], 2);
 * assert.deepEqual(counts, [[3, 0], [1, 2]]);
 * assert.equal(fleissKappa(counts).kappa.toFixed(6), "0.250000"); // P_bar 2/3, P_e 5/9
 * ```
 *
 * @module
 */
import { checkLabels, checkNonEmpty, checkSameLength } from "./_checks.ts";
import { confusionMatrix } from "./confusion.ts";
import { normalSf } from "./special.ts";

/** Cohen's kappa with its standard errors, test and table. */
export interface CohenKappaResult {
  /** (p_o - p_e) / (1 - p_e), weighted when weights are used. */
  kappa: number;
  /** Observed agreement (weighted when weights are used). */
  po: number;
  /** Chance agreement from the raters' marginals (weighted when weights are used). */
  pe: number;
  /** Asymptotic standard error (for the confidence interval). */
  ase: number;
  /** Standard error under H0 (no agreement beyond chance), for z. */
  aseH0: number;
  /** kappa / aseH0. */
  z: number;
  /** Two-sided normal p-value of z. */
  pValue: number;
  /** 95% Wald interval kappa +- 1.96 ase. */
  ci95: [number, number];
  /** The k x k contingency table (rows = rater A, columns = rater B), a copy. */
  table: number[][];
}

/** Options of Cohen's kappa. */
export interface CohenKappaOptions {
  /** Disagreement weights |i - j| or (i - j)^2 (default: unweighted, 0 on the diagonal and 1 off it). */
  weights?: "linear" | "quadratic";
  /** Number of categories (labels 0..k-1); default from the data. */
  labels?: number;
}

/**
 * Cohen's kappa of two raters' labels (integers 0..k-1).
 * @throws {RangeError} on empty input, different lengths or labels outside 0..k-1.
 */
export function cohenKappa(
  a: readonly number[],
  b: readonly number[],
  options: CohenKappaOptions = {},
): CohenKappaResult {
  checkNonEmpty("cohenKappa", "a", a);
  checkSameLength("cohenKappa", a, b, ["a", "b"]);
  const k = options.labels ?? Math.max(checkLabels("cohenKappa", "a", a), checkLabels("cohenKappa", "b", b));
  return cohenKappaFromTable(confusionMatrix(a, b, { labels: k }), options);
}

/**
 * Cohen's kappa from a k x k contingency table (rows = rater A, columns = rater B).
 * @throws {RangeError} on a table that is not square, has negative or non-finite counts, or sums to 0.
 */
export function cohenKappaFromTable(
  table: readonly (readonly number[])[],
  options: Pick<CohenKappaOptions, "weights"> = {},
): CohenKappaResult {
  const k = table.length;
  if (!k || table.some((r) => r.length !== k)) {
    throw new RangeError(`Cannot compute cohenKappa: expected a square table, found ${k}x${table[0]?.length ?? 0}`);
  }
  table.flat().forEach((v, i) => {
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(
        `Cannot compute cohenKappa: expected non-negative counts in the table, found ${v} at flat index ${i}`,
      );
    }
  });
  const n = table.flat().reduce((s, v) => s + v, 0);
  if (n === 0) throw new RangeError("Cannot compute cohenKappa: expected a table with at least one count, found none");
  const p = table.map((r) => r.map((v) => v / n));
  const row = p.map((r) => r.reduce((s, v) => s + v, 0));
  const col = p[0].map((_, j) => p.reduce((s, r) => s + r[j], 0));
  const w = (
    i: number,
    j: number,
  ) => (options.weights === "linear"
    ? Math.abs(i - j)
    : options.weights === "quadratic"
    ? (i - j) ** 2
    : i === j
    ? 0
    : 1);
  let obsDis = 0, expDis = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      obsDis += w(i, j) * p[i][j];
      expDis += w(i, j) * row[i] * col[j];
    }
  }
  const kappa = 1 - obsDis / expDis;
  // For reporting, agreement = 1 - disagreement when weights are normalised to max 1.
  const wMax = Math.max(1, ...[...Array(k).keys()].flatMap((i) => [...Array(k).keys()].map((j) => w(i, j))));
  const po = 1 - obsDis / wMax, pe = 1 - expDis / wMax;
  // Standard errors with agreement weights a_ij = 1 - w_ij / max w (identity when unweighted):
  // Fleiss, Cohen & Everitt (1969), Psychol Bull 72:323, eqs. for var(kappa_w) and var_0(kappa_w).
  const a = (i: number, j: number) => 1 - w(i, j) / wMax;
  const aRow = row.map((_, i) => col.reduce((s, cj, j) => s + cj * a(i, j), 0));
  const aCol = col.map((_, j) => row.reduce((s, ri, i) => s + ri * a(i, j), 0));
  let s1 = 0, s0 = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      s1 += p[i][j] * (a(i, j) - (aRow[i] + aCol[j]) * (1 - kappa)) ** 2;
      s0 += row[i] * col[j] * (a(i, j) - (aRow[i] + aCol[j])) ** 2;
    }
  }
  const ase = Math.sqrt(Math.max(0, (s1 - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)));
  const aseH0 = Math.sqrt(Math.max(0, (s0 - pe * pe) / (n * (1 - pe) ** 2)));
  const z = kappa / aseH0;
  const pValue = 2 * normalSf(Math.abs(z));
  return {
    kappa,
    po,
    pe,
    ase,
    aseH0,
    z,
    pValue,
    ci95: [kappa - 1.959963984540054 * ase, kappa + 1.959963984540054 * ase],
    table: table.map((r) => r.slice()),
  };
}

/** Fleiss' kappa and its parts. */
export interface FleissKappaResult {
  /** (P_bar - P_e) / (1 - P_e). */
  kappa: number;
  /** Per-subject agreement P_i. */
  perSubject: number[];
  /** Mean per-subject agreement. */
  pBar: number;
  /** Chance agreement: sum_j p_j^2 ("fleiss") or 1/k ("randolph"). */
  pe: number;
  /** Category shares p_j. */
  categoryShares: number[];
  /** z under H0 (Fleiss, Nee & Landis 1979) and its two-sided p (method "fleiss" only). */
  z: number;
  /** Two-sided normal p-value of z (NaN for "randolph"). */
  pValue: number;
}

/**
 * Fleiss' kappa from a subjects x categories matrix of counts (every subject rated by the same
 * number of raters; counts may be fractional, as statsmodels allows).
 * @throws {RangeError} on an empty or ragged matrix, negative counts, unequal rater
 * numbers per subject, or fewer than 2 raters.
 */
export function fleissKappa(
  counts: readonly (readonly number[])[],
  options: { method?: "fleiss" | "randolph" } = {},
): FleissKappaResult {
  checkNonEmpty("fleissKappa", "counts", counts);
  const k = counts[0].length;
  counts.forEach((r, i) => {
    if (r.length !== k) {
      throw new RangeError(
        `Cannot compute fleissKappa: expected ${k} categories in every row, found ${r.length} in row ${i}`,
      );
    }
    r.forEach((v, j) => {
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new RangeError(
          `Cannot compute fleissKappa: expected non-negative counts, found ${v} in row ${i}, column ${j}`,
        );
      }
    });
  });
  const nRaters = counts[0].reduce((s, v) => s + v, 0);
  if (nRaters < 2) {
    throw new RangeError(`Cannot compute fleissKappa: expected at least 2 ratings per subject, found ${nRaters}`);
  }
  counts.forEach((r, i) => {
    const s = r.reduce((a, v) => a + v, 0);
    if (Math.abs(s - nRaters) > 1e-9 * nRaters) {
      throw new RangeError(
        `Cannot compute fleissKappa: expected ${nRaters} ratings for every subject, found ${s} in row ${i}`,
      );
    }
  });
  const N = counts.length;
  const perSubject = counts.map((r) => (r.reduce((s, v) => s + v * v, 0) - nRaters) / (nRaters * (nRaters - 1)));
  const pBar = perSubject.reduce((s, v) => s + v, 0) / N;
  const categoryShares = [...Array(k).keys()].map((j) => counts.reduce((s, r) => s + r[j], 0) / (N * nRaters));
  const method = options.method ?? "fleiss";
  const pe = method === "randolph" ? 1 / k : categoryShares.reduce((s, v) => s + v * v, 0);
  const kappa = (pBar - pe) / (1 - pe);
  let z = NaN, pValue = NaN;
  if (method === "fleiss") {
    const pq = categoryShares.map((v) => v * (1 - v));
    const spq = pq.reduce((s, v) => s + v, 0);
    const varK = (2 / (spq * spq * N * nRaters * (nRaters - 1))) *
      (spq * spq - pq.reduce((s, v, j) => s + v * (1 - 2 * categoryShares[j]), 0));
    z = kappa / Math.sqrt(varK);
    pValue = 2 * normalSf(Math.abs(z));
  }
  return { kappa, perSubject, pBar, pe, categoryShares, z, pValue };
}

/**
 * Counts per category from a subjects x raters matrix of labels (0..k-1), for Fleiss' kappa.
 * @throws {RangeError} on a ragged matrix or labels outside 0..k-1.
 */
export function countsFromRatings(ratings: readonly (readonly number[])[], k?: number): number[][] {
  checkNonEmpty("countsFromRatings", "ratings", ratings);
  const kk = k ?? 1 + Math.max(...ratings.flat());
  const raters = ratings[0].length;
  return ratings.map((r, i) => {
    if (r.length !== raters) {
      throw new RangeError(
        `Cannot compute countsFromRatings: expected ${raters} raters in every row, found ${r.length} in row ${i}`,
      );
    }
    checkLabels("countsFromRatings", `row ${i}`, r, kk);
    const c = new Array<number>(kk).fill(0);
    for (const v of r) c[v]++;
    return c;
  });
}
