/**
 * The typed, serialisable configuration of a model and of a training run (saved as config.json in
 * every run folder; enough to rebuild the model and redo the run).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultRunConfig, headsOf, validateRunConfig } from "./config.ts";
 * const cfg = defaultRunConfig({ kind: "multi", inputs: "CDM", preset: "features" });
 * assert.equal(headsOf(cfg.model.kind).length, 9); // 7 criteria, diagnosis, management
 * assert.deepEqual(cfg.model.backbone.featureLayers, ["mixed5", "mixed7", "mixed10"]);
 * assert.deepEqual(cfg.training.headWeights, { management: 3 }); // the multi-task preset's loss weights
 * assert.throws(() => validateRunConfig({ ...cfg, seed: 0.5 }), /expected seed to be an integer/);
 * ```
 *
 * @module
 */
import { type HeadName, HEADS, MULTI_TASK_HEADS } from "../data/vocabulary.ts";
import { AugmentationSpec, DEFAULT_AUGMENTATION } from "../data/augment.ts";

/** What a model predicts: "diag" the diagnosis, "mgmt" the management, "multi" the 7 criteria, diagnosis and management. */
export type ModelKind = "diag" | "mgmt" | "multi";
/** Every model kind, in the order the CLI lists them. */
export const MODEL_KINDS: readonly ModelKind[] = ["diag", "mgmt", "multi"];
/** Which inputs a model sees: C the clinical image, D the dermoscopic image, M the metadata, or a combination. */
export type InputSet = "C" | "D" | "M" | "CD" | "CM" | "DM" | "CDM";
/** Every input set, single inputs first. */
export const INPUT_SETS: readonly InputSet[] = ["C", "D", "M", "CD", "CM", "DM", "CDM"];

/** The heads of each model kind, in output order. */
export function headsOf(kind: ModelKind): HeadName[] {
  if (kind === "diag") return ["diagnosis"];
  if (kind === "mgmt") return ["management"];
  return [...MULTI_TASK_HEADS];
}

/** Number of classes of a head. */
export function classesOf(head: HeadName): number {
  return HEADS[head].codes.length;
}

/** Where the InceptionV3 backbone's weights come from (see {@linkcode BackboneConfig.source}). */
export type BackboneSource = "nsfwjs" | "imagenet" | "keras-h5" | "tfjs" | "random" | "tiny";

/** Every backbone source, in the order --help lists them. */
export const BACKBONE_SOURCES: readonly BackboneSource[] = ["nsfwjs", "imagenet", "keras-h5", "tfjs", "random", "tiny"];

/**
 * Whether a source's weights are drawn at random from the run's seed (no pretrained weights).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRandomBackbone } from "./config.ts";
 * assert.deepEqual(["nsfwjs", "random", "tiny"].map((s) => isRandomBackbone(s as "nsfwjs")), [false, true, true]);
 * ```
 */
export function isRandomBackbone(source: BackboneSource): boolean {
  return source === "random" || source === "tiny";
}

/**
 * Arithmetic of the frozen backbone on the onnx engine: "fp32" (float32), or "int8" (post-training
 * quantisation, quantize.ts: int8 kernels, uint8 activations calibrated on synthetic images; about twice
 * as fast on CPUs with AVX512-VNNI or AMX). The tfjs engine always computes float32.
 */
export type Precision = "fp32" | "int8";
/** Every precision, the default of a config without one first. */
export const PRECISIONS: readonly Precision[] = ["fp32", "int8"];

/** The image backbone: its weights, input size and the layers whose pools are the features. */
export interface BackboneConfig {
  /**
   * "nsfwjs": the offline default (not the study's backbone); "imagenet": Keras' ImageNet weights
   * (downloaded once, or `path`); "keras-h5"/"tfjs": a local file/folder at `path`; "random": random
   * initialisation; "tiny": a 3-block miniature for tests.
   */
  source: BackboneSource;
  /** The weights file (keras-h5, imagenet) or tfjs folder (tfjs); unused by the other sources. */
  path?: string;
  /** Input side in pixels. */
  size: number;
  /** Layers whose global-average-pooled outputs form the image features. */
  featureLayers: string[];
  /** One backbone for both images (true) or one each. */
  shared: boolean;
  /** Arithmetic of the frozen backbone on the onnx engine (absent: fp32, as in configs before int8). */
  precision?: Precision;
}

