/**
 * Fig. 2a of the study: for each of the four distances, a violin (Gaussian kernel density, cut at
 * the distance's possible range so that no density is drawn where no value can be), a swarm of the
 * per-case values, a box (quartiles, whiskers to 1.5 IQR) and the mean with its 95% CI as a bar,
 * for the inferred and the predicted management; each panel's heading gives the Wilcoxon p and
 * Cohen's d, whose sign the subtitle states. Observable Plot has no violin mark: the density is
 * drawn as an area around each group's axis.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { distanceViolinFigure } from "./distances.ts";
 * const fig = distanceViolinFigure([{ name: "Hellinger", range: [0, 1], groups: [
 *   { label: "infr", values: [0.2, 0.5, 0.4], mean: 0.37, ci: [0.2, 0.5] },
 *   { label: "pred", values: [0.1, 0.3, 0.2], mean: 0.2, ci: [0.1, 0.3] }], p: 0.01, d: 0.8 }]);
 * assert.ok(fig.svg().includes("Hellinger"));
 * assert.ok(fig.options.subtitle!.includes("d > 0: infr farther from the truth"));
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { kernelDensity } from "../stats/kde.ts";
import { quantile } from "../stats/descriptive.ts";
import { Figure, figure, PanelSpec } from "./figure.ts";
import { APPROACH_COLORS } from "./palette.ts";

/** One approach's per-case distances in a violin panel. */
export interface DistanceGroup {
  /** Name on the x axis and in the legend, e.g. "infr". */
  label: string;
  /** The per-case distances (one dot each). */
  values: readonly number[];
  /** Mean distance, drawn as a diamond. */
  mean: number;
  /** 95% CI of the mean, [low, high], drawn as a bar. */
  ci: readonly [number, number] | readonly number[];
  /** Colour; default the inferred approach's for the first group, the predicted approach's after. */
  color?: string;
}

/** One distance's panel: its groups and the test between them. */
export interface DistancePanel {
  /** Name of the distance, the panel heading. */
  name: string;
  /** The groups, left to right (usually two: inferred and predicted). */
  groups: readonly DistanceGroup[];
  /** Wilcoxon p between the two groups. */
  p: number;
  /** Cohen's d between the two groups: first group minus second, over the pooled SD. */
  d: number;
  /** The range the distance can take (e.g. [0, 1]); the violins are cut there. Default: no limit. */
  range?: readonly [number, number];
}

/** Offsets (in units of the group width) that spread points of similar value apart (a simple beeswarm). */
export function beeswarmOffsets(values: readonly number[], radius: number): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const placed: { y: number; x: number }[] = [];
  const out = new Array<number>(values.length).fill(0);
  for (const [y, i] of order) {
    const near = placed.filter((p) => Math.abs(p.y - y) < 2 * radius);
    let best = 0;
    for (let k = 0; k < 400; k++) {
      const x = (k % 2 ? 1 : -1) * Math.ceil(k / 2) * radius * 0.9;
      if (near.every((p) => (p.x - x) ** 2 + (p.y - y) ** 2 >= (2 * radius) ** 2 * 0.95)) {
        best = x;
        break;
      }
    }
    placed.push({ y, x: best });
    out[i] = best;
  }
  return out;
}

/** About `n` round tick values within [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => span / st <= n) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/** A p-value as text: 4 decimals, one significant digit in exponent form below 1e-4, "n/a" for NaN. */
export const formatP = (p: number): string => Number.isNaN(p) ? "n/a" : p < 1e-4 ? p.toExponential(1) : p.toFixed(4);

/** Options of {@linkcode distanceViolinFigure}. */
export interface DistanceFigureOptions {
  /** Title; default "Distances between probabilistic predictions and one-hot targets". */
  title?: string;
  /** Caption under the figure. */
  caption?: string;
  /** A sentence added to the subtitle (e.g. which reading of a distance is shown). */
  note?: string;
}

