/**
 * The validation evidence behind the features preset: the preset and one-change alternatives to it (its
 * layers, the backbone's precision, feature transform, views and test-time augmentation, loss weighting (of classes, and
 * of the multi-task model's management head) and decision rule, L2,
 * linear heads or a hidden layer, the study's label-balanced batches or shuffled ones, the epoch's selection, the
 * learning-rate schedule, and the project's previous defaults), each trained
 * with several seeds and scored on the validation split only. The test split is never read: the table
 * this writes is what chose the preset, and rerunning it on another release shows whether the choice
 * carries over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TUNE_CANDIDATES, tuneRecords } from "./tune.ts";
 * assert.equal(TUNE_CANDIDATES[0].name, "preset (chosen)");
 * const row = { kind: "mgmt" as const, candidate: "preset (chosen)", auroc: [0.8, 0.9], accuracy: [0.7, 0.7], seconds: 30 };
 * assert.deepEqual(tuneRecords([row]), [{
 *   model: "mgmt-CDM",
 *   setting: "preset (chosen)",
 *   "valid macro AUROC": "0.8500 ± 0.0707", // mean ± sample SD over the seeds
 *   "valid accuracy": "0.7000 ± 0.0000",
 *   seeds: 2,
 *   "seconds per run": 15,
 * }]);
 * ```
 *
 * The rows themselves come from training: `await tunePreset("/data/release_v0", { outDir: "outputs/real/tune",
 * cacheDir: ".cache", seeds: [1, 2, 3] })`.
 * @module
 */
import { join } from "node:path";
import { HeadName } from "../data/vocabulary.ts";
import { defaultRunConfig, ModelKind, RunConfig } from "../model/config.ts";
import { readPredictions } from "../model/predictions.ts";
import { PoolJob, trainRunsInPool } from "../model/run_pool.ts";
import { argmax, classwiseMetrics } from "../stats/confusion.ts";
import { rocAucOvr } from "../stats/roc.ts";
import { Progress } from "../util/progress.ts";
import { formatMeanSd } from "../analysis/metrics_tables.ts";
import { meanSd } from "../stats/descriptive.ts";
import { exists } from "../util/fs.ts";
import { sha256Hex } from "../util/hash.ts";
import { loadRelease } from "../data/release.ts";
import { retrainReason } from "./experiments.ts";
import pl from "nodejs-polars";
import type { DataFrame } from "./frames.ts";

/** One alternative to the preset: a name and the change it makes to the preset's config. */
export interface TuneCandidate {
  /** The name the table shows (and `candidates` selects by). */
  name: string;
  /** Changes the preset's config in place. */
  change: (c: RunConfig) => void;
}

/**
 * The preset first, then each alternative. The preset differs by model kind (the multi-task head has a
 * hidden layer), so an alternative that leaves a kind's preset unchanged is not trained for that kind.
 */
