/**
 * The runs the study's analyses need, named and configured in one place, and trained on demand
 * (a completed run with the same config is reused, so notebooks can each ask for what they need).
 *
 * - `diag-CDM`, `mgmt-CDM`, `multi-CDM`: the official split, all inputs (Table 2, Table 3).
 * - `multi-<inputs>` for C, D, M, CD, CM, DM: the input ablation of the multi-task model (Table 4).
 * - `<kind>-CDM-fold<i>` for i = 0..2: 3-fold cross-validation (the "3-fold CV" rows).
 * All use the features preset: its defaults on real data (299 px), the profile's smaller settings on
 * synthetic data; the backbone is the offline nsfwjs InceptionV3 (not the study's ImageNet backbone).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROFILES } from "./context.ts";
 * import { studyRunConfig, studyRunNames } from "./experiments.ts";
 * assert.deepEqual(studyRunNames.main, ["diag-CDM", "mgmt-CDM", "multi-CDM"]);
 * assert.equal(studyRunNames.all.length, 18); // 3 main, 6 more ablation, 9 cross-validation
 * const ctx = { settings: PROFILES.full, location: { dir: "/data/release_v0", source: "option" as const }, synthetic: false };
 * const config = studyRunConfig(ctx, "mgmt-CDM-fold1");
 * assert.deepEqual([config.model.kind, config.model.inputs, config.model.backbone.size], ["mgmt", "CDM", 299]);
 * assert.deepEqual([config.data.fold, config.data.k, config.data.foldSeed], [1, 3, 0]);
 * ```
 *
 * In a notebook, `await ensureRuns(ctx, studyRunNames.main)` trains or reuses those runs and returns
 * `{ "diag-CDM": "<run folder>", ... }`.
 *
 * @module
 */
import { join } from "node:path";
import { defaultRunConfig, InputSet, ModelKind, RunConfig } from "../model/config.ts";
import { configKey, readRunRecord } from "../model/run.ts";
import { PoolJob, trainRunsInPool } from "../model/run_pool.ts";
import { verifyRunFiles } from "../model/run_files.ts";
import { type Release, releaseFingerprint } from "../data/release.ts";
import { exists } from "../util/fs.ts";
import { formatSeconds, statusLine, withStatusLine } from "../util/progress.ts";
import type { NotebookContext } from "./context.ts";

/** The input sets of the ablation (Table 4), in the table's order. */
export const ABLATION_INPUTS: readonly InputSet[] = ["C", "CM", "D", "DM", "CD", "CDM", "M"];
/** Number of cross-validation folds. */
export const FOLDS = 3;
/** Seed of the cross-validation partition (the same as notebook 01's). */
export const FOLD_SEED = 0;

const MAIN_RUNS = ["diag-CDM", "mgmt-CDM", "multi-CDM"];
const ABLATION_RUNS = ABLATION_INPUTS.map((i) => `multi-${i}`);
const CV_RUNS = (["diag", "mgmt", "multi"] as const).flatMap((k) =>
  [...Array(FOLDS).keys()].map((f) => `${k}-CDM-fold${f}`)
);

/** Run names by purpose; `all` lists every run once (multi-CDM is both a main and an ablation run). */
export const studyRunNames: Readonly<Record<"main" | "ablation" | "cv" | "all", string[]>> = Object.freeze({
  main: MAIN_RUNS,
  ablation: ABLATION_RUNS,
  cv: CV_RUNS,
  all: [...new Set([...MAIN_RUNS, ...ABLATION_RUNS, ...CV_RUNS])],
});

/**
 * The config of a named run for a context: `<diag|mgmt|multi>-<inputs>[-fold<i>]`, the features preset
 * with the wasm backend (on synthetic data the profile's smaller size, views and epochs).
 * @throws {RangeError} on a name of another form.
 */
export function studyRunConfig(
  ctx: Pick<NotebookContext, "settings" | "location" | "synthetic">,
  name: string,
): RunConfig {
  const m = name.match(/^(diag|mgmt|multi)-(C|D|M|CD|CM|DM|CDM)(?:-fold(\d+))?$/);
  if (!m) {
    throw new RangeError(`Cannot configure run: expected a name like "multi-CDM" or "mgmt-CDM-fold0", found "${name}"`);
  }
  const t = ctx.settings.training;
  const cfg = defaultRunConfig({
    kind: m[1] as ModelKind,
    inputs: m[2] as InputSet,
    preset: "features",
    seed: t.seed,
    backbone: { size: ctx.synthetic ? t.syntheticSize : 299 },
  });
  if (ctx.synthetic) {
    // smaller settings keep the synthetic main job and the tests short; real data uses the preset as chosen
    cfg.training.views = t.syntheticViews;
    cfg.training.ttaViews = t.syntheticViews;
    cfg.training.epochs = t.syntheticEpochs;
  }
  cfg.backend = "wasm";
  cfg.data.dir = ctx.location!.dir;
  if (m[3] !== undefined) {
    cfg.data.fold = Number(m[3]);
    cfg.data.k = FOLDS;
    cfg.data.foldSeed = FOLD_SEED;
  }
  return cfg;
}

