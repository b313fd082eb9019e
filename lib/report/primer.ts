/**
 * The tables and series of the statistics primer (notebook 00): a simulated 3-class prediction, the
 * per-class counts and rates of a confusion matrix, ROC and precision-recall series per class, the
 * distances of example predictions under both readings, a paired comparison, McNemar on two tables,
 * Cohen's and Fleiss' kappa on worked examples, and the audit of the study's released predictions
 * beside the numbers its Table 4 publishes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classMetricRows } from "./primer.ts";
 * import { classwiseMetrics } from "../stats/confusion.ts";
 * const rows = classMetricRows(classwiseMetrics([0, 1, 1], [0, 1, 0]), ["NONE", "CLNC"]);
 * assert.deepEqual(rows.map((r) => [r.class, r.TP, r.FN]), [["NONE", 1, 0], ["CLNC", 1, 1]]);
 * ```
 *
 * @module
 */
import { PUBLISHED } from "../analysis/published.ts";
import type { PrSeries, RocSeries } from "../plots/curves.ts";
import { bootstrap, studySubsampling } from "../stats/bootstrap.ts";
import type { ClasswiseMetrics } from "../stats/confusion.ts";
import { mean } from "../stats/descriptive.ts";
import { cohensD } from "../stats/effect_size.ts";
import { cohenKappaFromTable, countsFromRatings, fleissKappa } from "../stats/kappa.ts";
import { mcnemar } from "../stats/mcnemar.ts";
import { averagePrecision, precisionRecallCurve } from "../stats/precision_recall.ts";
import { predictionDistances } from "../stats/prediction_distances.ts";
import { rocAuc, rocCurve } from "../stats/roc.ts";
import { wilcoxon } from "../stats/wilcoxon.ts";
import type { Prng } from "../util/prng.ts";
import { formatPValue } from "../util/table_format.ts";
import type { PredictionComparison } from "./compare_predictions.ts";

/** A simulated prediction: true labels and one probability row per case. */
export interface SimulatedPrediction {
  /** True class of each case, drawn with the class weights. */
  truth: number[];
  /** Softmax probabilities of each case (rows sum to 1). */
  probs: number[][];
}

/**
 * A simulated k-class prediction: labels drawn with `classWeights`, then for each case the softmax of
 * a standard normal score per class plus `signal` on the true class. Draws every label first, then
 * the scores case by case, class by class, from `prng`.
 */
export function simulatedPrediction(
  prng: Prng,
  options: { cases: number; classWeights: readonly number[]; signal: number },
): SimulatedPrediction {
  const k = options.classWeights.length;
  const truth = Array.from({ length: options.cases }, () => prng.categorical(options.classWeights));
  const probs = truth.map((t) => {
    const raw = [...Array(k).keys()].map((c) => Math.exp((c === t ? options.signal : 0) + prng.normal(0, 1)));
    const s = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / s);
  });
  return { truth, probs };
}

/** One row per class: the class name, its TP, FP, FN and TN, sensitivity, specificity and precision. */
export function classMetricRows(m: ClasswiseMetrics, names: readonly string[]): {
  class: string;
  TP: number;
  FP: number;
  FN: number;
  TN: number;
  sensitivity: number;
  specificity: number;
  precision: number;
}[] {
  return names.map((label, c) => ({
    class: label,
    TP: m.tp[c],
    FP: m.fp[c],
    FN: m.fn[c],
    TN: m.tn[c],
    sensitivity: m.sensitivity[c],
    specificity: m.specificity[c],
    precision: m.precision[c],
  }));
}

/** Class c of each case as 0/1 and its probability column (one-vs-rest). */
function oneVsRest(truth: readonly number[], probs: readonly (readonly number[])[], c: number) {
  return { y: truth.map((t) => (t === c ? 1 : 0)), scores: probs.map((r) => r[c]) };
}

/** The one-vs-rest ROC curve and AUROC of each class, named by `names`. */
export function rocSeriesOf(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  names: readonly string[],
): RocSeries[] {
  return names.map((label, c) => {
    const { y, scores } = oneVsRest(truth, probs, c);
    const roc = rocCurve(y, scores);
    return { label, fpr: roc.fpr, tpr: roc.tpr, area: rocAuc(y, scores) };
  });
}

/** The one-vs-rest precision-recall curve, average precision and prevalence of each class. */
export function precisionRecallSeriesOf(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  names: readonly string[],
): PrSeries[] {
  return names.map((label, c) => {
    const { y, scores } = oneVsRest(truth, probs, c);
    const pr = precisionRecallCurve(y, scores);
    return {
      label,
      recall: pr.recall,
      precision: pr.precision,
      area: averagePrecision(y, scores),
      prevalence: y.filter(Boolean).length / truth.length,
    };
  });
}

/** A probability vector and the class it should have put its mass on. */
export interface DistanceExample {
  /** What the example shows, e.g. "wrong, far class". */
  case: string;
  /** The predicted probabilities. */
  p: number[];
  /** The true class. */
  target: number;
}

/**
 * The four distances of each example to its one-hot target, with both readings of the ambiguous two:
 * Jensen-Shannon distance and divergence, Wasserstein over ordered classes (A) and over the values as
 * samples (B).
 */