/** The layers on top of the features: the task heads and how their inputs are prepared. */
export interface HeadConfig {
  /** Units of a shared hidden layer before the task heads (0: linear softmax heads). */
  hidden: number;
  /** Features preset: standardise each feature with the training split's mean and SD. */
  standardize: boolean;
  /** L2 penalty on the head kernels. */
  l2: number;
  /**
   * Transform of the pooled image features before standardisation (features preset): "sqrt" takes the
   * square root of each (non-negative, ReLU) pool, which evens out their heavy right tails; "none".
   */
  transform: FeatureTransform;
  /**
   * Features preset: copies of the heads trained independently (each with its own seed) and merged
   * into one network that averages their logits (ensemble.ts); absent or 1: one network (configs
   * written before 2026-11-30 have none).
   */
  members?: number;
}

/** Transform of the pooled image features before standardisation ({@linkcode HeadConfig.transform}). */
export type FeatureTransform = "none" | "sqrt";
/** Every feature transform. */
export const FEATURE_TRANSFORMS: readonly FeatureTransform[] = ["none", "sqrt"];

/** How training batches are drawn ({@linkcode TrainingConfig.sampling}). */
export type Sampling = "label-balanced" | "shuffled";
/** Every sampling. */
export const SAMPLINGS: readonly Sampling[] = ["label-balanced", "shuffled"];

/** "features": heads trained on cached frozen-backbone features; "paper": the study's end-to-end fine-tuning. */
export type Preset = "features" | "paper";

/** SGD with momentum, as Keras' SGD. */
export interface OptimizerConfig {
  /** Initial learning rate (> 0). */
  learningRate: number;
  /** Momentum (0: plain SGD). */
  momentum: number;
  /** Keras SGD `decay`: lr_t = lr / (1 + decay * t) (a learning-rate decay, not a weight decay). */
  lrDecay: number;
  /** L2 weight decay added to the loss on every trainable kernel. */
  weightDecay: number;
}

/** One stage of the paper preset's schedule. */
export interface ScheduleStage {
  /** Label for the history (e.g. "frozen", "unfreeze mixed10", "no augmentation"). */
  name: string;
  /** Epochs in this stage. */
  epochs: number;
  /** Backbone blocks trainable in this stage (cumulative list), for the paper preset. */
  trainableBlocks: string[];
  /** Whether training images are augmented in this stage. */
  augment: boolean;
}

/** How a run trains: preset, batches, epochs or schedule, optimizer, augmentation, selection. */
export interface TrainingConfig {
  /** The preset the run was made from. */
  preset: Preset;
  /**
   * Mini-batches: "label-balanced" (k cases for each label of every head, the study's sampling after
   * Kawahara et al.) or "shuffled" (every training case once per epoch, in batches of `batchSize`).
   */
  sampling: Sampling;
  /** Cases per label per batch (label-balanced sampling; batch = k x number of labels). */
  k: number;
  /** Cases per batch (shuffled sampling). */
  batchSize: number;
  /** Epochs (features preset) — the paper preset uses `schedule`. */
  epochs: number;
  /** Stages of the paper preset (empty for the features preset). */
  schedule: ScheduleStage[];
  /** The optimizer's settings. */
  optimizer: OptimizerConfig;
  /** The random augmentation of training images (and of the features preset's cached views). */
  augmentation: AugmentationSpec;
  /** Augmented views per training image (features preset; view 0 is the unaugmented image). */
  views: number;
  /** Model selection on the validation split: lowest loss (default) or highest mean AUROC. */
  selection: "loss" | "auroc";
  /** Class-weighted cross-entropy (weights n / (K n_c) from the training split). */
  classWeights: boolean;
  /**
   * Weight of each head's cross-entropy in the summed loss (and in the validation loss that picks the
   * epoch); a head not named weighs 1, and a config without the field weighs every head 1, the study's
   * plain sum over tasks. Multiplies the class weights.
   */
  headWeights?: Partial<Record<HeadName, number>>;
  /**
   * After training, add each head's log training-class frequencies to its output bias, so that a model
   * trained class-balanced predicts with the training split's class priors (a Bayes prior correction:
   * p(c | x) proportional to p_balanced(c | x) p(c)). It changes the decision rule (accuracy), barely the
   * ranking (AUROC).
   */
  priorCorrection: boolean;
  /**
   * Test-time augmentation (features preset): predictions average the probabilities of the image and its
   * first `ttaViews` cached augmented views (0: the image alone).
   */
  ttaViews: number;
  /** Stop a stage after this many steps (0 = no limit): for smoke runs and timing on CPUs. */
  maxStepsPerEpoch: number;
}