export const TUNE_CANDIDATES: readonly TuneCandidate[] = Object.freeze<TuneCandidate[]>([
  { name: "preset (chosen)", change: () => {} },
  { name: "mixed5 only", change: (c) => (c.model.backbone.featureLayers = ["mixed5"]) },
  { name: "mixed10 only", change: (c) => (c.model.backbone.featureLayers = ["mixed10"]) },
  { name: "no square root", change: (c) => (c.model.head.transform = "none") },
  { name: "no augmented views", change: (c) => ((c.training.views = 0), (c.training.ttaViews = 0)) },
  { name: "3 augmented views", change: (c) => ((c.training.views = 3), (c.training.ttaViews = 3)) },
  { name: "5 augmented views", change: (c) => ((c.training.views = 5), (c.training.ttaViews = 5)) },
  { name: "7 augmented views", change: (c) => ((c.training.views = 7), (c.training.ttaViews = 7)) },
  { name: "views in training, no test-time averaging", change: (c) => (c.training.ttaViews = 0) },
  { name: "float32 backbone (not int8)", change: (c) => (c.model.backbone.precision = "fp32") },
  { name: "class-weighted loss", change: (c) => (c.training.classWeights = true) },
  {
    name: "class-weighted loss + prior correction",
    change: (c) => ((c.training.classWeights = true), (c.training.priorCorrection = true)),
  },
  { name: "L2 0.01", change: (c) => (c.model.head.l2 = 0.01) },
  { name: "L2 0.03", change: (c) => (c.model.head.l2 = 0.03) },
  { name: "L2 0.1", change: (c) => (c.model.head.l2 = 0.1) },
  { name: "L2 0.3", change: (c) => (c.model.head.l2 = 0.3) },
  { name: "linear heads", change: (c) => (c.model.head.hidden = 0) },
  { name: "linear heads, L2 0.03", change: (c) => ((c.model.head.hidden = 0), (c.model.head.l2 = 0.03)) },
  { name: "hidden layer of 128", change: (c) => (c.model.head.hidden = 128) },
  { name: "hidden layer of 256", change: (c) => (c.model.head.hidden = 256) },
  { name: "hidden layer of 256, L2 0.1", change: (c) => ((c.model.head.hidden = 256), (c.model.head.l2 = 0.1)) },
  { name: "label-balanced batches (the study's)", change: (c) => (c.training.sampling = "label-balanced") },
  { name: "shuffled batches", change: (c) => (c.training.sampling = "shuffled") },
  { name: "epoch chosen by validation AUROC", change: (c) => (c.training.selection = "auroc") },
  { name: "heads weighted equally (the study's sum)", change: (c) => delete c.training.headWeights },
  {
    name: "management loss weighted 8 (multi-task; as much as the other 8 heads)",
    change: (c) => void (c.model.kind === "multi" && (c.training.headWeights = { management: 8 })),
  },
  { name: "one network (no ensemble)", change: (c) => delete c.model.head.members },
  { name: "ensemble of 2 members", change: (c) => (c.model.head.members = 2) },
  { name: "ensemble of 3 members", change: (c) => (c.model.head.members = 3) },
  {
    name: "learning-rate decay 0.003",
    change: (c) => (c.training.optimizer = { ...c.training.optimizer, lrDecay: 0.003 }),
  },
  {
    name: "learning-rate decay 0.01",
    change: (c) => (c.training.optimizer = { ...c.training.optimizer, lrDecay: 0.01 }),
  },
  {
    name: "learning rate 0.003, decay 0.01",
    change: (c) => (c.training.optimizer = { ...c.training.optimizer, learningRate: 0.003, lrDecay: 0.01 }),
  },
  {
    name: "previous defaults (mixed5, 4 views, hidden 64, label-balanced, class-weighted)",
    change: (c) => {
      c.model.backbone.featureLayers = ["mixed5"];
      c.model.backbone.precision = "fp32";
      c.model.head = { hidden: 64, l2: 0.03, standardize: true, transform: "none" };
      c.training.views = 4;
      c.training.ttaViews = 0;
      c.training.epochs = 40;
      c.training.sampling = "label-balanced";
      c.training.classWeights = true;
      delete c.training.headWeights;
      c.training.optimizer = { ...c.training.optimizer, learningRate: 0.01, lrDecay: 1e-4 };
    },
  },
]);

/** The model kinds `tune` scores by default, in the table's order. */
export const TUNE_KINDS: readonly ModelKind[] = Object.freeze<ModelKind[]>(["mgmt", "diag", "multi"]);

/** Options of {@linkcode tunePreset}. */
export interface TuneOptions {
  /** Where the runs go (<outDir>/runs/<kind>-<candidate>-s<seed>). */
  outDir: string;
  /** Cache folder of decoded images and features. */
  cacheDir: string;
  /** Training seeds (each candidate is trained once per seed). */
  seeds: readonly number[];
  /** Model kinds to tune (default all three). */
  kinds?: readonly ModelKind[];
  /** Names of the candidates to run (default: all). */
  candidates?: readonly string[];
  /** Applied to the preset before each candidate's change (e.g. another backbone or input size). */
  configure?: (c: RunConfig) => void;
  /** No progress lines. */
  quiet?: boolean;
  /** Runs trained at once (default: one per core, or DERM7PT_TRAIN_JOBS). */
  jobs?: number;
}

