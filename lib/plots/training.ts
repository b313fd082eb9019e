/**
 * Training curves: loss on the training and validation splits and the validation AUROC per epoch,
 * with the selected (best) epoch marked; for an ensemble, one curve per member and each member's
 * selected epoch.
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
 * // an ensemble: each member's curves (3 more lines) and selected epoch (one more rule per panel)
 * const run = (member: number) =>
 *   [1, 2].map((epoch) => ({ epoch, trainLoss: 1, validLoss: 1, validAuroc: 0.7, best: epoch === member, member }));
 * const count = (s: string, tag: string) => s.split(`<${tag}`).length - 1;
 * const one = trainingCurvesFigure(run(1)).svg(), two = trainingCurvesFigure([...run(1), ...run(2)]).svg();
 * assert.equal(count(two, "path") - count(one, "path"), 3);
 * assert.equal(count(two, "line") - count(one, "line"), 2);
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
  /** The ensemble member the epoch trained (1-based; absent for one network). */
  member?: number;
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
    { epoch: h.epoch, value: h.trainLoss, series: "training loss", line: `training ${h.member ?? 0}` },
    { epoch: h.epoch, value: h.validLoss, series: "validation loss", line: `validation ${h.member ?? 0}` },
  ]);
  // the selected epoch of each member (one for a single network): the last epoch marked best
  const members = [...new Set(history.map((h) => h.member ?? 0))];
  const selected = members.flatMap((m) => history.filter((h) => (h.member ?? 0) === m && h.best).slice(-1));
  const best = selected[0];
  const rules = () =>
    selected.length ? [Plot.ruleX(selected, { x: "epoch", stroke: "#999", strokeDasharray: "3,3" })] : [];
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
        // the trainer's loss: cross-entropy (class-weighted when the run weights classes) summed over the heads,
        // each times its head weight (training.headWeights);
        // the training loss also holds the L2 penalty on the head kernels, the validation loss does not
        title: "Loss (cross-entropy summed over heads; training: plus the L2 penalty)",
        plot: (width) => ({
          width,
          height: 200,
          x: { label: "epoch" },
          y: { label: null, grid: true },
          color: { domain: ["training loss", "validation loss"], range: [PALETTE[0], PALETTE[1]] },
          marks: [
            Plot.line(loss, { x: "epoch", y: "value", stroke: "series", z: "line" }),
            ...rules(),
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
            Plot.line(history as HistoryPoint[], {
              x: "epoch",
              y: "validAuroc",
              stroke: PALETTE[2],
              z: (h: HistoryPoint) => h.member ?? 0,
            }),
            ...rules(),
            ...(best
              ? [Plot.text([best], { x: "epoch", y: "validAuroc", text: () => "selected", dy: -8, fontSize: 9 })]
              : []),
          ],
        }),
      },
    ],
  });
}