/** The model: what it predicts, from which inputs, with which backbone and heads. */
export interface ModelConfig {
  /** What the model predicts. */
  kind: ModelKind;
  /** The inputs it sees. */
  inputs: InputSet;
  /** The image backbone. */
  backbone: BackboneConfig;
  /** The heads on top of the features. */
  head: HeadConfig;
}

/** A training run's config.json: enough to rebuild the model and redo the run. */
export interface RunConfig {
  /** Format version of config.json (1). */
  version: 1;
  /** The model. */
  model: ModelConfig;
  /** The training. */
  training: TrainingConfig;
  /** Integer seed of every random draw of the run (initialisation, batches, augmentation). */
  seed: number;
  /** The tfjs backend asked for ("auto", "wasm", "webgpu", "cpu" or "tensorflow"). */
  backend: string;
  /** Data folder and fingerprint, official split or cross-validation fold. */
  data: {
    dir: string;
    fingerprint: string;
    synthetic: boolean;
    fold: number | null;
    k: number | null;
    foldSeed: number | null;
  };
}

/** The study's schedule: 50 frozen epochs, then one block at a time from mixed10 down to mixed2 (25 epochs each), then 25 without augmentation. */
export function paperSchedule(): ScheduleStage[] {
  const stages: ScheduleStage[] = [{ name: "frozen backbone", epochs: 50, trainableBlocks: [], augment: true }];
  const blocks: string[] = [];
  for (let b = 10; b >= 2; b--) {
    blocks.push(`mixed${b}`);
    stages.push({ name: `unfreeze mixed${b}`, epochs: 25, trainableBlocks: [...blocks], augment: true });
  }
  stages.push({ name: "no augmentation", epochs: 25, trainableBlocks: [...blocks], augment: false });
  return stages;
}

/**
 * The loss weights of a run's heads in words, or null when every head weighs 1 (the study's plain sum).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headWeightsDescription } from "./config.ts";
 * assert.equal(headWeightsDescription({ headWeights: { management: 3 } }), "management weighted 3 (the others 1)");
 * assert.equal(headWeightsDescription({ headWeights: { management: 1 } }), null);
 * assert.equal(headWeightsDescription({}), null);
 * ```
 */
export function headWeightsDescription(training: Pick<TrainingConfig, "headWeights">): string | null {
  const weighted = Object.entries(training.headWeights ?? {}).filter(([, w]) => w !== 1);
  return weighted.length ? `${weighted.map(([h, w]) => `${h} weighted ${w}`).join(", ")} (the others 1)` : null;
}

