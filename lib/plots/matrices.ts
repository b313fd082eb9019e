/**
 * Matrix figures: confusion matrices (rows = truth, columns = prediction) whose every cell also
 * shows the diagnosis-wise breakdown of its cases as a small stacked bar (the study's Fig. 2d-e,
 * 3c), plain confusion matrices (Fig. 3d), and the McNemar p-value matrix (Fig. 4). Colours are
 * binned (row share of cases; p-value bands), so legends are drawn as swatches.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confusionFigure } from "./matrices.ts";
 * const fig = confusionFigure({ labels: ["A", "B"], truth: [0, 1, 1], pred: [0, 1, 0] });
 * const texts = fig.svg().match(/>[^<>]+<\/text>/g)!.map((t) => t.slice(1, -7));
 * assert.deepEqual(texts.slice(-4), ["1", "0", "1", "1"]); // the cells' counts, row by row
 * assert.deepEqual(texts.filter((t) => t === "A" || t === "B"), ["A", "B", "A", "B"]); // both axes
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure, figure, LegendItem } from "./figure.ts";
import { FONT_SIZES } from "./theme.ts";
import { classColor, isClass, PALETTE } from "./palette.ts";
import { formatP } from "./distances.ts";

const SHARE_BINS = [0.2, 0.4, 0.6, 0.8];
// greys, so that the cells never look like the diagnosis colours of the breakdown bars
const SHARE_COLORS = ["#f7f7f7", "#d9d9d9", "#bdbdbd", "#737373", "#252525"];

/** The cases of a confusion matrix and how to draw it. */
export interface ConfusionInput {
  /** Class names, in index order (rows and columns). */
  labels: readonly string[];
  /** True class index of each case. */
  truth: readonly number[];
  /** Predicted class index of each case (as many as `truth`). */
  pred: readonly number[];
  /** Optional per-case category (e.g. diagnosis group) shown as a stacked bar in each cell. */
  breakdown?: readonly number[];
  /** Names of the `breakdown` categories, in index order (coloured as classes when they are ones). */
  breakdownLabels?: readonly string[];
  /** Title; default "Confusion matrix". */
  title?: string;
  /** Caption under the figure. */
  caption?: string;
  /** x axis label; default "predicted". */
  xLabel?: string;
  /** y axis label; default "true class". */
  yLabel?: string;
}

/** Colours of breakdown categories: the class colour when a label is a class of the study. */
const breakdownColors = (labels: readonly string[]) =>
  labels.map((l, i) => (isClass(l) ? classColor(l) : PALETTE[i % PALETTE.length]));

/** Legend of a confusion matrix: the row-share greys, then the breakdown's categories. */
export function confusionLegend(breakdownLabels?: readonly string[]): LegendItem[] {
  const colors = breakdownColors(breakdownLabels ?? []);
  return [
    ...SHARE_COLORS.map((color, b) => ({
      label: b === 0
        ? `< ${SHARE_BINS[0] * 100}% of row`
        : b === SHARE_COLORS.length - 1
        ? `>= ${SHARE_BINS[b - 1] * 100}%`
        : `${SHARE_BINS[b - 1] * 100}-${SHARE_BINS[b] * 100}%`,
      color,
    })),
    ...(breakdownLabels ?? []).map((l, c) => ({ label: l, color: colors[c] })),
  ];
}

/**
 * A confusion matrix (rows = truth, columns = prediction): each cell's count, its grey by the share
 * of its row (bins of 20%), and with `breakdown`, a stacked bar of the cell's cases by category.
 */
