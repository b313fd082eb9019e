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
 * import { rocCurve, rocAuc } from "./roc.ts";
 * rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // fpr [0,0,0.5,0.5,1], tpr [0,0.5,0.5,1,1], thresholds [0.8,0.4,0.35,0.1]
 * rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 * ```
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

export interface RocCurve {
  fpr: number[];
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

/** One-vs-rest AUROC of class-probability rows against integer labels 0..k-1. */
export function rocAucOvr(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  options: { average: "none" },
): number[];
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
  const average = options.average ?? "macro";
  if (average === "none") return per;
  if (average === "macro") return per.reduce((a, b) => a + b, 0) / k;
  if (average === "weighted") {
    const counts = [...Array(k).keys()].map((c) => truth.filter((t) => t === c).length);
    return per.reduce((a, v, c) => a + (v * counts[c]) / truth.length, 0);
  }
  throw new RangeError(`Cannot compute rocAucOvr: expected average "macro", "weighted" or "none", found "${average}"`);
}