/**
 * The features preset's defaults, chosen on the real release's validation split (README "Choosing the
 * preset", notebook 02; `deno task cli tune` reruns the comparison): frozen pooled mixed5 + mixed7 +
 * mixed10, square-rooted and standardised; linear softmax heads (multinomial logistic regression) with an
 * L2 penalty of 0.03 for the single-task models, and for the multi-task model one shared hidden layer of
 * 256 ReLU units under its nine heads with an L2 penalty of 0.1 (`headByKind`), whose management head's
 * cross-entropy weighs 3 in the sum over heads (`multiTaskHeadWeights`; 6 seeds on the validation split,
 * paired against the study's equal weights: management AUROC +0.008 ± 0.004, 6 of 6 seeds, accuracy +0.014;
 * diagnosis head AUROC +0.003, accuracy -0.009); trained with plain
 * (class-unweighted) cross-entropy by SGD on batches of the image and its 9 augmented views, shuffled, except
 * for the diagnosis model's label-balanced batches (`samplingByKind`; 6 seeds on the validation split:
 * AUROC +0.011 ± 0.009 paired, 5 of 6 seeds, accuracy +0.017); model
 * selection on the validation loss; predictions averaged over the image and its 9 views (test-time
 * augmentation); every model an ensemble of 3 copies of its heads trained with their own seeds and merged
 * (`members`, ensemble.ts; 6 seeds on the validation split, paired AUROC against one network: +0.006
 * management, +0.002 diagnosis, +0.002 multi-task; against 2 copies: +0.0015 management and +0.0006
 * multi-task, 4 of 6 seeds up each, -0.0003 diagnosis; 3 copies fit the time budget since the heads'
 * products run on OpenBLAS). The backbone runs in int8 (`precision`; quantize.ts), 1.8 times faster end to end than
 * float32; on the validation split (6 seeds, paired) it changed the AUROC by +0.000 (management), -0.004
 * (multi-task) and -0.004 (diagnosis).
 */
export const FEATURES_PRESET: Readonly<{
  featureLayers: readonly string[];
  precision: Precision;
  transform: FeatureTransform;
  headByKind: Readonly<Record<ModelKind, Readonly<{ hidden: number; l2: number }>>>;
  samplingByKind: Readonly<Record<ModelKind, Sampling>>;
  multiTaskHeadWeights: Readonly<Partial<Record<HeadName, number>>>;
  batchSize: number;
  epochs: number;
  learningRate: number;
  lrDecay: number;
  views: number;
  ttaViews: number;
  classWeights: boolean;
  priorCorrection: boolean;
  members: number;
}> = Object.freeze({
  featureLayers: Object.freeze(["mixed5", "mixed7", "mixed10"]),
  precision: "int8" as Precision,
  transform: "sqrt" as FeatureTransform,
  headByKind: Object.freeze({
    diag: Object.freeze({ hidden: 0, l2: 0.03 }),
    mgmt: Object.freeze({ hidden: 0, l2: 0.03 }),
    multi: Object.freeze({ hidden: 256, l2: 0.1 }),
  }),
  samplingByKind: Object.freeze({
    diag: "label-balanced" as Sampling,
    mgmt: "shuffled" as Sampling,
    multi: "shuffled" as Sampling,
  }),
  multiTaskHeadWeights: Object.freeze({ management: 3 }),
  batchSize: 32,
  epochs: 60,
  learningRate: 0.001,
  lrDecay: 1e-3,
  views: 9,
  ttaViews: 9,
  classWeights: false,
  priorCorrection: false,
  members: 3,
});

