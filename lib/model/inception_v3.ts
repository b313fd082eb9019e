/**
 * InceptionV3 without its top (Szegedy et al. 2016), built with tfjs-layers with Keras' layer
 * names and block boundaries, so that Keras weights map by name and "unfreeze one Inception block
 * at a time" is well defined.
 *
 * Layer names follow Keras 2.x / keras-applications `inception_v3.py` (the naming of the ImageNet
 * `..._notop.h5` weights and of the offline nsfwjs model): `conv2d_1`..`conv2d_94`,
 * `batch_normalization_1`..`_94`, `activation_1`..`_94`, `max_pooling2d_1`..`_4`,
 * `average_pooling2d_1`..`_9`, concatenations `mixed0`..`mixed10` (and `mixed9_0`, `mixed9_1`,
 * `concatenate_1`, `concatenate_2` inside the last two blocks). Blocks: `stem` (everything before
 * mixed0), then `mixed0`..`mixed10`, each block being every layer after the previous block's
 * output up to and including its concatenation.
 *
 * Keras builds BatchNormalization with `scale: false` (no gamma). tfjs-layers 4.22 crashes when
 * training such a layer (gamma undefined), so it is built with `scale: true`, gamma fixed to ones
 * and not trainable: numerically the same layer.
 *
 * A `size` other than 299 is allowed (>= 75, as Keras); `tiny` builds a 3-block miniature with the
 * same interface for tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { inceptionV3, layerBlocks, tinyInception } from "./inception_v3.ts";
 * await tf.setBackend("cpu");
 * const net = inceptionV3({ size: 299 });
 * assert.deepEqual(net.inputs[0].shape, [null, 299, 299, 3]);
 * assert.deepEqual(net.outputs[0].shape, [null, 8, 8, 2048]); // mixed10
 * const blocks = layerBlocks(net);
 * assert.equal(blocks.get("conv2d_1"), "stem");
 * assert.equal(blocks.get("mixed10"), "mixed10");
 * assert.deepEqual(tinyInception().outputs[0].shape, [null, 7, 7, 12]); // 32 px, 4 filters per branch
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The Inception blocks in order (stem first). */
export const INCEPTION_BLOCKS = [
  "stem",
  "mixed0",
  "mixed1",
  "mixed2",
  "mixed3",
  "mixed4",
  "mixed5",
  "mixed6",
  "mixed7",
  "mixed8",
  "mixed9",
  "mixed10",
] as const;
/** The name of an Inception block ("stem", "mixed0".."mixed10"). */
export type InceptionBlock = (typeof INCEPTION_BLOCKS)[number];

/** Channels of each block's output (the feature size after global average pooling). */
export const BLOCK_CHANNELS: Readonly<Record<string, number>> = Object.freeze({
  stem: 192,
  mixed0: 256,
  mixed1: 288,
  mixed2: 288,
  mixed3: 768,
  mixed4: 768,
  mixed5: 768,
  mixed6: 768,
  mixed7: 768,
  mixed8: 1280,
  mixed9: 2048,
  mixed10: 2048,
});

/** Options of {@linkcode inceptionV3} and {@linkcode tinyInception}. */
export interface InceptionOptions {
  /** Input side in pixels (default 299). */
  size?: number;
  /** Seed of the random initialisers (default 0). */
  seed?: number;
  /** Name prefix of the input layer (default "input_1"). */
  inputName?: string;
}

