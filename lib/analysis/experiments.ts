/**
 * The study's experiments as functions of prediction tables (lib/model/predictions.ts), so they
 * run on any run folders: inferred vs predicted management, the binary baseline, over-excision and
 * a severity-weighted error, the four distances with CIs, Wilcoxon and Cohen's d, the mid-p
 * McNemar matrix of several prediction sets, and fold summaries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inferVsPredictCases, mcnemarMatrix, overExcision } from "./experiments.ts";
 * import { priorsFromLabels } from "../data/management.ts";
 * const priors = priorsFromLabels([2, 1, 1], [2, 1, 2]); // MEL -> EXC; NEV -> CLNC or EXC
 * const r = inferVsPredictCases({
 *   caseNums: [1, 2],
 *   truth: [2, 1], // EXC, CLNC
 *   diagnosisTruth: [2, 1], // MEL, NEV
 *   diagnosisProbs: [[0, 0, 1, 0, 0], [0, 1, 0, 0, 0]],
 *   predProbs: [[0.1, 0.1, 0.8], [0.1, 0.8, 0.1]],
 * }, priors);
 * assert.deepEqual(r.infrProbs, [[0, 0, 1], [0, 0.5, 0.5]]);
 * assert.deepEqual([r.infr.accuracy, r.pred.accuracy], [1, 1]); // a tie goes to the first class, CLNC
 * const o = overExcision([0, 1, 2], [2, 2, 2], [0, 1, 2]);
 * assert.deepEqual([o.infr, o.pred, o.percentFewer], [2, 0, 100]);
 * assert.equal(mcnemarMatrix([0, 1, 1, 0], { a: [0, 1, 0, 0], b: [1, 1, 1, 0] }).p[0][1], 0.75);
 * ```
 *
 * For run folders: `inferVsPredict(readPredictions(diagRun), readPredictions(mgmtRun), priors, "test")`.
 *
 * @module
 */
import { headColumns, PredictionsTable } from "../model/predictions.ts";
import { mean } from "../stats/descriptive.ts";
import { argmax } from "../stats/confusion.ts";
import { cohensD } from "../stats/effect_size.ts";
import { wilcoxon } from "../stats/wilcoxon.ts";
import { bootstrap, RandomSource, studySubsampling } from "../stats/bootstrap.ts";
import { mcnemar, mcnemarTable } from "../stats/mcnemar.ts";
import { holm } from "../stats/multiple_testing.ts";
import { DISTANCE_NAMES, PredictionDistanceOptions, predictionDistances } from "../stats/prediction_distances.ts";
import { diagnosisToBinary, EXC, inferManagement, ManagementPriors, managementToBinary } from "../data/management.ts";
import { managementRows, MetricTable } from "./metrics_tables.ts";

/**
 * Rows of `a` and `b` for the same cases (by case_num) of a split ("all": every split), in `a`'s order.
 * @throws {Error} when the two tables share no case of the split.
 */
export function alignCases(
  a: PredictionsTable,
  b: PredictionsTable,
  split: string,
): { caseNums: number[]; ia: number[]; ib: number[] } {
  const rowsA = a.rows.map((r, i) => ({ r, i })).filter(({ r }) => split === "all" || r.split === split);
  const byCase = new Map(b.rows.map((r, i) => [`${r.case_num}/${r.split}`, i]));
  const ia: number[] = [], ib: number[] = [], caseNums: number[] = [];
  for (const { r, i } of rowsA) {
    const j = byCase.get(`${r.case_num}/${r.split}`);
    if (j === undefined) continue;
    ia.push(i);
    ib.push(j);
    caseNums.push(r.case_num);
  }
  if (!caseNums.length) {
    throw new Error(
      `Cannot align predictions of ${a.dir} and ${b.dir}: expected cases of split "${split}" in both, found none in common`,
    );
  }
  return { caseNums, ia, ib };
}

const headProbs = (t: PredictionsTable, head: "management" | "diagnosis", rows: number[]) =>
  rows.map((i) => headColumns(head).map((c) => t.rows[i][c] as number));