/** One violin panel's chart at `width`. */
export function distancePanelPlot(
  panel: DistancePanel,
  colorOf: (g: DistanceGroup, i: number) => string,
): PanelSpec["plot"] {
  return (width: number) => {
    const height = Math.max(180, Math.min(260, width * 1.3));
    const [rlo, rhi] = panel.range ?? [-Infinity, Infinity];
    // each density reaches one bandwidth past its data, and is cut at the distance's possible range
    const densities = panel.groups.map((g) => {
      const kde = kernelDensity(g.values);
      const span: [number, number] = [
        Math.max(rlo, Math.min(...g.values) - kde.bandwidth),
        Math.min(rhi, Math.max(...g.values) + kde.bandwidth),
      ];
      return kde.evaluate(80, span);
    });
    const all = [
      ...panel.groups.flatMap((g) => [...g.values, ...g.ci]),
      ...densities.flatMap((d) => [d.x[0], d.x.at(-1)!]),
    ];
    const lo = Math.min(...all), hi = Math.max(...all);
    const pad = (hi - lo) * 0.02 || 0.02;
    const yDomain: [number, number] = [Math.max(rlo, lo - pad), Math.min(rhi, hi + pad)];
    const marks: Plot.Markish[] = [];
    const labels = panel.groups.map((g) => g.label);
    panel.groups.forEach((g, gi) => {
      const color = colorOf(g, gi);
      const grid = densities[gi];
      const maxD = Math.max(...grid.density);
      const area = grid.x.map((y, k) => ({
        y,
        x1: gi - (0.36 * grid.density[k]) / maxD,
        x2: gi + (0.36 * grid.density[k]) / maxD,
      }));
      marks.push(
        Plot.areaX(area, {
          y: "y",
          x1: "x1",
          x2: "x2",
          fill: color,
          fillOpacity: 0.25,
          stroke: color,
          strokeWidth: 0.8,
        }),
      );
      const r = ((yDomain[1] - yDomain[0]) / height) * 1.6;
      const offsets = beeswarmOffsets(g.values, r);
      // keep the swarm inside the violin's width: squeeze when it would spread further
      const squeeze = Math.min(1, 0.3 / Math.max(1e-9, ...offsets.map(Math.abs)));
      marks.push(
        Plot.dot(g.values.map((v, k) => ({ y: v, x: gi + offsets[k] * squeeze })), {
          x: "x",
          y: "y",
          r: 1.1,
          fill: color,
          fillOpacity: 0.55,
        }),
      );
      const [q1, med, q3] = quantile(g.values, [0.25, 0.5, 0.75]);
      const iqr = q3 - q1;
      const wlo = Math.min(...g.values.filter((v) => v >= q1 - 1.5 * iqr)),
        whi = Math.max(...g.values.filter((v) => v <= q3 + 1.5 * iqr));
      marks.push(Plot.ruleX([gi], { y1: wlo, y2: whi, stroke: "#222", strokeWidth: 1 }));
      marks.push(
        Plot.rect([{ x1: gi - 0.06, x2: gi + 0.06, y1: q1, y2: q3 }], {
          x1: "x1",
          x2: "x2",
          y1: "y1",
          y2: "y2",
          fill: "white",
          stroke: "#222",
        }),
      );
      marks.push(Plot.ruleY([med], { x1: gi - 0.06, x2: gi + 0.06, stroke: "#222", strokeWidth: 1.5 }));
      // mean and its 95% CI: a bar beside the box
      const cx = gi + 0.2;
      marks.push(Plot.ruleX([cx], { y1: g.ci[0], y2: g.ci[1], stroke: "#222", strokeWidth: 2.2 }));
      marks.push(Plot.dot([{ x: cx, y: g.mean }], { x: "x", y: "y", symbol: "diamond", r: 3.2, fill: "#222" }));
    });
    return {
      width,
      height,
      marginLeft: 38,
      marginRight: 8,
      marginTop: 8,
      x: {
        domain: [-0.55, panel.groups.length - 0.45],
        ticks: panel.groups.map((_, i) => i),
        tickFormat: (i: number) => labels[i] ?? "",
        label: null,
      },
      y: { domain: yDomain, grid: true, label: null, ticks: niceTicks(yDomain[0], yDomain[1], 5) },
      marks,
    };
  };
}

/** The sentence stating the sign of Cohen's d for groups labelled `a` and `b`. */
export function cohensDSign(a: string, b: string): string {
  return `d = (mean ${a} - mean ${b}) / pooled SD; d > 0: ${a} farther from the truth`;
}

/** Fig. 2a: one violin panel per distance (see module doc). */
export function distanceViolinFigure(panels: readonly DistancePanel[], options: DistanceFigureOptions = {}): Figure {
  const colorOf = (g: DistanceGroup, i: number) => g.color ?? (i === 0 ? APPROACH_COLORS.infr : APPROACH_COLORS.pred);
  const g0 = panels[0]?.groups[0]?.label ?? "first", g1 = panels[0]?.groups[1]?.label ?? "second";
  return figure({
    title: options.title ?? "Distances between probabilistic predictions and one-hot targets",
    subtitle: [
      "Violin (density, cut at each distance's possible range), dots (cases), box (quartiles, whiskers 1.5 IQR),",
      `the mean (diamond) with its 95% CI bar. p: two-sided Wilcoxon signed-rank; ${cohensDSign(g0, g1)}.`,
      options.note ?? "",
    ].join(" ").trim(),
    caption: options.caption,
    legend: [
      ...(panels[0]?.groups.map((g, i) => ({ label: g.label, color: colorOf(g, i) })) ?? []),
      { label: "mean and 95% CI", color: "#222", shape: "diamond" as const },
    ],
    columns: (w) => (w < 560 ? 2 : 4),
    panels: panels.map((panel) => ({
      title: `${panel.name}\np = ${formatP(panel.p)}, d = ${panel.d.toFixed(2)}`,
      plot: distancePanelPlot(panel, colorOf),
    })),
  });
}
