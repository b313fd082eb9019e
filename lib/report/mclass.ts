/**
 * The MClass-D analysis of a model: its management decisions (MGMT_pred: P(EXC) from the management
 * head; MGMT_infr: p(BCC) + p(MEL) from the diagnosis head; each excises at >= 0.5) against the two
 * kinds of ground truth (MGMT_GT,agg: the dermatologists' majority; MGMT_GT,true: melanoma),
 * confusion matrices, ROC curves with every dermatologist as a point on both (against melanoma,
 * and against the majority of the other dermatologists), the EXC-as-NOEXC counts, and the
 * agreement analysis with the dermatologists (agreement.ts) — as records and figures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../util/prng.ts";
 * import { mclassAnalysis } from "./mclass.ts";
 * const r = mclassAnalysis({
 *   truthMelanoma: [1, 0, 1, 0],
 *   answers: [[1, 0, 1, 1], [1, 0, 0, 0], [1, 1, 1, 0]], // 3 dermatologists x 4 images, 1 = excise
 *   management: [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1], [0.2, 0.4, 0.4], [0.3, 0.3, 0.4]],
 *   diagnosis: [[0, 0.2, 0.7, 0, 0.1], [0, 1, 0, 0, 0], [0.1, 0.3, 0.5, 0.1, 0], [0, 0.6, 0.2, 0.2, 0]],
 *   prng: new Prng(1),
 *   draws: 10,
 *   bootstrap: 10,
 * });
 * assert.deepEqual(r.decisions, { pred: [1, 0, 0, 0], infr: [1, 0, 1, 0] }); // P(EXC), p(BCC) + p(MEL) at 0.5
 * assert.deepEqual(r.targets.aggregate, [1, 0, 1, 0]); // the dermatologists' majority
 * assert.deepEqual(r.excAsNoexc.true, { pred: 1, infr: 0 });
 * assert.deepEqual(r.auroc.pred, { aggregate: 0.875, true: 0.875 });
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { loadAnswers, loadMclassList, mclassImagePaths } from "../mclass/data.ts";
import { writeSyntheticMclass } from "../mclass/synthetic.ts";
import { loadRun, predictImages } from "../model/predict.ts";
import type { EngineChoice } from "../model/engine.ts";
import { PROJECT_ROOT } from "../data/location.ts";
import { exists } from "../util/fs.ts";
import { Prng } from "../util/prng.ts";
import type { Provenance } from "../util/provenance.ts";
import { exportFigure } from "../plots/export.ts";
import { confusionFigure } from "../plots/matrices.ts";
import { exportTable } from "./export_table.ts";
import { agreementAnalysis, AgreementResult } from "../mclass/agreement.ts";
import { confusionMatrix } from "../stats/confusion.ts";
import { rocAucOrNaN, rocCurve } from "../stats/roc.ts";
import { Figure, figure } from "../plots/figure.ts";
import { multiPanelFigure } from "../plots/multipanel.ts";
import { APPROACH_COLORS, APPROACH_DASHES, READER_COLORS } from "../plots/palette.ts";
import { curveLegend, ReaderPoints, rocPlot, RocSeries } from "../plots/curves.ts";
import { OPERATING_THRESHOLD, operatingPoint } from "./study_figures.ts";
import { PUBLISHED } from "../analysis/published.ts";
import { excisionScoreFromDiagnosis } from "../data/management.ts";
import { formatMeanSd } from "../analysis/metrics_tables.ts";
import pl from "nodejs-polars";
import { DataFrame, frameOf } from "./frames.ts";

/** The inputs of {@linkcode mclassAnalysis}, one entry per MClass-D image. */
export interface MclassInputs {
  /** 1 where the image is a melanoma, else 0. */
  truthMelanoma: readonly number[];
  /** Each dermatologist's decisions (1 = excise/biopsy), one row per dermatologist. */
  answers: readonly (readonly number[])[];
  /** The model's management probabilities (NONE, CLNC, EXC) per image. */
  management: readonly (readonly number[])[];
  /** Its diagnosis probabilities (BCC, NEV, MEL, MISC, SK) per image. */
  diagnosis: readonly (readonly number[])[];
  /** Randomness of the rater draws and the bootstrap. */
  prng: Prng;
  /** Random draws of 9 dermatologists plus the model for Fleiss' kappa (default 1000). */
  draws?: number;
  /** Bootstrap resamples of the images for the kappas' 95% intervals (default 1000). */
  bootstrap?: number;
}

