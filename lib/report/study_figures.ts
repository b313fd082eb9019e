/**
 * The figures of notebooks 03-05 and `cli report`, built from the study's analyses: ROC and PR
 * curves per management class (the class's colour, the approach's dash, the operating point at
 * P >= 0.5), the distance violins with each distance's possible range and a statement of which
 * Jensen-Shannon and Wasserstein reading they show, the management confusion matrices, the paper
 * layouts of Fig. 2 (a-e) and Fig. 3 (c-d), reliability panels and the decision curve.
 *
 * @example
 * ```ts ignore
 * import { fig2Figure } from "./study_figures.ts";
 * const fig = fig2Figure(r, distances, note, { samples: 1000 });
 * exportFigure(fig, outDir, "fig2", prov);
 * ```
 *
 * @module
 */
import { DistanceComparisonRow, InferVsPredict, PUBLISHED } from "../analysis/mod.ts";
import { DIAGNOSIS, HeadName, MANAGEMENT } from "../data/vocabulary.ts";
import {
  argmax,
  averagePrecision,
  expectedCalibrationError,
  netBenefit,
  precisionRecallCurve,
  PredictionDistanceOptions,
  predictionDistances,
  ReliabilityBin,
  reliabilityCurve,
  rocAuc,
  rocCurve,
} from "../stats/mod.ts";
import {
  APPROACH_COLORS,
  APPROACH_DASHES,
  classColor,
  cohensDSign,
  confusionFigure,
  confusionLegend,
  curveLegend,
  decisionCurveFigure,
  distanceViolinFigure,
  Figure,
  figure,
  LegendItem,
  multiPanelFigure,
  precisionRecallFigure,
  rocFigure,
  rocPlot,
  RocSeries,
} from "../plots/mod.ts";
import type { PredictionsTable } from "../model/predictions.ts";

/** The decision threshold of the operating points drawn on the curves. */
export const OPERATING_THRESHOLD = 0.5;

/** Sensitivity, false positive rate and precision of deciding "positive" when the score reaches `threshold`. */
export function operatingPoint(
  truth01: readonly number[],
  scores: readonly number[],
  threshold = OPERATING_THRESHOLD,
): { fpr: number; tpr: number; recall: number; precision: number } {
  let tp = 0, fp = 0, pos = 0;
  truth01.forEach((t, i) => {
    if (t) pos++;
    if (scores[i] >= threshold) t ? tp++ : fp++;
  });
  const neg = truth01.length - pos;
  return {
    fpr: neg ? fp / neg : NaN,
    tpr: pos ? tp / pos : NaN,
    recall: pos ? tp / pos : NaN,
    precision: tp + fp ? tp / (tp + fp) : 1,
  };
}

const APPROACH_NAMES = { infr: "inferred", pred: "predicted" } as const;

interface ClassCurve {
  code: string;
  approach: "infr" | "pred";
  y: number[];
  scores: number[];
}

function classCurves(r: InferVsPredict, approaches: readonly ("infr" | "pred")[]): ClassCurve[] {
  return approaches.flatMap((approach) =>
    MANAGEMENT.codes.map((code, c) => ({
      code,
      approach,
      y: r.truth.map((t) => (t === c ? 1 : 0)),
      scores: (approach === "infr" ? r.infrProbs : r.predProbs).map((p) => p[c]),
    }))
  ).filter((x) => x.y.some(Boolean) && x.y.some((v) => !v));
}

/** One-vs-rest ROC series of each management class for the approaches (class colour, approach dash). */
export function managementRocSeries(r: InferVsPredict, approaches: readonly ("infr" | "pred")[]): RocSeries[] {
  return classCurves(r, approaches).map((x) => {
    const roc = rocCurve(x.y, x.scores);
    const op = operatingPoint(x.y, x.scores);
    return {
      label: approaches.length > 1 ? `${x.code} ${APPROACH_NAMES[x.approach]}` : x.code,
      fpr: roc.fpr,
      tpr: roc.tpr,
      area: rocAuc(x.y, x.scores),
      color: classColor(x.code),
      dash: approaches.length > 1 ? APPROACH_DASHES[x.approach] : undefined,
      operatingPoint: { fpr: op.fpr, tpr: op.tpr },
    };
  });
}

