/**
 * What the GPU benchmarks (bench/gpu_check.ts, bench/train_profile.ts) share: the network they train,
 * InceptionV3 with random weights to mixed10, one image input, the management head, every layer
 * trainable (a training step of the whole network, as the paper preset's last stages come close to);
 * the optimizer settings; and the trainer's former step, to compare with.
 */
import * as tf from "@tensorflow/tfjs";
import { buildFullModel } from "../lib/model/network.ts";
import type { OptimizerConfig } from "../lib/model/config.ts";

export async function wholeNetwork(size: number): Promise<{ model: tf.LayersModel; vars: tf.Variable[] }> {
  const { model } = await buildFullModel(
    "mgmt",
    "D",
    { source: "random", size, featureLayers: ["mixed10"], shared: true },
    { hidden: 0, l2: 0, standardize: false, transform: "none" },
    { seed: 0, cacheDir: new URL("../.cache", import.meta.url).pathname },
  );
  return { model, vars: model.trainableWeights.map((w) => w.read() as tf.Variable) };
}

/** The optimizer settings the benchmarks train with: SGD with momentum and learning-rate decay. */
export const BENCH_OPTIMIZER: OptimizerConfig = { learningRate: 1e-4, momentum: 0.9, lrDecay: 1e-6, weightDecay: 0 };

/**
 * The trainer's step before issue 15, on images `x` with management `labels` (class indices) and
 * `classWeights` (one per class): the class-weighted cross-entropy, tfjs ops per variable for SGD with
 * momentum and learning-rate decay (no weight decay), the loss read back every step. Each call of
 * `step` is one step and disposes what it makes; `dispose` frees the velocities.
 */
export function formerStep(
  model: tf.LayersModel,
  vars: tf.Variable[],
  x: tf.Tensor,
  labels: number[],
  classWeights: number[],
  optimizer: OptimizerConfig = BENCH_OPTIMIZER,
): { step: () => Promise<void>; dispose: () => void } {
  const velocity = new Map<string, tf.Tensor>();
  let t = 0;
  const step = async () => {
    const lr = optimizer.learningRate / (1 + optimizer.lrDecay * t++);
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor;
      const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), classWeights.length);
      const w = tf.tensor1d(labels.map((c) => classWeights[c]));
      const ce = tf.neg(tf.sum(tf.mul(onehot, tf.log(tf.clipByValue(out, 1e-7, 1))), 1));
      return tf.add(tf.scalar(0), tf.mean(tf.mul(ce, w))) as tf.Scalar;
    }, vars);
    tf.tidy(() => {
      for (const v of vars) {
        const g = grads[v.name];
        const prev = velocity.get(v.name);
        const next = prev ? tf.sub(tf.mul(optimizer.momentum, prev), tf.mul(lr, g)) : tf.mul(-lr, g);
        v.assign(tf.add(v, next));
        prev?.dispose();
        velocity.set(v.name, tf.keep(next));
      }
    });
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  return { step, dispose: () => tf.dispose([...velocity.values()]) };
}
