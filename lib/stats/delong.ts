/**
 * DeLong's test for two correlated ROC AUCs measured on the same cases (DeLong, DeLong &
 * Clarke-Pearson 1988, Biometrics 44:837), the test R's `pROC::roc.test(method = "delong")` runs.
 *
 * Structural components: for positive i and negative j, psi = 1 if s_i > s_j, 1/2 if equal, else 0;
 * V10_i = mean_j psi (per positive), V01_j = mean_i psi (per negative). AUC = mean V10.
 * Var(AUC_A - AUC_B) = (S10_AA + S10_BB - 2 S10_AB)/n1 + (S01_AA + S01_BB - 2 S01_AB)/n0 with
 * S the sample covariances (ddof 1) of the components; z = (AUC_A - AUC_B)/sqrt(Var), two-sided p.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { delongTest } from "./delong.ts";
 * const r = delongTest([0, 0, 1, 1, 1], [0.1, 0.4, 0.35, 0.8, 0.9], [0.2, 0.3, 0.5, 0.6, 0.1]);
 * assert.equal(r.aucA, 5 / 6); // 5 of the 6 positive-negative pairs ordered right
 * assert.equal(r.aucB, 4 / 6);
 * assert.ok(r.pValue > 0 && r.pValue <= 1);
 * ```
 *
 * @module
 */
import { checkBinary, checkFinite, checkNonEmpty, checkSameLength } from "./_checks.ts";
import { normalSf } from "./special.ts";

/** DeLong's test of two paired AUCs. */
export interface DelongResult {
  /** ROC AUC of `scoresA`. */
  aucA: number;
  /** ROC AUC of `scoresB`. */
  aucB: number;
  /** aucA - aucB. */
  difference: number;
  /** DeLong standard error of the difference. */
  se: number;
  /** difference / se (±Infinity when se is 0 and the difference is not). */
  z: number;
  /** Two-sided normal p-value of z (1 when both se and the difference are 0). */
  pValue: number;
  /** 95% interval of the difference. */
  ci95: [number, number];
}

function components(pos: number[], neg: number[]): { v10: number[]; v01: number[] } {
  const v10 = pos.map((x) => neg.reduce((s, y) => s + (x > y ? 1 : x === y ? 0.5 : 0), 0) / neg.length);
  const v01 = neg.map((y) => pos.reduce((s, x) => s + (x > y ? 1 : x === y ? 0.5 : 0), 0) / pos.length);
  return { v10, v01 };
}

function cov(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length, mb = b.reduce((s, v) => s + v, 0) / b.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (a.length - 1);
}

/**
 * DeLong's paired test of AUC(scoresA) = AUC(scoresB).
 * @throws {RangeError} on different lengths, non-binary truth, fewer than 2 positives or negatives.
 */
export function delongTest(
  truth01: readonly number[],
  scoresA: readonly number[],
  scoresB: readonly number[],
): DelongResult {
  const fn = "delongTest";
  checkNonEmpty(fn, "truth", truth01);
  checkSameLength(fn, truth01, scoresA, ["truth", "scoresA"]);
  checkSameLength(fn, truth01, scoresB, ["truth", "scoresB"]);
  checkBinary(fn, "truth", truth01);
  checkFinite(fn, "scoresA", scoresA);
  checkFinite(fn, "scoresB", scoresB);
  const posIdx = truth01.flatMap((t, i) => (t === 1 ? [i] : [])),
    negIdx = truth01.flatMap((t, i) => (t === 0 ? [i] : []));
  if (posIdx.length < 2 || negIdx.length < 2) {
    throw new RangeError(
      `Cannot compute ${fn}: expected at least 2 positives and 2 negatives, found ${posIdx.length} and ${negIdx.length}`,
    );
  }
  const A = components(posIdx.map((i) => scoresA[i]), negIdx.map((i) => scoresA[i]));
  const B = components(posIdx.map((i) => scoresB[i]), negIdx.map((i) => scoresB[i]));
  const aucA = A.v10.reduce((s, v) => s + v, 0) / A.v10.length;
  const aucB = B.v10.reduce((s, v) => s + v, 0) / B.v10.length;
  const varD = (cov(A.v10, A.v10) + cov(B.v10, B.v10) - 2 * cov(A.v10, B.v10)) / posIdx.length +
    (cov(A.v01, A.v01) + cov(B.v01, B.v01) - 2 * cov(A.v01, B.v01)) / negIdx.length;
  const difference = aucA - aucB;
  const se = Math.sqrt(Math.max(0, varD));
  const z = se === 0 ? (difference === 0 ? 0 : Math.sign(difference) * Infinity) : difference / se;
  return {
    aucA,
    aucB,
    difference,
    se,
    z,
    pValue: se === 0 && difference === 0 ? 1 : 2 * normalSf(Math.abs(z)),
    ci95: [difference - 1.959963984540054 * se, difference + 1.959963984540054 * se],
  };
}
