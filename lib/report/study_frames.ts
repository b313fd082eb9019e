/**
 * The study's tables as nodejs-polars DataFrames built from run folders: the management metric table
 * of every run (`metricsFrame`), the Table 2/3 layout of named runs (`studyTableFrame`), the 3-fold
 * mean ± SD (`cvFrame`, a group-by over the folds), the diagnoses inside each confusion-matrix cell
 * (`confusionBreakdownFrame`), one row per case of the inferred and the direct management
 * (`inferVsPredictFrame`), and every published number beside this run's (`studyVsRunFrame`, a join).
 *
 * @example
 * ```ts ignore
 * import { cvFrame, metricsFrame, studyTableFrame } from "./study_frames.ts";
 * const metrics = metricsFrame(loadStudyRuns("outputs/synthetic/runs"));
 * studyTableFrame(metrics, { infr: "diag-CDM", pred: "mgmt-CDM" }); // Table 2
 * cvFrame(metrics, { infr: "diag-CDM", pred: "mgmt-CDM" }); // its 3-fold rows
 * ```
 *
 * @module
 */
import pl from "nodejs-polars";
import {
  DistanceComparisonRow,
  formatMeanSd,
  InferVsPredict,
  MetricTable,
  overExcision,
  PUBLISHED,
  publishedWronglyExcised,
} from "../analysis/mod.ts";
import { binaryBaseline } from "../analysis/experiments.ts";
import { DIAGNOSIS, MANAGEMENT } from "../data/vocabulary.ts";
import { DISTANCE_NAMES } from "../stats/prediction_distances.ts";
import { DataFrame, frameOf, recordsOf } from "./frames.ts";
import { ABLATION_INPUTS } from "./experiments.ts";
import { ablationTables, infrVsPred, managementTableOf, StudyRun } from "./study.ts";

/** The measures of a metric table's average row that Tables 2-4 report (besides the accuracy). */
export const METRICS = ["sensitivity", "specificity", "precision", "auroc"] as const;

/** The rows of one metric table: per class, then the average (which carries the accuracy). */
export function metricTableRows(t: MetricTable): {
  label: string;
  sensitivity: number;
  specificity: number;
  precision: number;
  auroc: number;
  /** Only on the average row (null per class). */
  accuracy: number | null;
}[] {
  return [
    ...t.perClass.map((r) => ({
      label: r.label,
      sensitivity: r.sensitivity,
      specificity: r.specificity,
      precision: r.precision,
      auroc: r.auroc,
      accuracy: null as number | null,
    })),
    {
      label: "average",
      sensitivity: t.average.sensitivity,
      specificity: t.average.specificity,
      precision: t.average.precision,
      auroc: t.average.auroc,
      accuracy: t.accuracy,
    },
  ];
}

/**
 * The management metric table (test split) of every run, as the study reports it: `run`, `kind`,
 * `inputs`, `fold` (null on the official split), `approach` ("pred": the run's management head;
 * "infr": a diag-CDM run's probabilities through its training priors, scored on the cases of the
 * mgmt-CDM run of the same fold), `label` (NONE, CLNC, EXC, average) and the metrics; the accuracy
 * is on the average rows.
 */
export function metricsFrame(runs: Readonly<Record<string, StudyRun>>): DataFrame {
  const rows = Object.entries(runs).flatMap(([name, run]) => {
    const m = name.match(/^(diag|mgmt|multi)-([CDM]+)(-fold(\d+))?$/);
    if (!m) return [];
    const [, kind, inputs, suffix = "", fold] = m;
    const table = kind !== "diag"
      ? managementTableOf(run)
      : inputs === "CDM" && runs[`mgmt-CDM${suffix}`]
      ? infrVsPred(runs as Record<string, StudyRun>, suffix).infr
      : null;
    if (!table) return [];
    const head = {
      run: name,
      kind,
      inputs,
      fold: fold === undefined ? null : Number(fold),
      approach: kind === "diag" ? "infr" : "pred",
    };
    return metricTableRows(table).map((r) => ({ ...head, ...r }));
  });
  return frameOf(rows);
}

/** The Table 2/3 layout: the rows of each named run, in the order given, labelled by its key as `approach`. */
export function studyTableFrame(metrics: DataFrame, approaches: Readonly<Record<string, string>>): DataFrame {
  return pl.concat(
    Object.entries(approaches).map(([approach, run]) =>
      metrics.filter(pl.col("run").eq(pl.lit(run))).select(
        pl.lit(approach).alias("approach"),
        pl.col("label"),
        ...METRICS.map((m) => pl.col(m)),
        pl.col("accuracy"),
      )
    ),
  );
}

/**
 * Cross-validation rows: for each approach (key) the folds of the named run (`<run>-fold<i>`), and the
 * mean ± SD (ddof 1) over them of the average rows' metrics and the accuracy, grouped with polars.
 */
