/**
 * One training step, as the trainer (train.ts) runs it and the profiler (bench/train_profile.ts)
 * measures it: the forward pass, the class-weighted categorical cross-entropy summed over the heads
 * (plus an optional L2 penalty on the head kernels, whose gradient the optimizer adds), the gradients,
 * the SGD-with-momentum update,
 * and the step's loss added to a device-side sum. It is synchronous: it cannot wait for the device,
 * so it reads nothing back (tests/model/webgpu_training_test.ts counts the transfers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { trainStep } from "./train_step.ts";
 * import { buildHeads } from "./network.ts";
 * import { LossMeter, SgdMomentum } from "./sgd.ts";
 * await tf.setBackend("cpu");
 * const model = buildHeads(4, "mgmt", { hidden: 0, l2: 0, standardize: false, transform: "none" }, 0);
 * const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
 * const sgd = new SgdMomentum({ learningRate: 0.1, momentum: 0.9, lrDecay: 0, weightDecay: 0 });
 * const losses = new LossMeter();
 * const spec = {
 *   model, vars, heads: ["management" as const], training: true,
 *   labels: { management: [2, 0] }, classWeights: { management: [1, 1, 1] },
 * };
 * trainStep([tf.zeros([2, 4])], spec, { sgd, losses, step: 0 }); // a batch of 2 cases, 4 features each
 * const { sum, count } = await losses.read();
 * assert.equal(count, 1);
 * assert.ok(Math.abs(sum - Math.log(3)) < 1e-6); // zero features, zero biases: p = 1/3 for every class
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { HeadName } from "../data/vocabulary.ts";
import { classesOf } from "./config.ts";
import { LossMeter, SgdMomentum } from "./sgd.ts";

/** What one training step works on: the model, its trained variables, the batch's labels and the loss' weights. */
export interface StepSpec {
  /** The model, applied to the batch's inputs; its outputs are the heads' probabilities. */
  model: tf.LayersModel;
  /** The variables trained in this step (the model's trainable weights, read). */
  vars: tf.Variable[];
  /** The model's heads, in output order. */
  heads: HeadName[];
  /** The batch's label of each head, in batch order. */
  labels: Readonly<Record<string, readonly number[]>>;
  /** Weight of each class of each head in the loss. */
  classWeights: Readonly<Record<string, readonly number[]>>;
  /** Run the model in training mode (BatchNormalization batch statistics). */
  training: boolean;
  /** L2 penalty strength and the kernels it applies to. */
  l2?: { strength: number; kernels: tf.LayerVariable[] };
}

/**
 * The loss target of a batch: for each case, every head's one-hot label times its class weight over
 * the batch size, heads side by side ([batch, sum of the heads' classes], row-major), so that
 * -sum(target * log p) is the sum over heads of the batch mean of the class-weighted cross-entropy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { weightedTargets } from "./train_step.ts";
 * const t = weightedTargets(["management"], { management: [2, 0] }, { management: [1, 1, 3] });
 * assert.deepEqual(Array.from(t), [0, 0, 1.5, 0.5, 0, 0]);
 * ```
 */
export function weightedTargets(
  heads: readonly HeadName[],
  labels: Readonly<Record<string, readonly number[]>>,
  classWeights: Readonly<Record<string, readonly number[]>>,
): Float32Array {
  const n = labels[heads[0]].length;
  const width = heads.reduce((w, h) => w + classesOf(h), 0);
  const t = new Float32Array(n * width);
  for (let i = 0; i < n; i++) {
    let offset = i * width;
    for (const h of heads) {
      const y = labels[h][i];
      t[offset + y] = classWeights[h][y] / n;
      offset += classesOf(h);
    }
  }
  return t;
}

/**
 * Runs one step on the batch `xs` (not disposed) and updates `spec.vars` in place; the loss goes to
 * `state.losses`, the learning rate is `state.sgd`'s at global step `state.step`.
 */
export function trainStep(
  xs: tf.Tensor[],
  spec: StepSpec,
  state: { sgd: SgdMomentum; losses: LossMeter; step: number },
): void {
  const { model, heads, labels, classWeights } = spec;
  const n = labels[heads[0]].length;
  const { value, grads } = tf.variableGrads(() => {
    const r = model.apply(xs.length === 1 ? xs[0] : xs, { training: spec.training }) as tf.Tensor | tf.Tensor[];
    const outs = Array.isArray(r) ? r : [r];
    // every head's class-weighted cross-entropy (mean over the batch), summed, as a handful of ops
    // whatever the number of heads: one weighted one-hot target over all heads' classes
    const probs = outs.length === 1 ? outs[0] : tf.concat(outs, 1);
    const target = tf.tensor2d(weightedTargets(heads, labels, classWeights), [n, probs.shape[1] as number]);
    return tf.neg(tf.sum(tf.mul(target, tf.log(tf.clipByValue(probs, 1e-7, 1))))) as tf.Scalar;
  }, spec.vars);
  // the L2 penalty's gradient is added by the optimizer, in the same pass as the update (far cheaper
  // than differentiating it here); it gives the penalty at this step's weights for the loss
  const l2 = spec.l2 && spec.l2.strength > 0 && spec.l2.kernels.length
    ? { strength: spec.l2.strength, names: new Set(spec.l2.kernels.map((kv) => (kv.read() as tf.Variable).name)) }
    : undefined;
  const penalty = state.sgd.apply(spec.vars, grads, state.step, l2);
  if (penalty) {
    const total = tf.add(value, penalty);
    state.losses.add(total);
    tf.dispose([total, penalty]);
  } else state.losses.add(value);
  tf.dispose([value, ...Object.values(grads)]);
}
