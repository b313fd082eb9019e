/**
 * Calibration of probabilistic predictions.
 *
 * - `brierScore(truth, probs)`: multi-class Brier score (Brier 1950), mean over cases of
 *   sum_k (p_k - y_k)^2, range [0, 2]. For binary scores (a number per case), mean (p - y)^2 as
 *   scikit-learn's `brier_score_loss` (range [0, 1]).
 * - `reliabilityCurve(truth01, scores, {bins, strategy})`: bins of the score ("uniform" widths over
 *   [0, 1], default; or "quantile" with equal counts), each with its mean score, observed fraction
 *   of positives and count (empty bins omitted). Same bins as scikit-learn's `calibration_curve`:
 *   (e_b, e_{b+1}], the first bin closed at its lower edge.
 * - `expectedCalibrationError(truth, probs, {bins, mode})`: sum_b (n_b/N) |acc_b - conf_b| over
 *   uniform bins. "top-label" (default; Guo et al. 2017): confidence = max_k p_k, accuracy = whether
 *   the arg-max is right. "classwise" (Kull et al. 2019): the mean over classes of each one-vs-rest
 *   ECE.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { brierScore, expectedCalibrationError } from "./calibration.ts";
 * const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;
 * assert.ok(close(brierScore([0, 1], [[0.9, 0.1], [0.2, 0.8]]), 0.05)); // ((0.1² + 0.1²) + (0.2² + 0.2²)) / 2
 * assert.ok(close(expectedCalibrationError([0, 1], [[0.9, 0.1], [0.2, 0.8]], { bins: 10 }), 0.15)); // (0.1 + 0.2) / 2
 * ```
 *
 * @module
 */
import { checkBinary, checkLabels, checkNonEmpty, checkSameLength } from "./_checks.ts";
import { argmax } from "./confusion.ts";
import { quantile } from "./descriptive.ts";

/**
 * Brier score: mean over cases of sum_k (p_k - y_k)^2 for probability rows (range [0, 2]); mean of
 * (p - y)^2 for one binary score per case (range [0, 1], scikit-learn's `brier_score_loss`).
 * @throws {RangeError} on empty input, different lengths, or labels outside the rows' classes (0/1 for scores).
 */
export function brierScore(
  truth: readonly number[],
  probs: readonly number[] | readonly (readonly number[])[],
): number {
  checkNonEmpty("brierScore", "truth", truth);
  checkSameLength("brierScore", truth, probs, ["truth", "probs"]);
  if (typeof probs[0] === "number") {
    checkBinary("brierScore", "truth", truth);
    return (probs as number[]).reduce((s, p, i) => s + (p - truth[i]) ** 2, 0) / truth.length;
  }
  const rows = probs as readonly (readonly number[])[];
  checkLabels("brierScore", "truth", truth, rows[0].length);
  return rows.reduce((s, r, i) => s + r.reduce((t, p, k) => t + (p - (k === truth[i] ? 1 : 0)) ** 2, 0), 0) /
    truth.length;
}

/** One non-empty bin of a reliability curve. */
export interface ReliabilityBin {
  /** Lower edge of the bin (exclusive, except for the first bin). */
  lo: number;
  /** Upper edge of the bin (inclusive). */
  hi: number;
  /** Mean score of the cases in the bin. */
  meanScore: number;
  /** Fraction of those cases whose truth is 1. */
  fractionPositive: number;
  /** Number of cases in the bin. */
  count: number;
}

/**
 * Reliability curve of binary `scores` in [0, 1] against 0/1 truth, over `bins` (default 10) uniform
 * or quantile bins; empty bins are omitted (scikit-learn's `calibration_curve`).
 * @throws {RangeError} on empty input, different lengths, non-binary truth, scores outside [0, 1] or a bad bin count.
 */
export function reliabilityCurve(
  truth01: readonly number[],
  scores: readonly number[],
  options: { bins?: number; strategy?: "uniform" | "quantile" } = {},
): ReliabilityBin[] {
  checkNonEmpty("reliabilityCurve", "truth", truth01);
  checkSameLength("reliabilityCurve", truth01, scores, ["truth", "scores"]);
  checkBinary("reliabilityCurve", "truth", truth01);
  const nb = options.bins ?? 10;
  if (!Number.isInteger(nb) || nb < 1) {
    throw new RangeError(`Cannot compute reliabilityCurve: expected a positive integer number of bins, found ${nb}`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (!(scores[i] >= 0 && scores[i] <= 1)) {
      throw new RangeError(
        `Cannot compute reliabilityCurve: expected scores in [0, 1], found ${scores[i]} at index ${i}`,
      );
    }
  }
  const edges = options.strategy === "quantile"
    ? quantile(scores, [...Array(nb + 1).keys()].map((i) => i / nb))
    : [...Array(nb + 1).keys()].map((i) => i / nb);
  // scikit-learn's binning: bin = number of inner edges strictly below the score, i.e. bins are
  // (e_b, e_{b+1}] and the first also holds its lower edge.
  const members: number[][] = Array.from({ length: nb }, () => []);
  scores.forEach((s, i) => {
    let b = 0;
    while (b < nb - 1 && edges[b + 1] < s) b++;
    members[b].push(i);
  });
  const out: ReliabilityBin[] = [];
  members.forEach((m, b) => {
    if (!m.length) return;
    out.push({
      lo: edges[b],
      hi: edges[b + 1],
      meanScore: m.reduce((a, i) => a + scores[i], 0) / m.length,
      fractionPositive: m.reduce((a, i) => a + truth01[i], 0) / m.length,
      count: m.length,
    });
  });
  return out;
}

function eceBinary(correct: readonly number[], confidence: readonly number[], bins: number): number {
  const curve = reliabilityCurve(correct, confidence, { bins });
  return curve.reduce((s, b) => s + (b.count / correct.length) * Math.abs(b.fractionPositive - b.meanScore), 0);
}

/**
 * Expected calibration error sum_b (n_b/N) |acc_b - conf_b| over `bins` (default 15) uniform bins,
 * "top-label" (default; Guo et al. 2017) or "classwise" (Kull et al. 2019, mean of one-vs-rest ECEs).
 * @throws {RangeError} on empty input, different lengths or labels outside the rows' classes.
 */
export function expectedCalibrationError(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  options: { bins?: number; mode?: "top-label" | "classwise" } = {},
): number {
  checkNonEmpty("expectedCalibrationError", "truth", truth);
  checkSameLength("expectedCalibrationError", truth, probs, ["truth", "probs"]);
  const k = probs[0].length;
  checkLabels("expectedCalibrationError", "truth", truth, k);
  const bins = options.bins ?? 15;
  if ((options.mode ?? "top-label") === "top-label") {
    const pred = argmax(probs);
    return eceBinary(pred.map((p, i) => (p === truth[i] ? 1 : 0)), probs.map((r, i) => r[pred[i]]), bins);
  }
  let s = 0;
  for (let c = 0; c < k; c++) s += eceBinary(truth.map((t) => (t === c ? 1 : 0)), probs.map((r) => r[c]), bins);
  return s / k;
}
