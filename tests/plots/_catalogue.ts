/**
 * Every figure the library can make, on fixed inputs: the figure functions of lib/plots on small
 * fixtures, and the report layer's figures (Fig. 2-5 paper layouts, curves, distances, confusion,
 * reliability, decision curve, MClass-D, case reports, Grad-CAM overlays, the dataset figures on a
 * synthetic fixture release). The golden-snapshot and readability tests read it.
 */
import sharp from "sharp";
import * as P from "../../lib/plots/mod.ts";
import { managementRows } from "../../lib/analysis/mod.ts";
import type { InferVsPredict } from "../../lib/analysis/mod.ts";
import { distanceComparison } from "../../lib/analysis/mod.ts";
import {
  crossValidationFolds,
  DIAGNOSIS,
  HEADS,
  loadRelease,
  MANAGEMENT,
  SEVEN_POINT_WEIGHTS,
} from "../../lib/data/mod.ts";
import type { HeadName } from "../../lib/data/mod.ts";
import type { PredictionsTable } from "../../lib/model/predictions.ts";
import {
  caseReportFigure,
  curveFigures,
  datasetRecords,
  decisionCurve,
  distanceFigure,
  fig2Figure,
  fig3Figure,
  gradcamOverlayFigure,
  managementConfusionFigure,
  mclassAnalysis,
  mclassFig5,
  mclassRocFigure,
  multitaskConfusionFigures,
  reliabilityPanels,
} from "../../lib/report/mod.ts";
import type { CaseReport } from "../../lib/report/mod.ts";
import { Prng } from "../../lib/util/prng.ts";
import { tempDir, writeFixtureRelease } from "../_helpers.ts";

const seq = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const wave = (i: number) => (Math.sin(i * 1.7) + 1) / 2;

/** The figures of lib/plots on small fixed inputs (the golden snapshots). */
export const PLOT_FIGURES: Record<string, () => P.Figure> = {
  management_by_group: () =>
    P.managementByGroupFigure([{ split: "train", group: "MEL", management: "excision", count: 10 }, {
      split: "train",
      group: "NEV",
      management: "clinical follow up",
      count: 7,
    }, { split: "test", group: "NEV", management: "no further examination", count: 3 }], {
      groups: ["BCC", "NEV", "MEL", "MISC", "SK"],
      caption: "fixture",
    }),
  label_distribution: () =>
    P.labelDistributionFigure([
      { head: "streaks", label: "ABS", count: 9 },
      { head: "streaks", label: "REG", count: 2 },
      { head: "management", label: "EXC", count: 5 },
    ]),
  seven_point: () =>
    P.sevenPointScoreFigure([{ score: 0, group: "NEV", count: 4 }, { score: 3, group: "MEL", count: 5 }], {
      groups: ["NEV", "MEL"],
    }),
  roc: () =>
    P.rocFigure([{
      label: "EXC",
      fpr: [0, 0.2, 1],
      tpr: [0, 0.7, 1],
      area: 0.75,
      color: P.classColor("EXC"),
      operatingPoint: { fpr: 0.2, tpr: 0.7 },
    }, {
      label: "NONE",
      fpr: [0, 0.5, 1],
      tpr: [0, 0.5, 1],
      area: 0.5,
      color: P.classColor("NONE"),
      dash: "6,3",
    }], { readers: [{ label: "readers", points: [{ fpr: 0.3, tpr: 0.6 }, { fpr: 0.1, tpr: 0.4 }] }] }),
  pr: () =>
    P.precisionRecallFigure([{
      label: "EXC",
      recall: [1, 0.5, 0],
      precision: [0.6, 0.8, 1],
      area: 0.7,
      prevalence: 0.6,
      operatingPoint: { recall: 0.5, precision: 0.8 },
    }]),
  training_curves: () =>
    P.trainingCurvesFigure(
      seq(10, (i) => i).map((i) => ({
        epoch: i + 1,
        trainLoss: 2 / (i + 1),
        validLoss: 1.5 / (i + 1) + 0.1,
        validAuroc: 0.5 + 0.03 * i,
        best: i === 7,
      })),
    ),
  distances: () =>
    P.distanceViolinFigure(["1 - cosine similarity", "Hellinger"].map((name, k) => ({
      name,
      p: 0.0123,
      d: 0.45 + k,
      range: [0, 1] as const,
      groups: [
        { label: "inferred", values: seq(40, (i) => 0.3 + 0.4 * wave(i + k)), mean: 0.5, ci: [0.45, 0.55] },
        { label: "predicted", values: seq(40, (i) => 0.1 + 0.4 * wave(2 * i + k)), mean: 0.3, ci: [0.25, 0.35] },
      ],
    }))),
  confusion_breakdown: () =>
    P.confusionFigure({
      labels: ["NONE", "CLNC", "EXC"],
      truth: seq(30, (i) => i % 3),
      pred: seq(30, (i) => (i * 7) % 3),
      breakdown: seq(30, (i) => (i * 5) % 5),
      breakdownLabels: ["BCC", "NEV", "MEL", "MISC", "SK"],
      title: "Fixture confusion",
    }),
  pvalues: () => P.pValueMatrixFigure(["C", "CM", "D"], [[NaN, 0.02, 0.0004], [0.02, NaN, 0.3], [0.0004, 0.3, NaN]]),
  reliability: () =>
    P.reliabilityFigure([{
      head: "management",
      ece: 0.08,
      bins: [
        { meanScore: 0.35, fractionPositive: 0.3, count: 4 },
        { meanScore: 0.6, fractionPositive: 0.5, count: 12 },
        { meanScore: 0.8, fractionPositive: 0.7, count: 9 },
      ],
    }]),
  decision_curve: () =>
    P.decisionCurveFigure([{
      label: "model",
      points: seq(9, (i) => i).map((i) => ({ threshold: 0.1 * (i + 1), netBenefit: 0.5 - 0.05 * i })),
    }], seq(9, (i) => i).map((i) => ({ threshold: 0.1 * (i + 1), netBenefit: 0.6 - 0.1 * i }))),
};

