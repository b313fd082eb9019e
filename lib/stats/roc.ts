/**
 * ROC curves and the area under them, as scikit-learn 1.2 computes them.
 *
 * The curve has one point per distinct score (descending): at threshold t, TPR = TP(t)/P and
 * FPR = FP(t)/N counting cases with score >= t, preceded by the point (0, 0). With
 * `dropIntermediate` (default), points that lie on a straight segment between their neighbours are
 * removed (scikit-learn's rule: keep a point where the second difference of FP or TP is non-zero).
 * `thresholds[i]` belongs to point i + 1: scikit-learn's artificial first threshold (max + 1 in 1.2,
 * +inf from 1.3) for the (0, 0) point is left out.
 *
 * AUROC is the trapezoid area under the full curve, which equals the Mann-Whitney probability that a
 * positive scores above a negative, ties counting 1/2. One-vs-rest AUROC of a multi-class prediction
 * scores class k by its probability column; "macro" averages the classes, "weighted" weights them by
 * prevalence (scikit-learn's `roc_auc_score(multi_class="ovr")`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rocAuc, rocCurve } from "./roc.ts";
 * assert.deepEqual(rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), {
 *   fpr: [0, 0, 0.5, 0.5, 1],
 *   tpr: [0, 0.5, 0.5, 1, 1],
 *   thresholds: [0.8, 0.4, 0.35, 0.1],
 * });
 * assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
 * ```
 *
 * @module
 */
import { checkBinary, checkFinite, checkLabels, checkNonEmpty, checkSameLength } from "./_checks.ts";

/** Cumulative false/true positives at each distinct threshold, scores descending (private core). */
export function binaryClfCurve(
  truth01: readonly number[],
  scores: readonly number[],
  fn: string,
): { fps: number[]; tps: number[]; thresholds: number[] } {
  checkNonEmpty(fn, "truth", truth01);
  checkSameLength(fn, truth01, scores, ["truth", "scores"]);
  checkBinary(fn, "truth", truth01);
  checkFinite(fn, "scores", scores);
  const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fps: number[] = [], tps: number[] = [], thresholds: number[] = [];
  let tp = 0, fp = 0;
  for (let i = 0; i < order.length; i++) {
    const j = order[i];
    if (truth01[j] === 1) tp++;
    else fp++;
    if (i === order.length - 1 || scores[order[i + 1]] !== scores[j]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[j]);
    }
  }
  return { fps, tps, thresholds };
}

/** Points of a ROC curve, from (0, 0) to (1, 1). */
export interface RocCurve {
  /** False positive rate FP(t)/N of each point. */
  fpr: number[];
  /** True positive rate TP(t)/P of each point. */
  tpr: number[];
  /** thresholds[i] gives point i + 1 (see module doc). */
  thresholds: number[];
}

/**
 * The ROC curve of binary truth (0/1) and scores (higher = more positive).
 * @throws {RangeError} on different lengths, empty input, non-binary truth or non-finite scores,
 * and when truth holds a single class (a ROC curve needs positives and negatives).
 */
export function rocCurve(
  truth01: readonly number[],
  scores: readonly number[],
  options: { dropIntermediate?: boolean } = {},
): RocCurve {
  let { fps, tps, thresholds } = binaryClfCurve(truth01, scores, "rocCurve");
  const P = tps[tps.length - 1], N = fps[fps.length - 1];
  if (P === 0 || N === 0) {
    throw new RangeError(
      `Cannot compute rocCurve: expected both classes in truth, found only ${P === 0 ? "negatives" : "positives"}`,
    );
  }
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const d2t = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps[i]);
    tps = keep.map((i) => tps[i]);
    thresholds = keep.map((i) => thresholds[i]);
  }
  return { fpr: [0, ...fps.map((f) => f / N)], tpr: [0, ...tps.map((t) => t / P)], thresholds };
}

/** Trapezoid area under a curve given by x (monotone) and y. */
export function trapezoid(x: readonly number[], y: readonly number[]): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return a;
}

/** Area under the ROC curve (ties count 1/2). @throws {RangeError} as rocCurve. */
export function rocAuc(truth01: readonly number[], scores: readonly number[]): number {
  const c = rocCurve(truth01, scores, { dropIntermediate: false });
  return trapezoid(c.fpr, c.tpr);
}