/** The runs folder of a context: outputs/<synthetic|real>/runs. */
export function runsDir(ctx: Pick<NotebookContext, "outDir">): string {
  return join(ctx.outDir, "..", "runs");
}

/**
 * Trains (or reuses) the named runs; returns name -> run folder. This thread first computes the features
 * the runs need (or reads them from the cache), on every core; then the runs train several at once in
 * workers (one per core, or `DERM7PT_TRAIN_JOBS`; lib/model/run_pool.ts), which changes no result. A run
 * folder whose config changed, or whose files do not match its run.json, is retrained (the status line
 * says why). Unless quiet, the whole step reports on one status line (in a notebook: one updating
 * display): the feature extraction, then the runs in training with their epochs, ending with how many
 * were trained or reused.
 */
export async function ensureRuns(
  ctx: NotebookContext,
  names: readonly string[],
  options: { quiet?: boolean } = {},
): Promise<Record<string, string>> {
  const unique = [...new Set(names)];
  const quiet = options.quiet ?? false;
  const step = quiet ? null : statusLine();
  const t0 = performance.now();
  const label = (i: number) => `run ${i + 1}/${unique.length} ${unique[i]}`;
  const jobs: PoolJob[] = unique.map((name) => ({
    config: studyRunConfig(ctx, name),
    outDir: join(runsDir(ctx), name),
    cacheDir: ctx.cacheDir,
  }));
  const reasons = jobs.map((j) => retrainReason(j.outDir, j.config, ctx.release));
  jobs.forEach((j, i) => (j.force = reasons[i] !== null));
  const epochs = new Map<number, string>();
  let finished = 0, shown = 0;
  const show = (text: string, force = false) => {
    if (!step || (!force && performance.now() - shown < 2000)) return;
    shown = performance.now();
    step.update(text);
  };
  const inWorkers = () =>
    `${finished}/${unique.length} runs ready; training ${
      [...epochs.entries()].map(([i, e]) => `${unique[i]} (${e})`).join(", ")
    }`;
  const results = await trainRunsInPool(jobs, {
    quiet,
    inThisThread: (i, work) => (step ? withStatusLine(step.prefixed(`${label(i)} · `), work) : work()),
    onEvent: (e) => {
      if (e.type === "features" && e.stats) {
        const { computed, cached, seconds } = e.stats;
        show(
          `${label(e.index)}: features ready (${computed} views computed, ${cached} cached; ${formatSeconds(seconds)})`,
          true,
        );
      }
      if (e.type === "start" && reasons[e.index]) show(`${label(e.index)}: ${reasons[e.index]}; retraining`, true);
      if (e.type === "start" && e.where === "worker") {
        epochs.set(e.index, "starting");
        show(inWorkers(), !reasons[e.index]);
      } else if (e.type === "epoch") {
        epochs.set(e.index, `epoch ${e.epoch}/${e.epochs}`);
        show(inWorkers());
      } else if (e.type === "done") {
        finished++;
        epochs.delete(e.index);
        const r = e.result;
        show(
          `${label(e.index)}: ${r.reused ? "reused" : "trained"} (${r.reused ? "trained earlier in " : ""}${
            formatSeconds(r.summary.seconds.total)
          })`,
          true,
        );
      }
    },
  });
  const trained = results.filter((r) => !r.reused).length;
  step?.done(
    `${unique.length} run${unique.length === 1 ? "" : "s"} ready: ${trained} trained, ${
      unique.length - trained
    } reused (${formatSeconds((performance.now() - t0) / 1000)})`,
  );
  return Object.fromEntries(unique.map((name, i) => [name, results[i].dir]));
}

/** A release's fingerprint, read once per release (it hashes meta.csv and the split files). */
const fingerprints = new WeakMap<Release, string>();
function fingerprintOf(release: Release): string {
  if (!fingerprints.has(release)) fingerprints.set(release, releaseFingerprint(release));
  return fingerprints.get(release)!;
}

/**
 * Why a run folder made by the project (the notebooks' runs, `tune`'s) must be retrained rather than
 * refused, or null: its config, stamped with `release`'s fingerprint, changed (new code defaults, another
 * profile), or its files do not match its run.json (an older format without checksums, damaged files).
 */
export function retrainReason(dir: string, config: RunConfig, release: Release): string | null {
  if (!exists(join(dir, "run.json"))) return null;
  const previous = readRunRecord(dir);
  const stamped = {
    ...config,
    data: { ...config.data, fingerprint: fingerprintOf(release), synthetic: release.synthetic },
  };
  if (previous.key !== configKey(stamped)) return "the configuration changed since it was trained";
  try {
    verifyRunFiles(dir, previous);
    return null;
  } catch (e) {
    return (e as Error).message.replace(/; retrain it.*$/, "");
  }
}