/**
 * The MClass-D analysis of a model (see {@linkcode mclassAnalysis}): `pred` is MGMT_pred, `infr` is
 * MGMT_infr; `aggregate` is the dermatologists' majority, `true` is melanoma.
 */
export interface MclassResult {
  /** Excision scores per image: P(EXC) of the management head, p(BCC) + p(MEL) of the diagnosis head. */
  scores: { pred: number[]; infr: number[] };
  /** Decisions per image: 1 (excise) where the score is >= 0.5. */
  decisions: { pred: number[]; infr: number[] };
  /** The two ground truths per image (1 = excise). */
  targets: { aggregate: number[]; true: number[] };
  /** 2 x 2 confusion matrices [[NOEXC as NOEXC, NOEXC as EXC], [EXC as NOEXC, EXC as EXC]]. */
  confusion: Record<"pred" | "infr", Record<"aggregate" | "true", number[][]>>;
  /** AUROC of the scores (NaN when a target has one class only). */
  auroc: Record<"pred" | "infr", Record<"aggregate" | "true", number>>;
  /** Images to excise that the decision leaves (EXC classified as NOEXC). */
  excAsNoexc: Record<"aggregate" | "true", { pred: number; infr: number }>;
  /**
   * Every dermatologist as a point in ROC space: against melanoma, and against the majority vote of
   * the other dermatologists (leave-one-out; a tie counts as excise, as for the majority itself).
   */
  readers: Record<"aggregate" | "true", { fpr: number; tpr: number }[]>;
  /** The agreement analysis of the model's decisions (MGMT_pred) with the dermatologists. */
  agreement: AgreementResult;
}

/** Each rater's false positive and true positive rate against the majority of the other raters. */
export function readersVsOthers(answers: readonly (readonly number[])[]): { fpr: number; tpr: number }[] {
  const R = answers.length, N = answers[0]?.length ?? 0;
  const ones = new Int32Array(N);
  for (const row of answers) for (let i = 0; i < N; i++) ones[i] += row[i];
  return answers.map((row) => {
    const others = Array.from(ones, (o, i) => (2 * (o - row[i]) >= R - 1 ? 1 : 0));
    const op = operatingPoint(others, row as number[]);
    return { fpr: op.fpr, tpr: op.tpr };
  });
}

/**
 * The model's management decisions against the dermatologists and melanoma: scores, decisions at 0.5,
 * confusion matrices, AUROC, EXC-as-NOEXC counts, the dermatologists as ROC points, and the agreement
 * analysis.
 */
export function mclassAnalysis(input: MclassInputs): MclassResult {
  const pred = input.management.map((p) => p[2]);
  const infr = excisionScoreFromDiagnosis(input.diagnosis);
  const decisions = { pred: pred.map((s) => (s >= 0.5 ? 1 : 0)), infr: infr.map((s) => (s >= 0.5 ? 1 : 0)) };
  const agreement = agreementAnalysis(input.answers, {
    truthMelanoma: input.truthMelanoma,
    model: decisions.pred,
    prng: input.prng,
    draws: input.draws,
    bootstrap: input.bootstrap,
  });
  const targets = { aggregate: agreement.aggregate, true: [...input.truthMelanoma] };
  const conf = (d: number[], t: number[]) => confusionMatrix(t, d, { labels: 2 });
  const auc = (s: number[], t: number[]) => rocAucOrNaN(t, s);
  const missed = (d: number[], t: number[]) => t.filter((v, i) => v === 1 && d[i] === 0).length;
  return {
    scores: { pred, infr },
    decisions,
    targets,
    confusion: {
      pred: { aggregate: conf(decisions.pred, targets.aggregate), true: conf(decisions.pred, targets.true) },
      infr: { aggregate: conf(decisions.infr, targets.aggregate), true: conf(decisions.infr, targets.true) },
    },
    auroc: {
      pred: { aggregate: auc(pred, targets.aggregate), true: auc(pred, targets.true) },
      infr: { aggregate: auc(infr, targets.aggregate), true: auc(infr, targets.true) },
    },
    excAsNoexc: {
      aggregate: { pred: missed(decisions.pred, targets.aggregate), infr: missed(decisions.infr, targets.aggregate) },
      true: { pred: missed(decisions.pred, targets.true), infr: missed(decisions.infr, targets.true) },
    },
    readers: {
      aggregate: readersVsOthers(input.answers),
      true: agreement.raterPoints.map((p) => ({ fpr: 1 - p.specificity, tpr: p.sensitivity })),
    },
    agreement,
  };
}

