/**
 * The multi-modal multi-task network of the study (after Kawahara et al. 2019): the clinical and
 * dermoscopic images go through an InceptionV3 backbone, their global-average-pooled features are
 * concatenated with the one-hot metadata, and each task has its own dense softmax head (a 1x1
 * convolution on the pooled features). Model kinds: `diag` (5 diagnosis groups), `mgmt`
 * (3 managements), `multi` (the 7 criteria + diagnosis + management: 9 heads); inputs any of
 * C, D, M, CD, CM, DM, CDM.
 *
 * The two image streams share one backbone by default (`backbone.shared`): half the parameters for
 * 413 training cases, and one feature extractor serves both images, so features can be cached per
 * image. Separate backbones are available.
 *
 * The heads are built once (`buildHeads`, input = the feature vector) and reused unchanged inside the
 * end-to-end model (`buildFullModel`), so the two training presets write interchangeable head
 * weights (same layer names).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildHeads, headLogitBlock } from "./network.ts";
 * await tf.setBackend("cpu");
 * const cfg = { hidden: 0, l2: 0, standardize: true, transform: "none" as const };
 * const heads = buildHeads(2 * 768 + 14, "multi", cfg, 0); // features of both images and the metadata
 * assert.equal(heads.outputs.length, 9); // 7 criteria, diagnosis, management
 * assert.deepEqual(headLogitBlock("multi", "management"), { offset: 24, size: 3 }); // the last 3 of 27 logits
 * const p = heads.predict(tf.zeros([1, 2 * 768 + 14])) as tf.Tensor[];
 * assert.deepEqual(p[8].shape, [1, 3]); // zero features, zero biases: uniform probabilities
 * assert.ok(Array.from(p[8].dataSync()).every((x) => Math.abs(x - 1 / 3) < 1e-6));
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BackboneConfig, classesOf, HeadConfig, headsOf, InputSet, METADATA_SIZE, ModelKind } from "./config.ts";
import type { HeadName } from "../data/vocabulary.ts";
import { inceptionV3, tinyInception } from "./inception_v3.ts";
import {
  ApplyReport,
  applyWeights,
  kerasH5Weights,
  nsfwjsFingerprint,
  nsfwjsInceptionV3,
  tfjsLayersWeights,
} from "./weights.ts";
import type { Preprocessing, WeightSet } from "./weight_set.ts";
import { cachedDownload, KERAS_INCEPTION_V3_NOTOP } from "./download.ts";
import { join } from "node:path";
import { sha256Hex, sha256Parts } from "../util/hash.ts";
import { initializerSeed } from "./init_seed.ts";
import { useFusedBatchNorm } from "./fused_batch_norm.ts";

/** Where a built backbone's weights came from, and how its inputs are preprocessed. */
export interface BackboneInfo {
  /** Description of where the weights come from (printed and saved). */
  description: string;
  /** Short identifier of the weight set ("random", "tiny-random", "keras-imagenet-inception_v3-notop", ...). */
  id: string;
  /** sha256 of the weights (or "random:<seed>"). */
  fingerprint: string;
  /** How pixels are scaled before the backbone. */
  preprocessing: Preprocessing;
  /** True when the backbone is randomly initialised (labelled as such everywhere). */
  random: boolean;
  /** How the weights matched the model's layers (pretrained backbones only). */
  report?: Pick<ApplyReport, "missing" | "unused" | "defaultedGamma"> & { loaded: number };
}

/** The weight set a backbone config names (downloaded/extracted into `cacheDir` as needed). */
export async function loadBackboneWeights(cfg: BackboneConfig, cacheDir: string): Promise<WeightSet | null> {
  switch (cfg.source) {
    case "nsfwjs":
      return await nsfwjsInceptionV3({ cacheDir });
    case "imagenet": {
      const path = cfg.path ?? await cachedDownload(KERAS_INCEPTION_V3_NOTOP, { cacheDir });
      const set = await kerasH5Weights(path, { id: "keras-imagenet-inception_v3-notop" });
      set.description = `Keras ImageNet InceptionV3 without top (${path}): the study's backbone`;
      return set;
    }
    case "keras-h5":
      return await kerasH5Weights(cfg.path!);
    case "tfjs":
      return tfjsLayersWeights(cfg.path!);
    case "random":
    case "tiny":
      return null;
  }
}

