/**
 * One training run, from a release folder to a run folder:
 *
 * ```
 * <out>/config.json        the RunConfig (enough to rebuild the model and redo the run)
 * <out>/weights/           tfjs weights (heads only for the features preset; the whole network for paper)
 * <out>/history.csv|json   per-epoch losses, validation AUROC, best epoch
 * <out>/predictions.csv|parquet   every case's probabilities for every head (see predictions.ts)
 * <out>/run.json           provenance: git commit, backend, backbone and its weights, timings, data fingerprint
 * <out>/checkpoint/        resume state while training (removed when the run completes)
 * ```
 *
 * A completed run with the same config is not redone (its folder is returned as is), so notebooks
 * and the main job can call `trainRun` freely. An interrupted run resumes from its checkpoint.
 *
 * @example
 * ```ts ignore
 * import { trainRun } from "./run.ts";
 * import { defaultRunConfig } from "./config.ts";
 * const cfg = defaultRunConfig({ kind: "mgmt", inputs: "CDM", preset: "features" });
 * const run = await trainRun({ config: { ...cfg, data: { ...cfg.data, dir: "/data/release_v0" } }, outDir: "outputs/runs/mgmt", cacheDir: ".cache" });
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { crossValidationFolds } from "../data/folds.ts";
import { Case, ImagePathResolver, loadRelease, Release, releaseFingerprint } from "../data/release.ts";
import { HEADS } from "../data/vocabulary.ts";
import { sha256Hex } from "../util/hash.ts";
import { exists, readJsonFile, writeJsonAtomic, writeTextAtomic } from "../util/fs.ts";
import { acquireLock } from "../util/lock.ts";
import { claimOutputFolder } from "../util/output_folder.ts";
import { InterruptedError } from "../util/interrupt.ts";
import { toCsv } from "../util/csv.ts";
import { gitCommit, Provenance, provenance } from "../util/provenance.ts";
import { rocAucOvrOrNaN } from "../stats/roc.ts";
import { argmax, classwiseMetrics } from "../stats/confusion.ts";
import { BackendName, startBackend } from "./backend.ts";
import { headsOf, ModelKind, RunConfig, validateRunConfig, withLegacyDefaults } from "./config.ts";
import { extractFeatures, ExtractionStats } from "./features.ts";
import type { EngineChoice } from "./engine.ts";
import { casePaths, FeatureFeed, ImageFeed } from "./feeds.ts";
import { BackboneInfo, buildFullModel, buildHeads, preprocessingOf, weightsFingerprint } from "./network.ts";
import { layerBlocks } from "./inception_v3.ts";
import { Feed, HistoryRow, predictHeads, Stage, trainModel } from "./train.ts";
import { applyPriorCorrection } from "./prior_correction.ts";
import { saveWeights } from "./serialize.ts";
import { ManagementPriors, priorsFromLabels } from "../data/management.ts";
import { PredictionRow, writePredictions } from "./predictions.ts";
import { describeRunFiles, predictionsShape, readRunHistory, RunIntegrity, verifyRunFiles } from "./run_files.ts";

export interface TrainRunOptions {
  config: RunConfig;
  outDir: string;
  cacheDir: string;
  quiet?: boolean;
  workers?: number;
  /** Engine of the frozen backbone's forward passes (default "auto": onnx where it loads, else tfjs). */
  engine?: EngineChoice;
  /** Redo a completed run. */
  force?: boolean;
  /** Stop as if interrupted after this many training steps (tests of resuming). */
  stopAfterSteps?: number;
  onEpoch?: (row: HistoryRow) => void;
}

export interface RunResult {
  dir: string;
  config: RunConfig;
  /** True when a completed run was found and reused. */
  reused: boolean;
  history: HistoryRow[];
  summary: RunSummary;
}

export interface RunSummary {
  backend: string;
  backbone: BackboneInfo;
  bestEpoch: number;
  seconds: { features: number; training: number; total: number };
  features?: ExtractionStats;
  /** Test-split accuracy and macro AUROC of each head. */
  test: Record<string, { accuracy: number; auroc: number; n: number }>;
  resumedFrom: number | null;
  /** The prior correction applied to the heads (null when the config asks for none). */
  decision?: PriorCorrectionRecord | null;
}

