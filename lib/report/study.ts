/**
 * The study's Derm7pt results from run folders: loading the runs, the study's tables (the binary
 * baseline, over-excision, distances, McNemar pairs, the abstract's comparisons, Table 4) as plain
 * records and the figures. The DataFrames of Tables 2-3, the cross-validation and the study vs this run
 * are in study_frames.ts; `writeStudyReport` (study_report.ts) exports everything for `cli report`.
 *
 * @example
 * ```ts ignore
 * import { loadStudyRuns, writeStudyReport } from "./study.ts";
 * const runs = loadStudyRuns("outputs/synthetic/runs");
 * await writeStudyReport(runs, "outputs/synthetic/report", prov, { seed: 2021 });
 * ```
 *
 * @module
 */
import { join } from "node:path";
import {
  binaryBaseline,
  DEFAULT_PENALTY,
  DistanceComparisonRow,
  InferVsPredict,
  inferVsPredict,
  managementRows,
  McNemarMatrix,
  mcnemarMatrix,
  MetricTable,
  overExcision,
  PUBLISHED,
  publishedWronglyExcised,
} from "../analysis/mod.ts";
import { alignCases } from "../analysis/experiments.ts";
import type { ManagementPriors } from "../data/management.ts";
import { DIAGNOSIS, MANAGEMENT } from "../data/vocabulary.ts";
import { headColumns, PredictionsTable } from "../model/predictions.ts";
import { readRunPredictions } from "../model/run_files.ts";
import type { RunConfig } from "../model/config.ts";
import { readRunRecord } from "../model/run.ts";
import { argmax, meanSd } from "../stats/mod.ts";
import { exists, readJsonFile } from "../util/fs.ts";
import { ABLATION_INPUTS, FOLDS } from "./experiments.ts";

/** One run folder as the study's analyses read it. */
export interface StudyRun {
  /** The run's name (its folder's name), e.g. "multi-CDM" or "mgmt-CDM-fold0". */
  name: string;
  /** The run folder. */
  dir: string;
  /** Its predictions (every split). */
  table: PredictionsTable;
  /** Its p(MGMT | DIAG) from the training split. */
  priors: ManagementPriors;
  /** Backbone source, input size (px), whether the data is synthetic, training seed. */
  config: { backbone: string; size: number; synthetic: boolean; seed: number };
}

/**
 * Every run folder under `runsDir` (names like multi-CDM, mgmt-CDM-fold0) that holds predictions.csv
 * and run.json, by name.
 * @throws {Error} when `runsDir` does not exist, or a run's files do not match its run.json.
 */
export function loadStudyRuns(runsDir: string): Record<string, StudyRun> {
  if (!exists(runsDir)) throw new Error(`Cannot read runs: expected a folder of run folders at ${runsDir}, found none`);
  const out: Record<string, StudyRun> = {};
  for (const e of [...Deno.readDirSync(runsDir)].sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(runsDir, e.name);
    if (!e.isDirectory || !exists(join(dir, "predictions.csv")) || !exists(join(dir, "run.json"))) continue;
    const run = readRunRecord(dir);
    const cfg = readJsonFile<RunConfig>(join(dir, "config.json"), "a run's config.json");
    out[e.name] = {
      name: e.name,
      dir,
      table: readRunPredictions(dir, run), // rows and checksums as its run.json records
      priors: run.managementPriors,
      config: {
        backbone: cfg.model.backbone.source,
        size: cfg.model.backbone.size,
        synthetic: cfg.data.synthetic,
        seed: cfg.seed,
      },
    };
  }
  return out;
}

function need(runs: Record<string, StudyRun>, name: string): StudyRun {
  const r = runs[name];
  if (!r) {
    throw new Error(
      `Cannot build the report: expected a run "${name}" (train it with notebook 02 or "cli train"), found ${
        Object.keys(runs).join(", ") || "none"
      }`,
    );
  }
  return r;
}

/**
 * MGMT_infr (diag-CDM + its training priors) vs MGMT_pred (mgmt-CDM) on the test split (or a fold's,
 * with `suffix` "-fold<i>").
 * @throws {Error} naming the run that is missing.
 */