const ci = (c?: [number, number]) => (c ? `[${c[0].toFixed(4)}, ${c[1].toFixed(4)}]` : "");

/** One row of {@linkcode agreementRecords}. */
export type AgreementRecord = {
  /** What is measured. */
  quantity: string;
  /** This run's value, as text (4 decimals, or mean ± SD). */
  this_run: string;
  /** Its 95% bootstrap interval, as text ("" when none). */
  "95% CI (bootstrap over images)": string;
  /** The study's published value. */
  study: string | number;
};

/** The agreement table with the study's numbers beside (say in its caption whether the benchmark is synthetic). */
export function agreementRecords(r: MclassResult): AgreementRecord[] {
  const a = r.agreement, P = PUBLISHED.mclass;
  return [
    {
      quantity: "Cohen's kappa, model vs dermatologists' majority",
      this_run: a.kappaModelVsAggregate.toFixed(4),
      "95% CI (bootstrap over images)": ci(a.ci?.kappaModelVsAggregate),
      study: P.kappaModelVsAggregate,
    },
    {
      quantity: "Cohen's kappa, all pairs of dermatologists (mean ± SD)",
      this_run: formatMeanSd(a.kappaPairs),
      "95% CI (bootstrap over images)": ci(a.ci?.kappaPairsMean),
      study: `${P.kappaPairs.mean} ± ${P.kappaPairs.sd}`,
    },
    {
      quantity: "Cohen's kappa, each dermatologist vs the others' majority",
      this_run: formatMeanSd(a.kappaEachVsOthers),
      "95% CI (bootstrap over images)": ci(a.ci?.kappaEachVsOthersMean),
      study: `${P.kappaEachVsOthers.mean} ± ${P.kappaEachVsOthers.sd}`,
    },
    {
      quantity: `Fleiss' kappa, all ${a.raters} dermatologists`,
      this_run: a.fleissAll.toFixed(4),
      "95% CI (bootstrap over images)": ci(a.ci?.fleissAll),
      study: P.fleissAll,
    },
    {
      quantity: "Fleiss' kappa, model replacing each dermatologist (mean ± SD)",
      this_run: formatMeanSd(a.fleissModelReplacing),
      "95% CI (bootstrap over images)": "",
      study: `${P.fleissModelReplacing.mean} ± ${P.fleissModelReplacing.sd}`,
    },
    {
      quantity: `Fleiss' kappa, ${a.settings.drawSize} random dermatologists + model (${a.settings.draws} draws)`,
      this_run: formatMeanSd(a.fleissDrawsWithModel),
      "95% CI (bootstrap over images)": "",
      study: `${P.fleissNinePlusModel.mean} ± ${P.fleissNinePlusModel.sd}`,
    },
    {
      quantity: "EXC misclassified as NOEXC vs majority (pred / infr)",
      this_run: `${r.excAsNoexc.aggregate.pred} / ${r.excAsNoexc.aggregate.infr}`,
      "95% CI (bootstrap over images)": "",
      study: `${P.excAsNoexc.aggregate.pred} / ${P.excAsNoexc.aggregate.infr}`,
    },
    {
      quantity: "EXC misclassified as NOEXC vs diagnosis (pred / infr)",
      this_run: `${r.excAsNoexc.true.pred} / ${r.excAsNoexc.true.infr}`,
      "95% CI (bootstrap over images)": "",
      study: `${P.excAsNoexc.diagnosis.pred} / ${P.excAsNoexc.diagnosis.infr}`,
    },
  ];
}

