/**
 * ROC and precision-recall curve figures: one line per curve (e.g. per class, or per approach),
 * with the area in the legend, chance/prevalence references, and equal axes.
 *
 * @example
 * ```ts
 * import { rocFigure } from "./curves.ts";
 * const fig = rocFigure([{ label: "EXC", fpr: [0, 0.5, 1], tpr: [0, 0.8, 1], area: 0.65 }]);
 * fig.svg().includes("EXC (AUROC 0.650)"); // true
 * ```
 */
import * as Plot from "@observablehq/plot";
import { Figure, figure } from "./figure.ts";
import { PALETTE } from "./theme.ts";

export interface RocSeries {
  label: string;
  fpr: readonly number[];
  tpr: readonly number[];
  /** AUROC shown in the legend. */
  area: number;
  color?: string;
  /** Dashed line (e.g. a second approach). */
  dashed?: boolean;
}

export interface PrSeries {
  label: string;
  recall: readonly number[];
  precision: readonly number[];
  /** Average precision shown in the legend. */
  area: number;
  /** Share of positives (the chance level of precision), drawn as a dotted rule. */
  prevalence?: number;
  color?: string;
  dashed?: boolean;
}

export interface CurveFigureOptions {
  title?: string;
  subtitle?: string;
  caption?: string;
}

const colorOf = (s: { color?: string }, i: number) => s.color ?? PALETTE[i % PALETTE.length];

/** A square unit plot (both axes [0, 1]) at most 420 px wide, framed, with `marks` drawn first. */
export function unitSquare(width: number, xLabel: string, yLabel: string, marks: Plot.Markish[]): Plot.PlotOptions {
  const side = Math.min(width, 420);
  return {
    width: side,
    height: side,
    marginLeft: 46,
    marginBottom: 38,
    x: { domain: [0, 1], label: xLabel, grid: true },
    y: { domain: [0, 1.02], label: yLabel, grid: true },
    marks: [...marks, Plot.frame({ stroke: "#ccc" })],
  };
}

/** ROC curves (FPR vs TPR) with the diagonal of chance. */
export function rocFigure(series: readonly RocSeries[], options: CurveFigureOptions = {}): Figure {
  const labels = series.map((s) => `${s.label} (AUROC ${s.area.toFixed(3)})`);
  const points = series.flatMap((s, i) => s.fpr.map((x, j) => ({ series: labels[i], x, y: s.tpr[j] })));
  return figure({
    title: options.title ?? "ROC curves",
    subtitle: options.subtitle,
    caption: options.caption,
    legend: series.map((s, i) => ({ label: labels[i], color: colorOf(s, i), shape: "line" as const })),
    plot: (width) =>
      unitSquare(width, "False positive rate (1 - specificity)", "True positive rate (sensitivity)", [
        Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "3,3" }),
        ...series.map((s, i) =>
          Plot.line(points.filter((p) => p.series === labels[i]), {
            x: "x",
            y: "y",
            stroke: colorOf(s, i),
            strokeWidth: 1.8,
            strokeDasharray: s.dashed ? "5,3" : undefined,
          })
        ),
      ]),
  });
}

/** Precision-recall curves (step-wise, as average precision sums them) with prevalence rules. */
export function precisionRecallFigure(series: readonly PrSeries[], options: CurveFigureOptions = {}): Figure {
  const labels = series.map((s) => `${s.label} (AP ${s.area.toFixed(3)})`);
  return figure({
    title: options.title ?? "Precision-recall curves",
    subtitle: options.subtitle ?? "Dotted: the precision of a random ranking (the class's prevalence)",
    caption: options.caption,
    legend: series.map((s, i) => ({ label: labels[i], color: colorOf(s, i), shape: "line" as const })),
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
            strokeDasharray: s.dashed ? "5,3" : undefined,
          }),
          ...(s.prevalence !== undefined
            ? [Plot.ruleY([s.prevalence], { stroke: colorOf(s, i), strokeDasharray: "1,3", strokeWidth: 1.2 })]
            : []),
        ]),
      ),
  });
}