/** ROC and PR figures of infr (dashed) vs pred (solid) per management class. */
export function curveFigures(r: InferVsPredict, note: string): { roc: Figure; pr: Figure } {
  const both = ["infr", "pred"] as const;
  const pr = classCurves(r, both).map((x) => {
    const curve = precisionRecallCurve(x.y, x.scores);
    const op = operatingPoint(x.y, x.scores);
    return {
      label: `${x.code} ${APPROACH_NAMES[x.approach]}`,
      recall: curve.recall,
      precision: curve.precision,
      area: averagePrecision(x.y, x.scores),
      prevalence: x.approach === "pred" ? x.y.filter(Boolean).length / x.y.length : undefined,
      color: classColor(x.code),
      dash: APPROACH_DASHES[x.approach],
      operatingPoint: { recall: op.recall, precision: op.precision },
    };
  });
  return {
    roc: rocFigure(managementRocSeries(r, both), {
      title: "Management ROC curves: inferred (dashed) vs predicted (solid)",
      caption:
        `Test split, one-vs-rest per class; circles: deciding the class when its probability is at least ${OPERATING_THRESHOLD}. ${note}`,
    }),
    pr: precisionRecallFigure(pr, {
      title: "Management precision-recall curves: inferred (dashed) vs predicted (solid)",
      caption:
        `Test split; circles: deciding the class when its probability is at least ${OPERATING_THRESHOLD}. ${note}`,
    }),
  };
}

/** The range a distance can take under the settings of `predictionDistances`, for k classes. */
export function distanceRange(
  distance: DistanceComparisonRow["distance"],
  settings: Required<Omit<PredictionDistanceOptions, "tolerance">>,
  k: number,
): [number, number] {
  if (distance === "jensenShannon") {
    const div = Math.log(2) / Math.log(settings.base);
    return [0, settings.jensenShannon === "distance" ? Math.sqrt(div) : div];
  }
  if (distance === "wasserstein") return [0, settings.wasserstein === "support" ? k - 1 : 1];
  if (distance === "hellinger") return [0, settings.hellingerNormalized ? 1 : Math.SQRT2];
  return [0, 1];
}

/** The candidate readings of Jensen-Shannon and Wasserstein, with how the report names them. */
const READINGS = {
  jensenShannon: [
    { name: "the distance (square root of the divergence), natural log", options: { jensenShannon: "distance" } },
    { name: "the divergence, natural log", options: { jensenShannon: "divergence" } },
    { name: "the distance, log base 2", options: { jensenShannon: "distance", base: 2 } },
    { name: "the divergence, log base 2", options: { jensenShannon: "divergence", base: 2 } },
  ],
  wasserstein: [
    { name: "classes as ordered positions (NONE < CLNC < EXC)", options: { wasserstein: "support" } },
    {
      name: "the probabilities taken as samples (SciPy called on the raw vectors)",
      options: { wasserstein: "samples" },
    },
  ],
} as const;

/**
 * Which reading of Jensen-Shannon and of Wasserstein the figure shows (the defaults of
 * `predictionDistances`), and which reading matches the study's scale: the one whose mean, over
 * this run's cases of both approaches, relative to the mean Hellinger distance comes closest (in
 * log ratio) to the study's published ratio. The shape of the predictions sets these ratios, so
 * the comparison holds on any data; it is a statement about scale, not about the study's code.
 */
export function distanceReadings(
  r: Pick<InferVsPredict, "truth" | "infrProbs" | "predProbs">,
): {
  shown: Record<"jensenShannon" | "wasserstein", string>;
  matches: Record<"jensenShannon" | "wasserstein", string>;
  note: string;
} {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const P = PUBLISHED.distances;
  const shown: Record<"jensenShannon" | "wasserstein", string> = {
    jensenShannon: READINGS.jensenShannon[0].name,
    wasserstein: READINGS.wasserstein[0].name,
  };
  const matches = { ...shown };
  for (const key of ["jensenShannon", "wasserstein"] as const) {
    const studyRatio = [P[key].infr[0] / P.hellinger.infr[0], P[key].pred[0] / P.hellinger.pred[0]];
    let best = Infinity;
    for (const reading of READINGS[key]) {
      const opts = reading.options as PredictionDistanceOptions;
      const err = [r.infrProbs, r.predProbs].reduce((s, probs, i) => {
        const d = predictionDistances(probs, r.truth, opts);
        return s + Math.log(mean(d[key]) / mean(d.hellinger) / studyRatio[i]) ** 2;
      }, 0);
      if (err < best) (best = err), (matches[key] = reading.name);
    }
  }
  const say = (key: "jensenShannon" | "wasserstein", label: string) =>
    `${label} shown: ${shown[key]}; ${
      matches[key] === shown[key] ? "this reading also matches" : `the reading that matches`
    } the study's scale${matches[key] === shown[key] ? "" : `: ${matches[key]}`}.`;
  return {
    shown,
    matches,
    note: `${say("jensenShannon", "Jensen-Shannon")} ${say("wasserstein", "Wasserstein")}`,
  };
}

