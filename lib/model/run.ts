/**
 * One training run, from a release folder to a run folder:
 *
 * ```
 * <out>/config.json        the RunConfig (enough to rebuild the model and redo the run)
 * <out>/weights/           tfjs weights (heads only for the features preset; the whole network for paper)
 * <out>/history.csv|json   per-epoch losses, validation AUROC, best epoch (an ensemble: every member's epochs)
 * <out>/predictions.csv|parquet   every case's probabilities for every head (see predictions.ts)
 * <out>/run.json           provenance: git commit, backend, backbone and its weights, timings, data fingerprint
 * <out>/checkpoint/        resume state while training (an ensemble: member-<m>/; removed when the run completes)
 * ```
 *
 * A completed run with the same config is not redone (its folder is returned as is), so notebooks
 * and the main job can call `trainRun` freely. An interrupted run resumes from its checkpoint.
 *
 * @example Needs a release folder (not run here; the tests train tiny runs on synthetic releases)
 * ```ts ignore
 * import { trainRun } from "./run.ts";
 * import { defaultRunConfig } from "./config.ts";
 * const cfg = defaultRunConfig({ kind: "mgmt", inputs: "CDM", preset: "features" });
 * const run = await trainRun({ config: { ...cfg, data: { ...cfg.data, dir: "/data/release_v0" } }, outDir: "outputs/runs/mgmt", cacheDir: ".cache" });
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { crossValidationFolds } from "../data/folds.ts";
import { Case, ImagePathResolver, loadRelease, Release, releaseFingerprint } from "../data/release.ts";
import { HeadName, HEADS } from "../data/vocabulary.ts";
import { sha256Hex } from "../util/hash.ts";
import { exists, readJsonFile, writeJsonAtomic, writeTextAtomic } from "../util/fs.ts";
import { acquireLock } from "../util/lock.ts";
import { claimOutputFolder } from "../util/output_folder.ts";
import { InterruptedError } from "../util/interrupt.ts";
import { toCsv } from "../util/csv.ts";
import { gitCommit, Provenance, provenance } from "../util/provenance.ts";
import { rocAucOvrOrNaN } from "../stats/roc.ts";
import { accuracy, argmax } from "../stats/confusion.ts";
import { BackendName, startBackend } from "./backend.ts";
import { headsOf, isRandomBackbone, ModelKind, RunConfig, validateRunConfig, withLegacyDefaults } from "./config.ts";
import { extractFeatures, ExtractionStats } from "./features.ts";
import type { EngineChoice } from "./engine.ts";
import { casePaths, FeatureFeed, ImageFeed } from "./feeds.ts";
import { BackboneInfo, buildFullModel, buildHeads, preprocessingOf, weightsFingerprint } from "./network.ts";
import { layerBlocks } from "./inception_v3.ts";
import { Feed, HistoryRow, predictHeads, Stage, trainModel, TrainResult } from "./train.ts";
import { memberSeed, mergeMembers } from "./ensemble.ts";
import { applyPriorCorrection } from "./prior_correction.ts";
import { saveWeights } from "./serialize.ts";
import { ManagementPriors, priorsFromLabels } from "../data/management.ts";
import { PredictionRow, writePredictions } from "./predictions.ts";
import { describeRunFiles, predictionsShape, readRunHistory, RunIntegrity, verifyRunFiles } from "./run_files.ts";

/** Options of {@linkcode trainRun}. */
export interface TrainRunOptions {
  /** The run's config (its `data.dir` names the release folder). */
  config: RunConfig;
  /** The run folder to write (new, empty, or an earlier run of the same config). */
  outDir: string;
  /** Project cache folder (backbone weights, exported graphs, cached features). */
  cacheDir: string;
  /** No progress lines or notes. */
  quiet?: boolean;
  /** Worker processes of the tfjs engine's feature extraction (default 2). */
  workers?: number;
  /** Engine of the frozen backbone's forward passes (default "auto": onnx where it loads, else tfjs). */
  engine?: EngineChoice;
  /** Redo a completed run. */
  force?: boolean;
  /** Stop as if interrupted after this many training steps, over all of an ensemble's members (tests of resuming). */
  stopAfterSteps?: number;
  /** Receives each epoch's history row (e.g. for live plots; an ensemble's rows carry their member). */
  onEpoch?: (row: HistoryRow) => void;
}

/** A trained (or reused) run. */
export interface RunResult {
  /** The run folder. */
  dir: string;
  /** The config it was trained with. */
  config: RunConfig;
  /** True when a completed run was found and reused. */
  reused: boolean;
  /** One row per epoch. */
  history: HistoryRow[];
  /** What run.json records about the training. */
  summary: RunSummary;
}

