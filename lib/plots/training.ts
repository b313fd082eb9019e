/**
 * Training curves: loss on the training and validation splits and the validation AUROC per epoch,
 * with the selected (best) epoch marked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainingCurvesFigure } from "./training.ts";
 * const fig = trainingCurvesFigure([
 *   { epoch: 1, trainLoss: 1, validLoss: 1.1, validAuroc: 0.6, best: false },
 *   { epoch: 2, trainLoss: 0.8, validLoss: 1.0, validAuroc: 0.7, best: true },
 * ]);
 * const svg = fig.svg();
 * assert.ok(svg.includes("validation AUROC (mean over heads)"));
 * assert.ok(svg.includes(">selected</text>"));
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure, figure } from "./figure.ts";
import { PALETTE } from "./palette.ts";

/** One epoch of a training history. */
export interface HistoryPoint {
  /** Epoch number. */
  epoch: number;
  /** Loss on the training split. */
  trainLoss: number;
  /** Loss on the validation split. */
  validLoss: number;
  /** Validation AUROC (mean over heads). */
  validAuroc: number;
  /** Whether this epoch's weights were selected (the last such epoch is marked). */
  best: boolean;
}

/**
 * Two panels over the epochs: training and validation loss, and validation AUROC, with the selected
 * epoch as a dashed rule. Title default "Training curves".
 */
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