/**
 * The backbone network itself (input image -> every layer up to mixed10), with the weights its config
 * names: the model the frozen engines run (tfjs directly, ONNX Runtime after export).
 */
export async function buildBaseBackbone(
  cfg: BackboneConfig,
  options: { seed: number; cacheDir: string },
): Promise<{ base: tf.LayersModel; info: BackboneInfo }> {
  const base = cfg.source === "tiny"
    ? tinyInception({ size: cfg.size, seed: options.seed })
    : inceptionV3({ size: cfg.size, seed: options.seed });
  const set = await loadBackboneWeights(cfg, join(options.cacheDir, "models"));
  let info: BackboneInfo;
  if (set) {
    const r = applyWeights(base, set);
    info = {
      description: set.description,
      id: set.id,
      fingerprint: set.fingerprint,
      preprocessing: set.preprocessing,
      random: false,
      report: { loaded: r.loaded.length, missing: r.missing, unused: r.unused, defaultedGamma: r.defaultedGamma },
    };
  } else {
    info = {
      description: cfg.source === "tiny"
        ? `tiny 3-block Inception for tests, RANDOM initialisation (seed ${options.seed})`
        : `InceptionV3 with RANDOM initialisation (seed ${options.seed}): no pretrained weights`,
      id: cfg.source === "tiny" ? "tiny-random" : "random",
      fingerprint: `random:${cfg.source}:${cfg.size}:${options.seed}`,
      preprocessing: "x/127.5-1",
      random: true,
    };
  }
  return { base, info };
}

/** sha256 of the backbone weights a config names, without building the model. */
export async function weightsFingerprint(cfg: BackboneConfig, cacheDir: string, seed: number): Promise<string> {
  switch (cfg.source) {
    case "nsfwjs":
      return nsfwjsFingerprint({ cacheDir: join(cacheDir, "models") });
    case "imagenet":
      return sha256Hex(
        Deno.readFileSync(
          cfg.path ?? await cachedDownload(KERAS_INCEPTION_V3_NOTOP, { cacheDir: join(cacheDir, "models") }),
        ),
      );
    case "keras-h5":
      return sha256Hex(Deno.readFileSync(cfg.path!));
    case "tfjs": {
      const m = JSON.parse(Deno.readTextFileSync(join(cfg.path!, "model.json")));
      return sha256Parts(
        m.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) =>
          Deno.readFileSync(join(cfg.path!, p))
        ),
      );
    }
    default:
      return `random:${cfg.source}:${cfg.size}:${seed}`;
  }
}

/** The pixel preprocessing a backbone config's weights expect. */
export function preprocessingOf(cfg: BackboneConfig): Preprocessing {
  return cfg.source === "nsfwjs" ? "x/255" : "x/127.5-1";
}

/**
 * The backbone as a feature model: image [n, s, s, 3] (preprocessed) -> concatenated global
 * average pools of `featureLayers` [n, F]. The graph stops at the deepest feature layer.
 */
export async function buildBackbone(
  cfg: BackboneConfig,
  options: { seed: number; cacheDir: string; name?: string },
): Promise<{ model: tf.LayersModel; info: BackboneInfo }> {
  const { base, info } = await buildBaseBackbone(cfg, options);
  const pooled = cfg.featureLayers.map((name) => {
    let layer: tf.layers.Layer;
    try {
      layer = base.getLayer(name);
    } catch {
      throw new Error(
        `Cannot build the backbone: expected a layer "${name}" (e.g. mixed5, mixed7, mixed10), found none in ${base.name}`,
      );
    }
    return tf.layers.globalAveragePooling2d({ name: `gap_${name}` }).apply(
      layer.output as tf.SymbolicTensor,
    ) as tf.SymbolicTensor;
  });
  const out = pooled.length === 1
    ? pooled[0]
    : tf.layers.concatenate({ name: "features" }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: out, name: options.name ?? "backbone" });
  return { model, info };
}