/** The summary of a run saved in run.json: backend, backbone, selection, timings, test metrics. */
export interface RunSummary {
  /** The tfjs backend that trained it. */
  backend: string;
  /** Where the backbone's weights came from. */
  backbone: BackboneInfo;
  /** The selected epoch (1-based, as `history` counts; 0 when none was selected); an ensemble's first member's. */
  bestEpoch: number;
  /** An ensemble's members: the seed and selected epoch of each (absent for one network). */
  members?: { seed: number; bestEpoch: number }[];
  /** Wall time in seconds: feature extraction, training, and the whole run. */
  seconds: { features: number; training: number; total: number };
  /** What the feature extraction did (features preset). */
  features?: ExtractionStats;
  /** Test-split accuracy and macro AUROC of each head. */
  test: Record<string, { accuracy: number; auroc: number; n: number }>;
  /** The epoch (0-based) a checkpoint resumed from, or null for an uninterrupted run. */
  resumedFrom: number | null;
  /** The prior correction applied to the heads (null when the config asks for none). */
  decision?: PriorCorrectionRecord | null;
}

/** A run folder's run.json: provenance, priors, the summary and the checksums of its files. */
export interface RunRecord extends RunIntegrity {
  /** configKey of the run's config. */
  key: string;
  /** When the run completed (ISO 8601, UTC). */
  created: string;
  /** The project's git commit ("-dirty" when the tree had changes), or "unknown". */
  git_commit: string;
  /** The release folder, its fingerprint, and whether it is synthetic. */
  data: { dir: string; fingerprint: string; synthetic: boolean };
  /** Each class's weight in its head's loss: its class weight (1 without class weighting) times its head's weight. */
  classWeights: Record<string, number[]>;
  /** p(MGMT | DIAG) of the training split, for inferring management from a diagnosis head. */
  managementPriors: ManagementPriors;
  /** The run's summary. */
  summary: RunSummary;
  /** How the run's settings and its kept epoch were chosen (absent in run folders of before 2026-11-29). */
  choice?: RunChoice;
}

/** Where a run's settings come from, and the validation scores that chose its kept epoch. */
export interface RunChoice {
  /** The preset the config starts from. */
  preset: string;
  /** Where the preset's settings were chosen and how to rerun that comparison. */
  presetEvidence: string;
  /** The criterion that kept the epoch (on the validation split; the test split is never read for it). */
  selection: "loss" | "auroc";
  /**
   * The kept epoch, 1-based (0: none finished). For an ensemble, its first member's, as are the two
   * validation scores below (each member's kept epoch is in the summary's `members`).
   */
  bestEpoch: number;
  /** Validation loss of the kept epoch (null without a validation split). */
  validLoss: number | null;
  /** Validation macro AUROC of the kept epoch (null without a validation split or where undefined). */
  validAuroc: number | null;
}

/** Where the presets' settings were chosen (README: "Choosing the preset on the validation split"). */
const PRESET_EVIDENCE: Readonly<Record<string, string>> = {
  features: "chosen on the validation split of the real Derm7pt release (2026-11-29 and -30; the views, the int8 " +
    "backbone, the diagnosis model's batches, the 3-member ensembles and the multi-task management head's loss weight " +
    "with 6 seeds): `deno task cli tune --data " +
    "<release_v0> --seeds 6` " +
    "reruns the comparison (tune.md); README, 'Choosing the preset on the validation split'",
  paper: "the study's own schedule and settings (Abhishek et al. 2021, Methods), not tuned here",
};

/** The run's choice record: its preset's evidence and the validation scores of the kept epoch. */
export function runChoice(config: RunConfig, history: readonly HistoryRow[], bestEpoch: number): RunChoice {
  const kept = history.find((row) => row.epoch === bestEpoch && (row.member ?? 1) === 1);
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  return {
    preset: config.training.preset,
    presetEvidence: PRESET_EVIDENCE[config.training.preset] ?? "not recorded",
    selection: config.training.selection,
    bestEpoch,
    validLoss: finite(kept?.validLoss),
    validAuroc: finite(kept?.validAuroc),
  };
}

/**
 * Reads a run folder's run.json (errors name the file).
 * @throws {Error} when it is missing, not JSON, or not a run record written by `trainRun`.
 */
export function readRunRecord(dir: string): RunRecord {
  const file = join(dir, "run.json");
  const r = readJsonFile<RunRecord>(file, "a run's run.json");
  if (typeof r?.key !== "string" || typeof r.summary !== "object" || typeof r.data !== "object") {
    throw new Error(
      `Cannot read ${file}: expected a run record written by "train" (with key, data and summary), found ${
        JSON.stringify(r).slice(0, 60)
      }`,
    );
  }
  return r;
}

/** Reads a run's run.json and verifies every file it lists (see run_files.ts). */
export function readVerifiedRunRecord(dir: string): RunRecord {
  const record = readRunRecord(dir);
  verifyRunFiles(dir, record);
  return record;
}