/** Probability rows leaning towards `truth` (seeded). */
function probsFor(truth: readonly number[], k: number, prng: Prng, strength: number): number[][] {
  return truth.map((t) => {
    const raw = Array.from({ length: k }, (_, j) => Math.exp((j === t ? strength : 0) + prng.normal(0, 1)));
    const s = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / s);
  });
}

/** An InferVsPredict of `n` seeded test cases. */
export function fixtureInferVsPredict(n = 120, seed = 5): InferVsPredict {
  const prng = new Prng(seed);
  const diagnosisTruth = seq(n, (i) => [1, 1, 2, 3, 4, 0, 1][i % 7]);
  const truth = diagnosisTruth.map((d, i) => (d === 0 || d === 2 ? 2 : i % 3));
  const infrProbs = probsFor(truth, 3, prng.fork("infr"), 0.6);
  const predProbs = probsFor(truth, 3, prng.fork("pred"), 1.4);
  return {
    caseNums: seq(n, (i) => i + 1),
    truth,
    diagnosisTruth,
    diagnosisProbs: probsFor(diagnosisTruth, 5, prng.fork("diag"), 1.2),
    infrProbs,
    predProbs,
    infr: managementRows(truth, infrProbs),
    pred: managementRows(truth, predProbs),
  };
}

/** A PredictionsTable of a multi-task run (test split only) on seeded probabilities. */
export function fixtureTable(n = 120, seed = 6): PredictionsTable {
  const prng = new Prng(seed);
  const heads: HeadName[] = ["pigment_network", "streaks", "diagnosis", "management"];
  const truth: Record<string, number[]> = {};
  const probs: Record<string, number[][]> = {};
  for (const h of heads) {
    const k = HEADS[h].codes.length;
    truth[h] = seq(n, (i) => (i * (h.length + 1)) % k);
    probs[h] = probsFor(truth[h], k, prng.fork(h), 1.3);
  }
  return {
    dir: "fixture",
    heads,
    rows: [],
    probs: (h) => probs[h],
    truth: (h) => truth[h],
    caseNums: () => seq(n, (i) => i + 1),
  };
}

const NOTE = "SYNTHETIC data. Frozen fixture features, not the study's network.";

