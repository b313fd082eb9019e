/**
 * Predicting with a trained run: rebuild the model from the run's config, load its weights, and
 * score a whole release (writing a predictions table) or one new case (two image files and the
 * metadata). Every head's probabilities are returned; with a diagnosis head the management is also
 * inferred from it through the run's training priors p(MGMT | DIAG).
 *
 * @example Needs a trained run and two images (not run here; the tests predict with tiny runs)
 * ```ts ignore
 * import { loadRun, predictCase } from "./predict.ts";
 * const run = await loadRun("outputs/runs/multi-CDM", { cacheDir: ".cache" });
 * const metadata = { sex: "female", location: "back", elevation: "flat" };
 * const p = await predictCase(run, { clinical: "a.jpg", derm: "b.jpg", metadata });
 * const [none, clinical, excision] = p.heads.management!; // probabilities of NONE, CLNC, EXC (sum 1)
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { decodeImage, RgbImage } from "../data/images.ts";
import { encodeMetadata, HeadName, HEADS, MetadataVariable } from "../data/vocabulary.ts";
import { ImagePathResolver, loadRelease } from "../data/release.ts";
import { inferManagement, ManagementPriors } from "../data/management.ts";
import { BackendName, startBackend } from "./backend.ts";
import { headsOf, RunConfig } from "./config.ts";
import { buildFullModel, buildHeads, preprocess, preprocessingOf } from "./network.ts";
import type { EngineChoice } from "./engine.ts";
import { loadWeightsInto, savedHeadInputSize } from "./serialize.ts";
import { readFeatureNorm, readRunConfig, readVerifiedRunRecord, RunRecord } from "./run.ts";
import { claimPredictionFolder, writePredictionRecord } from "./predict_output.ts";
import { casePaths, FeatureFeed, ImageFeed } from "./feeds.ts";
import { extractFeatures } from "./features.ts";
import { predictHeads } from "./train.ts";
import { PredictionRow, writePredictions } from "./predictions.ts";

/** A trained run ready to predict: its config, rebuilt model with the saved weights, and constants. */
export interface LoadedRun {
  /** The run folder. */
  dir: string;
  /** The run's config.json. */
  config: RunConfig;
  /** The model's heads, in output order. */
  heads: HeadName[];
  /** Heads model (features preset) or the end-to-end model (paper preset). */
  model: tf.LayersModel;
  /** The engine the run's frozen forward passes use (features preset). */
  engine: EngineChoice;
  /** The pixel preprocessing of the run's backbone. */
  preprocessing: "x/255" | "x/127.5-1";
  /** The features preset's standardisation constants (null when the run did not standardise). */
  norm: { mean: Float32Array; sd: Float32Array } | null;
  /** The training split's p(MGMT | DIAG), from run.json (null when not recorded). */
  priors: ManagementPriors | null;
  /** The run's run.json. */
  record: RunRecord;
  /** Project cache folder (backbone weights, exported graphs, cached features). */
  cacheDir: string;
}

/** Rebuilds a run's model and loads its weights. */
export async function loadRun(
  dir: string,
  options: { cacheDir: string; backend?: BackendName; engine?: EngineChoice },
): Promise<LoadedRun> {
  const record = readVerifiedRunRecord(dir); // every file it lists is intact
  const config = readRunConfig(dir);
  await startBackend(options.backend ?? (config.backend as BackendName), { quiet: true });
  const heads = headsOf(config.model.kind);
  let model: tf.LayersModel;
  let preprocessing: LoadedRun["preprocessing"] = preprocessingOf(config.model.backbone);
  const engine = options.engine ?? "auto";
  if (config.training.preset === "features") {
    const inputSize = savedHeadInputSize(join(dir, "weights"));
    model = buildHeads(
      inputSize,
      config.model.kind,
      config.model.head,
      config.seed,
    );
  } else {
    const full = await buildFullModel(
      config.model.kind,
      config.model.inputs,
      config.model.backbone,
      config.model.head,
      { seed: config.seed, cacheDir: options.cacheDir },
    );
    model = full.model;
    preprocessing = full.info.preprocessing;
  }
  loadWeightsInto(model, join(dir, "weights"));
  return {
    dir,
    config,
    heads,
    model,
    engine,
    preprocessing,
    norm: readFeatureNorm(join(dir, "weights")),
    priors: record.managementPriors ?? null,
    record,
    cacheDir: options.cacheDir,
  };
}

