/**
 * Precision-recall curves and average precision, as scikit-learn 1.2 computes them.
 *
 * One point per distinct score threshold t (scores >= t are called positive), ordered by increasing
 * threshold, then the point (recall 0, precision 1), which has no threshold. A threshold with no
 * predicted positives has precision 0. Average precision is the step sum
 * AP = sum_n (R_n - R_{n-1}) P_n over thresholds — not the trapezoid area, which is optimistic.
 * With no positive in the truth, recall is taken as 1 everywhere and AP is 0 (scikit-learn's
 * convention; it warns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { averagePrecision, precisionRecallCurve } from "./precision_recall.ts";
 * assert.deepEqual(precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), {
 *   precision: [0.5, 2 / 3, 0.5, 1, 1],
 *   recall: [1, 1, 0.5, 0.5, 0],
 *   thresholds: [0.1, 0.35, 0.4, 0.8],
 * });
 * assert.equal(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.5 * 1 + 0.5 * (2 / 3));
 * ```
 *
 * @module
 */
import { binaryClfCurve } from "./roc.ts";

/** Points of a precision-recall curve, by increasing threshold, ending at (recall 0, precision 1). */
export interface PrecisionRecallCurve {
  /** TP / (TP + FP) at each point (0 with no predicted positive). */
  precision: number[];
  /** TP / P at each point (1 when the truth has no positive). */
  recall: number[];
  /** The distinct scores, increasing; thresholds[i] belongs to point i (the last point has none). */
  thresholds: number[];
}

/**
 * The precision-recall curve of binary truth and scores.
 * @throws {RangeError} on empty input, different lengths, non-binary truth or non-finite scores.
 */
export function precisionRecallCurve(truth01: readonly number[], scores: readonly number[]): PrecisionRecallCurve {
  const { fps, tps, thresholds } = binaryClfCurve(truth01, scores, "precisionRecallCurve");
  const P = tps[tps.length - 1];
  const precision = tps.map((t, i) => (t + fps[i] === 0 ? 0 : t / (t + fps[i])));
  const recall = tps.map((t) => (P === 0 ? 1 : t / P));
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: thresholds.slice().reverse(),
  };
}

/** Average precision (step sum); throws as `precisionRecallCurve`. */
export function averagePrecision(truth01: readonly number[], scores: readonly number[]): number {
  const { precision, recall } = precisionRecallCurve(truth01, scores);
  let ap = 0;
  for (let i = 0; i < recall.length - 1; i++) ap -= (recall[i + 1] - recall[i]) * precision[i];
  return ap === 0 ? 0 : ap;
}