async function tinyPng(seed: number): Promise<Uint8Array> {
  const prng = new Prng(seed);
  const data = new Uint8Array(32 * 32 * 3).map(() => 120 + prng.int(100));
  return new Uint8Array(await sharp(data, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
}

/** A case report with every part filled (images are noise). */
export async function fixtureCaseReport(): Promise<CaseReport> {
  const map = (image: "clinical" | "derm") => ({
    image,
    layer: "mixed10",
    height: 2,
    width: 2,
    values: new Float32Array([0, 1, 2, 3]),
    signed: new Float32Array([0, 1, 2, 3]),
  });
  const criteria = SEVEN_POINT_WEIGHTS.map((w) => w.column);
  return {
    id: "case 123",
    caseNum: 123,
    split: "test",
    metadata: { sex: "female", location: "back", elevation: "flat" },
    truth: { diagnosis: 2, management: 2 },
    run: {
      dir: "runs/multi-CDM",
      kind: "multi",
      inputs: "CDM",
      preset: "features",
      backbone: "nsfwjs 160 px (mixed10)",
      synthetic: true,
      ttaViews: 5,
    },
    probabilities: { diagnosis: [0.05, 0.2, 0.6, 0.1, 0.05], management: [0.1, 0.3, 0.6] },
    sevenPoint: {
      criteria: criteria.map((column, i) => ({
        column,
        finding: column,
        weight: i < 3 ? 2 : 1,
        probability: 0.3 + 0.08 * i,
        present: i % 2 === 0,
      })),
      score: 4,
      expectedScore: 3.6,
      trueScore: 5,
    },
    management: { predicted: [0.1, 0.3, 0.6], inferred: [0.2, 0.3, 0.5] },
    explanations: (["diagnosis", "management"] as const).map((head) => ({
      head,
      className: head === "diagnosis" ? "MEL" : "EXC",
      probability: 0.6,
      maps: { clinical: map("clinical"), derm: map("derm") },
    })),
    attributions: (["diagnosis", "management"] as const).map((head) => ({
      head,
      className: head === "diagnosis" ? "MEL" : "EXC",
      byInput: { clinical: 0.4, derm: 1.2, metadata: -0.1 },
      completenessError: 0.001,
    })),
    position: {
      distance: 1.2,
      percentile: 40,
      neighbours: [],
      blocks: { clinical: { distance: 1, percentile: 30 } },
      k: 5,
      neighbourLabels: [
        { caseNum: 7, diagnosis: "MEL", management: "EXC", distance: 0.9 },
        { caseNum: 8, diagnosis: "NEV", management: "CLNC", distance: 1.0 },
      ],
    },
    png: {
      images: { clinical: await tinyPng(1), derm: await tinyPng(2) },
      overlays: await Promise.all(
        (["diagnosis", "management"] as const).flatMap((head) =>
          (["clinical", "derm"] as const).map(async (image, i) => ({ head, image, png: await tinyPng(3 + i) }))
        ),
      ),
    },
  };
}

/** Every figure of the report layer on fixtures (Fig. 2-5, curves, case reports, dataset figures). */
export async function reportFigures(): Promise<Record<string, () => P.Figure>> {
  const r = fixtureInferVsPredict();
  const distances = distanceComparison(r.truth, r.infrProbs, r.predProbs, { prng: new Prng(1), samples: 50 });
  const table = fixtureTable();
  const curves = curveFigures(r, NOTE);
  const prng = new Prng(9);
  const images = 60;
  const melanoma = seq(images, (i) => (i % 3 === 0 ? 1 : 0));
  const answers = seq(
    12,
    (k) => melanoma.map((m, i) => (prng.uniform(0, 1) < (m ? 0.7 : 0.25) + 0.01 * k ? 1 : (i + k) % 11 === 0 ? 1 : 0)),
  );
  const mclass = mclassAnalysis({
    truthMelanoma: melanoma,
    answers,
    management: probsFor(melanoma.map((m) => (m ? 2 : 0)), 3, prng.fork("m"), 1),
    diagnosis: probsFor(melanoma.map((m) => (m ? 2 : 1)), 5, prng.fork("d"), 1),
    prng: prng.fork("a"),
    draws: 20,
    bootstrap: 0,
  });
  const report = await fixtureCaseReport();
  const dir = tempDir();
  writeFixtureRelease(dir, { cases: 60, seed: 4 });
  const release = loadRelease(dir, { quiet: true });
  const rec = datasetRecords(release, crossValidationFolds(release, { k: 3, seed: 0 }));
  return {
    fig2: () => fig2Figure(r, distances, NOTE, { samples: 50 }),
    fig2a_distances: () => distanceFigure(r, distances, NOTE, { samples: 50 }),
    fig2d_confusion_inferred: () => managementConfusionFigure(r, "infr", NOTE),
    roc_infr_vs_pred: () => curves.roc,
    pr_infr_vs_pred: () => curves.pr,
    decision_curve_excision: () => decisionCurve(r, NOTE),
    fig3: () => fig3Figure(table, NOTE),
    fig3d_confusion_diagnosis: () => multitaskConfusionFigures(table, NOTE).diagnosis,
    reliability_multitask: () => P.reliabilityFigure(reliabilityPanels({ table }), { caption: NOTE }),
    fig4_mcnemar: () =>
      P.pValueMatrixFigure(
        ["C", "CM", "D", "DM", "CD", "CDM", "M"],
        seq(7, (i) => seq(7, (j) => (i === j ? NaN : 0.00004 * 10 ** ((i + j) % 5)))),
        {
          title: "Fig. 4: mid-p McNemar tests between input sets",
          caption: NOTE,
        },
      ),
    fig5: () => mclassFig5(mclass, NOTE),
    fig5a_roc_melanoma: () => mclassRocFigure(mclass, "true", NOTE),
    fig5b_roc_majority: () => mclassRocFigure(mclass, "aggregate", NOTE),
    case_report: () => caseReportFigure(report),
    gradcam_overlay: () => gradcamOverlayFigure(report, report.png.overlays[3]),
    table1_management_by_group: () =>
      P.managementByGroupFigure(rec.managementByGroup, { groups: DIAGNOSIS.codes, caption: NOTE }),
    seven_point_score: () => P.sevenPointScoreFigure(rec.sevenPoint, { groups: DIAGNOSIS.codes, caption: NOTE }),
    label_distribution_release: () => P.labelDistributionFigure(rec.labelCounts, { caption: NOTE }),
    metadata_by_management: () => P.metadataFigure(rec.metadata, { caption: NOTE, managements: MANAGEMENT.names }),
    cv_fold_proportions: () => P.foldProportionsFigure(rec.foldShares, { caption: NOTE }),
  };
}