/** Defaults for a run; `overrides` may set the model kind, inputs, preset and any nested field. */
export function defaultRunConfig(
  o: { kind: ModelKind; inputs: InputSet; preset: Preset; backbone?: Partial<BackboneConfig>; seed?: number },
): RunConfig {
  const paper = o.preset === "paper";
  return {
    version: 1,
    model: {
      kind: o.kind,
      inputs: o.inputs,
      backbone: {
        source: "nsfwjs",
        size: 299,
        featureLayers: paper ? ["mixed10"] : [...FEATURES_PRESET.featureLayers],
        shared: true,
        // the paper preset fine-tunes in tfjs (float32): no precision, as in configs before int8
        ...(paper ? {} : { precision: FEATURES_PRESET.precision }),
        ...o.backbone,
      },
      head: paper ? { hidden: 0, l2: 0, standardize: false, transform: "none" } : {
        ...FEATURES_PRESET.headByKind[o.kind],
        standardize: true,
        transform: FEATURES_PRESET.transform,
        ...(FEATURES_PRESET.members > 1 ? { members: FEATURES_PRESET.members } : {}),
      },
    },
    training: {
      preset: o.preset,
      sampling: paper ? "label-balanced" : FEATURES_PRESET.samplingByKind[o.kind],
      // about 32 (features) or 16 (paper) cases per batch: k per label of every head
      k: Math.max(1, Math.round((paper ? 16 : 32) / headsOf(o.kind).reduce((s, h) => s + classesOf(h), 0))),
      batchSize: FEATURES_PRESET.batchSize,
      epochs: paper ? 0 : FEATURES_PRESET.epochs,
      schedule: paper ? paperSchedule() : [],
      optimizer: paper ? { learningRate: 1e-3, momentum: 0.9, lrDecay: 1e-6, weightDecay: 0 } : {
        learningRate: FEATURES_PRESET.learningRate,
        momentum: 0.9,
        lrDecay: FEATURES_PRESET.lrDecay,
        weightDecay: 0,
      },
      augmentation: { ...DEFAULT_AUGMENTATION },
      views: paper ? 0 : FEATURES_PRESET.views,
      selection: "loss",
      classWeights: paper ? true : FEATURES_PRESET.classWeights,
      priorCorrection: !paper && FEATURES_PRESET.priorCorrection,
      ttaViews: paper ? 0 : FEATURES_PRESET.ttaViews,
      // the paper preset sums the heads' losses with equal weights, as the study
      ...(!paper && o.kind === "multi" ? { headWeights: { ...FEATURES_PRESET.multiTaskHeadWeights } } : {}),
      maxStepsPerEpoch: 0,
    },
    seed: o.seed ?? 0,
    backend: "auto",
    data: { dir: "", fingerprint: "", synthetic: false, fold: null, k: null, foldSeed: null },
  };
}

/**
 * Checks a config read from disk or built by hand: every field the trainer reads has the right type
 * (a number written as a string in config.json is an error here, not a tfjs error later) and range.
 * @throws {RangeError} naming the field and what was expected.
 */