class Namer {
  #counts = new Map<string, number>();
  next(kind: string): string {
    const n = (this.#counts.get(kind) ?? 0) + 1;
    this.#counts.set(kind, n);
    return `${kind}_${n}`;
  }
}

/** Builds the backbone. The model's output is `mixed10`; `blockOf` maps layer names to blocks. */
export function inceptionV3(options: InceptionOptions = {}): tf.LayersModel {
  const size = options.size ?? 299;
  if (!Number.isInteger(size) || size < 75) {
    throw new RangeError(`Cannot build InceptionV3: expected an input size >= 75, found ${size}`);
  }
  let seed = options.seed ?? 0;
  const names = new Namer();
  const input = tf.input({ shape: [size, size, 3], name: options.inputName ?? "input_1" });
  const convBn = (
    x: tf.SymbolicTensor,
    filters: number,
    rows: number,
    cols: number,
    padding: "same" | "valid" = "same",
    strides: [number, number] = [1, 1],
  ) => {
    let y = tf.layers.conv2d({
      filters,
      kernelSize: [rows, cols],
      strides,
      padding,
      useBias: false,
      name: names.next("conv2d"),
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
    }).apply(x) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({
      axis: 3,
      scale: true,
      epsilon: 0.001,
      momentum: 0.99,
      name: names.next("batch_normalization"),
    }).apply(y) as tf.SymbolicTensor;
    return tf.layers.activation({ activation: "relu", name: names.next("activation") }).apply(y) as tf.SymbolicTensor;
  };
  const maxPool = (x: tf.SymbolicTensor) =>
    tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: names.next("max_pooling2d") }).apply(
      x,
    ) as tf.SymbolicTensor;
  const avgPool = (x: tf.SymbolicTensor) =>
    tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: "same", name: names.next("average_pooling2d") })
      .apply(x) as tf.SymbolicTensor;
  const concat = (xs: tf.SymbolicTensor[], name?: string) =>
    tf.layers.concatenate({ axis: 3, name: name ?? names.next("concatenate") }).apply(xs) as tf.SymbolicTensor;

  let x = convBn(input, 32, 3, 3, "valid", [2, 2]);
  x = convBn(x, 32, 3, 3, "valid");
  x = convBn(x, 64, 3, 3);
  x = maxPool(x);
  x = convBn(x, 80, 1, 1, "valid");
  x = convBn(x, 192, 3, 3, "valid");
  x = maxPool(x);
  // mixed 0, 1, 2: 35 x 35
  for (const [i, poolFilters] of [[0, 32], [1, 64], [2, 64]] as const) {
    const b1 = convBn(x, 64, 1, 1);
    let b5 = convBn(x, 48, 1, 1);
    b5 = convBn(b5, 64, 5, 5);
    let b3 = convBn(x, 64, 1, 1);
    b3 = convBn(b3, 96, 3, 3);
    b3 = convBn(b3, 96, 3, 3);
    const bp = convBn(avgPool(x), poolFilters, 1, 1);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  }
  // mixed 3: 17 x 17
  {
    const b3 = convBn(x, 384, 3, 3, "valid", [2, 2]);
    let bd = convBn(x, 64, 1, 1);
    bd = convBn(bd, 96, 3, 3);
    bd = convBn(bd, 96, 3, 3, "valid", [2, 2]);
    const bp = maxPool(x);
    x = concat([b3, bd, bp], "mixed3");
  }
  // mixed 4..7
  for (const [i, c] of [[4, 128], [5, 160], [6, 160], [7, 192]] as const) {
    const b1 = convBn(x, 192, 1, 1);
    let b7 = convBn(x, c, 1, 1);
    b7 = convBn(b7, c, 1, 7);
    b7 = convBn(b7, 192, 7, 1);
    let bd = convBn(x, c, 1, 1);
    bd = convBn(bd, c, 7, 1);
    bd = convBn(bd, c, 1, 7);
    bd = convBn(bd, c, 7, 1);
    bd = convBn(bd, 192, 1, 7);
    const bp = convBn(avgPool(x), 192, 1, 1);
    x = concat([b1, b7, bd, bp], `mixed${i}`);
  }
  // mixed 8: 8 x 8
  {
    let b3 = convBn(x, 192, 1, 1);
    b3 = convBn(b3, 320, 3, 3, "valid", [2, 2]);
    let b7 = convBn(x, 192, 1, 1);
    b7 = convBn(b7, 192, 1, 7);
    b7 = convBn(b7, 192, 7, 1);
    b7 = convBn(b7, 192, 3, 3, "valid", [2, 2]);
    const bp = maxPool(x);
    x = concat([b3, b7, bp], "mixed8");
  }
  // mixed 9, 10
  for (const i of [0, 1]) {
    const b1 = convBn(x, 320, 1, 1);
    let b3 = convBn(x, 384, 1, 1);
    const b3a = convBn(b3, 384, 1, 3);
    const b3b = convBn(b3, 384, 3, 1);
    b3 = concat([b3a, b3b], `mixed9_${i}`);
    let bd = convBn(x, 448, 1, 1);
    bd = convBn(bd, 384, 3, 3);
    const bda = convBn(bd, 384, 1, 3);
    const bdb = convBn(bd, 384, 3, 1);
    bd = concat([bda, bdb]);
    const bp = convBn(avgPool(x), 192, 1, 1);
    x = concat([b1, b3, bd, bp], `mixed${9 + i}`);
  }
  const model = tf.model({ inputs: input, outputs: x, name: "inception_v3" });
  fixBatchNormGamma(model);
  return model;
}