export function cvFrame(metrics: DataFrame, approaches: Readonly<Record<string, string>>): DataFrame {
  const measures = [...METRICS, "accuracy"] as const;
  const folds = pl.concat(
    Object.entries(approaches).map(([approach, run], order) =>
      metrics
        .filter(pl.col("label").eq(pl.lit("average")).and(pl.col("run").str.contains(`^${run}-fold\\d+$`)))
        .select(pl.lit(approach).alias("approach"), pl.lit(order).alias("order"), ...measures.map((m) => pl.col(m)))
    ),
  );
  const summary = folds.groupBy("approach").agg(
    pl.col("order").first(),
    pl.len().alias("folds"),
    ...measures.flatMap((m) => [pl.col(m).mean().alias(`${m} mean`), pl.col(m).std().alias(`${m} sd`)]),
  ).sort("order");
  return frameOf(
    recordsOf(summary).map((r) => ({
      approach: r.approach,
      folds: r.folds,
      ...Object.fromEntries(
        measures.map((m) => [m, formatMeanSd({ mean: r[`${m} mean`] as number, sd: (r[`${m} sd`] as number) ?? NaN })]),
      ),
    })),
  );
}

/**
 * The cases of each cell of a confusion matrix by a third label (the study's Fig. 2d-e: which
 * diagnoses sit in each management cell): one row per (truth, predicted) cell, its case count, and one
 * column per breakdown label; empty cells included.
 */
export function confusionBreakdownFrame(o: {
  labels: readonly string[];
  truth: readonly number[];
  predicted: readonly number[];
  breakdown: readonly number[];
  breakdownLabels: readonly string[];
}): DataFrame {
  const cases = frameOf(o.truth.map((t, i) => ({
    truth: o.labels[t],
    predicted: o.labels[o.predicted[i]],
    by: o.breakdownLabels[o.breakdown[i]],
  })));
  const counts = cases.groupBy(["truth", "predicted", "by"]).agg(pl.len().alias("n"))
    .pivot("n", { index: ["truth", "predicted"], on: "by" });
  const grid = frameOf(o.labels.flatMap((truth) => o.labels.map((predicted) => ({ truth, predicted }))));
  const joined = grid.join(counts, { on: ["truth", "predicted"], how: "left" });
  return joined.select(
    pl.col("truth"),
    pl.col("predicted"),
    pl.sumHorizontal(o.breakdownLabels.filter((b) => joined.columns.includes(b)).map((b) => pl.col(b).fillNull(0)))
      .cast(pl.Float64).alias("cases"),
    ...o.breakdownLabels.map((b) =>
      (joined.columns.includes(b) ? pl.col(b).fillNull(0).cast(pl.Float64) : pl.lit(0).cast(pl.Float64)).alias(b)
    ),
  );
}

/**
 * The management confusion cells of MGMT_infr and MGMT_pred (the study's Fig. 2d-e) by the cases' true
 * diagnosis group: {@linkcode confusionBreakdownFrame} of each approach, stacked with an `approach` column
 * ("inferred", "predicted").
 */
export function managementCellsByDiagnosisFrame(r: InferVsPredict): DataFrame {
  return pl.concat(
    ([["inferred", r.infr.predicted], ["predicted", r.pred.predicted]] as const).map(([approach, predicted]) =>
      confusionBreakdownFrame({
        labels: MANAGEMENT.codes,
        truth: r.truth,
        predicted,
        breakdown: r.diagnosisTruth,
        breakdownLabels: DIAGNOSIS.codes,
      }).select(pl.lit(approach).alias("approach"), pl.all())
    ),
  );
}

/**
 * One row per test case of MGMT_infr vs MGMT_pred: `case_num`, true diagnosis group and management,
 * each approach's management probabilities (`infr_NONE` ... `pred_EXC`) and decision (`infr`, `pred`).
 */
export function inferVsPredictFrame(r: InferVsPredict): DataFrame {
  return frameOf(r.caseNums.map((caseNum, i) => ({
    case_num: caseNum,
    diagnosis_group: DIAGNOSIS.codes[r.diagnosisTruth[i]],
    management: MANAGEMENT.codes[r.truth[i]],
    ...Object.fromEntries(MANAGEMENT.codes.map((c, k) => [`infr_${c}`, r.infrProbs[i][k]])),
    ...Object.fromEntries(MANAGEMENT.codes.map((c, k) => [`pred_${c}`, r.predProbs[i][k]])),
    infr: MANAGEMENT.codes[r.infr.predicted[i]],
    pred: MANAGEMENT.codes[r.pred.predicted[i]],
  })));
}

