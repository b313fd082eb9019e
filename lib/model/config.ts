/**
 * The typed, serialisable configuration of a model and of a training run (saved as config.json in
 * every run folder; enough to rebuild the model and redo the run).
 *
 * @example
 * ```ts
 * import { defaultRunConfig, headsOf } from "./config.ts";
 * const cfg = defaultRunConfig({ kind: "multi", inputs: "CDM", preset: "features" });
 * headsOf(cfg.model.kind).length; // 9
 * ```
 */
import { HeadName, HEADS, MULTI_TASK_HEADS } from "../data/vocabulary.ts";
import { AugmentationSpec, DEFAULT_AUGMENTATION } from "../data/augment.ts";

export type ModelKind = "diag" | "mgmt" | "multi";
export const MODEL_KINDS: readonly ModelKind[] = ["diag", "mgmt", "multi"];
export type InputSet = "C" | "D" | "M" | "CD" | "CM" | "DM" | "CDM";
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

export type BackboneSource = "nsfwjs" | "imagenet" | "keras-h5" | "tfjs" | "random" | "tiny";

export interface BackboneConfig {
  /**
   * "nsfwjs": the offline default (not the study's backbone); "imagenet": Keras' ImageNet weights
   * (downloaded once, or `path`); "keras-h5"/"tfjs": a local file/folder at `path`; "random": random
   * initialisation; "tiny": a 3-block miniature for tests.
   */
  source: BackboneSource;
  path?: string;
  /** Input side in pixels. */
  size: number;
  /** Layers whose global-average-pooled outputs form the image features. */
  featureLayers: string[];
  /** One backbone for both images (true) or one each. */
  shared: boolean;
}

export interface HeadConfig {
  /** Units of a shared hidden layer before the task heads (0: linear softmax heads). */
  hidden: number;
  /** Features preset: standardise each feature with the training split's mean and SD. */
  standardize: boolean;
  /** L2 penalty on the head kernels. */
  l2: number;
}

export type Preset = "features" | "paper";

export interface OptimizerConfig {
  learningRate: number;
  momentum: number;
  /** Keras SGD `decay`: lr_t = lr / (1 + decay * t) (a learning-rate decay, not a weight decay). */
  lrDecay: number;
  /** L2 weight decay added to the loss on every trainable kernel. */
  weightDecay: number;
}

export interface ScheduleStage {
  /** Label for the history (e.g. "frozen", "unfreeze mixed10", "no augmentation"). */
  name: string;
  epochs: number;
  /** Backbone blocks trainable in this stage (cumulative list), for the paper preset. */
  trainableBlocks: string[];
  augment: boolean;
}

export interface TrainingConfig {
  preset: Preset;
  /** Cases per label per batch (label-balanced sampling; batch = k x number of labels). */
  k: number;
  /** Epochs (features preset) — the paper preset uses `schedule`. */
  epochs: number;
  schedule: ScheduleStage[];
  optimizer: OptimizerConfig;
  augmentation: AugmentationSpec;
  /** Augmented views per training image (features preset; view 0 is the unaugmented image). */
  views: number;
  /** Model selection on the validation split: lowest loss (default) or highest mean AUROC. */
  selection: "loss" | "auroc";
  /** Class-weighted cross-entropy (weights n / (K n_c) from the training split). */
  classWeights: boolean;
  /** Stop a stage after this many steps (0 = no limit): for smoke runs and timing on CPUs. */
  maxStepsPerEpoch: number;
}

export interface ModelConfig {
  kind: ModelKind;
  inputs: InputSet;
  backbone: BackboneConfig;
  head: HeadConfig;
}

export interface RunConfig {
  version: 1;
  model: ModelConfig;
  training: TrainingConfig;
  seed: number;
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
        featureLayers: paper ? ["mixed10"] : ["mixed5"],
        shared: true,
        ...o.backbone,
      },
      // features preset: standardised features, a small shared hidden layer and a strong L2 penalty
      // (chosen on the synthetic release: AUROC ~0.73-0.78 where unstandardised wide heads overfit)
      head: { hidden: paper ? 0 : 64, l2: paper ? 0 : 0.03, standardize: !paper },
    },
    training: {
      preset: o.preset,
      // about 32 (features) or 16 (paper) cases per batch: k per label of every head
      k: Math.max(1, Math.round((paper ? 16 : 32) / headsOf(o.kind).reduce((s, h) => s + classesOf(h), 0))),
      epochs: paper ? 0 : 40,
      schedule: paper ? paperSchedule() : [],
      optimizer: paper
        ? { learningRate: 1e-3, momentum: 0.9, lrDecay: 1e-6, weightDecay: 0 }
        : { learningRate: 0.01, momentum: 0.9, lrDecay: 1e-4, weightDecay: 0 },
      augmentation: { ...DEFAULT_AUGMENTATION },
      views: paper ? 0 : 4,
      selection: "loss",
      classWeights: true,
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
  if (!["nsfwjs", "imagenet", "keras-h5", "tfjs", "random", "tiny"].includes(c.model.backbone?.source)) {
    bad("model.backbone.source", "nsfwjs|imagenet|keras-h5|tfjs|random|tiny", c.model.backbone?.source);
  }
  if ((c.model.backbone.source === "keras-h5" || c.model.backbone.source === "tfjs") && !c.model.backbone.path) {
    bad("model.backbone.path", "a file or folder", c.model.backbone.path);
  }
  integer("model.backbone.size", 32);
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
  return c;
}

/** Number of metadata features in the one-hot vector. */
export const METADATA_SIZE = 14;

export type { AugmentationSpec };
