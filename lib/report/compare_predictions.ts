/**
 * Comparing two label predictions of the same cases: each one's class-wise metrics and McNemar's
 * test (exact and mid-p) on their correct/incorrect table. Used by `cli compare` and the statistics
 * notebook (the audit of the study's released predictions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparePredictions, comparisonRows } from "./compare_predictions.ts";
 * const r = comparePredictions([0, 1, 2, 2], [0, 1, 1, 2], [0, 2, 2, 2], { labels: ["NONE", "CLNC", "EXC"] });
 * assert.deepEqual(r.table, [[2, 1], [1, 0]]); // both right, A right B wrong; A wrong B right, both wrong
 * assert.equal(r.mcnemar.exact.pValue, 1);
 * assert.equal(r.mcnemar.midp.pValue, 0.75); // b = c = 1: 1 - P(X = 1)/2, X ~ Bin(2, 1/2)
 * assert.deepEqual(comparisonRows(r).map((row) => [row.predictions, row.correct, row.accuracy]), [
 *   ["A", 3, 0.75],
 *   ["B", 3, 0.75],
 * ]);
 * ```
 *
 * @module
 */
import { ClasswiseMetrics, classwiseMetrics, mcnemar, McNemarResult, mcnemarTable } from "../stats/mod.ts";
import { readTextFile } from "../util/fs.ts";

/** Two label predictions of the same cases compared (see {@linkcode comparePredictions}). */
export interface PredictionComparison {
  /** The class names, indexed by label. */
  labels: string[];
  /** Number of cases. */
  n: number;
  /** Class-wise metrics of prediction set A. */
  a: ClasswiseMetrics;
  /** Class-wise metrics of prediction set B. */
  b: ClasswiseMetrics;
  /** The correct/incorrect table: [[both right, A right B wrong], [A wrong B right, both wrong]]. */
  table: [[number, number], [number, number]];
  /** McNemar's test on `table`, exact and mid-p. */
  mcnemar: { exact: McNemarResult; midp: McNemarResult };
}

/** One prediction set's row of {@linkcode comparisonRows}: macro-averaged metrics and accuracy. */
export type ComparisonRow = {
  /** The prediction set's name. */
  predictions: string;
  /** Macro-averaged sensitivity (recall). */
  sensitivity: number;
  /** Macro-averaged specificity. */
  specificity: number;
  /** Macro-averaged precision. */
  precision: number;
  /** Macro-averaged F1. */
  f1: number;
  /** Fraction of cases predicted right. */
  accuracy: number;
  /** Number of cases predicted right. */
  correct: number;
  /** Number of cases. */
  n: number;
};

/**
 * Metrics of both prediction sets and McNemar's test between them. Labels are class indices; without
 * `labels` the classes are 0..max label, named by their index.
 * @throws {RangeError} without `labels` when the largest label is not below the number of cases, or
 * with fewer `labels` than classes, or when the three arrays differ in length.
 */
export function comparePredictions(
  truth: number[],
  a: number[],
  b: number[],
  options: { labels?: string[] } = {},
): PredictionComparison {
  const k = Math.max(...truth, ...a, ...b) + 1;
  if (!options.labels && k > truth.length) {
    throw new RangeError(
      `Cannot compare predictions: labels go up to ${
        k - 1
      }, more classes than the ${truth.length} cases; expected the label names (labels) to declare the classes`,
    );
  }
  const labels = options.labels ?? [...Array(k).keys()].map(String);
  if (labels.length < k) {
    throw new RangeError(
      `Cannot compare predictions: expected at least ${k} label names, found ${labels.length} (${labels.join(",")})`,
    );
  }
  const table = mcnemarTable(truth, a, b);
  return {
    labels,
    n: truth.length,
    a: classwiseMetrics(truth, a, { labels: labels.length }),
    b: classwiseMetrics(truth, b, { labels: labels.length }),
    table,
    mcnemar: { exact: mcnemar(table, { method: "exact" }), midp: mcnemar(table, { method: "midp" }) },
  };
}

/**
 * Reads a label file: one integer label per line (the format of the study's released predictions);
 * a first line that is not an integer is taken as a header; a CSV column can be picked by name (the
 * file must then have a header). With `classes`, every label must be below `classes.count`.
 * @throws {Error} naming the file and line of a value that is not a non-negative integer or not a
 * known class, or the option of a column the file does not have.
 */
export function readLabelFile(
  path: string,
  options: { column?: string; classes?: { count: number; from: string } } = {},
): number[] {
  const lines = readTextFile(path, "label file").split(/\r?\n/);
  let start = 0, col = 0;
  const hasHeader = lines.length > 0 && !/^\s*\d+\s*(,|$)/.test(lines[0]);
  if (options.column && !hasHeader) {
    throw new Error(
      `Cannot read ${path}: expected a header line with a column "${options.column}" (--column), found a file without a header (line 1 is "${
        lines[0]?.slice(0, 40) ?? ""
      }")`,
    );
  }
  if (hasHeader) {
    const header = lines[0].split(",").map((h) => h.trim());
    start = 1;
    if (options.column) {
      col = header.indexOf(options.column);
      if (col < 0) {
        throw new Error(`Cannot read ${path}: expected a column "${options.column}", found ${header.join(",")}`);
      }
    }
  }
  const out: number[] = [];
  for (let i = start; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const v = lines[i].split(",")[col]?.trim();
    if (!/^\d+$/.test(v ?? "")) {
      throw new Error(`Cannot read ${path} line ${i + 1}: expected a non-negative integer label, found "${v}"`);
    }
    const label = Number(v);
    if (options.classes && label >= options.classes.count) {
      throw new Error(
        `Cannot read ${path} line ${i + 1}: expected a label in 0..${
          options.classes.count - 1
        } (${options.classes.from}), found ${label}`,
      );
    }
    out.push(label);
  }
  if (!out.length) throw new Error(`Cannot read ${path}: expected at least one label, found none`);
  return out;
}

/** Flat rows for a table: one row per prediction set with macro metrics and accuracy. */
export function comparisonRows(r: PredictionComparison, names: [string, string] = ["A", "B"]): ComparisonRow[] {
  return [r.a, r.b].map((m, i) => ({
    predictions: names[i],
    sensitivity: m.macro.sensitivity,
    specificity: m.macro.specificity,
    precision: m.macro.precision,
    f1: m.macro.f1,
    accuracy: m.accuracy,
    correct: m.tp.reduce((s, v) => s + v, 0),
    n: r.n,
  }));
}