/** A run folder's run.json: provenance, priors, the summary and the checksums of its files. */
export interface RunRecord extends RunIntegrity {
  /** configKey of the run's config. */
  key: string;
  created: string;
  git_commit: string;
  data: { dir: string; fingerprint: string; synthetic: boolean };
  classWeights: Record<string, number[]>;
  managementPriors: ManagementPriors;
  summary: RunSummary;
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
  const config = validateRunConfig(structuredClone(opts.config));
  const release = loadRelease(config.data.dir, { quiet: true });
  config.data.fingerprint = releaseFingerprint(release);
  config.data.synthetic = release.synthetic;
  const key = configKey(config);
  const out = opts.outDir;
  claimOutputFolder(out, { owners: ["run.json", join("checkpoint", "checkpoint.json")], action: "train into" });
  const unlock = acquireLock(out, "train into", { quiet: opts.quiet });
  try {
    const prev = completedRun(out, key, opts.force);
    if (prev) {
      return {
        dir: out,
        config,
        reused: true,
        history: readRunHistory(out),
        summary: prev.summary,
      };
    }
    return await trainInto(out, config, key, release, opts, t0);
  } finally {
    unlock();
  }
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

async function trainInto(
  out: string,
  config: RunConfig,
  key: string,
  release: Release,
  opts: TrainRunOptions,
  t0: number,
): Promise<RunResult> {
  const backend = await startBackend(config.backend as BackendName, { quiet: opts.quiet });
  const heads = headsOf(config.model.kind);
  const split = splitOf(release, config);
  const needImages = config.model.inputs.includes("C") || config.model.inputs.includes("D");
  if (needImages && !release.imagesDir) {
    throw new Error(`Cannot train with inputs ${config.model.inputs}: expected ${release.dir}/images, found none`);
  }
  const resolver = needImages ? new ImagePathResolver(release.imagesDir!) : null;
  const paths = release.cases.map((c) => (resolver ? casePaths(c, resolver) : { clinic: "", derm: "" }));
  const labels = Object.fromEntries(heads.map((h) => [h, release.cases.map((c) => c.labels[h])]));

  let model: tf.LayersModel;
  let feed;
  let stages: Stage[];
  let info: BackboneInfo;
  let featureStats: ExtractionStats | undefined;
  let featureSeconds = 0;
  let featureNorm: { mean: Float32Array; sd: Float32Array } | null = null;
  const trainSet = new Set(split.train);
  if (config.training.preset === "features") {
    let features = new Map<string, Float32Array[]>();
    if (needImages) {
      const tf0 = performance.now();
      // training images: the image and its augmented views; the others: the views averaged at prediction
      const views = (c: Case) =>
        1 +
        (trainSet.has(c.index) ? Math.max(config.training.views, config.training.ttaViews) : config.training.ttaViews);
      const requests = release.cases.flatMap((c, i) => [
        ...(config.model.inputs.includes("C") ? [{ path: paths[i].clinic, views: views(c) }] : []),
        ...(config.model.inputs.includes("D") ? [{ path: paths[i].derm, views: views(c) }] : []),
      ]);
      // one request per path, with the most views asked for it (the 9 reused images appear twice)
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
      features = res.features;
      featureStats = res.stats;
      featureSeconds = (performance.now() - tf0) / 1000;
    }
    const ff = new FeatureFeed(release.cases, features, paths, config.model.inputs, config.model.head.transform);
    if (config.model.head.standardize) featureNorm = ff.standardize(split.train);
    feed = ff;
    model = buildHeads(ff.size, config.model.kind, config.model.head, config.seed);
    info = needImages ? await describeBackbone(config, opts.cacheDir) : {
      description: "metadata only: no backbone",
      id: "none",
      fingerprint: "none",
      preprocessing: "x/255",
      random: false,
    };
    stages = [{ name: "heads on cached features", epochs: config.training.epochs, augment: config.training.views > 0 }];
  } else {
    const full = await buildFullModel(
      config.model.kind,
      config.model.inputs,
      config.model.backbone,
      config.model.head,
      { seed: config.seed, cacheDir: opts.cacheDir },
    );
    model = full.model;
    info = full.info;
    feed = new ImageFeed(release.cases, paths, {
      inputs: config.model.inputs,
      size: config.model.backbone.size,
      preprocessing: info.preprocessing,
      augmentation: config.training.augmentation,
    });
    const blocks = full.backbones.map((b) => layerBlocks(b));
    stages = config.training.schedule.map((s) => ({
      name: s.name,
      epochs: s.epochs,
      augment: s.augment,
      trainingMode: s.trainableBlocks.length > 0,
      begin: () => {
        full.backbones.forEach((b, i) => {
          for (const layer of b.layers) layer.trainable = s.trainableBlocks.includes(blocks[i].get(layer.name) ?? "");
          // BatchNormalization gammas stay fixed (Keras builds them without scale)
          for (const l of b.layers) {
            if (l.getClassName() === "BatchNormalization") {
              (l as unknown as { gamma?: { trainable: boolean } }).gamma!.trainable = false;
            }
          }
        });
      },
    }));
  }
  const headKernels = model.layers.filter((l) => l.name.startsWith("head_")).flatMap((l) =>
    l.weights.filter((w) => w.originalName.endsWith("kernel"))
  );
  const predictionViews = config.training.preset === "features" ? 1 + config.training.ttaViews : 1;
  const tTrain = performance.now();
  const result = await trainModel({
    model,
    heads,
    labels,
    train: split.train,
    valid: split.valid,
    feed,
    stages,
    optimizer: config.training.optimizer,
    l2: { strength: config.model.head.l2, kernels: headKernels },
    k: config.training.k,
    sampling: config.training.sampling,
    batchSize: config.training.batchSize,
    evalViews: predictionViews,
    classWeights: config.training.classWeights,
    selection: config.training.selection,
    seed: config.seed,
    maxStepsPerEpoch: config.training.maxStepsPerEpoch,
    checkpoint: { dir: join(out, "checkpoint"), key, everySteps: config.training.preset === "paper" ? 20 : 0 },
    stopAfterSteps: opts.stopAfterSteps,
    quiet: opts.quiet,
    onEpoch: opts.onEpoch,
  });
  if (result.interrupted) {
    throw new InterruptedError(
      `Training interrupted: the checkpoint in ${
        join(out, "checkpoint")
      } keeps its progress; run the same command again to resume`,
    );
  }
  const trainingSeconds = (performance.now() - tTrain) / 1000;
  const trainLabels = Object.fromEntries(heads.map((h) => [h, split.train.map((i) => labels[h][i])]));
  const decision = config.training.priorCorrection
    ? await correctPriors(model, feed, config.model.kind, trainLabels, split.valid, labels, predictionViews)
    : null;

  // Predictions of every case, labelled with its split.
  const splitOfCase = new Map<number, string>();
  for (const [name, idx] of Object.entries(split)) for (const i of idx) splitOfCase.set(i, name);
  const all = release.cases.map((c) => c.index).filter((i) => splitOfCase.has(i));
  const probs = await predictHeads(model, feed, all, heads, { views: predictionViews });
  const rows: PredictionRow[] = all.map((ci, j) => {
    const r: PredictionRow = {
      case_num: release.cases[ci].caseNum,
      split: splitOfCase.get(ci)!,
      fold: config.data.fold,
    };
    for (const h of heads) {
      HEADS[h].codes.forEach((code, k) => (r[`${h}_${code}`] = probs[h][j][k]));
      r[`${h}_true`] = release.cases[ci].labels[h];
    }
    return r;
  });
  const test: RunSummary["test"] = {};
  for (const h of heads) {
    const idx = rows.map((r, j) => (r.split === "test" ? j : -1)).filter((j) => j >= 0);
    const truth = idx.map((j) => rows[j][`${h}_true`] as number), p = idx.map((j) => probs[h][j]);
    test[h] = {
      accuracy: idx.length ? classwiseMetrics(truth, argmax(p), { labels: HEADS[h].codes.length }).accuracy : NaN,
      auroc: rocAucOvrOrNaN(truth, p), // NaN where a class is absent from test
      n: idx.length,
    };
  }
  const summary: RunSummary = {
    backend: `${backend.name} — ${backend.detail}`,
    backbone: info,
    bestEpoch: result.bestEpoch,
    seconds: { features: featureSeconds, training: trainingSeconds, total: (performance.now() - t0) / 1000 },
    ...(featureStats ? { features: featureStats } : {}),
    test,
    resumedFrom: result.resumedFrom,
    decision,
  };
  await saveWeights(model, join(out, "weights"));
  if (featureNorm) writeFeatureNorm(join(out, "weights"), featureNorm);
  else if (exists(join(out, "weights", "feature_norm.json"))) {
    Deno.removeSync(join(out, "weights", "feature_norm.json"));
  }
  writeJsonAtomic(join(out, "config.json"), config);
  writeJsonAtomic(join(out, "history.json"), result.history);
  writeTextAtomic(
    join(out, "history.csv"),
    toCsv(Object.keys(result.history[0] ?? { epoch: 0 }), result.history.map((r) => Object.values(r))),
  );
  writePredictions(out, rows, heads);
  const record: RunRecord = {
    key,
    created: new Date().toISOString(),
    git_commit: gitCommit(),
    data: { dir: config.data.dir, fingerprint: config.data.fingerprint, synthetic: config.data.synthetic },
    classWeights: result.classWeights,
    // p(MGMT | DIAG) from this run's training split, to infer management from a diagnosis head
    managementPriors: priorsFromLabels(
      split.train.map((i) => release.cases[i].labels.diagnosis),
      split.train.map((i) => release.cases[i].labels.management),
    ),
    summary,
    files: describeRunFiles(out),
    predictions: predictionsShape(rows),
  };
  writeJsonAtomic(join(out, "run.json"), record);
  try {
    Deno.removeSync(join(out, "checkpoint"), { recursive: true });
  } catch { /* none */ }
  return { dir: out, config, reused: false, history: result.history, summary };
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
      const accuracy = truth.length ? truth.filter((y, j) => argmax([p[j]])[0] === y).length / truth.length : NaN;
      const logLoss = truth.length
        ? -truth.reduce((s, y, j) => s + Math.log(Math.max(p[j][y], 1e-12)), 0) / truth.length
        : NaN;
      return [h, { accuracy, logLoss }];
    }));
  const before = score(await predictHeads(model, feed, valid, heads, { views }));
  const logPriors = applyPriorCorrection(model, kind, trainLabels);
  const after = score(await predictHeads(model, feed, valid, heads, { views }));
  return { logPriors, valid: Object.fromEntries(heads.map((h) => [h, { before: before[h], after: after[h] }])) };
}

async function describeBackbone(config: RunConfig, cacheDir: string): Promise<BackboneInfo> {
  const src = config.model.backbone.source;
  const fingerprint = await weightsFingerprint(config.model.backbone, cacheDir, config.seed);
  const random = src === "random" || src === "tiny";
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
