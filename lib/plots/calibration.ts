/**
 * Reliability diagrams (observed frequency against mean predicted probability per bin, one panel
 * per head, top-label; point area = cases) with the expected calibration error, and decision
 * curves (net benefit of excision against treating everyone or no one).
 *
 * @example
 * ```ts
 * import { reliabilityFigure } from "./calibration.ts";
 * const fig = reliabilityFigure([{ head: "management", ece: 0.05, bins: [{ meanScore: 0.5, fractionPositive: 0.45, count: 10 }] }]);
 * fig.svg().includes("ECE 0.050"); // true
 * ```
 */
import * as Plot from "@observablehq/plot";
import { Figure, figure } from "./figure.ts";
import { APPROACH_COLORS, PALETTE } from "./theme.ts";

export interface ReliabilityPanel {
  head: string;
  ece: number;
  bins: readonly { meanScore: number; fractionPositive: number; count: number }[];
}

export function reliabilityFigure(
  panels: readonly ReliabilityPanel[],
  options: { title?: string; caption?: string } = {},
): Figure {
  return figure({
    title: options.title ?? "Reliability diagrams (top-label confidence)",
    subtitle: "Observed accuracy against confidence per bin; the diagonal is perfect calibration",
    caption: options.caption,
    columns: (w) => (w < 560 ? 2 : 3),
    panels: panels.map((p) => ({
      title: `${p.head.replaceAll("_", " ")} (ECE ${p.ece.toFixed(3)})`,
      plot: (width: number) => ({
        width,
        height: Math.min(width, 200),
        marginLeft: 36,
        x: { domain: [0, 1], label: "confidence", ticks: 3 },
        y: { domain: [0, 1], label: "accuracy", grid: true, ticks: 3 },
        r: { range: [1.5, 7] },
        marks: [
          Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "3,3" }),
          Plot.line([...p.bins], { x: "meanScore", y: "fractionPositive", stroke: PALETTE[0] }),
          Plot.dot([...p.bins], { x: "meanScore", y: "fractionPositive", r: "count", fill: PALETTE[0] }),
          Plot.frame({ stroke: "#ccc" }),
        ],
      }),
    })),
  });
}

export interface DecisionSeries {
  label: string;
  points: readonly { threshold: number; netBenefit: number }[];
  color?: string;
  dashed?: boolean;
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
    })),
    { label: "excise all", points: treatAll, color: "#777", dashed: true },
    {
      label: "excise none",
      points: treatAll.map((p) => ({ threshold: p.threshold, netBenefit: 0 })),
      color: "#222",
      dashed: true,
    },
  ];
  const maxNb = Math.max(...all.flatMap((s) => s.points.map((p) => p.netBenefit)));
  return figure({
    title: options.title ?? "Decision curves for excision",
    subtitle: "Net benefit of excising when P(EXC) reaches the threshold",
    caption: options.caption,
    legend: all.map((s) => ({ label: s.label, color: s.color, shape: "line" as const })),
    plot: (width) => ({
      width,
      height: 260,
      x: { label: "threshold probability", domain: [0, 1] },
      y: { label: "net benefit", grid: true, domain: [Math.min(-0.05, -maxNb * 0.1), maxNb * 1.1] },
      marks: [
        Plot.ruleY([0], { stroke: "#ccc" }),
        ...all.map((s) =>
          Plot.line(s.points as { threshold: number; netBenefit: number }[], {
            x: "threshold",
            y: "netBenefit",
            stroke: s.color,
            strokeWidth: 1.6,
            strokeDasharray: s.dashed ? "4,3" : undefined,
          })
        ),
      ],
    }),
  });
}