export function infrVsPred(runs: Record<string, StudyRun>, suffix = ""): InferVsPredict {
  const diag = need(runs, `diag-CDM${suffix}`), mgmt = need(runs, `mgmt-CDM${suffix}`);
  return inferVsPredict(diag.table, mgmt.table, diag.priors, "test");
}

/** The management metric table of a run's management head on its test split. */
export function managementTableOf(run: StudyRun): MetricTable {
  return managementRows(run.table.truth("management", "test"), run.table.probs("management", "test"));
}

/** p(MGMT | DIAG) from the training split, as a table. */
export function priorsRecords(
  priors: ManagementPriors,
): { diagnosis: string; cases: number; note: string; [pOfManagement: string]: string | number }[] {
  return DIAGNOSIS.codes.map((d, i) => ({
    diagnosis: d,
    cases: priors.counts[i].reduce((a, b) => a + b, 0),
    ...Object.fromEntries(
      MANAGEMENT.codes.map((c, m) => [`p(${c} | ${d})`.replace(` | ${d}`, ""), priors.table[i][m]]),
    ),
    note: priors.unseen.includes(i)
      ? "no training case: overall distribution"
      : priors.table[i].some((p) => p === 0)
      ? "has zero priors"
      : "",
  }));
}

/** Fold tables of infr, pred and multi for the folds that exist. */
export function foldTables(
  runs: Record<string, StudyRun>,
): { infr: MetricTable[]; pred: MetricTable[]; multi: MetricTable[] } {
  const out = { infr: [] as MetricTable[], pred: [] as MetricTable[], multi: [] as MetricTable[] };
  for (let f = 0; f < FOLDS; f++) {
    const s = `-fold${f}`;
    if (runs[`diag-CDM${s}`] && runs[`mgmt-CDM${s}`]) {
      const r = infrVsPred(runs, s);
      out.infr.push(r.infr);
      out.pred.push(r.pred);
    }
    if (runs[`multi-CDM${s}`]) out.multi.push(managementTableOf(runs[`multi-CDM${s}`]));
  }
  return out;
}

/** The fold tables of one runs folder: inferred, direct and multi-task management, one table per fold. */
export type FoldTables = ReturnType<typeof foldTables>;

/**
 * Per fold, the mean over seeds of `values[seed][fold]`: the fold's number with the training seed's noise
 * averaged out (with one seed, the fold's own number).
 * @throws {RangeError} when the seeds have different numbers of folds, or there is no seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(meanOverSeedsPerFold([[1, 2, 3], [3, 4, 5]]), [2, 3, 4]);
 * ```
 */
export function meanOverSeedsPerFold(values: readonly (readonly number[])[]): number[] {
  const folds = values[0]?.length;
  if (folds === undefined || values.some((v) => v.length !== folds)) {
    throw new RangeError(
      `Cannot average folds over seeds: expected the same number of folds for every seed, found ${
        JSON.stringify(values.map((v) => v.length))
      }`,
    );
  }
  return [...Array(folds).keys()].map((f) => values.reduce((s, v) => s + v[f], 0) / values.length);
}

/** One of the abstract's cross-validation comparisons, this run's differences per seed and fold. */
export interface CvComparison {
  /** The comparison in words, e.g. "direct (pred) vs inferred (infr): accuracy". */
  comparison: string;
  /** The study's claim: the first approach beats the second (`>`) or is at least as good (`>=`). */
  claim: ">" | ">=";
  /** The study's mean ± SD over its folds (percentage points). */
  study: { mean: number; sd: number };
  /** This run's differences in percentage points, `[seed][fold]`. */
  differences: number[][];
}

/**
 * The abstract's comparisons (direct vs inferred, multi-task vs single-task; accuracy and macro AUROC) as
 * differences in percentage points per fold, for the fold tables of one or more seeds' runs.
 */
