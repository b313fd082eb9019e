/**
 * ROC and precision-recall curve figures: one line per curve (e.g. per class, or per approach)
 * with the area in the legend, each line's dash style shown in the legend, the operating point of
 * each curve at a decision threshold (default: P >= 0.5) as an open circle, optional reader points
 * (e.g. every dermatologist), chance/prevalence references, and equal axes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rocFigure } from "./curves.ts";
 * const fig = rocFigure([{ label: "EXC", fpr: [0, 0.5, 1], tpr: [0, 0.8, 1], area: 0.65, operatingPoint: { fpr: 0.5, tpr: 0.8 } }]);
 * assert.ok(fig.svg().includes("EXC (AUROC 0.650)"));
 * assert.ok(fig.svg().includes("operating point (P ≥ 0.5)"));
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure, figure, LegendItem } from "./figure.ts";
import { PALETTE, READER_COLORS } from "./palette.ts";

/** One ROC curve: its points (false and true positive rates, in [0, 1], in the same order) and its area. */
export interface RocSeries {
  /** Name of the curve in the legend, before its AUROC. */
  label: string;
  /** False positive rates of the curve's points. */
  fpr: readonly number[];
  /** True positive rates of the curve's points (as many as `fpr`). */
  tpr: readonly number[];
  /** AUROC shown in the legend. */
  area: number;
  /** Line colour; default the next colour of `PALETTE`. */
  color?: string;
  /** SVG dash pattern (e.g. "6,3" for a second approach); solid when absent. */
  dash?: string;
  /** The curve's point at the decision threshold, drawn as an open circle. */
  operatingPoint?: { fpr: number; tpr: number };
}

/** One precision-recall curve: its points (recall and precision, in [0, 1], in the same order) and its area. */
export interface PrSeries {
  /** Name of the curve in the legend, before its average precision. */
  label: string;
  /** Recalls of the curve's points. */
  recall: readonly number[];
  /** Precisions of the curve's points (as many as `recall`). */
  precision: readonly number[];
  /** Average precision shown in the legend. */
  area: number;
  /** Share of positives (the chance level of precision), drawn as a dotted rule. */
  prevalence?: number;
  /** Line colour; default the next colour of `PALETTE`. */
  color?: string;
  /** SVG dash pattern; solid when absent. */
  dash?: string;
  /** The curve's point at the decision threshold, drawn as an open circle. */
  operatingPoint?: { recall: number; precision: number };
}

/** Single readers (e.g. dermatologists) as points in ROC space. */
export interface ReaderPoints {
  /** Name of the readers in the legend. */
  label: string;
  /** One point per reader: false and true positive rate. */
  points: readonly { fpr: number; tpr: number }[];
  /** Dot colour; default `READER_COLORS.dermatologist`. */
  color?: string;
}

/** Options of {@linkcode rocFigure} and {@linkcode precisionRecallFigure}. */
export interface CurveFigureOptions {
  /** Title; default "ROC curves" or "Precision-recall curves". */
  title?: string;
  /** Line under the title (the PR figure explains its dotted rules by default). */
  subtitle?: string;
  /** Caption under the figure. */
  caption?: string;
  /** The threshold the operating points were taken at, for the legend (default 0.5). */
  threshold?: number;
  /** Readers as points (ROC only). */
  readers?: readonly ReaderPoints[];
}

const colorOf = (s: { color?: string }, i: number) => s.color ?? PALETTE[i % PALETTE.length];

/** A square unit plot (both axes [0, 1]) at most 420 px wide, framed, with `marks` drawn first. */
export function unitSquare(width: number, xLabel: string, yLabel: string, marks: Plot.Markish[]): Plot.PlotOptions {
  const side = Math.min(width, 420);
  return {
    width: side,
    height: side,
    marginTop: 10,
    marginLeft: 46,
    marginRight: 14,
    marginBottom: 38,
    x: { domain: [0, 1], label: xLabel, grid: true, ticks: side < 260 ? 5 : 10, labelAnchor: "center" },
    y: { domain: [0, 1.02], label: yLabel, grid: true, ticks: side < 260 ? 5 : 10, labelAnchor: "center" },
    marks: [...marks, Plot.frame({ stroke: "#ccc" })],
  };
}

/** Axis labels that fit a unit square of side `side`. */
function axisLabels(side: number, long: [string, string], short: [string, string]): [string, string] {
  return side < 300 ? short : long;
}