/** Fig. 2a: the four distances as violins, each cut at its possible range. */
export function distanceFigure(
  r: InferVsPredict,
  distances: readonly DistanceComparisonRow[],
  note: string,
  options: { samples?: number } = {},
): Figure {
  const settings = predictionDistances([], []).settings;
  const readings = distanceReadings(r);
  return distanceViolinFigure(
    distances.map((d) => ({
      name: d.name,
      p: d.wilcoxonP,
      d: d.dPooled,
      range: distanceRange(d.distance, settings, MANAGEMENT.codes.length),
      groups: [
        { label: "inferred", values: d.infr.values, mean: d.infr.mean, ci: d.infr.ci },
        { label: "predicted", values: d.pred.values, mean: d.pred.mean, ci: d.pred.ci },
      ],
    })),
    {
      note: readings.note,
      caption: `Test split (${r.truth.length} cases); CIs from ${
        options.samples ?? 1000
      } subsamples of N/2 (the study's scheme). ${note}`,
    },
  );
}

/** Fig. 2d-e: the confusion matrix of one approach with the true diagnoses of each cell. */
export function managementConfusionFigure(r: InferVsPredict, approach: "infr" | "pred", note: string): Figure {
  return confusionFigure({
    labels: MANAGEMENT.codes,
    truth: r.truth,
    pred: (approach === "infr" ? r.infr : r.pred).predicted,
    breakdown: r.diagnosisTruth,
    breakdownLabels: DIAGNOSIS.codes,
    title: `Management ${APPROACH_NAMES[approach]}: confusion matrix with the diagnoses of each cell`,
    caption: `Test split; bars: the true diagnosis groups of each cell's cases. ${note}`,
  });
}

/** ROC curves of one approach's classes (Fig. 2b-c). */
function approachRocFigure(r: InferVsPredict, approach: "infr" | "pred"): Figure {
  const series = managementRocSeries(r, [approach]);
  return figure({
    title: `ROC, ${APPROACH_NAMES[approach]}: ${series.map((s) => `${s.label} ${s.area.toFixed(2)}`).join(", ")}`,
    plot: rocPlot(series),
  });
}

/**
 * Fig. 2 as one paper figure: (a) the distance violins, (b-c) ROC curves of the inferred and the
 * predicted management per class (AUROC in the headings), (d-e) their confusion matrices with the
 * diagnoses of each cell; one shared legend.
 */
export function fig2Figure(
  r: InferVsPredict,
  distances: readonly DistanceComparisonRow[],
  note: string,
  options: { samples?: number } = {},
): Figure {
  const a = distanceFigure(r, distances, note, options);
  const b = approachRocFigure(r, "infr"), c = approachRocFigure(r, "pred");
  const d = managementConfusionFigure(r, "infr", note), e = managementConfusionFigure(r, "pred", note);
  const legend: LegendItem[] = [
    { label: "inferred", color: APPROACH_COLORS.infr },
    { label: "predicted", color: APPROACH_COLORS.pred },
    { label: "mean and 95% CI", color: "#222", shape: "diamond" },
    ...curveLegend(
      MANAGEMENT.codes.map((code) => ({ label: code, color: classColor(code), operatingPoint: true })),
      MANAGEMENT.codes,
    ),
    ...confusionLegend(DIAGNOSIS.codes),
  ];
  return multiPanelFigure({
    title: "Fig. 2: management inferred from the diagnosis vs predicted directly",
    subtitle:
      `(a) ${a.options.subtitle} (b-c) One-vs-rest ROC curves per management class; circles: P ≥ ${OPERATING_THRESHOLD}. ` +
      `(d-e) Confusion matrices (rows: true management; cell shade: share of the row); bars: true diagnoses of each cell.`,
    caption: a.options.caption,
    legend,
    rows: (width) => {
      // ROC squares and confusion matrices kept short enough for the whole figure to fit a page
      const cap = width < 560 ? 300 : 255;
      const A = { figure: a, title: "Distances to the one-hot target" };
      const B = { figure: b, maxWidth: cap }, C = { figure: c, maxWidth: cap };
      const D = { figure: d, title: "Confusion, inferred", maxWidth: cap };
      const E = { figure: e, title: "Confusion, predicted", maxWidth: cap };
      return width < 560 ? [[A], [B], [C], [D], [E]] : [[A], [B, C], [D, E]];
    },
  });
}

