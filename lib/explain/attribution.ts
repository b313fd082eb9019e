/**
 * Integrated gradients (Sundararajan et al. 2017) at the head input: how much each input — the
 * clinical image's features, the dermoscopic image's features, and each metadata variable —
 * moved one head's class logit away from a baseline case. The baseline is the training mean of the
 * head input (0 after the features preset's standardisation: "an average training lesion").
 * Attributions sum to logit(x) - logit(baseline) (completeness); the residual of the Riemann sum is
 * returned.
 *
 * This is cheap (gradients of the heads only). Integrated gradients over image pixels would need
 * one backward pass through InceptionV3 per step, which on 2 CPU cores takes tens of seconds per
 * step, so pixel-level explanation is left to Grad-CAM.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { integratedGradients } from "./attribution.ts";
 * const ig = integratedGradients(ex, vector, { head: "management", classIndex: 2 });
 * assert.deepEqual(Object.keys(ig.byInput), ["clinical", "derm", "sex", "location", "elevation"]); // a C+D+M run
 * assert.ok(ig.completenessError < 1e-2 * Math.max(1, Math.abs(ig.logit - ig.baselineLogit))); // as tests/explain check
 * ```
 * (Not run: it needs a trained run, `ex` from `explainable` and `vector` from `headInputOf`.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { HeadName, METADATA_FEATURES } from "../data/vocabulary.ts";
import { Explainable, headLogits } from "./decompose.ts";

/** Integrated gradients of one head's class logit, per head-input dimension and summed per input. */
export interface IntegratedGradientsResult {
  /** The head explained. */
  head: HeadName;
  /** The class whose logit is explained. */
  classIndex: number;
  /** The class logit at the case. */
  logit: number;
  /** The class logit at the baseline. */
  baselineLogit: number;
  /** Per head-input dimension. */
  attributions: Float32Array;
  /** Sums per image input and per metadata variable (sex, location, elevation). */
  byInput: Record<string, number>;
  /** |sum(attributions) - (logit - baselineLogit)|. */
  completenessError: number;
  /** Steps of the midpoint Riemann sum along the straight path from baseline to case. */
  steps: number;
}

/**
 * Integrated gradients of one head's class logit at head input `v`.
 * @throws {RangeError} for a baseline of the wrong length or fewer than 2 steps.
 */
export function integratedGradients(
  ex: Explainable,
  v: Float32Array,
  options: { head: HeadName; classIndex: number; baseline?: Float32Array; steps?: number },
): IntegratedGradientsResult {
  const steps = options.steps ?? 64;
  if (!(Number.isInteger(steps) && steps >= 2)) {
    throw new RangeError(`Cannot compute integrated gradients: expected steps >= 2, found ${steps}`);
  }
  const baseline = options.baseline ?? new Float32Array(v.length);
  if (baseline.length !== v.length) {
    throw new RangeError(
      `Cannot compute integrated gradients: expected a baseline of length ${v.length}, found ${baseline.length}`,
    );
  }
  const { attributions, logit, baselineLogit } = tf.tidy(() => {
    const x = tf.tensor2d(v, [1, v.length]), x0 = tf.tensor2d(baseline, [1, v.length]);
    // midpoint rule on [0, 1]
    const alphas = tf.tensor2d(Array.from({ length: steps }, (_, i) => (i + 0.5) / steps), [steps, 1]);
    const path = tf.add(x0, tf.mul(alphas, tf.sub(x, x0)));
    const f = (t: tf.Tensor) =>
      headLogits(ex, options.head, t as tf.Tensor2D).slice([0, options.classIndex], [steps, 1]).sum();
    const grads = tf.grad(f)(path).mean(0);
    const attr = tf.mul(grads, tf.sub(x, x0).squeeze([0]));
    const at = (t: tf.Tensor2D) => headLogits(ex, options.head, t).dataSync()[options.classIndex];
    return { attributions: Float32Array.from(attr.dataSync()), logit: at(x), baselineLogit: at(x0) };
  });
  const byInput: Record<string, number> = {};
  for (const block of ex.blocks) {
    if (block.name !== "metadata") {
      byInput[block.name] = attributions.slice(block.start, block.start + block.length).reduce((s, a) => s + a, 0);
      continue;
    }
    METADATA_FEATURES.forEach((feature, j) => {
      const variable = feature.split("=")[0];
      byInput[variable] = (byInput[variable] ?? 0) + attributions[block.start + j];
    });
  }
  const total = attributions.reduce((s, a) => s + a, 0);
  return {
    head: options.head,
    classIndex: options.classIndex,
    logit,
    baselineLogit,
    attributions,
    byInput,
    completenessError: Math.abs(total - (logit - baselineLogit)),
    steps,
  };
}
