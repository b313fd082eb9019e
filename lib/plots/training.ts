/**
 * Training curves: loss on the training and validation splits and the validation AUROC per epoch,
 * with the selected (best) epoch marked.
 *
 * @example
 * ```ts
 * import { trainingCurvesFigure } from "./training.ts";
 * const fig = trainingCurvesFigure([{ epoch: 1, trainLoss: 1, validLoss: 1.1, validAuroc: 0.6, best: true }]);
 * fig.svg().includes("validation AUROC"); // true
 * ```
 */
import * as Plot from "@observablehq/plot";
import { Figure, figure } from "./figure.ts";
import { PALETTE } from "./palette.ts";

export interface HistoryPoint {
  epoch: number;
  trainLoss: number;
  validLoss: number;
  validAuroc: number;
  best: boolean;
}

export function trainingCurvesFigure(
  history: readonly HistoryPoint[],
  options: { title?: string; caption?: string } = {},
): Figure {
  const loss = history.flatMap((h) => [
    { epoch: h.epoch, value: h.trainLoss, series: "training loss" },
    { epoch: h.epoch, value: h.validLoss, series: "validation loss" },
  ]);
  const best = history.filter((h) => h.best).at(-1);
  return figure({
    title: options.title ?? "Training curves",
    caption: options.caption,
    legend: [
      { label: "training loss", color: PALETTE[0], shape: "line" },
      { label: "validation loss", color: PALETTE[1], shape: "line" },
      { label: "validation AUROC (mean over heads)", color: PALETTE[2], shape: "line" },
      { label: "selected epoch", color: "#999", shape: "line", dash: "3,3" },
    ],
    columns: (w) => (w < 560 ? 1 : 2),
    panels: [
      {
        title: "Loss (class-weighted cross-entropy, summed over heads)",
        plot: (width) => ({
          width,
          height: 200,
          x: { label: "epoch" },
          y: { label: null, grid: true },
          color: { domain: ["training loss", "validation loss"], range: [PALETTE[0], PALETTE[1]] },
          marks: [
            Plot.line(loss, { x: "epoch", y: "value", stroke: "series" }),
            ...(best ? [Plot.ruleX([best.epoch], { stroke: "#999", strokeDasharray: "3,3" })] : []),
          ],
        }),
      },
      {
        title: "Validation AUROC (mean over heads)",
        plot: (width) => ({
          width,
          height: 200,
          x: { label: "epoch" },
          y: { label: null, grid: true },
          marks: [
            Plot.line(history as HistoryPoint[], { x: "epoch", y: "validAuroc", stroke: PALETTE[2] }),
            ...(best
              ? [
                Plot.ruleX([best.epoch], { stroke: "#999", strokeDasharray: "3,3" }),
                Plot.text([best], { x: "epoch", y: "validAuroc", text: () => "selected", dy: -8, fontSize: 9 }),
              ]
              : []),
          ],
        }),
      },
    ],
  });
}