export function cvComparisons(...seeds: FoldTables[]): CvComparison[] {
  const { directVsInferred, multiVsSingle } = PUBLISHED.abstract;
  const pairs = [
    { name: "direct (pred) vs inferred (infr)", a: "pred", b: "infr", claim: ">", study: directVsInferred },
    { name: "multi-task vs single-task management", a: "multi", b: "pred", claim: ">=", study: multiVsSingle },
  ] as const;
  const measures = [
    { name: "accuracy", key: "accuracy", of: (t: MetricTable) => t.accuracy },
    { name: "macro AUROC", key: "auroc", of: (t: MetricTable) => t.average.auroc },
  ] as const;
  return pairs
    .filter((p) => seeds.every((f) => f[p.a].length && f[p.b].length))
    .flatMap((p) =>
      measures.map((m) => ({
        comparison: `${p.name}: ${m.name}`,
        claim: p.claim,
        study: p.study[m.key],
        differences: seeds.map((f) => f[p.a].map((t, i) => 100 * (m.of(t) - m.of(f[p.b][i])))),
      }))
    );
}

/** A difference within 1e-9 of zero is a tie: 0. */
const tieToZero = (x: number) => (Math.abs(x) < 1e-9 ? 0 : x);

/**
 * Whether a difference `a - b` supports the claim `a > b` or `a >= b`. Differences within 1e-9 of zero
 * are ties: a mean of fold differences that cancel exactly (as counts of cases do) may come out of
 * floating point as -1e-15, and that is no evidence against `>=`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(claimHolds(">=", (0.1 + 0.2 - 0.3) - 1e-16 * 3), true); // a tie in float
 * assert.equal(claimHolds(">", 0), false);
 * assert.equal(claimHolds(">=", -0.001), false);
 * ```
 */
export function claimHolds(claim: ">" | ">=", difference: number): boolean {
  const d = tieToZero(difference);
  return claim === ">" ? d > 0 : d >= 0;
}

/**
 * A difference in percentage points with its sign and 2 decimals; within 1e-9 of zero it is a tie and
 * reads +0.00 (a sum of fold differences that cancel exactly may come out of floating point as -1e-15).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(signedPp(10.289), "+10.29");
 * assert.equal(signedPp(-0.004), "-0.00");
 * assert.equal(signedPp(-7e-17), "+0.00");
 * ```
 */
export function signedPp(x: number): string {
  const d = tieToZero(x);
  return `${d >= 0 ? "+" : ""}${d.toFixed(2)}`;
}

const signedPpSd = (m: { mean: number; sd: number }) =>
  `${signedPp(m.mean)} ± ${Number.isNaN(m.sd) ? "n/a" : m.sd.toFixed(2)}`;

/**
 * The abstract's comparisons over the folds as table records (percentage points): mean ± SD over the folds,
 * each fold's difference first averaged over the seeds given; with several seeds, also each seed's own.
 */
export function abstractRecords(...seeds: FoldTables[]): Record<string, string>[] {
  return cvComparisons(...seeds).map((c) => ({
    comparison: c.comparison,
    "this run (pp, mean ± SD over folds)": signedPpSd(meanSd(meanOverSeedsPerFold(c.differences))),
    ...(seeds.length > 1
      ? { "per seed (pp, mean ± SD over folds)": c.differences.map((d) => signedPpSd(meanSd(d))).join("; ") }
      : {}),
    "study (pp)": signedPpSd(c.study),
  }));
}

/** Table 4 rows (averages and accuracy) of the ablation runs that exist. */
export function ablationTables(runs: Record<string, StudyRun>): Record<string, MetricTable> {
  const out: Record<string, MetricTable> = {};
  for (const inputs of ABLATION_INPUTS) {
    if (runs[`multi-${inputs}`]) out[inputs] = managementTableOf(runs[`multi-${inputs}`]);
  }
  return out;
}

/**
 * One row per ablation run (from {@linkcode ablationTables}): its average metrics and accuracy, and the
 * study's Table 4 row (sensitivity / specificity / precision / AUROC / accuracy).
 */
export function ablationRecords(tables: Readonly<Record<string, MetricTable>>): {
  inputs: string;
  sensitivity: number;
  specificity: number;
  precision: number;
  auroc: number;
  accuracy: number;
  study: string;
}[] {
  return Object.entries(tables).map(([inputs, t]) => {
    const s = PUBLISHED.table4[inputs];
    return {
      inputs,
      sensitivity: t.average.sensitivity,
      specificity: t.average.specificity,
      precision: t.average.precision,
      auroc: t.average.auroc,
      accuracy: t.accuracy,
      study: s ? s.map((v) => v.toFixed(4)).join(" / ") : "(not in the study)",
    };
  });
}