const TARGET_NAMES = {
  true: "melanoma (the diagnosis, MGMT_GT,true)",
  aggregate: "the dermatologists' majority (MGMT_GT,agg)",
} as const;

/** The ROC series of MGMT_pred and MGMT_infr against one target, with their operating points at 0.5. */
function mclassSeries(r: MclassResult, target: "aggregate" | "true"): RocSeries[] {
  const t = r.targets[target];
  return (["pred", "infr"] as const).flatMap((k) => {
    if (!t.some(Boolean) || t.every(Boolean)) return [];
    const c = rocCurve(t, r.scores[k]);
    const op = operatingPoint(t, r.scores[k], OPERATING_THRESHOLD);
    return [{
      label: k === "pred" ? "management predicted" : "inferred from diagnosis",
      fpr: c.fpr,
      tpr: c.tpr,
      area: r.auroc[k][target],
      color: APPROACH_COLORS[k],
      dash: APPROACH_DASHES[k],
      operatingPoint: { fpr: op.fpr, tpr: op.tpr },
    }];
  });
}

function mclassReaders(r: MclassResult, target: "aggregate" | "true"): ReaderPoints {
  return {
    label: target === "true" ? "dermatologists" : "dermatologists vs the others' majority",
    points: r.readers[target],
    color: READER_COLORS.dermatologist,
  };
}

/**
 * One row per dermatologist: `rater` (1-based), images sent to biopsy (`excised`), sensitivity and
 * specificity for melanoma (biopsy = positive), and Cohen's kappa with the majority of the others.
 */
export function ratersFrame(r: MclassResult, answers: readonly (readonly number[])[]): DataFrame {
  return frameOf(answers.map((row, i) => ({
    rater: i + 1,
    excised: row.reduce((s, v) => s + v, 0),
    sensitivity: r.agreement.raterPoints[i].sensitivity,
    specificity: r.agreement.raterPoints[i].specificity,
    "kappa vs the others' majority": r.agreement.kappaEachVsOthers.values[i],
  })));
}

/**
 * The dermatologists summarised with polars (mean, SD, min, median, max of each column of
 * `ratersFrame`) beside the model's own value (MGMT_pred at 0.5; its kappa is with the majority of all).
 */
export function raterSummaryFrame(raters: DataFrame, r: MclassResult): DataFrame {
  const truth = r.targets.true, d = r.decisions.pred;
  const rate = (want: number) =>
    truth.filter((t, i) => t === want && d[i] === want).length / truth.filter((t) => t === want).length;
  const model: Record<string, number> = {
    excised: d.reduce((s, v) => s + v, 0),
    sensitivity: rate(1),
    specificity: rate(0),
    "kappa vs the others' majority": r.agreement.kappaModelVsAggregate,
  };
  return pl.concat(
    Object.keys(model).map((m) =>
      raters.select(
        pl.lit(m).alias("measure"),
        pl.col(m).mean().alias("mean"),
        pl.col(m).std().alias("sd"),
        pl.col(m).min().alias("min"),
        pl.col(m).median().alias("median"),
        pl.col(m).max().alias("max"),
        pl.lit(model[m]).alias("model"),
      )
    ),
  );
}

/** Fig. 5-style ROC curves of MGMT_pred and MGMT_infr against one target, with every dermatologist as a point. */
export function mclassRocFigure(r: MclassResult, target: "aggregate" | "true", caption: string): Figure {
  const series = mclassSeries(r, target);
  const readers = mclassReaders(r, target);
  return figure({
    title: `MClass-D: the model against ${TARGET_NAMES[target]}`,
    caption,
    legend: curveLegend(series, series.map((s) => `${s.label} (AUROC ${s.area.toFixed(3)})`), {
      readers: [readers],
    }),
    plot: rocPlot(series, [readers]),
  });
}

