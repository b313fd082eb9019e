/**
 * A trained run split at its head input, so that it can be explained: per image input, the backbone
 * up to its feature layers (spatial activation maps), then the global average pools, the one-hot
 * metadata, the run's feature standardisation, and the heads. Both presets decompose the same way:
 * a features-preset run is already two models (frozen backbone + heads); a paper-preset run's
 * end-to-end model contains the backbone(s) as nested models and heads whose layers are named as
 * `buildHeads` names them, so the heads are rebuilt and given the run's weights.
 *
 * The decomposition computes exactly what the run computes (tests check it against `predictCase`).
 *
 * @example
 * ```ts ignore
 * import { loadRun } from "../model/predict.ts";
 * import { explainable, headInputOf } from "./decompose.ts";
 * const ex = explainable(await loadRun("outputs/synthetic/runs/multi-CDM", { cacheDir: ".cache" }));
 * const { vector } = headInputOf(ex, { clinical, derm, metadata }); // standardised head input
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { HeadName, METADATA_FEATURES } from "../data/vocabulary.ts";
import type { RgbImage } from "../data/images.ts";
import { concatFloat32 } from "../util/arrays.ts";
import { buildHeads, preprocess } from "../model/network.ts";
import { INCEPTION_BLOCKS } from "../model/inception_v3.ts";
import type { LoadedRun } from "../model/predict.ts";

export type ImageInput = "clinical" | "derm";
export const IMAGE_INPUTS: readonly ImageInput[] = ["clinical", "derm"];

/** One contiguous block of the head input vector. */
export interface InputBlock {
  name: ImageInput | "metadata";
  start: number;
  length: number;
  /** For image blocks: the feature layers in order, with their channel counts. */
  layers?: { name: string; channels: number }[];
}

export interface Explainable {
  run: LoadedRun;
  /** Backbone input side in pixels. */
  size: number;
  /** Image inputs of the run -> model from the preprocessed image to its feature layers' maps. */
  spatial: Partial<Record<ImageInput, tf.LayersModel>>;
  /** The feature layers (their pooled maps, concatenated in this order, are an image's features). */
  layers: string[];
  /** The deepest feature layer: the one Grad-CAM explains (see gradcam.ts). */
  camLayer: string;
  blocks: InputBlock[];
  /** Length of the head input vector. */
  inputSize: number;
  /** Head input (standardised when the run standardises) -> every head's probabilities. */
  heads: tf.LayersModel;
  headNames: HeadName[];
  norm: { mean: Float32Array; sd: Float32Array } | null;
}

/** What one case gives the model (images already decoded at the run's size). */
export interface CaseInputs {
  clinical?: RgbImage;
  derm?: RgbImage;
  /** One-hot metadata (encodeMetadata). */
  metadata?: Float32Array;
}

function spatialModel(backbone: tf.LayersModel, layers: string[]): tf.LayersModel {
  return tf.model({
    inputs: backbone.inputs,
    outputs: layers.map((l) => backbone.getLayer(l).output as tf.SymbolicTensor),
    name: `${backbone.name}_maps`,
  });
}

/**
 * Splits a loaded run at its head input.
 * @throws {Error} when the run's model does not have the expected layers.
 */
export function explainable(run: LoadedRun): Explainable {
  const cfg = run.config;
  const inputs = cfg.model.inputs;
  const layers = [...cfg.model.backbone.featureLayers];
  const images = IMAGE_INPUTS.filter((k) => inputs.includes(k === "clinical" ? "C" : "D"));
  const spatial: Explainable["spatial"] = {};
  for (const which of images) {
    let backbone: tf.LayersModel;
    if (cfg.training.preset === "features") backbone = run.backbone!;
    else {
      const name = cfg.model.backbone.shared ? "backbone" : `backbone_${which}`;
      try {
        backbone = run.model.getLayer(name) as unknown as tf.LayersModel;
      } catch {
        throw new Error(
          `Cannot explain ${run.dir}: expected a nested backbone layer "${name}" in its model, found none`,
        );
      }
    }
    spatial[which] = spatialModel(backbone, layers);
  }
  const blocks: InputBlock[] = [];
  let offset = 0;
  for (const which of images) {
    const maps = spatial[which]!.outputs.map((o, i) => ({ name: layers[i], channels: o.shape[3] as number }));
    const length = maps.reduce((s, m) => s + m.channels, 0);
    blocks.push({ name: which, start: offset, length, layers: maps });
    offset += length;
  }
  if (inputs.includes("M")) {
    blocks.push({ name: "metadata", start: offset, length: METADATA_FEATURES.length });
    offset += METADATA_FEATURES.length;
  }
  let heads: tf.LayersModel;
  if (cfg.training.preset === "features") heads = run.model;
  else {
    heads = buildHeads(offset, cfg.model.kind, cfg.model.head, cfg.seed);
    for (const layer of heads.layers) {
      if (!layer.weights.length) continue;
      layer.setWeights(run.model.getLayer(layer.name).getWeights());
    }
  }
  const depth = (l: string) => INCEPTION_BLOCKS.indexOf(l as typeof INCEPTION_BLOCKS[number]);
  const camLayer = [...layers].sort((a, b) => depth(a) - depth(b)).at(-1)!;
  return {
    run,
    size: cfg.model.backbone.size,
    spatial,
    layers,
    camLayer,
    blocks,
    inputSize: offset,
    heads,
    headNames: run.heads,
    norm: run.norm,
  };
}

