/**
 * The prior correction of a class-balanced model's decision rule. Trained with class-weighted loss on
 * balanced or shuffled batches, a softmax head estimates p_b(c | x), the posterior under equal class
 * priors. With the training split's class frequencies pi_c, Bayes' rule gives the posterior under the
 * real priors: p(c | x) = p_b(c | x) pi_c / sum_k p_b(k | x) pi_k, which is the same softmax with
 * log(pi_c) added to the head's block of the logits layer's bias. The correction is folded into the bias, so every later use
 * of the model (predictions, case reports, explanations) sees the corrected head.
 *
 * Frequencies are Laplace-smoothed, (n_c + 1) / (n + K), so that a class absent from the training split
 * keeps a finite bias.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logPriors } from "./prior_correction.ts";
 * const lp = logPriors([0, 0, 0, 1], 2); // (3+1)/(4+2), (1+1)/(4+2)
 * assert.ok(Math.abs(lp[0] - Math.log(4 / 6)) < 1e-12 && Math.abs(lp[1] - Math.log(2 / 6)) < 1e-12);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { classesOf, headsOf, ModelKind } from "./config.ts";
import { headLogitBlock } from "./network.ts";

/**
 * Laplace-smoothed log class frequencies of `labels`.
 * @throws {RangeError} when a label is outside 0..classes-1.
 */
export function logPriors(labels: readonly number[], classes: number): number[] {
  const counts = new Array(classes).fill(0);
  labels.forEach((l, i) => {
    if (!(Number.isInteger(l) && l >= 0 && l < classes)) {
      throw new RangeError(`Cannot compute class priors: expected labels in 0..${classes - 1}, found ${l} at ${i}`);
    }
    counts[l]++;
  });
  return counts.map((n) => Math.log((n + 1) / (labels.length + classes)));
}

/**
 * Adds each head's log training priors to its block of the output bias (layer `head_logits`), in place.
 * @returns the log priors added, per head.
 * @throws {Error} when the model has no logits layer with a bias of every head's classes.
 */
export function applyPriorCorrection(
  model: tf.LayersModel,
  kind: ModelKind,
  trainLabels: Readonly<Record<string, readonly number[]>>,
): Record<string, number[]> {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer("head_logits");
  } catch {
    throw new Error(`Cannot correct the heads' priors: expected a layer head_logits in ${model.name}, found none`);
  }
  const [kernel, bias] = layer.getWeights();
  const width = headsOf(kind).reduce((n, h) => n + classesOf(h), 0);
  if (!bias || bias.shape[0] !== width) {
    throw new Error(
      `Cannot correct the heads' priors: expected a bias of ${width} values, found ${bias?.shape[0] ?? "none"}`,
    );
  }
  const shift = new Float32Array(width);
  const added: Record<string, number[]> = {};
  for (const h of headsOf(kind)) {
    const { offset, size } = headLogitBlock(kind, h);
    const lp = logPriors(trainLabels[h], size);
    shift.set(lp, offset);
    added[h] = lp;
  }
  const corrected = tf.tidy(() => tf.add(bias, tf.tensor1d(shift)));
  layer.setWeights([kernel, corrected]);
  corrected.dispose();
  return added;
}
