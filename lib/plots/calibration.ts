/**
 * Reliability diagrams (observed frequency against mean predicted probability per bin, one panel
 * per head, top-label) with the expected calibration error: each bin's observed frequency with its
 * 95% Wilson interval, point area = cases, and bins with fewer than a minimum number of cases
 * (default 5) left out (their count is said in the panel); and decision curves (net benefit of
 * excision against treating everyone or no one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reliabilityFigure, wilsonInterval } from "./calibration.ts";
 * const fig = reliabilityFigure([{ head: "management", ece: 0.05, bins: [{ meanScore: 0.5, fractionPositive: 0.45, count: 10 }] }]);
 * assert.ok(fig.svg().includes("ECE 0.050"));
 * const [lo, hi] = wilsonInterval(9, 10);
 * assert.equal(lo.toFixed(4), "0.5958"); // statsmodels proportion_confint(9, 10, method="wilson")
 * assert.equal(hi.toFixed(4), "0.9821");
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure, figure } from "./figure.ts";
import { APPROACH_COLORS, APPROACH_DASHES, PALETTE } from "./palette.ts";

/** One head's reliability diagram. */
export interface ReliabilityPanel {
  /** Head name in the panel title ("_" shown as spaces). */
  head: string;
  /** Expected calibration error, shown in the title. */
  ece: number;
  /** Per bin: mean top-label confidence, share of correct predictions (both in [0, 1]) and number of cases. */
  bins: readonly { meanScore: number; fractionPositive: number; count: number }[];
}

/**
 * Wilson score interval of a binomial proportion k/n at 95% (z = 1.959964): (p + z²/2n ± z sqrt(p(1-p)/n +
 * z²/4n²)) / (1 + z²/n) (Wilson 1927; statsmodels `proportion_confint(method="wilson")`).
 * @throws {RangeError} unless 0 <= k <= n and n > 0.
 */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (!(n > 0) || !(k >= 0) || k > n) {
    throw new RangeError(`Cannot compute a Wilson interval: expected 0 <= k <= n and n > 0, found k=${k}, n=${n}`);
  }
  const p = k / n, z2 = z * z;
  const centre = p + z2 / (2 * n), half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, (centre - half) / (1 + z2 / n)), Math.min(1, (centre + half) / (1 + z2 / n))];
}

/** Options of {@linkcode reliabilityFigure}. */
export interface ReliabilityOptions {
  /** Title; default "Reliability diagrams (top-label confidence)". */
  title?: string;
  /** Caption under the figure. */
  caption?: string;
  /** Bins with fewer cases are not drawn (default 5). */
  minCount?: number;
}

/**
 * Reliability diagrams, one panel per head: each bin of at least `minCount` cases as a point (area =
 * cases) at its mean confidence and observed accuracy, with its 95% Wilson interval, and the diagonal.
 */
export function reliabilityFigure(panels: readonly ReliabilityPanel[], options: ReliabilityOptions = {}): Figure {
  const minCount = options.minCount ?? 5;
  return figure({
    title: options.title ?? "Reliability diagrams (top-label confidence)",
    subtitle: `Observed accuracy against confidence per bin with its 95% Wilson interval; point area = cases; ` +
      `bins of fewer than ${minCount} cases are not drawn. The diagonal is perfect calibration.`,
    caption: options.caption,
    columns: (w) => (w < 400 ? 2 : 3),
    panels: panels.map((p) => {
      const shown = p.bins.filter((b) => b.count >= minCount).map((b) => {
        const [lo, hi] = wilsonInterval(Math.round(b.fractionPositive * b.count), b.count);
        return { ...b, lo, hi };
      });
      const hidden = p.bins.filter((b) => b.count > 0 && b.count < minCount).reduce((s, b) => s + b.count, 0);
      return {
        title: `${p.head.replaceAll("_", " ")}: ECE ${p.ece.toFixed(3)}${
          hidden ? `, ${hidden} case${hidden === 1 ? "" : "s"} in small bins` : ""
        }`,
        plot: (width: number) => ({
          width,
          height: Math.min(width, 200),
          marginLeft: 46,
          marginRight: 12,
          marginBottom: 34,
          x: { domain: [0, 1], label: "confidence", ticks: 3, labelAnchor: "center" },
          y: { domain: [0, 1], label: "accuracy", grid: true, ticks: 3, labelAnchor: "center" },
          r: { range: [1.5, 6], domain: [0, Math.max(1, ...p.bins.map((b) => b.count))] },
          marks: [
            Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "2,3" }),
            Plot.ruleX(shown, { x: "meanScore", y1: "lo", y2: "hi", stroke: PALETTE[0], strokeOpacity: 0.6 }),
            Plot.line(shown, { x: "meanScore", y: "fractionPositive", stroke: PALETTE[0] }),
            Plot.dot(shown, { x: "meanScore", y: "fractionPositive", r: "count", fill: PALETTE[0] }),
            Plot.frame({ stroke: "#ccc" }),
          ],
        }),
      };
    }),
  });
}

/** One decision curve: net benefit at each threshold probability. */
export interface DecisionSeries {
  /** Name in the legend. */
  label: string;
  /** Net benefit (in true positives per case) at each threshold probability in [0, 1]. */
  points: readonly { threshold: number; netBenefit: number }[];
  /** Line colour; default by position: the inferred approach's, the predicted approach's, then `PALETTE`. */
  color?: string;
  /** SVG dash pattern; default the inferred approach's dash for the first series, else solid. */
  dash?: string;
}

/** Net benefit against the threshold probability, with "excise all" and "excise none". */
export function decisionCurveFigure(
  series: readonly DecisionSeries[],
  treatAll: readonly { threshold: number; netBenefit: number }[],
  options: { title?: string; caption?: string } = {},
): Figure {
  const all = [
    ...series.map((s, i) => ({
      ...s,
      color: s.color ??
        (i === 0 ? APPROACH_COLORS.infr : i === 1 ? APPROACH_COLORS.pred : PALETTE[(i + 1) % PALETTE.length]),
      dash: s.dash ?? (i === 0 ? APPROACH_DASHES.infr : undefined),
    })),
    { label: "excise all", points: treatAll, color: "#777", dash: "2,2" },
    {
      label: "excise none",
      points: treatAll.map((p) => ({ threshold: p.threshold, netBenefit: 0 })),
      color: "#222",
      dash: "1,3",
    },
  ];
  const maxNb = Math.max(...all.flatMap((s) => s.points.map((p) => p.netBenefit)));
  return figure({
    title: options.title ?? "Decision curves for excision",
    subtitle: "Net benefit of excising when P(EXC) reaches the threshold",
    caption: options.caption,
    legend: all.map((s) => ({ label: s.label, color: s.color, shape: "line" as const, dash: s.dash })),
    plot: (width) => ({
      width,
      height: 260,
      marginRight: 14,
      x: { label: "threshold probability", domain: [0, 1], labelAnchor: "center" },
      y: { label: "net benefit", grid: true, domain: [Math.min(-0.05, -maxNb * 0.1), maxNb * 1.1] },
      marks: [
        Plot.ruleY([0], { stroke: "#ccc" }),
        ...all.map((s) =>
          Plot.line(s.points as { threshold: number; netBenefit: number }[], {
            x: "threshold",
            y: "netBenefit",
            stroke: s.color,
            strokeWidth: 1.6,
            strokeDasharray: s.dash,
          })
        ),
      ],
    }),
  });
}