/** Size of one image's feature vector for a config (sum of the pooled layers' channels). */
export function featureSizeOf(model: tf.LayersModel): number {
  return model.outputs[0].shape[1] as number;
}

/**
 * The task heads on a feature vector: an optional shared hidden layer, then one dense layer of every head's
 * logits (`head_logits`, the heads' classes side by side in `headsOf` order) and one softmax per head over its
 * block (`head_softmax`). One matrix for all heads keeps multi-task training as cheap as one head's. With
 * `cfg.members` > 1 the hidden layer holds every member's units (an ensemble merged by `mergeMembers`).
 */
export function buildHeads(inputSize: number, kind: ModelKind, cfg: HeadConfig, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [inputSize], name: "head_input" });
  return tf.model({ inputs: input, outputs: headLayers(input, kind, cfg, seed), name: "heads" });
}

/**
 * The model's outputs in inference mode, a whole batch in one pass when every input is a batch of feature
 * vectors (rank 2): `model.apply` without training, the same kernels and values as `model.predict`, which
 * would cut the batch into slices of 32 rows (or copy it whole with a `Slice` kernel per input even as one
 * slice: 7.3 against 5.1 ms for 64 cases of the multi-task head on wasm, 2026-11-30). Images (rank 4) keep
 * `predict`'s slices of 32, which bound the memory of a backbone's activations.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildHeads, predictInOnePass } from "./network.ts";
 * await tf.setBackend("cpu");
 * const heads = buildHeads(4, "mgmt", { hidden: 0, l2: 0, standardize: false, transform: "none" }, 1);
 * const p = predictInOnePass(heads, [tf.ones([70, 4])]) as tf.Tensor;
 * assert.deepEqual(p.shape, [70, 3]);
 * ```
 */
export function predictInOnePass(model: tf.LayersModel, xs: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
  const input = xs.length === 1 ? xs[0] : xs;
  if (!xs.every((x) => x.rank === 2)) return model.predict(input);
  return tf.tidy(() => model.apply(input, { training: false }) as tf.Tensor | tf.Tensor[]);
}

/** Where a head's logits are in `head_logits`: the first column and the number of classes. */
export function headLogitBlock(kind: ModelKind, head: HeadName): { offset: number; size: number } {
  const heads = headsOf(kind);
  const i = heads.indexOf(head);
  if (i < 0) throw new RangeError(`Cannot find head "${head}": a ${kind} model's heads are ${heads.join(", ")}`);
  return { offset: heads.slice(0, i).reduce((n, h) => n + classesOf(h), 0), size: classesOf(head) };
}

/**
 * A softmax over each consecutive block of its input's columns (block sizes in the config): the heads'
 * probabilities from one logits layer. No weights.
 */
export class HeadSoftmax extends tf.layers.Layer {
  /** The class name tfjs' serialisation registers (model.json's "class_name"). */
  static className = "HeadSoftmax";
  /** Columns of each block, in order (the classes of each head). */
  readonly sizes: number[];

  /** A layer of softmaxes over blocks of `sizes` columns. */
  constructor(config: { sizes: number[]; name?: string }) {
    super({ name: config.name });
    this.sizes = [...config.sizes];
  }

  /** One `[batch, size]` shape per block. */
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.sizes.map((k) => [shape[0], k]);
  }

  /** The softmax of each block of the input's columns, one tensor per block. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const blocks = this.sizes.length === 1 ? [x] : tf.split(x, this.sizes, 1);
      return blocks.map((b) => tf.softmax(b));
    });
  }

  /** The layer's config with its block sizes (saved in model.json). */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), sizes: this.sizes };
  }
}
tf.serialization.registerClass(HeadSoftmax);