/** Every number of the study, as `quantity` and `study`, in the order of the study-vs-run table. */
export function publishedNumbers(): { quantity: string; study: number | string }[] {
  const rows: { quantity: string; study: number | string }[] = [];
  const add = (quantity: string, study: number | string) => rows.push({ quantity, study });
  for (const approach of ["infr", "pred"] as const) {
    const p = PUBLISHED.table2[approach];
    for (const label of ["NONE", "CLNC", "EXC", "average"] as const) {
      for (const k of METRICS) add(`Table 2 ${approach} ${label} ${k}`, p[label][k]);
    }
    add(`Table 2 ${approach} accuracy`, p.accuracy);
    for (const k of [...METRICS, "accuracy"] as const) add(`Table 2 ${approach} 3-fold CV ${k}`, formatMeanSd(p.cv[k]));
  }
  add("binary infr correct", PUBLISHED.binary.infr.correct);
  add("binary infr accuracy", PUBLISHED.binary.infr.accuracy);
  add("binary pred correct", PUBLISHED.binary.pred.correct);
  add("binary pred accuracy", PUBLISHED.binary.pred.accuracy);
  for (const [k, name] of Object.entries(DISTANCE_NAMES) as [keyof typeof DISTANCE_NAMES, string][]) {
    const s = PUBLISHED.distances[k];
    add(`distance ${name} infr mean`, s.infr[0]);
    add(`distance ${name} pred mean`, s.pred[0]);
    add(`distance ${name} Cohen's d (pooled)`, s.d);
  }
  for (const label of ["NONE", "CLNC", "EXC", "average"] as const) {
    for (const k of METRICS) add(`Table 3 ${label} ${k}`, PUBLISHED.table3[label][k]);
  }
  add("Table 3 accuracy", PUBLISHED.table3.accuracy);
  for (const k of [...METRICS, "accuracy"] as const) {
    add(`Table 3 3-fold CV ${k}`, formatMeanSd(PUBLISHED.table3.cv[k]));
  }
  for (const inputs of ABLATION_INPUTS) {
    const s = PUBLISHED.table4[inputs];
    if (!s) continue;
    [...METRICS, "accuracy"].forEach((k, i) => add(`Table 4 ${inputs} ${k}`, s[i]));
  }
  const wrong = publishedWronglyExcised();
  add("wrongly excised, infr (3 classes)", wrong.infr);
  add("wrongly excised, pred (3 classes)", wrong.pred);
  add(
    "fewer wrongly excised cases, pred vs infr (% of test cases)",
    PUBLISHED.abstract.directVsInferred.fewerWronglyExcisedPercent,
  );
  return rows;
}

/** Every number of the study these runs can produce, as `quantity` and `this_run` (4 decimals). */
export function runNumbers(
  runs: Record<string, StudyRun>,
  r: InferVsPredict,
  metrics: DataFrame,
  distances: readonly DistanceComparisonRow[],
): { quantity: string; this_run: number | string }[] {
  const rows: { quantity: string; this_run: number | string }[] = [];
  const add = (quantity: string, mine: number | string) =>
    rows.push({ quantity, this_run: typeof mine === "number" ? Number(mine.toFixed(4)) : mine });
  const table = (prefix: string, t: MetricTable) => {
    for (const row of [...t.perClass, t.average]) for (const k of METRICS) add(`${prefix} ${row.label} ${k}`, row[k]);
    add(`${prefix} accuracy`, t.accuracy);
  };
  const cv = (prefix: string, run: string) => {
    for (const c of recordsOf(cvFrame(metrics, { [prefix]: run }))) {
      for (const k of [...METRICS, "accuracy"]) add(`${prefix} 3-fold CV ${k}`, c[k] as string);
    }
  };
  table("Table 2 infr", r.infr);
  cv("Table 2 infr", "diag-CDM");
  table("Table 2 pred", r.pred);
  cv("Table 2 pred", "mgmt-CDM");
  const b = binaryBaseline(r);
  add("binary infr correct", b.infr.correct);
  add("binary infr accuracy", b.infr.accuracy);
  add("binary pred correct", b.pred.correct);
  add("binary pred accuracy", b.pred.accuracy);
  for (const d of distances) {
    add(`distance ${d.name} infr mean`, d.infr.mean);
    add(`distance ${d.name} pred mean`, d.pred.mean);
    add(`distance ${d.name} Cohen's d (pooled)`, d.dPooled);
  }
  if (runs["multi-CDM"]) {
    const t = managementTableOf(runs["multi-CDM"]);
    for (const row of [...t.perClass, t.average]) for (const k of METRICS) add(`Table 3 ${row.label} ${k}`, row[k]);
    add("Table 3 accuracy", t.accuracy);
    cv("Table 3", "multi-CDM");
  }
  for (const [inputs, t] of Object.entries(ablationTables(runs))) {
    for (const k of METRICS) add(`Table 4 ${inputs} ${k}`, t.average[k]);
    add(`Table 4 ${inputs} accuracy`, t.accuracy);
  }
  const oe = overExcision(r.truth, r.infr.predicted, r.pred.predicted);
  add("wrongly excised, infr (3 classes)", oe.infr);
  add("wrongly excised, pred (3 classes)", oe.pred);
  add("fewer wrongly excised cases, pred vs infr (% of test cases)", oe.percentOfCases);
  return rows;
}

/** The study vs this run: the published numbers joined with those these runs produce, in the study's order. */
export function studyVsRunFrame(
  runs: Record<string, StudyRun>,
  r: InferVsPredict,
  metrics: DataFrame,
  distances: readonly DistanceComparisonRow[],
): DataFrame {
  const published = frameOf(publishedNumbers()).withRowIndex("order");
  return published
    .join(frameOf(runNumbers(runs, r, metrics, distances)), { on: "quantity", how: "inner" })
    .sort("order")
    .drop("order");
}