export function confusionFigure(input: ConfusionInput): Figure {
  const k = input.labels.length;
  const cells: { i: number; j: number; n: number; share: number; bin: number }[] = [];
  for (let i = 0; i < k; i++) {
    const rowTotal = input.truth.filter((t) => t === i).length;
    for (let j = 0; j < k; j++) {
      const n = input.truth.filter((t, c) => t === i && input.pred[c] === j).length;
      const share = rowTotal ? n / rowTotal : 0;
      cells.push({ i, j, n, share, bin: SHARE_BINS.filter((b) => share >= b).length });
    }
  }
  const bLabels = input.breakdownLabels ?? [];
  const bColors = breakdownColors(bLabels);
  const bars: { x1: number; x2: number; y1: number; y2: number; cat: number }[] = [];
  if (input.breakdown) {
    for (const c of cells) {
      if (!c.n) continue;
      const members = input.truth.flatMap((
        t,
        idx,
      ) => (t === c.i && input.pred[idx] === c.j ? [input.breakdown![idx]] : []));
      let x = c.j + 0.08;
      for (let cat = 0; cat < bLabels.length; cat++) {
        const m = members.filter((v) => v === cat).length;
        if (!m) continue;
        const w = (0.84 * m) / members.length;
        bars.push({ x1: x, x2: x + w, y1: c.i + 0.68, y2: c.i + 0.86, cat });
        x += w;
      }
    }
  }
  return figure({
    title: input.title ?? "Confusion matrix",
    caption: input.caption,
    legend: confusionLegend(input.breakdown ? bLabels : undefined),
    plot: (width) => {
      const side = Math.min(width, 90 * k + 90);
      return {
        width: side,
        height: side - 30,
        marginTop: 8,
        marginLeft: 70,
        marginBottom: 40,
        ...gridAxes(input.labels, input.xLabel ?? "predicted", input.yLabel ?? "true class"),
        marks: [
          Plot.rect(cells, {
            x1: (d) => d.j,
            x2: (d) => d.j + 1,
            y1: (d) => d.i,
            y2: (d) => d.i + 1,
            fill: (d) => SHARE_COLORS[d.bin],
            stroke: "white",
          }),
          Plot.text(cells, {
            x: (d) => d.j + 0.5,
            y: (d) => d.i + (input.breakdown ? 0.38 : 0.5),
            text: (d) => String(d.n),
            fill: (d) => (d.bin >= 3 ? "white" : "#111"),
            fontSize: FONT_SIZES.label + 1,
            fontWeight: "bold",
          }),
          ...(input.breakdown
            ? [
              Plot.rect(bars, {
                x1: "x1",
                x2: "x2",
                y1: "y1",
                y2: "y2",
                fill: (d) => bColors[d.cat],
                stroke: "white",
                strokeWidth: 0.5,
              }),
            ]
            : []),
        ],
      };
    },
  });
}

/** x and y axes of a k x k grid of unit cells labelled by `labels`, row 0 at the top. */
function gridAxes(
  labels: readonly string[],
  xLabel: string | null,
  yLabel: string | null,
): Pick<Plot.PlotOptions, "x" | "y"> {
  const k = labels.length;
  const axis = (domain: [number, number], label: string | null) => ({
    domain,
    ticks: labels.map((_, i) => i + 0.5),
    tickFormat: (v: number) => labels[Math.floor(v)] ?? "",
    label,
    ...(label ? { labelAnchor: "center" as const } : {}),
  });
  return { x: axis([0, k], xLabel), y: axis([k, 0], yLabel) };
}

const P_BINS = [0.001, 0.01, 0.05];
const P_COLORS = ["#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7"];

/** Annotated heatmap of a symmetric matrix of p-values (diagonal empty). */
export function pValueMatrixFigure(
  names: readonly string[],
  p: readonly (readonly number[])[],
  options: { title?: string; caption?: string; subtitle?: string } = {},
): Figure {
  const k = names.length;
  const cells = names.flatMap((_, i) => names.map((_, j) => ({ i, j, p: p[i][j] }))).filter((c) => c.i !== c.j);
  const bin = (v: number) => P_BINS.filter((b) => v >= b).length;
  return figure({
    title: options.title ?? "Pairwise mid-p McNemar tests",
    subtitle: options.subtitle,
    caption: options.caption,
    legend: P_COLORS.map((color, b) => ({
      label: b === 0
        ? `p < ${P_BINS[0]}`
        : b === P_COLORS.length - 1
        ? `p >= ${P_BINS[b - 1]}`
        : `${P_BINS[b - 1]} <= p < ${P_BINS[b]}`,
      color,
    })),
    plot: (width) => {
      const side = Math.min(width, 62 * k + 80);
      return {
        width: side,
        height: side - 20,
        marginLeft: 56,
        marginBottom: 36,
        ...gridAxes(names, null, null),
        marks: [
          Plot.rect(cells, {
            x1: (d) => d.j,
            x2: (d) => d.j + 1,
            y1: (d) => d.i,
            y2: (d) => d.i + 1,
            fill: (d) => P_COLORS[bin(d.p)],
            stroke: "white",
          }),
          Plot.rect(names.map((_, i) => i), {
            x1: (i) => i,
            x2: (i) => i + 1,
            y1: (i) => i,
            y2: (i) => i + 1,
            fill: "#ddd",
          }),
          Plot.text(cells, {
            x: (d) => d.j + 0.5,
            y: (d) => d.i + 0.5,
            text: (d) => formatP(d.p).replace(/^0\./, "."),
            fontSize: FONT_SIZES.annotation,
            fill: (d) => (bin(d.p) === 0 ? "white" : "#111"),
          }),
        ],
      };
    },
  });
}