/** Fig. 3c-d: the multi-task model's management (with diagnoses) and diagnosis confusion matrices. */
export function multitaskConfusionFigures(
  table: PredictionsTable,
  note: string,
): { management: Figure; diagnosis: Figure } {
  const dTruth = table.truth("diagnosis", "test");
  return {
    management: confusionFigure({
      labels: MANAGEMENT.codes,
      truth: table.truth("management", "test"),
      pred: argmax(table.probs("management", "test")),
      breakdown: dTruth,
      breakdownLabels: DIAGNOSIS.codes,
      title: "Multi-task management: confusion matrix with diagnoses",
      caption: `Test split; bars: the true diagnosis groups of each cell's cases. ${note}`,
    }),
    diagnosis: confusionFigure({
      labels: DIAGNOSIS.codes,
      truth: dTruth,
      pred: argmax(table.probs("diagnosis", "test")),
      title: "Multi-task diagnosis: confusion matrix",
      caption: `Test split. ${note}`,
    }),
  };
}

/** Fig. 3 as one paper figure: panels c and d (the study's panels a-b are not reproduced here). */
export function fig3Figure(table: PredictionsTable, note: string): Figure {
  const m = multitaskConfusionFigures(table, note);
  return multiPanelFigure({
    title: "Fig. 3 (c-d): the multi-task model's confusion matrices",
    subtitle: "Rows: truth; cell shade: share of the row. (c) Management, bars: true diagnoses of each cell. " +
      "(d) Diagnosis. The study's Fig. 3a-b are not reproduced.",
    caption: `Test split. ${note}`,
    legend: confusionLegend(DIAGNOSIS.codes),
    rows: (width) => {
      const c = { figure: m.management, letter: "c", title: "Management" };
      const d = { figure: m.diagnosis, letter: "d", title: "Diagnosis" };
      return width < 560 ? [[c], [d]] : [[c, d]];
    },
  });
}

/** Reliability panels (top-label ECE) of every head of a run's test predictions. */
export function reliabilityPanels(
  run: { table: PredictionsTable },
): { head: HeadName; ece: number; bins: ReliabilityBin[] }[] {
  return run.table.heads.map((h: HeadName) => {
    const probs = run.table.probs(h, "test"), truth = run.table.truth(h, "test");
    const pred = argmax(probs);
    const correct = pred.map((p, i) => (p === truth[i] ? 1 : 0));
    const conf = probs.map((p, i) => p[pred[i]]);
    return {
      head: h,
      ece: expectedCalibrationError(truth, probs, { bins: 10 }),
      bins: reliabilityCurve(correct, conf, { bins: 10 }),
    };
  });
}

/** Net benefit of excision (P(EXC)) for infr and pred, with excise-all. */
export function decisionCurve(r: InferVsPredict, note: string): Figure {
  const y = r.truth.map((t) => (t === 2 ? 1 : 0));
  const thresholds = Array.from({ length: 49 }, (_, i) => 0.02 * (i + 1));
  const nb = (probs: number[][]) => netBenefit(y, probs.map((p) => p[2]), thresholds);
  const a = nb(r.infrProbs), b = nb(r.predProbs);
  return decisionCurveFigure(
    [
      {
        label: "inferred from diagnosis",
        points: a.map((p) => ({ threshold: p.threshold, netBenefit: p.model })),
        color: APPROACH_COLORS.infr,
        dash: APPROACH_DASHES.infr,
      },
      {
        label: "predicted directly",
        points: b.map((p) => ({ threshold: p.threshold, netBenefit: p.model })),
        color: APPROACH_COLORS.pred,
      },
    ],
    a.map((p) => ({ threshold: p.threshold, netBenefit: p.treatAll })),
    { caption: `Test split; excision (EXC) vs no excision. ${note}` },
  );
}

export { cohensDSign };
