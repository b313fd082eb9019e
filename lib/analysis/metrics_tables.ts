/**
 * The study's metric rows from probabilities: per-class (one-vs-rest) sensitivity, specificity,
 * precision and AUROC, their unweighted averages, and accuracy — the layout of Tables 2-4 — plus
 * mean +- SD over cross-validation folds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldSummary, formatMeanSd, managementRows } from "./metrics_tables.ts";
 * const r = managementRows([0, 1, 2, 2], [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]);
 * assert.equal(r.accuracy, 1);
 * assert.deepEqual(r.perClass.map((row) => row.label), ["NONE", "CLNC", "EXC"]);
 * assert.deepEqual(r.average, { label: "average", sensitivity: 1, specificity: 1, precision: 1, auroc: 1 });
 * assert.equal(formatMeanSd(foldSummary([r, r]).accuracy), "1.0000 ± 0.0000");
 * ```
 *
 * @module
 */
import { accuracy, argmax, classwiseMetrics } from "../stats/confusion.ts";
import { rocAucOvrOrNaN } from "../stats/roc.ts";
import { MeanSd, meanSd } from "../stats/descriptive.ts";
import { MANAGEMENT } from "../data/vocabulary.ts";
import type { PredictionsTable } from "../model/predictions.ts";

/** One row of Tables 2-4: a class (one-vs-rest) or their unweighted "average". */
export interface MetricRow {
  /** The class's code (e.g. "EXC") or "average". */
  label: string;
  /** TP / (TP + FN). */
  sensitivity: number;
  /** TN / (TN + FP). */
  specificity: number;
  /** TP / (TP + FP) (0 when nothing is predicted as the class). */
  precision: number;
  /** One-vs-rest AUROC (NaN for a class absent from the truth). */
  auroc: number;
}

/** The metrics of one probability matrix against the truth. */
export interface MetricTable {
  /** One row per class, in code order. */
  perClass: MetricRow[];
  /** Unweighted means of the per-class rows. */
  average: MetricRow;
  /** Share of cases whose arg-max class is the true one. */
  accuracy: number;
  /** Rows = truth, columns = arg-max prediction. */
  confusionMatrix: number[][];
  /** The arg-max class of each case. */
  predicted: number[];
}

/** Rows of Tables 2-4 for a probability matrix (arg-max decides the label). */
export function managementRows(
  truth: readonly number[],
  probs: readonly (readonly number[])[],
  codes: readonly string[] = MANAGEMENT.codes,
): MetricTable {
  const pred = argmax(probs);
  const m = classwiseMetrics(truth, pred, { labels: codes.length });
  const auc = rocAucOvrOrNaN(truth, probs, { average: "none" }); // NaN for a class absent from truth
  const perClass = codes.map((label, c) => ({
    label,
    sensitivity: m.sensitivity[c],
    specificity: m.specificity[c],
    precision: m.precision[c],
    auroc: auc[c],
  }));
  const avg = (k: keyof Omit<MetricRow, "label">) => perClass.reduce((s, r) => s + r[k], 0) / perClass.length;
  return {
    perClass,
    average: {
      label: "average",
      sensitivity: avg("sensitivity"),
      specificity: avg("specificity"),
      precision: avg("precision"),
      auroc: avg("auroc"),
    },
    accuracy: m.accuracy,
    confusionMatrix: m.confusionMatrix,
    predicted: pred,
  };
}

/** Mean +- SD (ddof 1) of the average rows and accuracies of several folds. */
export function foldSummary(
  tables: readonly MetricTable[],
): Record<"sensitivity" | "specificity" | "precision" | "auroc" | "accuracy", MeanSd> {
  const pick = (f: (t: MetricTable) => number) => meanSd(tables.map(f));
  return {
    sensitivity: pick((t) => t.average.sensitivity),
    specificity: pick((t) => t.average.specificity),
    precision: pick((t) => t.average.precision),
    auroc: pick((t) => t.average.auroc),
    accuracy: pick((t) => t.accuracy),
  };
}

/** "0.6462 +- 0.0369" style text. */
export function formatMeanSd(m: MeanSd, digits = 4): string {
  return `${m.mean.toFixed(digits)} ± ${Number.isNaN(m.sd) ? "n/a" : m.sd.toFixed(digits)}`;
}

/** One head of a run on one split: its accuracy and its macro one-vs-rest AUROC. */
export interface HeadMetricRow {
  /** The head. */
  head: string;
  /** Share of cases whose arg-max class is the true one. */
  accuracy: number;
  /** Macro one-vs-rest AUROC; NaN when a class has no case in the split. */
  "macro AUROC": number;
}

/** Accuracy and macro AUROC of every head of a predictions table on `split`. */
export function headMetricRows(table: PredictionsTable, split: string): HeadMetricRow[] {
  return table.heads.map((h) => {
    const truth = table.truth(h, split), probs = table.probs(h, split);
    return {
      head: h,
      accuracy: truth.length ? accuracy(truth, argmax(probs)) : NaN,
      "macro AUROC": rocAucOvrOrNaN(truth, probs),
    };
  });
}