/** The mid-p McNemar matrix of the ablation runs' management predictions (same test cases). */
export function ablationMcnemar(runs: Record<string, StudyRun>): McNemarMatrix {
  const names = ABLATION_INPUTS.filter((i) => runs[`multi-${i}`]);
  if (names.length < 2) {
    throw new RangeError(
      `Cannot compare the ablation runs: expected at least two of ${
        ABLATION_INPUTS.map((i) => `multi-${i}`).join(", ")
      }, found ${names.length ? `only multi-${names[0]}` : "none"}`,
    );
  }
  const base = runs[`multi-${names[0]}`].table;
  const preds: Record<string, number[]> = {};
  let truth: number[] = [];
  for (const n of names) {
    const t = runs[`multi-${n}`].table;
    const { ia, ib } = alignCases(base, t, "test");
    truth = ia.map((i) => base.rows[i].management_true as number);
    preds[n] = argmax(ib.map((i) => headColumns("management").map((c) => t.rows[i][c] as number)));
  }
  return mcnemarMatrix(truth, preds);
}

/** Why the binary baseline table shows n/a. */
export const BINARY_NA_NOTE: string =
  "n/a: the binary rules never choose between follow-up and no further examination, so the severity-weighted error does not apply to them.";

/** Why the over-excision table shows n/a. */
export const OVER_EXCISION_NA_NOTE = "n/a: the study reports no severity-weighted error.";

/**
 * The binary baseline beside the 3-class models: each row scores one approach on its own decision
 * (EXC vs NOEXC for the binary rules; NONE / CLNC / EXC for MGMT_infr,all and MGMT_pred,all), with
 * the non-EXC cases it sends to excision and, for the 3-class models, the severity-weighted error
 * (NaN for the binary rules, which have no NONE/CLNC decision to weigh).
 */
export function binaryBaselineRecords(
  r: InferVsPredict,
  penalty: readonly (readonly number[])[] = DEFAULT_PENALTY,
): {
  approach: string;
  decision: string;
  correct: number;
  n: number;
  accuracy: number;
  "mean class sensitivity": number;
  "wrongly excised": number;
  "severity-weighted error": number;
  study: string;
}[] {
  const b = binaryBaseline(r);
  const oe = overExcision(r.truth, r.infr.predicted, r.pred.predicted, penalty);
  const study = publishedWronglyExcised();
  const correct = (t: MetricTable) => t.predicted.filter((p, i) => p === r.truth[i]).length;
  const binaryRow = (approach: string, s: typeof b.infr, pub: { correct: number; accuracy: number }) => ({
    approach,
    decision: "EXC vs NOEXC",
    correct: s.correct,
    n: b.n,
    accuracy: s.accuracy,
    "mean class sensitivity": s.sensitivityAverage,
    "wrongly excised": s.wronglyExcised,
    "severity-weighted error": NaN,
    study: `${pub.correct} correct (${pub.accuracy})`,
  });
  const allRow = (approach: string, t: MetricTable, wrong: number, severity: number, pub: number, spec: number) => ({
    approach,
    decision: "NONE / CLNC / EXC",
    correct: correct(t),
    n: r.truth.length,
    accuracy: t.accuracy,
    "mean class sensitivity": t.average.sensitivity,
    "wrongly excised": wrong,
    "severity-weighted error": severity,
    study: `${pub} wrongly excised (Table 2: EXC specificity ${spec} of ${study.nonExc})`,
  });
  return [
    binaryRow("MGMT_infr,binary", b.infr, PUBLISHED.binary.infr),
    binaryRow("MGMT_pred,binary", b.pred, PUBLISHED.binary.pred),
    allRow("MGMT_infr,all", r.infr, oe.infr, oe.severity.infr, study.infr, PUBLISHED.table2.infr.EXC.specificity),
    allRow("MGMT_pred,all", r.pred, oe.pred, oe.severity.pred, study.pred, PUBLISHED.table2.pred.EXC.specificity),
  ];
}