/** Both approaches to management on the same cases. */
export interface InferVsPredict {
  /** The cases' case_num, in the diagnosis table's order. */
  caseNums: number[];
  /** True management (0 NONE, 1 CLNC, 2 EXC) and diagnosis of each case. */
  truth: number[];
  /** True diagnosis group of each case (BCC 0, NEV 1, MEL 2, MISC 3, SK 4). */
  diagnosisTruth: number[];
  /** The diagnosis model's probabilities (5 per case). */
  diagnosisProbs: number[][];
  /** MGMT_infr: management probabilities inferred from the diagnosis through the priors (3 per case). */
  infrProbs: number[][];
  /** MGMT_pred: the management head's probabilities (3 per case). */
  predProbs: number[][];
  /** Metrics of MGMT_infr against the true management. */
  infr: MetricTable;
  /** Metrics of MGMT_pred against the true management. */
  pred: MetricTable;
}

/**
 * MGMT_infr (the diagnosis model's probabilities marginalised through the priors) against MGMT_pred
 * (a model's management head) on the cases both tables hold for `split`.
 * @throws {Error} when a table lacks the needed head or the tables share no case of the split.
 */
export function inferVsPredict(
  diag: PredictionsTable,
  mgmt: PredictionsTable,
  priors: ManagementPriors,
  split = "test",
): InferVsPredict {
  if (!diag.heads.includes("diagnosis")) {
    throw new Error(
      `Cannot infer management: expected a diagnosis head in ${diag.dir}, found ${diag.heads.join(", ")}`,
    );
  }
  if (!mgmt.heads.includes("management")) {
    throw new Error(
      `Cannot compare with predicted management: expected a management head in ${mgmt.dir}, found ${
        mgmt.heads.join(", ")
      }`,
    );
  }
  const { caseNums, ia, ib } = alignCases(diag, mgmt, split);
  const diagnosisProbs = headProbs(diag, "diagnosis", ia);
  return inferVsPredictCases({
    caseNums,
    truth: ib.map((i) => mgmt.rows[i].management_true as number),
    diagnosisTruth: ia.map((i) => diag.rows[i].diagnosis_true as number),
    diagnosisProbs,
    predProbs: headProbs(mgmt, "management", ib),
  }, priors);
}

/**
 * MGMT_infr vs MGMT_pred from one entry per case (already aligned): the diagnosis probabilities are
 * marginalised through `priors`, and both approaches are scored against the true management.
 */
export function inferVsPredictCases(
  cases: Pick<InferVsPredict, "caseNums" | "truth" | "diagnosisTruth" | "diagnosisProbs" | "predProbs">,
  priors: ManagementPriors,
): InferVsPredict {
  const infrProbs = inferManagement(cases.diagnosisProbs, priors);
  return {
    ...cases,
    infrProbs,
    infr: managementRows(cases.truth, infrProbs),
    pred: managementRows(cases.truth, cases.predProbs),
  };
}

/** One binary approach scored on EXC vs NOEXC. */
export interface BinaryScore {
  /** Cases whose binary decision matches the binary truth. */
  correct: number;
  /** correct / cases. */
  accuracy: number;
  /** Mean of the EXC and NOEXC sensitivities. */
  sensitivityAverage: number;
  /** NOEXC cases (truth NONE or CLNC) this approach sends to excision. */
  wronglyExcised: number;
}

/** Both binary approaches on the same cases. */
export interface BinaryBaseline {
  /** Cases compared. */
  n: number;
  /** MGMT_infr,binary: the arg-max diagnosis mapped to EXC (BCC, MEL) or NOEXC (the rest). */
  infr: BinaryScore;
  /** MGMT_pred,binary: the arg-max management collapsed to EXC or NOEXC (CLNC, NONE). */
  pred: BinaryScore;
}