/** One candidate's validation scores for one model kind. */
export interface TuneRow {
  /** The model kind. */
  kind: ModelKind;
  /** The candidate's name. */
  candidate: string;
  /** Validation macro AUROC of the kind's main head (diagnosis for diag, else management), per seed. */
  auroc: number[];
  /** Validation accuracy of the same head, per seed. */
  accuracy: number[];
  /** Time of all its runs as each run recorded it (features and training, also for reused runs), in seconds. */
  seconds: number;
  /**
   * The key of the kind's preset it was scored against ({@linkcode tunePresetKey}); rows of an earlier `tune`
   * against another preset are stale (absent in tune.json written before 2026-11-30, evening).
   */
  preset?: string;
}

/**
 * A short key of a model kind's preset as `tune` trains it (the config of seed 0 on `dataDir`, after
 * `configure`): it changes when the code's preset changes, which makes earlier rows and runs stale.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tunePresetKey } from "./tune.ts";
 * assert.match(tunePresetKey("multi", "/data"), /^[0-9a-f]{12}$/);
 * assert.notEqual(tunePresetKey("multi", "/data"), tunePresetKey("multi", "/data", (c) => delete c.training.headWeights));
 * ```
 */
export function tunePresetKey(kind: ModelKind, dataDir: string, configure?: (c: RunConfig) => void): string {
  return sha256Hex(JSON.stringify(tuneConfig(kind, 0, dataDir, configure))).slice(0, 12);
}

/** The kind's preset as `tune` trains it: the features preset, inputs C+D+M, wasm, then `configure`. */
function tuneConfig(kind: ModelKind, seed: number, dataDir: string, configure?: (c: RunConfig) => void): RunConfig {
  const config = defaultRunConfig({ kind, inputs: "CDM", preset: "features", seed });
  config.data.dir = dataDir;
  config.backend = "wasm";
  configure?.(config);
  return config;
}

const mainHead = (kind: ModelKind): HeadName => (kind === "diag" ? "diagnosis" : "management");

/**
 * Trains every candidate for every kind and seed (reusing completed runs) and scores it on the
 * validation split.
 * @throws {RangeError} naming an unknown candidate.
 */
export async function tunePreset(dataDir: string, options: TuneOptions): Promise<TuneRow[]> {
  const names = options.candidates ?? TUNE_CANDIDATES.map((c) => c.name);
  const unknown = names.find((n) => !TUNE_CANDIDATES.some((c) => c.name === n));
  if (unknown) {
    throw new RangeError(
      `Cannot tune: expected candidates among ${
        TUNE_CANDIDATES.map((c) => `"${c.name}"`).join(", ")
      }, found "${unknown}"`,
    );
  }
  const kinds = options.kinds ?? TUNE_KINDS;
  const candidates = TUNE_CANDIDATES.filter((c) => names.includes(c.name));
  const rows: TuneRow[] = [];
  const presetConfig = (kind: ModelKind, seed: number) => tuneConfig(kind, seed, dataDir, options.configure);
  // a run folder trained against another preset (or damaged) is trained again, as the notebooks' runs are
  const release = loadRelease(dataDir, { quiet: true });
  // every run first (the features, then several runs at once: lib/model/run_pool.ts), then the scores
  let bar = null as Progress | null; // made once the pool says how many runs it trains
  const planned: { row: TuneRow; job: PoolJob }[] = [];
  for (const kind of kinds) {
    const preset = JSON.stringify(presetConfig(kind, 0));
    const presetKey = tunePresetKey(kind, dataDir, options.configure);
    for (const cand of candidates) {
      const changed = presetConfig(kind, 0);
      cand.change(changed);
      if (cand !== TUNE_CANDIDATES[0] && JSON.stringify(changed) === preset) {
        continue; // the kind's preset itself: its row is the preset's
      }
      const row: TuneRow = { kind, candidate: cand.name, auroc: [], accuracy: [], seconds: 0, preset: presetKey };
      rows.push(row);
      for (const seed of options.seeds) {
        const config = presetConfig(kind, seed);
        cand.change(config);
        const slug = cand.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
        const dir = join(options.outDir, "runs", `${kind}-${slug}-s${seed}`);
        const force = retrainReason(dir, config, release) !== null;
        planned.push({ row, job: { config, outDir: dir, cacheDir: options.cacheDir, force } });
      }
    }
  }
  const runs = await trainRunsInPool(planned.map((p) => p.job), {
    jobs: options.jobs,
    onEvent: (e) => {
      // the runs to train only (reused ones take no time, and would make the rate and ETA wrong)
      if (e.type === "plan" && e.train > 0) {
        bar = new Progress("tune: runs", e.train, { unit: "run", quiet: options.quiet });
      } else if (e.type === "done" && !e.result.reused) bar?.tick();
    },
  });
  planned.forEach(({ row, job }, i) => {
    // the run's own time, also when an earlier tune made it (then this call only reads it)
    row.seconds += runs[i].summary.seconds.total;
    const p = readPredictions(job.outDir);
    const h = mainHead(row.kind);
    const truth = p.truth(h, "valid"), probs = p.probs(h, "valid");
    row.auroc.push(rocAucOvr(truth, probs));
    row.accuracy.push(classwiseMetrics(truth, argmax(probs), { labels: probs[0].length }).accuracy);
  });
  bar?.done();
  return rows;
}