/** A 3-block miniature with the same naming scheme and interface (stem, mixed0, mixed1), for tests. */
export function tinyInception(options: InceptionOptions & { width?: number } = {}): tf.LayersModel {
  const size = options.size ?? 32;
  const w = options.width ?? 4;
  let seed = options.seed ?? 0;
  const names = new Namer();
  const input = tf.input({ shape: [size, size, 3], name: options.inputName ?? "input_1" });
  const convBn = (x: tf.SymbolicTensor, filters: number, k: number, padding: "same" | "valid" = "same", stride = 1) => {
    let y = tf.layers.conv2d({
      filters,
      kernelSize: k,
      strides: stride,
      padding,
      useBias: false,
      name: names.next("conv2d"),
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
    })
      .apply(x) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ axis: 3, scale: true, epsilon: 0.001, name: names.next("batch_normalization") })
      .apply(y) as tf.SymbolicTensor;
    return tf.layers.activation({ activation: "relu", name: names.next("activation") }).apply(y) as tf.SymbolicTensor;
  };
  let x = convBn(input, w, 3, "valid", 2);
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: names.next("max_pooling2d") }).apply(
    x,
  ) as tf.SymbolicTensor;
  for (const i of [0, 1]) {
    const a = convBn(x, w, 1);
    const b = convBn(convBn(x, w, 1), w, 3);
    const p = convBn(
      tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: "same", name: names.next("average_pooling2d") })
        .apply(x) as tf.SymbolicTensor,
      w,
      1,
    );
    x = tf.layers.concatenate({ axis: 3, name: `mixed${i}` }).apply([a, b, p]) as tf.SymbolicTensor;
  }
  const model = tf.model({ inputs: input, outputs: x, name: "tiny_inception" });
  fixBatchNormGamma(model);
  return model;
}

/** Sets every BatchNormalization gamma to ones and marks it not trainable (see module doc). */
export function fixBatchNormGamma(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    const bn = layer as unknown as { gamma?: { write(t: tf.Tensor): void; trainable: boolean; shape: number[] } };
    if (bn.gamma) {
      bn.gamma.write(tf.ones(bn.gamma.shape));
      bn.gamma.trainable = false;
    }
  }
}

/**
 * The block of every layer, by name. With anc(L) the layers upstream of L (L included): the stem is
 * what every branch of mixed0 shares (the intersection of the ancestors of mixed0's inputs), block
 * mixed0 is anc(mixed0) minus the stem, and block mixedK is anc(mixedK) minus anc(mixed(K-1)).
 * Layers after the last block are "top".
 */
export function layerBlocks(model: tf.LayersModel): Map<string, string> {
  const anc = (layer: tf.layers.Layer, acc = new Set<string>()): Set<string> => {
    if (acc.has(layer.name)) return acc;
    acc.add(layer.name);
    for (const node of layer.inboundNodes) for (const l of node.inboundLayers) anc(l as tf.layers.Layer, acc);
    return acc;
  };
  const mixed = model.layers.filter((l) => /^mixed\d+$/.test(l.name)).sort((a, b) =>
    Number(a.name.slice(5)) - Number(b.name.slice(5))
  );
  const out = new Map<string, string>();
  if (!mixed.length) return out;
  const branchInputs = mixed[0].inboundNodes[0].inboundLayers.map((l) => anc(l as tf.layers.Layer));
  const stem = new Set([...branchInputs[0]].filter((n) => branchInputs.every((s) => s.has(n))));
  for (const n of stem) out.set(n, "stem");
  let previous = stem;
  for (const m of mixed) {
    const a = anc(m);
    for (const n of a) if (!previous.has(n) && !out.has(n)) out.set(n, m.name);
    previous = a;
  }
  for (const l of model.layers) if (!out.has(l.name)) out.set(l.name, "top");
  for (const l of model.layers) if (l.getClassName() === "InputLayer") out.delete(l.name);
  return out;
}