/** A provenance record for outputs made from a run (its data, backbone and backend; `seed` of the output). */
export function runProvenance(runId: string, record: RunRecord, seed: number): Provenance {
  return provenance({
    run_id: runId,
    data_fingerprint: record.data.fingerprint,
    synthetic_data: record.data.synthetic,
    seed,
    backbone: record.summary.backbone.description,
    backend: record.summary.backend,
  });
}

/**
 * Checks that `release` holds the data a run was trained on (same fingerprint), so that cases are
 * not mislabelled by reports made on other data.
 * @throws {Error} naming both fingerprints.
 */
export function checkRunData(dir: string, release: Release, record: RunRecord = readRunRecord(dir)): void {
  const found = releaseFingerprint(release);
  if (found !== record.data.fingerprint) {
    throw new Error(
      `Cannot use ${dir} on ${release.dir}: it was trained on data with fingerprint ${
        record.data.fingerprint.slice(0, 12)
      }, but ${release.dir} has ${found.slice(0, 12)}; pass the release it was trained on (--data)`,
    );
  }
}

/** The key of a config: runs with the same key are the same run. */
export function configKey(c: RunConfig): string {
  return sha256Hex(JSON.stringify(c)).slice(0, 16);
}

/**
 * Official split or cross-validation fold of the config, as case-index lists.
 * @throws {Error} when a split of the official partition is empty, or the fold does not exist.
 */
export function splitOf(release: Release, c: RunConfig): { train: number[]; valid: number[]; test: number[] } {
  if (c.data.fold === null) {
    for (const s of ["train", "valid", "test"] as const) {
      if (!release.splits[s].length) {
        throw new Error(
          `Cannot train on ${release.dir}: expected cases in the ${s} split (${
            s === "valid" ? "model selection" : s === "test" ? "the test metrics" : "training"
          } needs them), found none in ${join(release.dir, "meta", `${s}_indexes.csv`)}`,
        );
      }
    }
    return { train: release.splits.train, valid: release.splits.valid, test: release.splits.test };
  }
  const folds = crossValidationFolds(release, { k: c.data.k ?? 3, seed: c.data.foldSeed ?? 0 });
  const f = folds[c.data.fold];
  if (!f) throw new RangeError(`Cannot train fold ${c.data.fold}: expected a fold in 0..${folds.length - 1}`);
  return { train: f.train, valid: f.valid, test: f.test };
}

/**
 * Trains (or reuses) one run and writes its folder. It writes only into a new or empty folder or
 * its own run (a folder with its run.json or checkpoint), holding the folder's lock file meanwhile.
 * @throws {Error} for another folder, a completed run with another configuration or damaged files
 * (without `force`), or a folder another process is training into; {InterruptedError} on SIGINT.
 */
export async function trainRun(opts: TrainRunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const { config, release, key } = resolveRun(opts.config);
  const out = opts.outDir;
  claimOutputFolder(out, RUN_FOLDER_CLAIM);
  const unlock = acquireLock(out, "train into", { quiet: opts.quiet });
  try {
    const prev = completedRun(out, key, opts.force);
    if (prev) return { dir: out, config, reused: true, history: readRunHistory(out), summary: prev.summary };
    return await trainInto(out, { config, release, key }, opts, t0);
  } finally {
    unlock();
  }
}

/**
 * Computes and caches the frozen backbone's features of every image (and view) a features-preset run
 * reads, without training it, and returns the extraction's statistics; null for a run that reads no
 * image or fine-tunes (the paper preset). The run pool calls it in the calling thread, where the
 * extraction uses every core, and then trains the run in a worker, which reads the cache.
 * Ctrl-C ends the process (the extraction has no SIGINT listener; the views written stay cached).
 * @throws what the extraction throws (e.g. one line naming an image that cannot be read or decoded).
 */
export async function fillFeatureCache(
  opts: Pick<TrainRunOptions, "config" | "cacheDir" | "quiet" | "workers" | "engine">,
): Promise<ExtractionStats | null> {
  const { config, release } = resolveRun(opts.config);
  const data = runData(release, config);
  if (config.training.preset !== "features" || !data.needImages) return null;
  return (await runFeatures(release, config, data, opts)).stats;
}

/**
 * An epoch's checkpoint is skipped when the last one is younger than this (seconds): a multi-task run of the
 * features preset trains 180 epochs of about 0.3 s, and writing each one's checkpoint took a third of its
 * training time (2026-11-30). The last epoch's and Ctrl-C's are always written (checkpoint.ts).
 */
const EPOCH_CHECKPOINT_SECONDS = 30;

/** A run folder: new, empty, or holding a run (completed, or its checkpoint). */
const RUN_FOLDER_CLAIM = {
  owners: ["run.json", join("checkpoint", "checkpoint.json"), join("checkpoint", "member-1", "checkpoint.json")],
  action: "train into",
};