/** The activation maps of one image at the feature layers ([1, h, w, K] each; the caller disposes). */
export function activationMaps(ex: Explainable, which: ImageInput, image: RgbImage): tf.Tensor4D[] {
  const model = ex.spatial[which];
  if (!model) {
    throw new Error(
      `Cannot explain ${ex.run.dir}: its inputs are ${ex.run.config.model.inputs}, which has no ${which} image`,
    );
  }
  if (image.height !== ex.size || image.width !== ex.size) {
    throw new RangeError(
      `Cannot explain the ${which} image: expected ${ex.size}x${ex.size} pixels (the run's input size), found ${image.height}x${image.width}`,
    );
  }
  return tf.tidy(() => {
    const x = tf.tensor4d(preprocess(image.data, ex.run.preprocessing), [1, ex.size, ex.size, 3]);
    const out = model.predict(x) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
  });
}

/** An image's feature vector: the global average pools of its maps, concatenated. */
export function pooledFeatures(maps: readonly tf.Tensor4D[]): Float32Array {
  return concatFloat32(maps.map((m) => tf.tidy(() => m.mean([1, 2]).dataSync() as Float32Array)));
}

/** Standardises a raw head input in place with the run's constants (no-op without them). */
export function standardizeInput(ex: Pick<Explainable, "norm">, v: Float32Array): Float32Array {
  if (ex.norm) { for (let d = 0; d < v.length; d++) v[d] = (v[d] - ex.norm.mean[d]) / ex.norm.sd[d]; }
  return v;
}

/**
 * The head input of one case, and the activation maps it came from (the caller disposes them).
 * @throws {Error} naming the input the run needs when it is missing.
 */
export function headInputOf(
  ex: Explainable,
  input: CaseInputs,
): { vector: Float32Array; maps: Partial<Record<ImageInput, tf.Tensor4D[]>> } {
  const parts: Float32Array[] = [];
  const maps: Partial<Record<ImageInput, tf.Tensor4D[]>> = {};
  for (const block of ex.blocks) {
    if (block.name === "metadata") {
      if (!input.metadata) {
        throw new Error(`Cannot explain with ${ex.run.dir}: its inputs include metadata (M), found none`);
      }
      parts.push(input.metadata);
      continue;
    }
    const image = input[block.name];
    if (!image) {
      throw new Error(`Cannot explain with ${ex.run.dir}: its inputs need the ${block.name} image, found none`);
    }
    maps[block.name] = activationMaps(ex, block.name, image);
    parts.push(pooledFeatures(maps[block.name]!));
  }
  return { vector: standardizeInput(ex, concatFloat32(parts)), maps };
}

/** Every head's probabilities for head-input vectors (one row per vector). */
export function headProbabilities(
  ex: Explainable,
  vectors: readonly Float32Array[],
): Partial<Record<HeadName, number[][]>> {
  const outs = tf.tidy(() => {
    const r = ex.heads.predict(tf.tensor2d(concatFloat32(vectors), [vectors.length, ex.inputSize])) as
      | tf.Tensor
      | tf.Tensor[];
    return (Array.isArray(r) ? r : [r]).map((t) => t.arraySync() as number[][]);
  });
  const out: Partial<Record<HeadName, number[][]>> = {};
  ex.headNames.forEach((h, i) => (out[h] = outs[i]));
  return out;
}

/**
 * The pre-softmax scores (logits) of one head, as a differentiable function of the head input:
 * the optional shared hidden layer (ReLU), then the head's dense layer without its softmax.
 */
export function headLogits(ex: Explainable, head: HeadName, x: tf.Tensor2D): tf.Tensor2D {
  const dense = (name: string) => {
    const [kernel, bias] = ex.heads.getLayer(name).getWeights();
    return { kernel: kernel as tf.Tensor2D, bias: bias as tf.Tensor1D };
  };
  let h = x;
  if (ex.run.config.model.head.hidden > 0) {
    const d = dense("head_hidden");
    h = tf.relu(tf.add(tf.matMul(h, d.kernel), d.bias));
  }
  if (!ex.headNames.includes(head)) {
    throw new Error(`Cannot explain head "${head}": the run's heads are ${ex.headNames.join(", ")}`);
  }
  const d = dense(`head_${head}`);
  return tf.add(tf.matMul(h, d.kernel), d.bias);
}