/**
 * Fig. 5 as one paper figure: (a) against melanoma, every dermatologist as a point; (b) against the
 * dermatologists' majority, every dermatologist against the majority of the others. One legend.
 */
export function mclassFig5(r: MclassResult, caption: string): Figure {
  const panel = (target: "aggregate" | "true") => {
    const series = mclassSeries(r, target);
    return figure({
      title: `Against ${TARGET_NAMES[target]}: AUROC ${
        series.map((s) => `${s.label.startsWith("inferred") ? "inferred" : "predicted"} ${s.area.toFixed(3)}`).join(
          ", ",
        )
      }`,
      plot: rocPlot(series, [mclassReaders(r, target)]),
    });
  };
  const series = mclassSeries(r, "true");
  return multiPanelFigure({
    title: "Fig. 5: MClass-D, the model's excision decisions against melanoma and against the dermatologists",
    subtitle:
      `Circles: excising at P(EXC) ≥ ${OPERATING_THRESHOLD}. Dots: each of the ${r.agreement.raters} dermatologists, ` +
      `(a) against melanoma, (b) against the majority of the other dermatologists.`,
    caption,
    legend: curveLegend(series, series.map((s) => s.label), {
      readers: [{ label: "dermatologists", points: [], color: READER_COLORS.dermatologist }],
    }),
    rows: (width) =>
      width < 560
        ? [[{ figure: panel("true") }], [{ figure: panel("aggregate") }]]
        : [[{ figure: panel("true") }, { figure: panel("aggregate") }]],
  });
}

/** One row per approach (pred, infr) and target (aggregate, true): the 2 x 2 counts at 0.5 and the AUROC. */
export function mclassConfusionRows(r: MclassResult): {
  approach: "pred" | "infr";
  target: "aggregate" | "true";
  "NOEXC as NOEXC": number;
  "NOEXC as EXC": number;
  "EXC as NOEXC": number;
  "EXC as EXC": number;
  auroc: number;
}[] {
  return (["pred", "infr"] as const).flatMap((approach) =>
    (["aggregate", "true"] as const).map((target) => {
      const m = r.confusion[approach][target];
      return {
        approach,
        target,
        "NOEXC as NOEXC": m[0][0],
        "NOEXC as EXC": m[0][1],
        "EXC as NOEXC": m[1][0],
        "EXC as EXC": m[1][1],
        auroc: r.auroc[approach][target],
      };
    })
  );
}

/** Where an MClass-D benchmark is: MCLASS_DIR, else the synthetic one (written on first use). */
export async function mclassLocation(options: { quick?: boolean } = {}): Promise<{ dir: string; synthetic: boolean }> {
  const env = Deno.env.get("MCLASS_DIR");
  if (env) return { dir: env, synthetic: exists(join(env, "SYNTHETIC.json")) };
  const dir = join(PROJECT_ROOT, "data", options.quick ? "mclass-synthetic-quick" : "mclass-synthetic");
  await writeSyntheticMclass(dir, { seed: 2019, imageSize: options.quick ? 96 : 256 });
  return { dir, synthetic: true };
}

/** The answers file of a benchmark folder: answers.csv, else ResultsDermoscopic.xlsx. */
export function answersFileOf(dir: string): string {
  for (const f of ["answers.csv", "ResultsDermoscopic.xlsx"]) if (exists(join(dir, f))) return join(dir, f);
  throw new Error(
    `Cannot find the dermatologists' answers: expected answers.csv or ResultsDermoscopic.xlsx in ${dir} (or pass --answers FILE), found neither`,
  );
}

