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
 * import assert from "node:assert/strict";
 * import { loadRun } from "../model/predict.ts";
 * import { explainable, headInputOf, headProbabilities } from "./decompose.ts";
 * const ex = await explainable(await loadRun("outputs/synthetic/runs/multi-CDM", { cacheDir: ".cache" }));
 * const { vector } = await headInputOf(ex, { clinical, derm, metadata }); // standardised head input
 * assert.equal(vector.length, ex.inputSize);
 * const probs = headProbabilities(ex, [vector]); // what predictCase gives for the case
 * ```
 * (Not run: it needs a trained run and the backbone's weights; tests/explain check it against `predictCase`.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { HeadName, METADATA_FEATURES } from "../data/vocabulary.ts";
import type { RgbImage } from "../data/images.ts";
import { concatFloat32 } from "../util/arrays.ts";
import { buildHeads, headLogitBlock, predictInOnePass, preprocess } from "../model/network.ts";
import { INCEPTION_BLOCKS } from "../model/inception_v3.ts";
import type { LoadedRun } from "../model/predict.ts";
import { type FrozenBackbone, openFrozenBackbone } from "../model/engine.ts";
import { transformFeatures } from "../model/feeds.ts";
import type { Preprocessing } from "../model/weight_set.ts";

/** An image input of a run: the clinical or the dermoscopic image. */
export type ImageInput = "clinical" | "derm";
/** Both image inputs, in head-input order. */
export const IMAGE_INPUTS: readonly ImageInput[] = ["clinical", "derm"];

/** One contiguous block of the head input vector. */
export interface InputBlock {
  /** The input the block comes from. */
  name: ImageInput | "metadata";
  /** Index of its first dimension in the head input. */
  start: number;
  /** Number of its dimensions. */
  length: number;
  /** For image blocks: the feature layers in order, with their channel counts. */
  layers?: { name: string; channels: number }[];
}

/** A trained run split at its head input: image backbones to activation maps, then the heads. */
export interface Explainable {
  /** The loaded run. */
  run: LoadedRun;
  /** Backbone input side in pixels. */
  size: number;
  /** Image inputs of the run -> the backbone from the image to its feature layers' maps. */
  spatial: Partial<Record<ImageInput, SpatialBackbone>>;
  /** The feature layers (their pooled maps, concatenated in this order, are an image's features). */
  layers: string[];
  /** The deepest feature layer: the one Grad-CAM explains (see gradcam.ts). */
  camLayer: string;
  /** The head input's blocks, in order. */
  blocks: InputBlock[];
  /** Length of the head input vector. */
  inputSize: number;
  /** Head input (standardised when the run standardises) -> every head's probabilities. */
  heads: tf.LayersModel;
  /** The run's heads, in output order. */
  headNames: HeadName[];
  /** The run's per-dimension standardisation of the head input; null when it has none. */
  norm: { mean: Float32Array; sd: Float32Array } | null;
}

/** What one case gives the model (images already decoded at the run's size). */
export interface CaseInputs {
  /** The clinical image (when the run uses it). */
  clinical?: RgbImage;
  /** The dermoscopic image (when the run uses it). */
  derm?: RgbImage;
  /** One-hot metadata (encodeMetadata). */
  metadata?: Float32Array;
}

/** A backbone cut at the feature layers' activation maps. */
export interface SpatialBackbone {
  /** Channels of each feature layer's map, in layer order. */
  channels: number[];
  /**
   * The maps of one image ([1, h, w, K] per layer; the caller disposes them) and its feature vector (the
   * maps' global average pools, concatenated, as the run's features were computed).
   */
  maps(image: RgbImage): Promise<ImageMaps>;
}

/** An image's activation maps at the feature layers and its pooled feature vector. */
export interface ImageMaps {
  /** One [1, h, w, K] map per feature layer, in layer order (the caller disposes them). */
  maps: tf.Tensor4D[];
  /** The maps' global average pools, concatenated: the image's features before the run's transform. */
  pooled: Float32Array;
}

/**
 * The maps of a frozen backbone on its engine (features preset), opened with the maps of every feature
 * layer then their pools: the pools are the engine's own, so they equal the run's cached features.
 */
function engineSpatial(net: FrozenBackbone): SpatialBackbone {
  const n = net.outputs.length / 2;
  return {
    channels: net.shapes.slice(0, n).map((s) => s[2]),
    async maps(image: RgbImage) {
      const outs = await net.run(image.data, 1);
      return {
        maps: outs.slice(0, n).map((o, k) => tf.tensor4d(o, [1, ...net.shapes[k]] as [number, number, number, number])),
        pooled: concatFloat32(outs.slice(n)),
      };
    },
  };
}

/** The maps of a tfjs backbone nested in a run's end-to-end model (paper preset: fine-tuned). */
function tfjsSpatial(backbone: tf.LayersModel, layers: string[], preprocessing: Preprocessing): SpatialBackbone {
  const model = tf.model({
    inputs: backbone.inputs,
    outputs: layers.map((l) => backbone.getLayer(l).output as tf.SymbolicTensor),
    name: `${backbone.name}_maps`,
  });
  const size = model.inputs[0].shape[1] as number;
  return {
    channels: model.outputs.map((o) => o.shape[3] as number),
    maps(image: RgbImage) {
      const maps = tf.tidy(() => {
        const x = tf.tensor4d(preprocess(image.data, preprocessing), [1, size, size, 3]);
        const out = model.predict(x) as tf.Tensor | tf.Tensor[];
        return (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
      });
      return Promise.resolve({ maps, pooled: pooledFeatures(maps) });
    },
  };
}

/**
 * Splits a loaded run at its head input. The frozen backbone of a features-preset run runs on the
 * run's engine (`loadRun`'s `engine`); a paper-preset run's fine-tuned backbone runs in tfjs.
 * @throws {Error} when the run's model does not have the expected layers.
 */
export async function explainable(run: LoadedRun): Promise<Explainable> {
  const cfg = run.config;
  const inputs = cfg.model.inputs;
  const layers = [...cfg.model.backbone.featureLayers];
  const images = IMAGE_INPUTS.filter((k) => inputs.includes(k === "clinical" ? "C" : "D"));
  const spatial: Explainable["spatial"] = {};
  // one frozen backbone serves both images of a features-preset run
  const frozen = cfg.training.preset === "features" && images.length
    ? engineSpatial(
      await openFrozenBackbone(cfg.model.backbone, [
        ...layers.map((layer) => ({ layer, kind: "map" as const })),
        ...layers.map((layer) => ({ layer, kind: "pooled" as const })),
      ], {
        seed: cfg.seed,
        cacheDir: run.cacheDir,
        engine: run.engine,
        quiet: true,
      }),
    )
    : null;
  for (const which of images) {
    if (frozen) {
      spatial[which] = frozen;
      continue;
    }
    const name = cfg.model.backbone.shared ? "backbone" : `backbone_${which}`;
    let backbone: tf.LayersModel;
    try {
      backbone = run.model.getLayer(name) as unknown as tf.LayersModel;
    } catch {
      throw new Error(
        `Cannot explain ${run.dir}: expected a nested backbone layer "${name}" in its model, found none`,
      );
    }
    spatial[which] = tfjsSpatial(backbone, layers, run.preprocessing);
  }
  const blocks: InputBlock[] = [];
  let offset = 0;
  for (const which of images) {
    const maps = spatial[which]!.channels.map((channels, i) => ({ name: layers[i], channels }));
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

/** The activation maps of one image at the feature layers ([1, h, w, K] each; the caller disposes) and its features. */
export async function activationMaps(ex: Explainable, which: ImageInput, image: RgbImage): Promise<ImageMaps> {
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
  return await model.maps(image);
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

/** A case's head input and the activation maps it came from. */
export interface HeadInput {
  /** The head input: pooled features (transformed as the run does), metadata, standardised. */
  vector: Float32Array;
  /** Each image's activation maps at the feature layers (the caller disposes them). */
  maps: Partial<Record<ImageInput, tf.Tensor4D[]>>;
  /** Each image's pooled features before the run's transform (for the transform's derivative). */
  pooled: Partial<Record<ImageInput, Float32Array>>;
}

/**
 * The head input of one case, and the activation maps it came from (the caller disposes them).
 * @throws {Error} naming the input the run needs when it is missing.
 */
export async function headInputOf(
  ex: Explainable,
  input: CaseInputs,
): Promise<HeadInput> {
  const parts: Float32Array[] = [];
  const maps: Partial<Record<ImageInput, tf.Tensor4D[]>> = {};
  const pooled: Partial<Record<ImageInput, Float32Array>> = {};
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
    const m = await activationMaps(ex, block.name, image);
    maps[block.name] = m.maps;
    pooled[block.name] = m.pooled;
    parts.push(transformFeatures(m.pooled, ex.run.config.model.head.transform));
  }
  return { vector: standardizeInput(ex, concatFloat32(parts)), maps, pooled };
}

/** Every head's probabilities for head-input vectors (one row per vector). */
export function headProbabilities(
  ex: Explainable,
  vectors: readonly Float32Array[],
): Partial<Record<HeadName, number[][]>> {
  const outs = tf.tidy(() => {
    const r = predictInOnePass(ex.heads, [tf.tensor2d(concatFloat32(vectors), [vectors.length, ex.inputSize])]);
    return (Array.isArray(r) ? r : [r]).map((t) => t.arraySync() as number[][]);
  });
  const out: Partial<Record<HeadName, number[][]>> = {};
  ex.headNames.forEach((h, i) => (out[h] = outs[i]));
  return out;
}

/**
 * The pre-softmax scores (logits) of one head, as a differentiable function of the head input:
 * the optional shared hidden layer (ReLU), then the head's block of the logits layer (before its softmax).
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
  const d = dense("head_logits");
  const { offset, size } = headLogitBlock(ex.run.config.model.kind, head);
  return tf.add(tf.matMul(h, tf.slice(d.kernel, [0, offset], [-1, size])), tf.slice(d.bias, [offset], [size]));
}