/** One new case: the paths of its images and its metadata; what the run's input set needs must be given. */
export interface NewCase {
  /** Path of the clinical image. */
  clinical?: string;
  /** Path of the dermoscopic image. */
  derm?: string;
  /** Sex, location and elevation, as the release writes them (e.g. { sex: "female", location: "back", elevation: "flat" }). */
  metadata?: Partial<Record<MetadataVariable, string>>;
}

/** A new case's predictions. */
export interface CasePrediction {
  /** Probabilities of every head, in class order. */
  heads: Partial<Record<HeadName, number[]>>;
  /** Management inferred from the diagnosis head (when the run has one). */
  managementInferred: number[] | null;
}

/** A case as the prediction paths take it: image paths (resolved; "" when not an input) and metadata. */
interface CaseSource {
  clinic: string;
  derm: string;
  metadata: Readonly<Record<MetadataVariable, string>> | null;
}

/**
 * Every head's probabilities for cases of a features-preset run: the frozen backbone's features of each
 * image and of the views the run averages (read from the cache or computed by the run's engine), then
 * the run's transform, standardisation and heads. The one path of new cases, releases and MClass-D.
 */
async function predictFromFeatures(
  run: LoadedRun,
  cases: readonly CaseSource[],
  options: { workers?: number; quiet?: boolean } = {},
): Promise<Record<string, number[][]>> {
  const cfg = run.config;
  const views = 1 + cfg.training.ttaViews;
  const paths = [...new Set(cases.flatMap((c) => [c.clinic, c.derm]).filter(Boolean))];
  const features = paths.length
    ? (await extractFeatures(paths.map((path) => ({ path, views })), {
      backbone: cfg.model.backbone,
      seed: cfg.seed,
      cacheDir: run.cacheDir,
      augmentation: cfg.training.augmentation,
      workers: options.workers,
      engine: run.engine,
      quiet: options.quiet ?? true,
    })).features
    : new Map<string, Float32Array[]>();
  const feed = new FeatureFeed(
    cases.map((c) => ({ metadata: (c.metadata ?? {}) as Record<MetadataVariable, string> })),
    features,
    cases,
    cfg.model.inputs,
    cfg.model.head.transform,
  );
  feed.setStandardization(run.norm);
  return await predictHeads(run.model, feed, cases.map((_, i) => i), run.heads, { views });
}

/**
 * Every head's probabilities for one new case.
 * @throws {Error} when an input the run needs (an image or a metadata field) is missing.
 */
export async function predictCase(run: LoadedRun, input: NewCase): Promise<CasePrediction> {
  const inputs = run.config.model.inputs;
  const need = (flag: string, ok: unknown, what: string) => {
    if (inputs.includes(flag) && !ok) {
      throw new Error(`Cannot predict with ${run.dir}: its inputs are ${inputs}, expected ${what}, found none`);
    }
  };
  need("C", input.clinical, "a clinical image (--clinical)");
  need("D", input.derm, "a dermoscopic image (--derm)");
  need(
    "M",
    input.metadata?.sex && input.metadata?.location && input.metadata?.elevation,
    "--sex, --location and --elevation",
  );
  const metadata = inputs.includes("M") ? input.metadata as Record<MetadataVariable, string> : null;
  let outs: number[][];
  if (run.config.training.preset === "features") {
    const source = {
      clinic: inputs.includes("C") ? input.clinical! : "",
      derm: inputs.includes("D") ? input.derm! : "",
      metadata,
    };
    const probs = await predictFromFeatures(run, [source]);
    outs = run.heads.map((h) => probs[h][0]);
  } else {
    const size = run.config.model.backbone.size;
    const images: RgbImage[] = [];
    for (const [flag, path] of [["C", input.clinical], ["D", input.derm]] as const) {
      if (inputs.includes(flag)) images.push(await decodeImage(path!, { size }));
    }
    const meta = metadata ? encodeMetadata(metadata) : null;
    // read after the tidy, asynchronously: the webgpu backend has no synchronous read under Deno
    const ys = tf.tidy(() => {
      const xs = [
        ...images.map((x) => tf.tensor4d(preprocess(x.data, run.preprocessing), [1, size, size, 3])),
        ...(meta ? [tf.tensor2d(meta, [1, meta.length])] : []),
      ];
      const r = run.model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[];
      return Array.isArray(r) ? r : [r];
    });
    outs = await Promise.all(ys.map(async (t) => Array.from(await t.data())));
    tf.dispose(ys);
  }
  const heads: CasePrediction["heads"] = {};
  run.heads.forEach((h, i) => (heads[h] = outs[i]));
  const managementInferred = heads.diagnosis && run.priors ? inferManagement([heads.diagnosis], run.priors)[0] : null;
  return { heads, managementInferred };
}

