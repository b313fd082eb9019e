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
 * import { precisionRecallCurve, averagePrecision } from "./precision_recall.ts";
 * precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
 * // precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8]
 * averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.8333333333333333
 * ```
 */
import { binaryClfCurve } from "./roc.ts";

export interface PrecisionRecallCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/** The precision-recall curve of binary truth and scores. @throws {RangeError} on bad input. */
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

/** Average precision (step sum). @throws {RangeError} on bad input. */
export function averagePrecision(truth01: readonly number[], scores: readonly number[]): number {
  const { precision, recall } = precisionRecallCurve(truth01, scores);
  let ap = 0;
  for (let i = 0; i < recall.length - 1; i++) ap -= (recall[i + 1] - recall[i]) * precision[i];
  return ap === 0 ? 0 : ap;
}