function headLayers(x: tf.SymbolicTensor, kind: ModelKind, cfg: HeadConfig, seed: number): tf.SymbolicTensor[] {
  // The L2 penalty (cfg.l2) is added by the trainer on the head kernels, not as layer regularizers.
  let h = x;
  if (cfg.hidden > 0) {
    h = tf.layers.dense({
      units: cfg.hidden * (cfg.members ?? 1), // an ensemble's members side by side (ensemble.ts)
      activation: "relu",
      name: "head_hidden",
      kernelInitializer: tf.initializers.heNormal({ seed: initializerSeed(seed) }),
    }).apply(h) as tf.SymbolicTensor;
  }
  const sizes = headsOf(kind).map(classesOf);
  const logits = tf.layers.dense({
    units: sizes.reduce((a, b) => a + b, 0),
    name: "head_logits",
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
  }).apply(h) as tf.SymbolicTensor;
  const outs = new HeadSoftmax({ sizes, name: "head_softmax" }).apply(logits);
  return Array.isArray(outs) ? outs as tf.SymbolicTensor[] : [outs as tf.SymbolicTensor];
}

/**
 * The end-to-end model: inputs `clinical` and/or `derm` images and/or `metadata`, the backbone(s),
 * and the same heads as `buildHeads`. Returns the model and the backbone models (for freezing).
 */
export async function buildFullModel(
  kind: ModelKind,
  inputs: InputSet,
  backbone: BackboneConfig,
  head: HeadConfig,
  options: { seed: number; cacheDir: string },
): Promise<{ model: tf.LayersModel; backbones: tf.LayersModel[]; info: BackboneInfo }> {
  const ins: tf.SymbolicTensor[] = [];
  const parts: tf.SymbolicTensor[] = [];
  const backbones: tf.LayersModel[] = [];
  let info: BackboneInfo | null = null;
  const shape = [backbone.size, backbone.size, 3];
  let shared: tf.LayersModel | null = null;
  for (const [flag, name] of [["C", "clinical"], ["D", "derm"]] as const) {
    if (!inputs.includes(flag)) continue;
    const input = tf.input({ shape, name });
    ins.push(input);
    let net: tf.LayersModel;
    if (backbone.shared && shared) net = shared;
    else {
      const b = await buildBackbone(backbone, { ...options, name: backbone.shared ? "backbone" : `backbone_${name}` });
      net = b.model;
      info = b.info;
      backbones.push(net);
      if (backbone.shared) shared = net;
    }
    parts.push(net.apply(input) as tf.SymbolicTensor);
  }
  if (inputs.includes("M")) {
    const m = tf.input({ shape: [METADATA_SIZE], name: "metadata" });
    ins.push(m);
    parts.push(m);
  }
  const x = parts.length === 1
    ? parts[0]
    : tf.layers.concatenate({ name: "head_input" }).apply(parts) as tf.SymbolicTensor;
  const model = tf.model({
    inputs: ins,
    outputs: headLayers(x, kind, head, options.seed),
    name: `derm7pt_${kind}_${inputs}`,
  });
  useFusedBatchNorm(model); // training mode on webgpu: the fused kernels; elsewhere tfjs-layers' own code
  return {
    model,
    backbones,
    info: info ??
      {
        description: "metadata only: no backbone",
        id: "none",
        fingerprint: "none",
        preprocessing: "x/255",
        random: false,
      },
  };
}

/** Converts uint8 RGB pixels to the backbone's input scale. */
export function preprocess(pixels: Uint8Array, preprocessing: Preprocessing): Float32Array {
  const out = new Float32Array(pixels.length);
  if (preprocessing === "x/255") { for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255; }
  else for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 127.5 - 1;
  return out;
}