/**
 * Whether {@linkcode trainRun} would reuse the completed run in `opts.outDir` ("reuse") or train
 * ("train"), without training; throws what trainRun would throw for a folder it cannot train into
 * (a folder of other files, a completed run of another config without `force`, damaged files of a
 * completed run).
 */
export function runPlan(opts: Pick<TrainRunOptions, "config" | "outDir" | "force">): "reuse" | "train" {
  const { key } = resolveRun(opts.config);
  claimOutputFolder(opts.outDir, RUN_FOLDER_CLAIM);
  return completedRun(opts.outDir, key, opts.force) ? "reuse" : "train";
}

/** A run's validated config, stamped with its release's fingerprint, the release, and the config's key. */
interface ResolvedRun {
  config: RunConfig;
  release: Release;
  key: string;
}

/** Step 1, resolve the config: validate a copy, load its release, record the data's fingerprint. */
function resolveRun(given: RunConfig): ResolvedRun {
  const config = validateRunConfig(structuredClone(given));
  const release = loadRelease(config.data.dir, { quiet: true });
  config.data.fingerprint = releaseFingerprint(release);
  config.data.synthetic = release.synthetic;
  return { config, release, key: configKey(config) };
}

/** The completed run in `out` to reuse (same key, every file intact), or null to train. */
function completedRun(out: string, key: string, force?: boolean): RunRecord | null {
  if (!exists(join(out, "run.json"))) return null;
  const prev = readRunRecord(out);
  if (force) return null;
  if (prev.key !== key) {
    throw new Error(
      `Cannot train into ${out}: it holds a completed run with a different configuration (key ${prev.key}, this one ${key}); choose another --out or pass --force`,
    );
  }
  verifyRunFiles(out, prev);
  return prev;
}

/** The steps of a run, top to bottom: backend, data, model, fit, prior correction, predictions, files. */
async function trainInto(out: string, run: ResolvedRun, opts: TrainRunOptions, t0: number): Promise<RunResult> {
  const { config, release } = run;
  const backend = await startBackend(config.backend as BackendName, { quiet: opts.quiet });
  const data = runData(release, config);
  const built = config.training.preset === "features"
    ? await buildFeaturesRun(release, config, data, opts)
    : await buildPaperRun(release, config, data, opts.cacheDir);
  const tTrain = performance.now();
  const fit = await fitRun(out, run, data, built, opts);
  const trainingSeconds = (performance.now() - tTrain) / 1000;
  const decision = config.training.priorCorrection ? await correctRunPriors(config, data, built) : null;
  const predictions = await predictSplits(release, config, data, built);
  const summary: RunSummary = {
    backend: `${backend.name} — ${backend.detail}`,
    backbone: built.info,
    bestEpoch: fit.bestEpoch,
    ...(fit.members ? { members: fit.members } : {}),
    seconds: { features: built.featureSeconds, training: trainingSeconds, total: (performance.now() - t0) / 1000 },
    ...(built.featureStats ? { features: built.featureStats } : {}),
    test: testMetrics(predictions, data.heads),
    resumedFrom: fit.resumedFrom,
    decision,
  };
  await writeRunFolder(out, { run, data, built, fit, rows: predictions.rows, summary });
  return { dir: out, config, reused: false, history: fit.history, summary };
}

/** The cases a run sees: its heads, its split, each case's image paths and every head's labels. */
interface RunData {
  heads: HeadName[];
  split: { train: number[]; valid: number[]; test: number[] };
  /** Whether the inputs include an image (C or D). */
  needImages: boolean;
  /** Image files of each case of the release ("" without images). */
  paths: { clinic: string; derm: string }[];
  /** Every head's label of each case of the release. */
  labels: Record<string, number[]>;
  /** Views averaged at prediction: the image and the test-time views (features preset), else 1. */
  predictionViews: number;
}

/**
 * Step 2, the data: the config's split (official or fold), image paths when the inputs need images,
 * every head's labels.
 * @throws {Error} when the inputs need images and the release has no images/ folder.
 */
function runData(release: Release, config: RunConfig): RunData {
  const heads = headsOf(config.model.kind);
  const split = splitOf(release, config);
  const needImages = config.model.inputs.includes("C") || config.model.inputs.includes("D");
  if (needImages && !release.imagesDir) {
    throw new Error(`Cannot train with inputs ${config.model.inputs}: expected ${release.dir}/images, found none`);
  }
  const resolver = needImages ? new ImagePathResolver(release.imagesDir!) : null;
  const paths = release.cases.map((c) => (resolver ? casePaths(c, resolver) : { clinic: "", derm: "" }));
  const labels = Object.fromEntries(heads.map((h) => [h, release.cases.map((c) => c.labels[h])]));
  const predictionViews = config.training.preset === "features" ? 1 + config.training.ttaViews : 1;
  return { heads, split, needImages, paths, labels, predictionViews };
}