/** Over-excision of MGMT_infr,all vs MGMT_pred,all as quantities, beside the study's. */
export function overExcisionRecords(
  r: InferVsPredict,
  penalty: readonly (readonly number[])[] = DEFAULT_PENALTY,
): { quantity: string; value: number; study: number }[] {
  const oe = overExcision(r.truth, r.infr.predicted, r.pred.predicted, penalty);
  const study = publishedWronglyExcised();
  return [
    { quantity: "test cases", value: oe.n, study: study.n },
    { quantity: "non-EXC test cases", value: oe.nonExc, study: study.nonExc },
    { quantity: "wrongly excised, inferred (MGMT_infr,all)", value: oe.infr, study: study.infr },
    { quantity: "wrongly excised, predicted (MGMT_pred,all)", value: oe.pred, study: study.pred },
    {
      quantity: "fewer wrongly excised, predicted vs inferred (% of test cases; the study's reading)",
      value: oe.percentOfCases,
      study: PUBLISHED.abstract.directVsInferred.fewerWronglyExcisedPercent,
    },
    {
      quantity: "fewer wrongly excised, predicted vs inferred (% of inferred's)",
      value: oe.percentFewer,
      study: (100 * (study.infr - study.pred)) / study.infr,
    },
    { quantity: "severity-weighted error, inferred", value: oe.severity.infr, study: NaN },
    { quantity: "severity-weighted error, predicted", value: oe.severity.pred, study: NaN },
  ];
}

/** One row per pair of the McNemar matrix: discordant counts, mid-p raw and Holm-adjusted. */
export function mcnemarPairRecords(mm: McNemarMatrix): {
  a: string;
  b: string;
  "b (a right, b wrong)": number;
  "c (a wrong, b right)": number;
  "mid-p": number;
  "Holm-adjusted": number;
}[] {
  return mm.names.flatMap((a, i) =>
    mm.names.slice(i + 1).map((b, k) => {
      const j = i + 1 + k;
      return {
        a,
        b,
        "b (a right, b wrong)": mm.discordant[i][j][0],
        "c (a wrong, b right)": mm.discordant[i][j][1],
        "mid-p": mm.p[i][j],
        "Holm-adjusted": mm.holm[i][j],
      };
    })
  );
}

/** Distances with the study's subsampling CIs, Wilcoxon and Cohen's d. */
export function distanceRecords(rows: readonly DistanceComparisonRow[]): {
  distance: string;
  "infr mean [95% CI]": string;
  "pred mean [95% CI]": string;
  "Wilcoxon p": number;
  "Cohen's d (pooled)": number;
  "Cohen's d (paired)": number;
  "study infr": string;
  "study pred": string;
  "study d": number;
}[] {
  return rows.map((r) => {
    const s = PUBLISHED.distances[r.distance];
    return {
      distance: r.name,
      "infr mean [95% CI]": `${r.infr.mean.toFixed(4)} [${r.infr.ci[0].toFixed(4)}-${r.infr.ci[1].toFixed(4)}]`,
      "pred mean [95% CI]": `${r.pred.mean.toFixed(4)} [${r.pred.ci[0].toFixed(4)}-${r.pred.ci[1].toFixed(4)}]`,
      "Wilcoxon p": r.wilcoxonP,
      "Cohen's d (pooled)": r.dPooled,
      "Cohen's d (paired)": r.dPaired,
      "study infr": `${s.infr[0]} [${s.infr[1]}-${s.infr[2]}]`,
      "study pred": `${s.pred[0]} [${s.pred[1]}-${s.pred[2]}]`,
      "study d": s.d,
    };
  });
}

/** What the runs of a study-vs-run table are (data and backbone), for its caption (study_frames.ts). */
export function studyVsRunNote(runs: Record<string, StudyRun>): string {
  const anyRun = Object.values(runs)[0];
  return `This run: ${
    anyRun?.config.synthetic ? "SYNTHETIC data" : "real data"
  }, backbone ${anyRun?.config.backbone} (the study: ImageNet InceptionV3, fine-tuned).`;
}

/** Notes for captions: data kind and backbone. */
export function runNote(runs: Record<string, StudyRun>): string {
  const r = Object.values(runs)[0];
  if (!r) return "";
  return `${
    r.config.synthetic ? "SYNTHETIC data. " : ""
  }Frozen ${r.config.backbone} InceptionV3 features (${r.config.size} px), not the study's fine-tuned ImageNet network.`;
}