/** Loads the benchmark, predicts its images with a run, analyses and exports everything into `outDir`. */
export async function writeMclassReport(
  o: {
    runDir: string;
    dataDir: string;
    answers?: string;
    outDir: string;
    cacheDir: string;
    /** Engine of the frozen backbone (default "auto"). */
    engine?: EngineChoice;
    prov: Provenance;
    seed: number;
    synthetic: boolean;
    draws?: number;
    bootstrap?: number;
  },
): Promise<{ result: MclassResult; files: string[]; answers: number[][] }> {
  const list = loadMclassList(join(o.dataDir, "MClassD.csv"));
  const paths = mclassImagePaths(list, join(o.dataDir, "images"));
  const panel = loadAnswers(o.answers ?? answersFileOf(o.dataDir), list);
  const run = await loadRun(o.runDir, { cacheDir: o.cacheDir, engine: o.engine });
  for (const h of ["management", "diagnosis"] as const) {
    if (!run.heads.includes(h)) {
      throw new Error(
        `Cannot analyse MClass-D with ${o.runDir}: expected a ${h} head (a multi-task run), found ${
          run.heads.join(", ")
        }`,
      );
    }
  }
  const probs = await predictImages(run, paths, { quiet: true });
  const result = mclassAnalysis({
    truthMelanoma: list.images.map((i) => (i.melanoma ? 1 : 0)),
    answers: panel.answers,
    management: probs.management,
    diagnosis: probs.diagnosis,
    prng: new Prng(o.seed).fork("mclass"),
    draws: o.draws,
    bootstrap: o.bootstrap,
  });
  const prov = { ...o.prov, seed: o.seed, run: o.runDir, answers: panel.file };
  const files: string[] = [];
  const synthNote = o.synthetic ? "SYNTHETIC benchmark (drawn lesions, simulated dermatologists). " : "";
  files.push(
    ...exportTable(o.outDir, "mclass_agreement", agreementRecords(result), prov, {
      caption: `${synthNote}MClass-D: agreement of the model with the dermatologists`,
    }),
  );
  files.push(...exportTable(
    o.outDir,
    "mclass_predictions",
    list.images.map((im, i) => ({
      image_name: im.name,
      melanoma: im.melanoma ? 1 : 0,
      dermatologists_excise: panel.answers.reduce((s, r) => s + r[i], 0),
      aggregate: result.targets.aggregate[i],
      p_exc_pred: result.scores.pred[i],
      p_exc_infr: result.scores.infr[i],
      decision_pred: result.decisions.pred[i],
      decision_infr: result.decisions.infr[i],
    })),
    prov,
    { caption: "MClass-D: per image", digits: 4 },
  ));
  files.push(
    ...exportTable(o.outDir, "mclass_confusion", mclassConfusionRows(result), prov, {
      caption: "MClass-D: confusion matrices at 0.5 and AUROC",
      digits: 4,
    }),
  );
  const caption = `${synthNote}Model: ${o.runDir.split("/").pop()}, decisions at ${OPERATING_THRESHOLD}.`;
  for (
    const [fig, name] of [
      [mclassFig5(result, caption), "fig5_roc"],
      [mclassRocFigure(result, "true", caption), "fig5a_roc_melanoma"],
      [mclassRocFigure(result, "aggregate", caption), "fig5b_roc_majority"],
    ] as const
  ) {
    const e = exportFigure(fig, o.outDir, name, prov);
    files.push(...e.files, e.manifest);
  }
  for (const k of ["pred", "infr"] as const) {
    const e = exportFigure(
      confusionFigure({
        labels: ["NOEXC", "EXC"],
        truth: result.targets.aggregate,
        pred: result.decisions[k],
        title: `MClass-D: ${k === "pred" ? "predicted" : "inferred"} management vs the dermatologists' majority`,
        caption:
          `${synthNote}Threshold ${OPERATING_THRESHOLD}; rows: the dermatologists' majority (a tie counts as excise).`,
        yLabel: "dermatologists' majority",
        xLabel: "model",
      }),
      o.outDir,
      `fig5_confusion_${k}_aggregate`,
      prov,
    );
    files.push(...e.files, e.manifest);
  }
  return { result, files, answers: panel.answers.map((row) => [...row]) };
}