/** A model ready to fit: the network, its feed and training stages, its backbone, and the features step. */
interface BuiltRun {
  model: tf.LayersModel;
  feed: Feed;
  stages: Stage[];
  info: BackboneInfo;
  featureStats?: ExtractionStats;
  featureSeconds: number;
  /** The feature standardisation of the features preset (null without one). */
  featureNorm: { mean: Float32Array; sd: Float32Array } | null;
}

/**
 * Step 3 of the features preset, features and model: the frozen backbone's pooled features of every
 * image (training images with their augmented views, the others with the views averaged at
 * prediction), cached on disk; a feed over them (standardised on the training split); the heads.
 */
async function buildFeaturesRun(
  release: Release,
  config: RunConfig,
  data: RunData,
  opts: TrainRunOptions,
): Promise<BuiltRun> {
  const extracted = data.needImages ? await runFeatures(release, config, data, opts) : null;
  const ff = new FeatureFeed(
    release.cases,
    extracted?.features ?? new Map<string, Float32Array[]>(),
    data.paths,
    config.model.inputs,
    config.model.head.transform,
  );
  const featureNorm = config.model.head.standardize ? ff.standardize(data.split.train) : null;
  const model = buildHeads(ff.size, config.model.kind, config.model.head, config.seed);
  const info = data.needImages ? await describeBackbone(config, opts.cacheDir) : {
    description: "metadata only: no backbone",
    id: "none",
    fingerprint: "none",
    preprocessing: "x/255" as const,
    random: false,
  };
  return {
    model,
    feed: ff,
    stages: [{ name: "heads on cached features", epochs: config.training.epochs, augment: config.training.views > 0 }],
    info,
    featureStats: extracted?.stats,
    featureSeconds: extracted?.seconds ?? 0,
    featureNorm,
  };
}