/**
 * EXC vs NOEXC: MGMT_infr,binary maps the arg-max diagnosis (MEL, BCC -> EXC); MGMT_pred,binary
 * collapses the arg-max management (CLNC, NONE -> NOEXC). Each approach's wrongly excised count is
 * of its own binary decision (not of the 3-class models; see `overExcision` for those).
 */
export function binaryBaseline(r: Pick<InferVsPredict, "truth" | "diagnosisProbs" | "predProbs">): BinaryBaseline {
  const truth = managementToBinary(r.truth);
  const score = (pred: number[]): BinaryScore => {
    const correct = pred.filter((p, i) => p === truth[i]).length;
    const sens = [0, 1].map((c) => {
      const idx = truth.flatMap((t, i) => (t === c ? [i] : []));
      return idx.length ? idx.filter((i) => pred[i] === c).length / idx.length : NaN;
    });
    return {
      correct,
      accuracy: correct / truth.length,
      sensitivityAverage: (sens[0] + sens[1]) / 2,
      wronglyExcised: pred.filter((p, i) => p === 1 && truth[i] === 0).length,
    };
  };
  return {
    n: truth.length,
    infr: score(diagnosisToBinary(argmax(r.diagnosisProbs))),
    pred: score(managementToBinary(argmax(r.predProbs))),
  };
}

/**
 * Default severity of management errors (rows: truth NONE, CLNC, EXC; columns: prediction).
 * Sending a case that needed follow-up or excision home (prediction NONE) is worse than the
 * reverse, and missing an excision is worst, as the study argues; over-treatment costs 1.
 */
export const DEFAULT_PENALTY: readonly (readonly number[])[] = [
  [0, 1, 1],
  [2, 0, 1],
  [3, 2, 0],
];

/** Wrongly excised cases of the two 3-class approaches, and a severity-weighted error. */
export interface OverExcision {
  /** Non-EXC cases sent to excision by MGMT_infr,all. */
  infr: number;
  /** Non-EXC cases sent to excision by MGMT_pred,all. */
  pred: number;
  /** Cases whose true management is not EXC. */
  nonExc: number;
  /** Test cases compared. */
  n: number;
  /** How many fewer wrongly excised cases pred has than infr, in % of infr's. */
  percentFewer: number;
  /**
   * The same difference in % of all test cases: 100 (infr - pred) / n. This is the reading that
   * reproduces the study's "24.56% fewer cases wrongly predicted to be excised" from its own Table 2:
   * EXC specificities 0.0921 (infr) and 0.7303 (pred) of the 152 non-EXC test cases give 138 and 41
   * wrongly excised, and (138 - 41) / 395 = 24.56%. (In % of infr's 138 it would be 70.3%.)
   */
  percentOfCases: number;
  /** Mean penalty per case under `penalty`. */
  severity: { infr: number; pred: number; penalty: readonly (readonly number[])[] };
}

/**
 * Wrongly excised cases (truth not EXC, prediction EXC) of two label predictions of the same cases,
 * and their mean penalty per case under `penalty[truth][prediction]` (default `DEFAULT_PENALTY`).
 */
export function overExcision(
  truth: readonly number[],
  infrPred: readonly number[],
  predPred: readonly number[],
  penalty: readonly (readonly number[])[] = DEFAULT_PENALTY,
): OverExcision {
  const wrong = (p: readonly number[]) => truth.filter((t, i) => t !== EXC && p[i] === EXC).length;
  const infr = wrong(infrPred), pred = wrong(predPred);
  const sev = (p: readonly number[]) => truth.reduce((s, t, i) => s + penalty[t][p[i]], 0) / truth.length;
  return {
    infr,
    pred,
    nonExc: truth.filter((t) => t !== EXC).length,
    n: truth.length,
    percentFewer: infr ? (100 * (infr - pred)) / infr : NaN,
    percentOfCases: truth.length ? (100 * (infr - pred)) / truth.length : NaN,
    severity: { infr: sev(infrPred), pred: sev(predPred), penalty },
  };
}