export function validateRunConfig(c: RunConfig): RunConfig {
  const bad = (field: string, expected: string, found: unknown) => {
    throw new RangeError(`Cannot use run config: expected ${field} to be ${expected}, found ${JSON.stringify(found)}`);
  };
  const get = (path: string): unknown =>
    path.split(".").reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      c,
    );
  const integer = (path: string, min: number) => {
    const v = get(path);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      bad(path, min === -Infinity ? "an integer" : `an integer >= ${min}`, v);
    }
  };
  const number = (path: string, min: number, strict: boolean) => {
    const v = get(path);
    if (typeof v !== "number" || !Number.isFinite(v) || (strict ? v <= min : v < min)) {
      bad(path, `a number ${strict ? ">" : ">="} ${min}`, v);
    }
  };
  const boolean = (path: string) => {
    if (typeof get(path) !== "boolean") bad(path, "true or false", get(path));
  };
  if (!c || typeof c !== "object") bad("the config", "an object", c);
  if (!MODEL_KINDS.includes(c.model?.kind)) bad("model.kind", MODEL_KINDS.join("|"), c.model?.kind);
  if (!INPUT_SETS.includes(c.model.inputs)) bad("model.inputs", INPUT_SETS.join("|"), c.model.inputs);
  if (!BACKBONE_SOURCES.includes(c.model.backbone?.source)) {
    bad("model.backbone.source", BACKBONE_SOURCES.join("|"), c.model.backbone?.source);
  }
  if ((c.model.backbone.source === "keras-h5" || c.model.backbone.source === "tfjs") && !c.model.backbone.path) {
    bad("model.backbone.path", "a file or folder", c.model.backbone.path);
  }
  integer("model.backbone.size", 32);
  if (c.model.backbone.precision !== undefined && !PRECISIONS.includes(c.model.backbone.precision)) {
    bad("model.backbone.precision", PRECISIONS.join("|"), c.model.backbone.precision);
  }
  const layers = c.model.backbone.featureLayers;
  if (!Array.isArray(layers) || !layers.length || !layers.every((l) => typeof l === "string" && l)) {
    bad("model.backbone.featureLayers", "a non-empty list of layer names", layers);
  }
  integer("model.head.hidden", 0);
  number("model.head.l2", 0, false);
  boolean("model.head.standardize");
  if (!["features", "paper"].includes(c.training?.preset)) bad("training.preset", "features|paper", c.training?.preset);
  integer("training.k", 1);
  integer("training.epochs", 0);
  integer("training.views", 0);
  integer("training.maxStepsPerEpoch", 0);
  number("training.optimizer.learningRate", 0, true);
  number("training.optimizer.momentum", 0, false);
  number("training.optimizer.lrDecay", 0, false);
  number("training.optimizer.weightDecay", 0, false);
  boolean("training.classWeights");
  if (!["loss", "auroc"].includes(c.training.selection)) bad("training.selection", "loss|auroc", c.training.selection);
  if (!Array.isArray(c.training.schedule)) bad("training.schedule", "a list of stages", c.training.schedule);
  c.training.schedule.forEach((_, i) => integer(`training.schedule.${i}.epochs`, 0));
  integer("seed", -Infinity);
  if (c.data && c.data.fold !== null) {
    integer("data.fold", 0);
    integer("data.k", 2);
    integer("data.foldSeed", -Infinity);
    if ((c.data.fold as number) >= (c.data.k as number)) {
      bad("data.fold", `an integer < data.k (${c.data.k})`, c.data.fold);
    }
  }
  if (!FEATURE_TRANSFORMS.includes(c.model.head.transform)) {
    bad("model.head.transform", FEATURE_TRANSFORMS.join("|"), c.model.head.transform);
  }
  if (!SAMPLINGS.includes(c.training.sampling)) bad("training.sampling", SAMPLINGS.join("|"), c.training.sampling);
  integer("training.batchSize", 1);
  integer("training.ttaViews", 0);
  boolean("training.priorCorrection");
  const headWeights = c.training.headWeights;
  if (headWeights !== undefined) {
    if (headWeights === null || typeof headWeights !== "object" || Array.isArray(headWeights)) {
      bad("training.headWeights", "an object of head names and weights", headWeights);
    }
    const heads = headsOf(c.model.kind);
    for (const [h, w] of Object.entries(headWeights)) {
      if (!heads.includes(h as HeadName)) bad("training.headWeights", `keys among ${heads.join(", ")}`, h);
      if (typeof w !== "number" || !Number.isFinite(w) || w <= 0) {
        bad(`training.headWeights.${h}`, "a number > 0", typeof w === "number" && !Number.isFinite(w) ? String(w) : w);
      }
    }
  }
  // after training.preset's check: an ensemble needs the features preset
  const members = c.model.head.members;
  if (members !== undefined) {
    if (!Number.isInteger(members) || members < 1) bad("model.head.members", "an integer >= 1", members);
    if (members > 1 && c.training.preset !== "features") {
      bad("model.head.members", "1 with the paper preset (ensembles train heads on cached features)", members);
    }
  }
  return c;
}

/**
 * A config written before the preset options existed, read with the behaviour it was trained with:
 * no feature transform, label-balanced batches, no prior correction, no test-time augmentation.
 */
export function withLegacyDefaults(c: RunConfig): RunConfig {
  if (!c?.model?.head || !c.training) return c;
  return {
    ...c,
    model: { ...c.model, head: { ...c.model.head, transform: c.model.head.transform ?? "none" } },
    training: {
      ...c.training,
      sampling: c.training.sampling ?? "label-balanced",
      batchSize: c.training.batchSize ?? 32,
      priorCorrection: c.training.priorCorrection ?? false,
      ttaViews: c.training.ttaViews ?? 0,
    },
  };
}

/** Number of metadata features in the one-hot vector. */
export const METADATA_SIZE = 14;

export type { AugmentationSpec };
