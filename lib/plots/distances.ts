/**
 * Fig. 2a of the study: for each of the four distances, a violin (Gaussian kernel density), a
 * swarm of the per-case values and a box (quartiles, whiskers to 1.5 IQR) for the inferred and the
 * predicted management, annotated with mean [95% CI], the Wilcoxon p and Cohen's d. Observable
 * Plot has no violin mark: the density is drawn as an area around each group's axis.
 *
 * @example
 * ```ts
 * import { distanceViolinFigure } from "./distances.ts";
 * const fig = distanceViolinFigure([{ name: "Hellinger", groups: [
 *   { label: "infr", values: [0.2, 0.5, 0.4], mean: 0.37, ci: [0.2, 0.5] },
 *   { label: "pred", values: [0.1, 0.3, 0.2], mean: 0.2, ci: [0.1, 0.3] }], p: 0.01, d: 0.8 }]);
 * fig.svg().includes("Hellinger"); // true
 * ```
 */
import * as Plot from "@observablehq/plot";
import { kernelDensity } from "../stats/kde.ts";
import { quantile } from "../stats/descriptive.ts";
import { Figure, figure } from "./figure.ts";
import { APPROACH_COLORS, FONT_SIZES } from "./theme.ts";

export interface DistanceGroup {
  label: string;
  values: readonly number[];
  mean: number;
  ci: readonly [number, number] | readonly number[];
  color?: string;
}

export interface DistancePanel {
  name: string;
  groups: readonly DistanceGroup[];
  /** Wilcoxon p and Cohen's d between the two groups. */
  p: number;
  d: number;
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
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => span / st <= n) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

export const formatP = (p: number) => (Number.isNaN(p) ? "n/a" : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

export function distanceViolinFigure(
  panels: readonly DistancePanel[],
  options: { title?: string; caption?: string } = {},
): Figure {
  const colorOf = (g: DistanceGroup, i: number) => g.color ?? (i === 0 ? APPROACH_COLORS.infr : APPROACH_COLORS.pred);
  const labels = panels[0]?.groups.map((g) => g.label) ?? [];
  return figure({
    title: options.title ?? "Distances between probabilistic predictions and one-hot targets",
    subtitle: "Violin (density), swarm (cases) and box (quartiles) per approach; mean [95% CI]",
    caption: options.caption,
    legend: panels[0]?.groups.map((g, i) => ({ label: g.label, color: colorOf(g, i) })) ?? [],
    columns: (w) => (w < 560 ? 2 : 4),
    panels: panels.map((panel) => ({
      title: panel.name,
      plot: (width: number) => {
        const height = 300;
        const all = panel.groups.flatMap((g) => [...g.values]);
        const lo = Math.min(...all), hi = Math.max(...all);
        const pad = (hi - lo) * 0.05 || 0.05;
        const yDomain: [number, number] = [Math.max(0, lo - pad), hi + pad * 7];
        const marks: Plot.Markish[] = [];
        panel.groups.forEach((g, gi) => {
          const color = colorOf(g, gi);
          const kde = kernelDensity(g.values);
          const grid = kde.evaluate(80, [
            Math.max(yDomain[0], Math.min(...g.values) - kde.bandwidth),
            Math.min(yDomain[1], Math.max(...g.values) + kde.bandwidth),
          ]);
          const maxD = Math.max(...grid.density);
          const area = grid.x.map((y, k) => ({
            y,
            x1: gi - (0.38 * grid.density[k]) / maxD,
            x2: gi + (0.38 * grid.density[k]) / maxD,
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
          marks.push(Plot.dot([{ x: gi, y: g.mean }], { x: "x", y: "y", symbol: "diamond", r: 3, fill: "#222" }));
          // first group's numbers at the left edge, the last group's at the right edge
          const last = gi === panel.groups.length - 1 && gi > 0;
          marks.push(Plot.text([{ x: gi === 0 ? -0.55 : last ? panel.groups.length - 0.45 : gi, y: yDomain[1] }], {
            x: "x",
            y: "y",
            text: () => `${g.mean.toFixed(3)}\n${g.ci[0].toFixed(3)}–${g.ci[1].toFixed(3)}`,
            dy: 4,
            fontSize: FONT_SIZES.annotation - 1,
            lineAnchor: "top",
            textAnchor: gi === 0 ? "start" : last ? "end" : "middle",
            fill: color,
          }));
        });
        marks.push(Plot.text([{ x: (panel.groups.length - 1) / 2, y: yDomain[1] }], {
          x: "x",
          y: "y",
          text: () => `p = ${formatP(panel.p)}, d = ${panel.d.toFixed(2)}`,
          dy: 30,
          fontSize: FONT_SIZES.annotation,
          fontWeight: "bold",
          lineAnchor: "top",
        }));
        return {
          width,
          height,
          marginLeft: 38,
          marginTop: 10,
          x: {
            domain: [-0.6, panel.groups.length - 0.4],
            ticks: panel.groups.map((_, i) => i),
            tickFormat: (i: number) => labels[i] ?? "",
            label: null,
          },
          // ticks only over the data, so the annotations above stay clear
          y: { domain: yDomain, grid: true, label: null, ticks: niceTicks(yDomain[0], hi) },
          marks,
        };
      },
    })),
  });
}
