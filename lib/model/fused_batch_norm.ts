/**
 * Batch normalisation in training mode on webgpu in a few kernel launches (lib/model/webgpu_kernels.ts)
 * instead of tfjs-layers' composition of about 40 per layer and step (moments, broadcast
 * normalisation, two moving-average updates and their gradients, four of them uploads of host-made
 * tensors). Same values as tfjs-layers' `BatchNormalization` (biased batch variance; moving
 * statistics updated as m - (m - s) (1 - momentum)), checked in tests/model/webgpu_training_test.ts.
 *
 * The gradient with respect to the input, with xhat = (x - mean) / sqrt(var + eps) over n rows:
 * dx = gamma / sqrt(var + eps) * (dy - sum(dy) / n - xhat * sum(dy * xhat) / n); beta's gradient is
 * sum(dy) and gamma's sum(dy * xhat) (Ioffe & Szegedy 2015, section 3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedBatchNormAvailable, useFusedBatchNorm } from "./fused_batch_norm.ts";
 * import { tinyInception } from "./inception_v3.ts";
 * await tf.setBackend("cpu");
 * assert.equal(useFusedBatchNorm(tinyInception()), 9); // InceptionV3 has 94
 * assert.equal(fusedBatchNormAvailable(), false); // not on webgpu: the layers keep tfjs-layers' code
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The fields of a tfjs-layers BatchNormalization layer that the fused kernels read and write. */
export interface BatchNormLike {
  /** The channel axis (-1: the last). */
  axis: number;
  /** Momentum of the moving statistics. */
  momentum: number;
  /** Added to the variance before its square root. */
  epsilon: number;
  /** Scale per channel (null: ones). */
  gamma: tf.LayerVariable | null;
  /** Offset per channel (null: zeros). */
  beta: tf.LayerVariable | null;
  /** Moving mean per channel (inference's mean). */
  movingMean: tf.LayerVariable;
  /** Moving variance per channel (inference's variance). */
  movingVariance: tf.LayerVariable;
  /** The layer's forward pass. */
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}) =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

/** Whether the fused kernels can run now (webgpu backend with lib/model/webgpu_kernels.ts registered). */
export function fusedBatchNormAvailable(): boolean {
  return tf.getBackend() === "webgpu" && tf.getKernel("BnTrainStats", "webgpu") !== undefined;
}

/**
 * One training-mode batch normalisation of `x` (channels last) with the fused kernels: returns the
 * normalised tensor and updates the layer's moving statistics. Differentiable with respect to x
 * and to gamma and beta when they are trainable.
 */
function fusedBatchNormTraining(layer: BatchNormLike, x: tf.Tensor): tf.Tensor {
  const channels = x.shape[x.shape.length - 1];
  const gamma = layer.gamma ? layer.gamma.read() : tf.fill([channels], 1);
  const beta = layer.beta ? layer.beta.read() : tf.fill([channels], 0);
  const trainGamma = Boolean(layer.gamma?.trainable), trainBeta = Boolean(layer.beta?.trainable);
  const epsilon = layer.epsilon;
  let stats: tf.Tensor | null = null;
  const forward = (
    xs: tf.Tensor,
    g: tf.Tensor,
    b: tf.Tensor,
    save: tf.GradSaveFunc,
  ): { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] } => {
    const s = run("BnTrainStats", { x: xs });
    stats = tf.keep(tf.clone(s));
    save([xs, s, g]);
    return {
      value: run("BnTrainApply", { x: xs, stats: s, gamma: g, beta: b }, { epsilon }),
      gradFunc: (dy, [sx, ss, sg]) => {
        const sums = run("BnTrainGradSums", { x: sx, dy, stats: ss }, { epsilon });
        const grads = [run("BnTrainGradInput", { x: sx, dy, stats: ss, sums, gamma: sg }, { epsilon })];
        if (trainGamma) grads.push(tf.reshape(tf.slice(sums, [1, 0], [1, channels]), [channels]));
        if (trainBeta) grads.push(tf.reshape(tf.slice(sums, [0, 0], [1, channels]), [channels]));
        return grads;
      },
    };
  };
  // customGrad differentiates with respect to its arguments: pass gamma and beta only when trainable
  const args = [x, ...(trainGamma ? [gamma] : []), ...(trainBeta ? [beta] : [])];
  const y = tf.customGrad((...a: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = a.pop() as tf.GradSaveFunc;
    const t = a as tf.Tensor[];
    return forward(t[0], trainGamma ? t[1] : gamma, trainBeta ? t[t.length - 1] : beta, save);
  })(...args);
  const decay = 1 - layer.momentum;
  const s = stats as unknown as tf.Tensor;
  tf.tidy(() => {
    layer.movingMean.write(run("BnMovingAverage", { moving: layer.movingMean.read(), stats: s }, { row: 0, decay }));
    layer.movingVariance.write(
      run("BnMovingAverage", { moving: layer.movingVariance.read(), stats: s }, { row: 1, decay }),
    );
  });
  s.dispose();
  return y;
}

/** Every layer of `model` and of the models nested in it. */
function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? [l, ...allLayers(l)] : [l]));
}

const switched = new WeakSet<object>();

/**
 * Makes the BatchNormalization layers of `model` (and of the models nested in it) use the fused
 * kernels in training mode on webgpu; in inference mode, on other backends, or when the channel
 * axis is not the last, they run tfjs-layers' own code. Idempotent; returns how many layers use it.
 */
export function useFusedBatchNorm(model: tf.LayersModel): number {
  let n = 0;
  for (const layer of allLayers(model)) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    n++;
    if (switched.has(layer)) continue;
    switched.add(layer);
    const bn = layer as unknown as BatchNormLike;
    const original = bn.call.bind(bn);
    bn.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const last = bn.axis === -1 || bn.axis === x.rank - 1;
      if (!kwargs?.training || !last || !fusedBatchNormAvailable()) return original(inputs, kwargs);
      return tf.tidy(() => fusedBatchNormTraining(bn, x));
    };
  }
  return n;
}