/**
 * AUROC, or NaN where it is undefined: no cases, a single class in `truth01`, or a score that is not
 * finite (a diverged model). For tables and summaries that show a cell for every head and class;
 * other bad input (different lengths, truth not 0/1) still throws.
 *
 * @throws {RangeError} on different lengths or truth values other than 0 and 1.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rocAucOrNaN } from "./roc.ts";
 * assert.equal(rocAucOrNaN([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
 * assert.ok(Number.isNaN(rocAucOrNaN([1, 1], [0.2, 0.9]))); // no negatives
 * ```
 */
export function rocAucOrNaN(truth01: readonly number[], scores: readonly number[]): number {
  checkSameLength("rocAucOrNaN", truth01, scores, ["truth", "scores"]);
  checkBinary("rocAucOrNaN", "truth", truth01);
  const positives = truth01.reduce((n, t) => n + t, 0);
  if (positives === 0 || positives === truth01.length || !scores.every(Number.isFinite)) return NaN;
  return rocAuc(truth01, scores);
}

/**
 * One-vs-rest AUROC as {@linkcode rocAucOvr} computes it, with NaN where a class's AUROC is undefined
 * (see {@linkcode rocAucOrNaN}): per class with `average: "none"`, else the average, which is NaN as
 * soon as one class's is (and for no cases).
 *
 * @throws {RangeError} on different lengths or labels outside 0..k-1.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rocAucOvrOrNaN } from "./roc.ts";
 * const probs = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1]];
 * assert.deepEqual(rocAucOvrOrNaN([0, 1, 1], probs, { average: "none" }), [1, 1, NaN]); // no case of class 2
 * assert.ok(Number.isNaN(rocAucOvrOrNaN([0, 1, 1], probs)));
 * ```
 */
export function rocAucOvrOrNaN(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  options: { average: "none" },
): number[];
/** One-vs-rest AUROC with NaN where undefined, averaged over the classes ("macro", default, or "weighted"). */
export function rocAucOvrOrNaN(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  options?: { average?: "macro" | "weighted" },
): number;
export function rocAucOvrOrNaN(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  options: { average?: "macro" | "weighted" | "none" } = {},
): number | number[] {
  checkSameLength("rocAucOvrOrNaN", truth, probs, ["truth", "probs"]);
  const average = options.average ?? "macro";
  if (!truth.length) return average === "none" ? [] : NaN;
  const k = probs[0].length;
  checkLabels("rocAucOvrOrNaN", "truth", truth, k);
  const per = [...Array(k).keys()].map((c) => rocAucOrNaN(truth.map((t) => (t === c ? 1 : 0)), probs.map((r) => r[c])));
  return averageOverClasses("rocAucOvrOrNaN", truth, per, average);
}

/** The per-class values `per` as they are ("none"), their mean ("macro") or their prevalence-weighted mean. */
function averageOverClasses(fn: string, truth: readonly number[], per: number[], average: string): number | number[] {
  if (average === "none") return per;
  if (average === "macro") return per.reduce((a, b) => a + b, 0) / per.length;
  if (average === "weighted") {
    const counts = per.map((_, c) => truth.filter((t) => t === c).length);
    return per.reduce((a, v, c) => a + (v * counts[c]) / truth.length, 0);
  }
  throw new RangeError(`Cannot compute ${fn}: expected average "macro", "weighted" or "none", found "${average}"`);
}

/** One-vs-rest AUROC of each class (`average: "none"`), class-probability rows against labels 0..k-1. */
export function rocAucOvr(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  options: { average: "none" },
): number[];
/**
 * One-vs-rest AUROC averaged over the classes: "macro" (default) or "weighted" by prevalence.
 * @throws {RangeError} on empty input, different lengths, labels outside 0..k-1, a class absent from
 * the truth (see rocCurve) or an unknown average.
 */
export function rocAucOvr(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  options?: { average?: "macro" | "weighted" },
): number;
export function rocAucOvr(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  options: { average?: "macro" | "weighted" | "none" } = {},
): number | number[] {
  checkNonEmpty("rocAucOvr", "truth", truth);
  checkSameLength("rocAucOvr", truth, probs, ["truth", "probs"]);
  const k = probs[0].length;
  checkLabels("rocAucOvr", "truth", truth, k);
  const per = [...Array(k).keys()].map((c) => rocAuc(truth.map((t) => (t === c ? 1 : 0)), probs.map((r) => r[c])));
  return averageOverClasses("rocAucOvr", truth, per, options.average ?? "macro");
}