export function distanceExampleRows(examples: readonly DistanceExample[]): Record<string, string | number>[] {
  const probs = examples.map((e) => e.p), targets = examples.map((e) => e.target);
  const a = predictionDistances(probs, targets);
  const b = predictionDistances(probs, targets, { wasserstein: "samples", jensenShannon: "divergence" });
  return examples.map((e, i) => ({
    case: e.case,
    p: e.p.join(" / "),
    "1 - cosine": a.cosine[i],
    "JS distance": a.jensenShannon[i],
    "JS divergence": b.jensenShannon[i],
    "Wasserstein (A: ordered classes)": a.wasserstein[i],
    "Wasserstein (B: values as samples)": b.wasserstein[i],
    Hellinger: a.hellinger[i],
  }));
}

/**
 * Paired values A and B compared as the study compares distances: each mean with its 95% interval
 * from the study's subsampling (draws from `prng.fork("a")` and `prng.fork("b")`), the Wilcoxon
 * signed-rank test, and Cohen's d paired (d_z) and with the pooled SD.
 */
export function pairedComparisonRows(
  a: readonly number[],
  b: readonly number[],
  prng: Prng,
): { quantity: string; value: string }[] {
  const interval = (xs: readonly number[], name: string) => {
    const r = bootstrap(xs, mean, { ...studySubsampling(xs.length), prng: prng.fork(name) });
    return `${r.mean.toFixed(4)} [${r.ci[0].toFixed(4)}-${r.ci[1].toFixed(4)}]`;
  };
  const w = wilcoxon(a, b);
  return [
    { quantity: "mean [95% CI] of A", value: interval(a, "a") },
    { quantity: "mean [95% CI] of B", value: interval(b, "b") },
    { quantity: `Wilcoxon (${w.method}) statistic, p`, value: `${w.statistic}, p ${formatPValue(w.pValue)}` },
    { quantity: "Cohen's d (paired, d_z)", value: cohensD(a, b, { variant: "paired" }).toFixed(4) },
    { quantity: "Cohen's d (pooled SD)", value: cohensD(a, b).toFixed(4) },
  ];
}

/** McNemar's exact, mid-p and corrected chi-square p-values of each 2 x 2 table. */
export function mcnemarExampleRows(tables: readonly (readonly (readonly number[])[])[]): {
  table: string;
  "exact p": number;
  "mid-p": number;
  "chi-square (corrected) p": number;
}[] {
  return tables.map((t) => ({
    table: JSON.stringify(t),
    "exact p": mcnemar(t, { method: "exact" }).pValue,
    "mid-p": mcnemar(t, { method: "midp" }).pValue,
    "chi-square (corrected) p": mcnemar(t, { method: "asymptotic" }).pValue,
  }));
}

/**
 * Cohen's kappa of a two-rater table (with its 95% interval) and Fleiss' kappa of a binary rating
 * panel (rows: subjects, columns: raters), each with the p-value of "agreement by chance".
 */
export function kappaExampleRows(
  table: readonly (readonly number[])[],
  panel: readonly (readonly number[])[],
): { measure: string; value: number; "95% CI": string; "p (H0: chance)": number }[] {
  const ck = cohenKappaFromTable(table);
  const fk = fleissKappa(countsFromRatings(panel, 2));
  const raters = panel[0]?.length ?? 0;
  return [
    {
      measure: `Cohen's kappa (p_o ${ck.po.toFixed(2)}, p_e ${ck.pe.toFixed(2)})`,
      value: ck.kappa,
      "95% CI": `${ck.ci95[0].toFixed(3)} to ${ck.ci95[1].toFixed(3)}`,
      "p (H0: chance)": ck.pValue,
    },
    {
      measure: `Fleiss' kappa (${raters} raters x ${panel.length} cases)`,
      value: fk.kappa,
      "95% CI": "",
      "p (H0: chance)": fk.pValue,
    },
  ];
}

/**
 * The comparison of the released predictions (rows C and CM of Table 4) with, for each, the numbers
 * the study publishes: macro sensitivity / specificity / precision / accuracy (Table 4; AUROC needs
 * probabilities, which were not released).
 */
export function releasedAuditRows(
  rows: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  return rows.map((r) => {
    const t = PUBLISHED.table4[r.predictions as "C" | "CM"];
    return { ...r, published: `${t[0].toFixed(4)} / ${t[1].toFixed(4)} / ${t[2].toFixed(4)} / acc ${t[4].toFixed(4)}` };
  });
}

/** The audit's McNemar line: b, c, exact p and mid-p, beside the study's published p-values. */
export function releasedAuditNote(audit: PredictionComparison, source: string): string {
  const m = audit.mcnemar;
  return `Recomputed from ${source}; McNemar b = ${m.exact.b}, c = ${m.exact.c}: exact p ${
    m.exact.pValue.toFixed(8)
  }, mid-p ${
    m.midp.pValue.toFixed(8)
  } (published ${PUBLISHED.table4McnemarCvsCM.exact} / ${PUBLISHED.table4McnemarCvsCM.midp})`;
}