/** Scores every case of a release (all splits) and writes a predictions table into `outDir`. */
export async function predictRelease(
  run: LoadedRun,
  dataDir: string,
  outDir: string,
  options: { workers?: number; quiet?: boolean } = {},
): Promise<PredictionRow[]> {
  claimPredictionFolder(outDir, run.dir);
  const release = loadRelease(dataDir, { quiet: true });
  const cfg = run.config;
  const inputs = cfg.model.inputs;
  const images = inputs.includes("C") || inputs.includes("D");
  const resolver = images ? new ImagePathResolver(release.imagesDir ?? join(dataDir, "images")) : null;
  const paths = release.cases.map((c) => (resolver ? casePaths(c, resolver) : { clinic: "", derm: "" }));
  let probs: Record<string, number[][]>;
  if (cfg.training.preset === "features") {
    probs = await predictFromFeatures(
      run,
      release.cases.map((c, i) => ({
        clinic: inputs.includes("C") ? paths[i].clinic : "",
        derm: inputs.includes("D") ? paths[i].derm : "",
        metadata: c.metadata,
      })),
      { ...options, quiet: options.quiet ?? false },
    );
  } else {
    const feed = new ImageFeed(release.cases, paths, {
      inputs,
      size: cfg.model.backbone.size,
      preprocessing: run.preprocessing,
      augmentation: cfg.training.augmentation,
    });
    probs = await predictHeads(run.model, feed, release.cases.map((c) => c.index), run.heads);
  }
  const rows: PredictionRow[] = release.cases.map((c, j) => {
    const r: PredictionRow = { case_num: c.caseNum, split: c.split, fold: null };
    for (const h of run.heads) {
      HEADS[h].codes.forEach((code, k) => (r[`${h}_${code}`] = probs[h][j][k]));
      r[`${h}_true`] = c.labels[h];
    }
    return r;
  });
  writePredictions(outDir, rows, run.heads);
  writePredictionRecord(outDir, { run: run.dir, runKey: run.record.key, data: dataDir, rows: rows.length });
  return rows;
}

/**
 * Every head's probabilities for a list of dermoscopic images (e.g. MClass-D), for a run whose only
 * input is the dermoscopic image (inputs "D").
 * @throws {Error} when the run needs other inputs.
 */
export async function predictImages(
  run: LoadedRun,
  paths: readonly string[],
  options: { workers?: number; quiet?: boolean } = {},
): Promise<Record<string, number[][]>> {
  const cfg = run.config;
  if (cfg.model.inputs !== "D") {
    throw new Error(
      `Cannot predict dermoscopic images alone with ${run.dir}: its inputs are ${cfg.model.inputs}, expected D (train e.g. "multi-D")`,
    );
  }
  if (cfg.training.preset === "features") {
    return await predictFromFeatures(run, paths.map((derm) => ({ clinic: "", derm, metadata: null })), options);
  }
  const out: Record<string, number[][]> = Object.fromEntries(run.heads.map((h) => [h, []]));
  for (const p of paths) {
    const r = await predictCase(run, { derm: p });
    for (const h of run.heads) out[h].push(r.heads[h]!);
  }
  return out;
}