/** One distance compared between MGMT_infr and MGMT_pred. */
export interface DistanceComparisonRow {
  /** The distance's key. */
  distance: keyof typeof DISTANCE_NAMES;
  /** The distance's display name. */
  name: string;
  /** MGMT_infr: mean distance, its 95% subsampling interval, and the distance of every case. */
  infr: { mean: number; ci: [number, number]; values: number[] };
  /** MGMT_pred: mean distance, its 95% subsampling interval, and the distance of every case. */
  pred: { mean: number; ci: [number, number]; values: number[] };
  /** Two-sided Wilcoxon signed-rank p, paired by case. */
  wilcoxonP: number;
  /** The Wilcoxon method used ("exact" or "approx"). */
  wilcoxonMethod: string;
  /** Cohen's d (infr - pred) with the pooled SD (the study's reading, we assume). */
  dPooled: number;
  /** The paired Cohen's d_z. */
  dPaired: number;
}

/**
 * The four distances of each probabilistic prediction to its one-hot target, for infr and pred:
 * mean [95% CI] by the study's subsampling (1000 x N/2 without replacement), two-sided Wilcoxon
 * signed-rank p (paired by case), Cohen's d (pooled SD and paired).
 */
export function distanceComparison(
  truth: readonly number[],
  infrProbs: readonly (readonly number[])[],
  predProbs: readonly (readonly number[])[],
  options: { prng: RandomSource; samples?: number; distances?: PredictionDistanceOptions },
): DistanceComparisonRow[] {
  const a = predictionDistances(infrProbs, truth, options.distances);
  const b = predictionDistances(predProbs, truth, options.distances);
  return (Object.keys(DISTANCE_NAMES) as (keyof typeof DISTANCE_NAMES)[]).map((k) => {
    const scheme = { ...studySubsampling(truth.length), ...(options.samples ? { samples: options.samples } : {}) };
    const ca = bootstrap(a[k], mean, { ...scheme, prng: options.prng });
    const cb = bootstrap(b[k], mean, { ...scheme, prng: options.prng });
    const w = wilcoxon(a[k], b[k], { alternative: "two-sided" });
    return {
      distance: k,
      name: DISTANCE_NAMES[k],
      infr: { mean: mean(a[k]), ci: ca.ci, values: a[k] },
      pred: { mean: mean(b[k]), ci: cb.ci, values: b[k] },
      wilcoxonP: w.pValue,
      wilcoxonMethod: w.method,
      dPooled: cohensD(a[k], b[k]),
      dPaired: cohensD(a[k], b[k], { variant: "paired" }),
    };
  });
}

/** Pairwise mid-p McNemar tests of several prediction sets. */
export interface McNemarMatrix {
  /** The prediction sets' names, in row and column order. */
  names: string[];
  /** p[i][j]: mid-p McNemar between prediction sets i and j (NaN on the diagonal). */
  p: number[][];
  /** Holm-adjusted over the m(m-1)/2 distinct pairs. */
  holm: number[][];
  /** Discordant counts b (i right, j wrong) and c. */
  discordant: [number, number][][];
}

/** Mid-p McNemar tests between every pair of label predictions of the same cases. */
export function mcnemarMatrix(
  truth: readonly number[],
  predictions: Readonly<Record<string, readonly number[]>>,
): McNemarMatrix {
  const names = Object.keys(predictions);
  const n = names.length;
  const p = names.map(() => new Array<number>(n).fill(NaN));
  const discordant = names.map(() => new Array<[number, number]>(n).fill([0, 0]));
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const t = mcnemarTable(truth, predictions[names[i]], predictions[names[j]]);
      p[i][j] = mcnemar(t, { method: "midp" }).pValue;
      discordant[i][j] = [t[0][1], t[1][0]];
      if (i < j) pairs.push([i, j]);
    }
  }
  const adjusted = holm(pairs.map(([i, j]) => p[i][j]));
  const h = names.map(() => new Array<number>(n).fill(NaN));
  pairs.forEach(([i, j], k) => (h[i][j] = h[j][i] = adjusted[k]));
  return { names, p, holm: h, discordant };
}