/** The legend of curves: each line with its dash, then the operating point and the readers. */
export function curveLegend(
  series: readonly { label: string; color?: string; dash?: string; operatingPoint?: unknown }[],
  labels: readonly string[],
  options: { threshold?: number; readers?: readonly ReaderPoints[] } = {},
): LegendItem[] {
  return [
    ...series.map((s, i) => ({ label: labels[i], color: colorOf(s, i), shape: "line" as const, dash: s.dash })),
    ...(series.some((s) => s.operatingPoint)
      ? [{ label: `operating point (P ≥ ${options.threshold ?? 0.5})`, color: "#222", shape: "ring" as const }]
      : []),
    ...(options.readers ?? []).map((r) => ({
      label: r.label,
      color: r.color ?? READER_COLORS.dermatologist,
      shape: "dot" as const,
    })),
  ];
}

/** Marks of ROC curves in a unit square: chance diagonal, readers, curves, operating points. */
export function rocMarks(series: readonly RocSeries[], readers: readonly ReaderPoints[] = []): Plot.Markish[] {
  return [
    Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "2,3" }),
    ...readers.map((r) =>
      Plot.dot(r.points.map((p) => ({ x: p.fpr, y: p.tpr })), {
        x: "x",
        y: "y",
        r: 2.2,
        fill: r.color ?? READER_COLORS.dermatologist,
        fillOpacity: 0.55,
      })
    ),
    ...series.map((s, i) =>
      Plot.line(s.fpr.map((x, j) => ({ x, y: s.tpr[j] })), {
        x: "x",
        y: "y",
        stroke: colorOf(s, i),
        strokeWidth: 1.8,
        strokeDasharray: s.dash,
      })
    ),
    ...series.filter((s) => s.operatingPoint).map((s) =>
      Plot.dot([s.operatingPoint!], {
        x: "fpr",
        y: "tpr",
        r: 4,
        stroke: colorOf(s, series.indexOf(s)),
        strokeWidth: 1.6,
        fill: "white",
      })
    ),
  ];
}

/** The ROC chart of `series` at `width` (a unit square). */
export function rocPlot(
  series: readonly RocSeries[],
  readers: readonly ReaderPoints[] = [],
): (width: number) => Plot.PlotOptions {
  return (width: number): Plot.PlotOptions => {
    const [xl, yl] = axisLabels(Math.min(width, 420), [
      "False positive rate (1 - specificity)",
      "True positive rate (sensitivity)",
    ], ["1 - specificity", "sensitivity"]);
    return unitSquare(width, xl, yl, rocMarks(series, readers));
  };
}

/** ROC curves (FPR vs TPR) with the diagonal of chance. */
export function rocFigure(series: readonly RocSeries[], options: CurveFigureOptions = {}): Figure {
  const labels = series.map((s) => `${s.label} (AUROC ${s.area.toFixed(3)})`);
  return figure({
    title: options.title ?? "ROC curves",
    subtitle: options.subtitle,
    caption: options.caption,
    legend: curveLegend(series, labels, options),
    plot: rocPlot(series, options.readers),
  });
}

/** Precision-recall curves (step-wise, as average precision sums them) with prevalence rules. */
export function precisionRecallFigure(series: readonly PrSeries[], options: CurveFigureOptions = {}): Figure {
  const labels = series.map((s) => `${s.label} (AP ${s.area.toFixed(3)})`);
  return figure({
    title: options.title ?? "Precision-recall curves",
    subtitle: options.subtitle ?? "Dotted: the precision of a random ranking (the class's prevalence)",
    caption: options.caption,
    legend: curveLegend(series, labels, options),
    plot: (width) =>
      unitSquare(
        width,
        "Recall (sensitivity)",
        "Precision",
        series.flatMap((s, i) => [
          Plot.line(s.recall.map((r, j) => ({ x: r, y: s.precision[j] })), {
            x: "x",
            y: "y",
            stroke: colorOf(s, i),
            strokeWidth: 1.8,
            curve: "step-before",
            strokeDasharray: s.dash,
          }),
          ...(s.prevalence !== undefined
            ? [Plot.ruleY([s.prevalence], { stroke: colorOf(s, i), strokeDasharray: "1,3", strokeWidth: 1.2 })]
            : []),
          ...(s.operatingPoint
            ? [
              Plot.dot([s.operatingPoint], {
                x: "recall",
                y: "precision",
                r: 4,
                stroke: colorOf(s, i),
                strokeWidth: 1.6,
                fill: "white",
              }),
            ]
            : []),
        ]),
      ),
  });
}