/** The features of every image the run needs, one request per path with the most views asked for it. */
async function runFeatures(
  release: Release,
  config: RunConfig,
  data: RunData,
  opts: Pick<TrainRunOptions, "cacheDir" | "quiet" | "workers" | "engine">,
): Promise<{ features: Map<string, Float32Array[]>; stats: ExtractionStats; seconds: number }> {
  const t0 = performance.now();
  const trainSet = new Set(data.split.train);
  const { views: trainViews, ttaViews } = config.training;
  // training images: the image and its augmented views; the others: the views averaged at prediction
  const views = (c: Case) => 1 + (trainSet.has(c.index) ? Math.max(trainViews, ttaViews) : ttaViews);
  const requests = release.cases.flatMap((c, i) => [
    ...(config.model.inputs.includes("C") ? [{ path: data.paths[i].clinic, views: views(c) }] : []),
    ...(config.model.inputs.includes("D") ? [{ path: data.paths[i].derm, views: views(c) }] : []),
  ]);
  // the 9 reused images appear twice
  const merged = new Map<string, number>();
  for (const r of requests) merged.set(r.path, Math.max(merged.get(r.path) ?? 0, r.views));
  const res = await extractFeatures([...merged].map(([path, v]) => ({ path, views: v })), {
    backbone: config.model.backbone,
    seed: config.seed,
    cacheDir: opts.cacheDir,
    augmentation: config.training.augmentation,
    workers: opts.workers,
    engine: opts.engine,
    quiet: opts.quiet,
  });
  return { features: res.features, stats: res.stats, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Step 3 of the paper preset, model: the whole network (backbone and heads), a feed of decoded,
 * augmented images, and the study's schedule as stages that unfreeze backbone blocks in turn
 * (BatchNormalization gammas stay fixed: Keras builds them without scale).
 */
async function buildPaperRun(release: Release, config: RunConfig, data: RunData, cacheDir: string): Promise<BuiltRun> {
  const full = await buildFullModel(
    config.model.kind,
    config.model.inputs,
    config.model.backbone,
    config.model.head,
    { seed: config.seed, cacheDir },
  );
  const feed = new ImageFeed(release.cases, data.paths, {
    inputs: config.model.inputs,
    size: config.model.backbone.size,
    preprocessing: full.info.preprocessing,
    augmentation: config.training.augmentation,
  });
  const blocks = full.backbones.map((b) => layerBlocks(b));
  const stages = config.training.schedule.map((s) => ({
    name: s.name,
    epochs: s.epochs,
    augment: s.augment,
    trainingMode: s.trainableBlocks.length > 0,
    begin: () => {
      full.backbones.forEach((b, i) => {
        for (const layer of b.layers) layer.trainable = s.trainableBlocks.includes(blocks[i].get(layer.name) ?? "");
        for (const l of b.layers) {
          if (l.getClassName() === "BatchNormalization") {
            (l as unknown as { gamma?: { trainable: boolean } }).gamma!.trainable = false;
          }
        }
      });
    },
  }));
  return { model: full.model, feed, stages, info: full.info, featureSeconds: 0, featureNorm: null };
}

/**
 * Step 4, fit: the training loop with the config's optimiser, L2 on the head kernels, sampling and
 * model selection, checkpointing into `<out>/checkpoint`. An ensemble (`model.head.members` > 1)
 * trains each member in turn (checkpoints in `<out>/checkpoint/member-<m>`) and merges them into the
 * run's model; its history holds every member's epochs.
 * @throws {InterruptedError} when interrupted (the checkpoint keeps the progress).
 */
async function fitRun(
  out: string,
  run: ResolvedRun,
  data: RunData,
  built: BuiltRun,
  opts: TrainRunOptions,
): Promise<FitResult> {
  const { config } = run;
  const members = config.model.head.members ?? 1;
  refuseOtherCheckpoint(out, members);
  if (members === 1) return await fitModel(built.model, config.seed, join(out, "checkpoint"), run, data, built, opts);
  const inputSize = built.model.inputs[0].shape[1] as number;
  const one = { ...config.model.head, members: 1 };
  const epochs = built.stages.reduce((n, st) => n + st.epochs, 0);
  const seeds = Array.from({ length: members }, (_, m) => memberSeed(config.seed, m));
  const models: tf.LayersModel[] = [], results: TrainResult[] = [];
  let steps = 0; // trained so far by the members before, for `stopAfterSteps`
  try {
    for (const [m, seed] of seeds.entries()) {
      const model = buildHeads(inputSize, config.model.kind, one, seed);
      models.push(model);
      const stages = built.stages.map((st) => ({ ...st, name: `member ${m + 1}/${members}: ${st.name}` }));
      const dir = join(out, "checkpoint", `member-${m + 1}`);
      const memberOpts: TrainRunOptions = {
        ...opts,
        onEpoch: opts.onEpoch && ((row) => opts.onEpoch!({ ...row, member: m + 1 })),
        stopAfterSteps: opts.stopAfterSteps === undefined ? undefined : Math.max(1, opts.stopAfterSteps - steps),
      };
      const r = await fitModel(model, seed, dir, run, data, { ...built, stages }, memberOpts);
      results.push(r);
      steps += r.history.reduce((n, row) => n + row.steps, 0);
    }
    mergeMembers(built.model, models);
  } finally {
    models.forEach((m) => m.dispose());
  }
  return {
    history: results.flatMap((r, m) => r.history.map((row) => ({ ...row, member: m + 1 }))),
    bestEpoch: results[0].bestEpoch,
    members: results.map((r, m) => ({ seed: seeds[m], bestEpoch: r.bestEpoch })),
    // where training went on: the first member that still had epochs to train when the run resumed
    resumedFrom: results.find((r) => r.resumedFrom !== null && r.resumedFrom < epochs)?.resumedFrom ?? null,
    interrupted: false,
    classWeights: results[0].classWeights,
  };
}

/**
 * Refuses a checkpoint this run would neither resume nor keep: one of a single network in an ensemble's
 * folder, or the reverse (both are another configuration's).
 * @throws {Error} naming the checkpoint folder.
 */
function refuseOtherCheckpoint(out: string, members: number): void {
  const other = members > 1 ? join(out, "checkpoint") : join(out, "checkpoint", "member-1");
  if (!exists(join(other, "checkpoint.json"))) return;
  throw new Error(
    `Cannot resume from ${other}: it belongs to a different configuration (${
      members > 1 ? "one network" : "an ensemble"
    }; this one: ${members > 1 ? `an ensemble of ${members} members` : "one network"}); use a new output folder`,
  );
}

/** What fitting gives: the trainer's result, and for an ensemble each member's seed and kept epoch. */
type FitResult = TrainResult & { members?: { seed: number; bestEpoch: number }[] };

/** Trains one network (a run's model, or one member of its ensemble) with seed `seed`. */
async function fitModel(
  model: tf.LayersModel,
  seed: number,
  checkpointDir: string,
  run: ResolvedRun,
  data: RunData,
  built: BuiltRun,
  opts: TrainRunOptions,
): Promise<TrainResult> {
  const { config, key } = run;
  const headKernels = model.layers.filter((l) => l.name.startsWith("head_")).flatMap((l) =>
    l.weights.filter((w) => w.originalName.endsWith("kernel"))
  );
  const result = await trainModel({
    model,
    heads: data.heads,
    labels: data.labels,
    train: data.split.train,
    valid: data.split.valid,
    feed: built.feed,
    stages: built.stages,
    optimizer: config.training.optimizer,
    l2: { strength: config.model.head.l2, kernels: headKernels },
    k: config.training.k,
    sampling: config.training.sampling,
    batchSize: config.training.batchSize,
    evalViews: data.predictionViews,
    classWeights: config.training.classWeights,
    headWeights: config.training.headWeights,
    selection: config.training.selection,
    seed,
    maxStepsPerEpoch: config.training.maxStepsPerEpoch,
    checkpoint: {
      dir: checkpointDir,
      key,
      everySteps: config.training.preset === "paper" ? 20 : 0,
      minSeconds: EPOCH_CHECKPOINT_SECONDS,
    },
    stopAfterSteps: opts.stopAfterSteps,
    quiet: opts.quiet,
    onEpoch: opts.onEpoch,
  });
  if (result.interrupted) {
    throw new InterruptedError(
      `Training interrupted: the checkpoint in ${checkpointDir} keeps its progress; run the same command again to resume`,
    );
  }
  return result;
}

/** Step 5, the prior correction (when the config asks for it), with its validation evidence. */
function correctRunPriors(config: RunConfig, data: RunData, built: BuiltRun): Promise<PriorCorrectionRecord> {
  const trainLabels = Object.fromEntries(data.heads.map((h) => [h, data.split.train.map((i) => data.labels[h][i])]));
  return correctPriors(
    built.model,
    built.feed,
    config.model.kind,
    trainLabels,
    data.split.valid,
    data.labels,
    data.predictionViews,
  );
}

/** Every case's prediction rows (labelled with its split) and each head's probabilities, in row order. */
interface SplitPredictions {
  rows: PredictionRow[];
  probs: Record<string, number[][]>;
}

/** Step 6, predictions: every case of the split's parts, with the views averaged at prediction. */
async function predictSplits(
  release: Release,
  config: RunConfig,
  data: RunData,
  built: BuiltRun,
): Promise<SplitPredictions> {
  const splitOfCase = new Map<number, string>();
  for (const [name, idx] of Object.entries(data.split)) for (const i of idx) splitOfCase.set(i, name);
  const all = release.cases.map((c) => c.index).filter((i) => splitOfCase.has(i));
  const probs = await predictHeads(built.model, built.feed, all, data.heads, { views: data.predictionViews });
  const rows: PredictionRow[] = all.map((ci, j) => {
    const r: PredictionRow = {
      case_num: release.cases[ci].caseNum,
      split: splitOfCase.get(ci)!,
      fold: config.data.fold,
    };
    for (const h of data.heads) {
      HEADS[h].codes.forEach((code, k) => (r[`${h}_${code}`] = probs[h][j][k]));
      r[`${h}_true`] = release.cases[ci].labels[h];
    }
    return r;
  });
  return { rows, probs };
}

/** Test-split accuracy and macro AUROC of each head (NaN where a class is absent from test). */
function testMetrics(predictions: SplitPredictions, heads: readonly HeadName[]): RunSummary["test"] {
  const { rows, probs } = predictions;
  const test: RunSummary["test"] = {};
  for (const h of heads) {
    const idx = rows.map((r, j) => (r.split === "test" ? j : -1)).filter((j) => j >= 0);
    const truth = idx.map((j) => rows[j][`${h}_true`] as number), p = idx.map((j) => probs[h][j]);
    test[h] = {
      accuracy: idx.length ? accuracy(truth, argmax(p)) : NaN,
      auroc: rocAucOvrOrNaN(truth, p),
      n: idx.length,
    };
  }
  return test;
}

/**
 * Step 7, write the run folder: weights (and the feature standardisation), config, history,
 * predictions, and last run.json (provenance, class weights, p(MGMT | DIAG) of the training split,
 * the summary and every file's checksum); the checkpoint is removed.
 */
async function writeRunFolder(
  out: string,
  r: {
    run: ResolvedRun;
    data: RunData;
    built: BuiltRun;
    fit: TrainResult;
    rows: PredictionRow[];
    summary: RunSummary;
  },
): Promise<void> {
  const { config, key, release } = r.run;
  const { split, heads } = r.data;
  await saveWeights(r.built.model, join(out, "weights"));
  if (r.built.featureNorm) writeFeatureNorm(join(out, "weights"), r.built.featureNorm);
  else if (exists(join(out, "weights", "feature_norm.json"))) {
    Deno.removeSync(join(out, "weights", "feature_norm.json"));
  }
  writeJsonAtomic(join(out, "config.json"), config);
  writeJsonAtomic(join(out, "history.json"), r.fit.history);
  writeTextAtomic(
    join(out, "history.csv"),
    toCsv(Object.keys(r.fit.history[0] ?? { epoch: 0 }), r.fit.history.map((row) => Object.values(row))),
  );
  writePredictions(out, r.rows, heads);
  const record: RunRecord = {
    key,
    created: new Date().toISOString(),
    git_commit: gitCommit(),
    data: { dir: config.data.dir, fingerprint: config.data.fingerprint, synthetic: config.data.synthetic },
    classWeights: r.fit.classWeights,
    // p(MGMT | DIAG) from this run's training split, to infer management from a diagnosis head
    managementPriors: priorsFromLabels(
      split.train.map((i) => release.cases[i].labels.diagnosis),
      split.train.map((i) => release.cases[i].labels.management),
    ),
    summary: r.summary,
    choice: runChoice(config, r.fit.history, r.fit.bestEpoch),
    files: describeRunFiles(out),
    predictions: predictionsShape(r.rows),
  };
  writeJsonAtomic(join(out, "run.json"), record);
  try {
    Deno.removeSync(join(out, "checkpoint"), { recursive: true });
  } catch { /* none */ }
}

/** The prior correction of a run and its validation evidence. */
export interface PriorCorrectionRecord {
  /** Log training priors added to each head's output bias. */
  logPriors: Record<string, number[]>;
  /** Validation accuracy and mean log-loss of each head before and after the correction. */
  valid: Record<
    string,
    { before: { accuracy: number; logLoss: number }; after: { accuracy: number; logLoss: number } }
  >;
}

async function correctPriors(
  model: tf.LayersModel,
  feed: Feed,
  kind: ModelKind,
  trainLabels: Record<string, number[]>,
  valid: readonly number[],
  labels: Record<string, readonly number[]>,
  views: number,
): Promise<PriorCorrectionRecord> {
  const heads = headsOf(kind);
  const score = (probs: Record<string, number[][]>) =>
    Object.fromEntries(heads.map((h) => {
      const truth = valid.map((i) => labels[h][i]);
      const p = probs[h];
      const acc = truth.length ? accuracy(truth, argmax(p)) : NaN;
      const logLoss = truth.length
        ? -truth.reduce((s, y, j) => s + Math.log(Math.max(p[j][y], 1e-12)), 0) / truth.length
        : NaN;
      return [h, { accuracy: acc, logLoss }];
    }));
  const before = score(await predictHeads(model, feed, valid, heads, { views }));
  const logPriors = applyPriorCorrection(model, kind, trainLabels);
  const after = score(await predictHeads(model, feed, valid, heads, { views }));
  return { logPriors, valid: Object.fromEntries(heads.map((h) => [h, { before: before[h], after: after[h] }])) };
}

async function describeBackbone(config: RunConfig, cacheDir: string): Promise<BackboneInfo> {
  const src = config.model.backbone.source;
  const fingerprint = await weightsFingerprint(config.model.backbone, cacheDir, config.seed);
  const random = isRandomBackbone(src);
  const descriptions: Record<string, string> = {
    nsfwjs:
      "Keras InceptionV3 from the npm package nsfwjs@4.4.0 (ImageNet-initialised, fine-tuned on a 5-class photo task; not the study's ImageNet backbone), frozen",
    imagenet: "Keras ImageNet InceptionV3 without top (the study's backbone), frozen",
    "keras-h5": `Keras weights from ${config.model.backbone.path}, frozen`,
    tfjs: `tfjs weights from ${config.model.backbone.path}, frozen`,
    random: "InceptionV3 with RANDOM initialisation (no pretrained weights), frozen",
    tiny: "tiny 3-block Inception for tests, RANDOM initialisation, frozen",
  };
  return {
    description: descriptions[src],
    id: src,
    fingerprint,
    preprocessing: preprocessingOf(config.model.backbone),
    random,
  };
}

/** Saves the feature standardisation of a features-preset run (feature_norm.json). */
export function writeFeatureNorm(dir: string, norm: { mean: Float32Array; sd: Float32Array }): void {
  writeJsonAtomic(join(dir, "feature_norm.json"), { mean: Array.from(norm.mean), sd: Array.from(norm.sd) });
}

/**
 * Reads it back (null for runs without one).
 * @throws {Error} naming the file when it is not JSON or its mean and sd are not equally long lists
 * of finite numbers (sd > 0).
 */
export function readFeatureNorm(dir: string): { mean: Float32Array; sd: Float32Array } | null {
  const p = join(dir, "feature_norm.json");
  if (!exists(p)) return null;
  const j = readJsonFile<{ mean?: unknown; sd?: unknown }>(p, "a run's feature standardisation");
  const ok = (v: unknown, positive: boolean) =>
    Array.isArray(v) && v.length > 0 &&
    v.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0));
  if (!ok(j?.mean, false) || !ok(j?.sd, true) || (j.mean as number[]).length !== (j.sd as number[]).length) {
    throw new Error(
      `Cannot read ${p}: expected "mean" and "sd" as equally long lists of finite numbers (sd > 0), found other values`,
    );
  }
  return { mean: Float32Array.from(j.mean as number[]), sd: Float32Array.from(j.sd as number[]) };
}

/** Reads a run folder's config (to rebuild its model); errors name the file and the field. */
export function readRunConfig(dir: string): RunConfig {
  const file = join(dir, "config.json");
  try {
    return validateRunConfig(withLegacyDefaults(readJsonFile(file, "a run's config.json")));
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${e.message} in ${file}`);
    throw e;
  }
}