/**
 * The rows of an earlier `tune` with this call's rows added: a row for the same kind and candidate is
 * replaced, an earlier row scored against another preset than the kind's current one (`presets`, from
 * {@linkcode tunePresetKey}) is dropped as stale, and the result is ordered by kind (mgmt, diag, multi) and
 * by the candidates' order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeTuneRows } from "./tune.ts";
 * const row = (kind: "mgmt" | "multi", candidate: string, auroc: number, preset = "p") =>
 *   ({ kind, candidate, auroc: [auroc], accuracy: [0.7], seconds: 1, preset });
 * const merged = mergeTuneRows(
 *   [row("multi", "L2 0.3", 0.7), row("mgmt", "preset (chosen)", 0.8), row("mgmt", "L2 0.1", 0.8, "old")],
 *   [row("multi", "preset (chosen)", 0.9), row("multi", "L2 0.3", 0.75)],
 *   { mgmt: "p", multi: "p" },
 * );
 * assert.deepEqual(merged.map((r) => `${r.kind} ${r.candidate} ${r.auroc[0]}`),
 *   ["mgmt preset (chosen) 0.8", "multi preset (chosen) 0.9", "multi L2 0.3 0.75"]);
 * ```
 */
export function mergeTuneRows(
  previous: readonly TuneRow[],
  next: readonly TuneRow[],
  presets: Readonly<Partial<Record<ModelKind, string>>>,
): TuneRow[] {
  const key = (r: TuneRow) => `${r.kind}\u0000${r.candidate}`;
  const current = previous.filter((r) => r.preset !== undefined && r.preset === presets[r.kind]);
  const byKey = new Map(current.map((r) => [key(r), r]));
  for (const r of next) byKey.set(key(r), r);
  const candOrder = (name: string) => {
    const i = TUNE_CANDIDATES.findIndex((c) => c.name === name);
    return i < 0 ? TUNE_CANDIDATES.length : i;
  };
  return [...byKey.values()].sort((a, b) =>
    TUNE_KINDS.indexOf(a.kind) - TUNE_KINDS.indexOf(b.kind) || candOrder(a.candidate) - candOrder(b.candidate)
  );
}

/** The rows as records for a table: kind, candidate, validation AUROC and accuracy (mean ± SD), seconds. */
export function tuneRecords(rows: readonly TuneRow[]): Record<string, string | number>[] {
  return rows.map((r) => ({
    model: `${r.kind}-CDM`,
    setting: r.candidate,
    "valid macro AUROC": formatMeanSd(meanSd(r.auroc)),
    "valid accuracy": formatMeanSd(meanSd(r.accuracy)),
    seeds: r.auroc.length,
    "seconds per run": Number((r.seconds / r.auroc.length).toFixed(1)),
  }));
}

/**
 * The table the last `tune` wrote for this kind of data (outputs/<real|synthetic>/tune/tune.csv, the folder
 * beside a notebook's `outDir`), or null when it has not been run.
 */
export function savedTuneTable(outDir: string): DataFrame | null {
  const file = join(outDir, "..", "tune", "tune.csv");
  return exists(file) ? pl.readCSV(Deno.readTextFileSync(file)) : null;
}
