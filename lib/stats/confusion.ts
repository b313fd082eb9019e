/**
 * Confusion matrices and class-wise (one-vs-rest) metrics of a multi-class prediction.
 *
 * Rows are the truth, columns the prediction (scikit-learn's `confusion_matrix` orientation).
 * For class c: TP = M[c][c], FN = row sum - TP, FP = column sum - TP, TN = n - TP - FN - FP;
 * sensitivity = TP/(TP+FN), specificity = TN/(TN+FP), precision = TP/(TP+FP),
 * F1 = 2 TP/(2 TP + FP + FN). A 0/0 ratio takes `zeroDivision` (0 by default, as scikit-learn;
 * `NaN` to keep it visible). `macro` averages each over all classes, `weighted` by support;
 * `balancedAccuracy` is the mean
 * sensitivity over the classes present in the truth (scikit-learn's `balanced_accuracy_score`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classwiseMetrics, confusionMatrix } from "./confusion.ts";
 * assert.deepEqual(confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]), [[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
 * assert.equal(classwiseMetrics([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1]).balancedAccuracy, 0.625);
 * ```
 *
 * @module
 */
import { checkLabels, checkNonEmpty, checkSameLength } from "./_checks.ts";

/** The number of classes, when not all of them occur in the labels. */
export interface LabelOptions {
  /** Number of classes k (labels are 0..k-1). Default: 1 + the largest label in truth or prediction. */
  labels?: number;
}

/** The k x k confusion matrix (rows = truth, columns = prediction). */
export function confusionMatrix(
  truth: readonly number[],
  pred: readonly number[],
  options: LabelOptions = {},
): number[][] {
  checkNonEmpty("confusionMatrix", "truth", truth);
  checkSameLength("confusionMatrix", truth, pred, ["truth", "pred"]);
  const k = options.labels ??
    Math.max(checkLabels("confusionMatrix", "truth", truth), checkLabels("confusionMatrix", "pred", pred));
  checkLabels("confusionMatrix", "truth", truth, k);
  checkLabels("confusionMatrix", "pred", pred, k);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][pred[i]]++;
  return m;
}

/** One-vs-rest counts and metrics per class, with their averages. */
export interface ClasswiseMetrics {
  /** The k x k confusion matrix (rows = truth, columns = prediction). */
  confusionMatrix: number[][];
  /** Per class: true positives, M[c][c]. */
  tp: number[];
  /** Per class: false positives, column sum - TP. */
  fp: number[];
  /** Per class: false negatives, row sum - TP. */
  fn: number[];
  /** Per class: true negatives, n - TP - FN - FP. */
  tn: number[];
  /** Per class: TP / (TP + FN), a.k.a. recall or true positive rate. */
  sensitivity: number[];
  /** Per class: TN / (TN + FP). */
  specificity: number[];
  /** Per class: TP / (TP + FP), a.k.a. positive predictive value. */
  precision: number[];
  /** Per class: 2 TP / (2 TP + FP + FN). */
  f1: number[];
  /** Fraction of cases predicted right (sum of TP / n). */
  accuracy: number;
  /** Unweighted means over all k classes. */
  macro: { sensitivity: number; specificity: number; precision: number; f1: number };
  /** Means weighted by each class's support (scikit-learn's average="weighted"). */
  weighted: { sensitivity: number; specificity: number; precision: number; f1: number };
  /** Mean sensitivity over the classes present in the truth (scikit-learn's `balanced_accuracy_score`). */
  balancedAccuracy: number;
  /** Number of cases of each class in the truth. */
  support: number[];
}

/**
 * One-vs-rest metrics of every class, their unweighted (macro) means, accuracy and balanced accuracy.
 * @throws {RangeError} on different lengths, empty input or labels outside 0..k-1.
 */
export function classwiseMetrics(
  truth: readonly number[],
  pred: readonly number[],
  options: LabelOptions & { zeroDivision?: number } = {},
): ClasswiseMetrics {
  const zd = options.zeroDivision ?? 0;
  const cm = confusionMatrix(truth, pred, options);
  const k = cm.length, n = truth.length;
  const tp: number[] = [], fp: number[] = [], fn: number[] = [], tn: number[] = [], support: number[] = [];
  for (let c = 0; c < k; c++) {
    const row = cm[c].reduce((a, b) => a + b, 0);
    const column = cm.reduce((a, r) => a + r[c], 0);
    tp.push(cm[c][c]);
    fn.push(row - cm[c][c]);
    fp.push(column - cm[c][c]);
    tn.push(n - row - column + cm[c][c]);
    support.push(row);
  }
  const ratio = (a: number, b: number) => (b === 0 ? zd : a / b);
  const sensitivity = tp.map((t, c) => ratio(t, t + fn[c]));
  const specificity = tn.map((t, c) => ratio(t, t + fp[c]));
  const precision = tp.map((t, c) => ratio(t, t + fp[c]));
  const f1 = tp.map((t, c) => ratio(2 * t, 2 * t + fp[c] + fn[c]));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const wavg = (xs: number[]) => xs.reduce((a, v, c) => a + (v * support[c]) / n, 0);
  const present = sensitivity.filter((_, c) => support[c] > 0);
  return {
    confusionMatrix: cm,
    tp,
    fp,
    fn,
    tn,
    sensitivity,
    specificity,
    precision,
    f1,
    accuracy: tp.reduce((a, b) => a + b, 0) / n,
    macro: { sensitivity: avg(sensitivity), specificity: avg(specificity), precision: avg(precision), f1: avg(f1) },
    weighted: {
      sensitivity: wavg(sensitivity),
      specificity: wavg(specificity),
      precision: wavg(precision),
      f1: wavg(f1),
    },
    balancedAccuracy: avg(present),
    support,
  };
}

/**
 * Fraction of equal labels.
 * @throws {RangeError} on empty input or different lengths.
 */
export function accuracy(truth: readonly number[], pred: readonly number[]): number {
  checkNonEmpty("accuracy", "truth", truth);
  checkSameLength("accuracy", truth, pred, ["truth", "pred"]);
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) ok++;
  return ok / truth.length;
}

/**
 * The index of the largest value of one row (the first on ties, as NumPy's argmax).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { argmaxIndex } from "./confusion.ts";
 * assert.equal(argmaxIndex([0.2, 0.5, 0.3]), 1);
 * assert.equal(argmaxIndex([0.5, 0.5, 0]), 0);
 * ```
 */
export function argmaxIndex(row: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/** The arg-max class of each probability row (first maximum on ties, as NumPy's argmax). */
export function argmax(rows: readonly (readonly number[])[]): number[] {
  return rows.map(argmaxIndex);
}
