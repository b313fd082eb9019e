/**
 * Several runs trained at once, each in its own module worker on its own tfjs backend. The wasm
 * backend trains on one thread, so on a machine with c cores c workers train about c runs in the time
 * of one. Results do not depend on it: a run is a pure function of its config and seed, whichever
 * thread trains it (tests compare the files bit for bit).
 *
 * - A completed run of the same config is reused, as {@linkcode trainRun} would (its summary is read).
 * - Features are computed in the calling thread, which uses every core: for a run whose features the
 *   cache may lack, the calling thread first fills the cache (the same backbone, precision, input size,
 *   augmentation and release, and seed for a random backbone; its layers, views and images), then the
 *   run trains in a worker like the others, which only read the cache. The study's runs need one such
 *   filling (`tune`'s float32 candidate a second). A run of the paper preset (no feature cache) that
 *   reads images not yet read is trained in the calling thread instead.
 * - Runs on a backend other than wasm or cpu (a GPU is shared, not multiplied) stay in the calling thread.
 * - The runs for workers start longest first (an estimate from their epochs, inputs and head).
 * - A failing run stops new ones from starting; the runs already in workers finish and keep their
 *   folders, then the first error is thrown. Ctrl-C stops new runs from starting; runs in their
 *   training loop save a checkpoint and stop, and the pool ends with an {@linkcode InterruptedError}
 *   (the same command resumes: completed runs are reused, interrupted ones resume). Ctrl-C while the
 *   calling thread computes features ends the process at once, as the extraction alone does: the views
 *   already written stay in the cache (each written atomically), and no run folder has been touched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainJobsFrom } from "./run_pool.ts";
 * assert.equal(trainJobsFrom(undefined, 2), 2);       // default: one worker per core
 * assert.equal(trainJobsFrom("1", 8), 1);             // DERM7PT_TRAIN_JOBS=1: one run at a time, no workers
 * assert.throws(() => trainJobsFrom("two", 2), /expected DERM7PT_TRAIN_JOBS to be a whole number >= 1, found "two"/);
 * ```
 *
 * @module
 */
import { resolve } from "node:path";
import { runWorker } from "../util/worker.ts";
import { releaseLockOfThisProcess } from "../util/lock.ts";
import { InterruptedError } from "../util/interrupt.ts";
import { fillFeatureCache, readRunRecord, runPlan, RunSummary, trainRun, TrainRunOptions } from "./run.ts";
import { type ExtractionStats, featureCacheIdentity } from "./features.ts";

/** One run for the pool: trainRun's options that can cross to a worker (no callbacks). */
export type PoolJob = Pick<TrainRunOptions, "config" | "outDir" | "cacheDir" | "force" | "engine">;

/** A trained or reused run, as the pool returns it. */
export interface PoolResult {
  /** The run folder. */
  dir: string;
  /** True when a completed run was reused. */
  reused: boolean;
  /** Its run.json summary. */
  summary: RunSummary;
}

/**
 * What the pool reports as it goes (for a status line); `epoch` counts from 1 (a resumed run starts later);
 * `features`: the calling thread has filled the feature cache for a run, which then starts in a worker.
 */
export type PoolEvent =
  | { type: "plan"; train: number; reuse: number }
  | { type: "features"; index: number; stats: ExtractionStats | null }
  | { type: "start"; index: number; where: "here" | "worker" }
  | { type: "epoch"; index: number; epoch: number; epochs: number }
  | { type: "done"; index: number; result: PoolResult };

/** Options of {@linkcode trainRunsInPool}. */
export interface PoolOptions {
  /** Runs trained at once (default {@linkcode defaultTrainJobs}); 1 trains each in the calling thread. */
  jobs?: number;
  /** No progress lines from the work in the calling thread, features or runs (workers are always quiet). */
  quiet?: boolean;
  /**
   * Called with the plan (how many runs train, how many are reused), as the calling thread fills the
   * feature cache for a run, then as runs start, advance an epoch and end.
   */
  onEvent?: (event: PoolEvent) => void;
  /**
   * Does a run's work in the calling thread: filling the feature cache for it, or training it (every
   * run when `jobs` is 1); default `work()`. The caller can wrap it, e.g. to show the extraction's progress.
   */
  inThisThread?: <T>(index: number, work: () => Promise<T>) => Promise<T>;
}

/**
 * The number of runs to train at once: `DERM7PT_TRAIN_JOBS` when set, else one per core.
 * @throws {Error} naming DERM7PT_TRAIN_JOBS when it is not a whole number >= 1.
 */
export function trainJobsFrom(env: string | undefined, cores: number): number {
  if (env === undefined || env === "") return Math.max(1, cores);
  if (!/^[1-9]\d*$/.test(env.trim())) {
    throw new Error(`Cannot train runs: expected DERM7PT_TRAIN_JOBS to be a whole number >= 1, found "${env}"`);
  }
  return Number(env.trim());
}

/** {@linkcode trainJobsFrom} for this process: DERM7PT_TRAIN_JOBS, else navigator.hardwareConcurrency. */
export function defaultTrainJobs(): number {
  return trainJobsFrom(Deno.env.get("DERM7PT_TRAIN_JOBS"), navigator.hardwareConcurrency ?? 1);
}

/** What a run reads from the feature cache: which cache (`key`), and its layers, views and images. */
interface FeatureNeed {
  key: string;
  layers: string[];
  views: number;
  images: string[];
}

/** The images a run reads: "C" (clinical) and/or "D" (dermoscopic). */
const imageInputs = (job: PoolJob) => [...job.config.model.inputs].filter((i) => i === "C" || i === "D");

function featureNeed(job: PoolJob): FeatureNeed {
  const { model, training, data } = job.config;
  return {
    key: JSON.stringify([
      featureCacheIdentity(model.backbone, job.config.seed, training.augmentation),
      resolve(data.dir),
    ]),
    layers: model.backbone.featureLayers,
    views: Math.max(training.views, training.ttaViews),
    images: imageInputs(job),
  };
}

/** True when the runs that filled `filled` cached every image, layer and view that `need` reads. */
const cachedFor = (need: FeatureNeed, filled: readonly FeatureNeed[]) =>
  need.images.every((image) =>
    filled.some((have) =>
      have.key === need.key && need.views <= have.views && have.images.includes(image) &&
      need.layers.every((l) => have.layers.includes(l))
    )
  );

/** Backends that train on one CPU thread. */
const inWorkers = (job: PoolJob) => job.config.backend === "wasm" || job.config.backend === "cpu";
/** Epochs a run trains: over all members of an ensemble (features preset), or the paper schedule's. */
const epochsOf = (job: PoolJob) =>
  job.config.training.preset === "features"
    ? job.config.training.epochs * (job.config.model.head.members ?? 1)
    : job.config.training.schedule.reduce((n, s) => n + s.epochs, 0);

/**
 * A run's relative training time, for ordering only: epochs x the width of its input (images x layers, and
 * the metadata) x the width of its first layer (a hidden layer, or a few logits).
 */
function estimatedCost(job: PoolJob): number {
  const { model } = job.config;
  return epochsOf(job) * (imageInputs(job).length * model.backbone.featureLayers.length + 0.1) *
    (model.head.hidden || 8);
}

/**
 * Trains (or reuses) every job; returns their results in the jobs' order.
 * @throws what {@linkcode trainRun} throws for a folder it cannot train into (checked for every job
 * before any starts), a run folder given twice, or the first failing run's error after the running
 * ones have finished; {InterruptedError} after Ctrl-C.
 */
export async function trainRunsInPool(jobs: readonly PoolJob[], options: PoolOptions = {}): Promise<PoolResult[]> {
  const limit = options.jobs ?? defaultTrainJobs();
  if (!(Number.isInteger(limit) && limit >= 1)) {
    throw new RangeError(`Cannot train runs: expected jobs to be a whole number >= 1, found ${limit}`);
  }
  const folders = jobs.map((j) => resolve(j.outDir));
  const twice = folders.findIndex((f, i) => folders.indexOf(f) !== i);
  if (twice >= 0) throw new RangeError(`Cannot train runs: the run folder ${jobs[twice].outDir} is given twice`);
  const plans = jobs.map((job) => runPlan(job)); // refuses a folder it cannot train into before anything starts
  const results: PoolResult[] = new Array(jobs.length);
  const emit = options.onEvent ?? (() => {});
  const toTrain = plans.filter((p) => p === "train").length;
  emit({ type: "plan", train: toTrain, reuse: jobs.length - toTrain });
  const reuse = (i: number) => {
    // runPlan has checked the completed run's config and files: read its summary, as trainRun would return it
    results[i] = { dir: jobs[i].outDir, reused: true, summary: readRunRecord(jobs[i].outDir).summary };
    emit({ type: "done", index: i, result: results[i] });
  };
  const here = async (i: number) => {
    emit({ type: "start", index: i, where: "here" });
    const train = () => trainRun({ ...jobs[i], quiet: options.quiet ?? true });
    const r = options.inThisThread ? await options.inThisThread(i, train) : await train();
    results[i] = { dir: r.dir, reused: r.reused, summary: r.summary };
    emit({ type: "done", index: i, result: results[i] });
  };
  const fill = async (i: number) => {
    const work = () => fillFeatureCache({ ...jobs[i], quiet: options.quiet ?? true });
    const stats = options.inThisThread ? await options.inThisThread(i, work) : await work();
    emit({ type: "features", index: i, stats });
  };
  const queue: number[] = [];
  const filled: FeatureNeed[] = []; // what this call has put in the feature cache (or read there)
  for (let i = 0; i < jobs.length; i++) {
    const need = featureNeed(jobs[i]);
    if (plans[i] === "reuse") reuse(i);
    else if (limit === 1 || !inWorkers(jobs[i])) await here(i);
    else if (cachedFor(need, filled)) queue.push(i);
    else if (jobs[i].config.training.preset === "features") {
      await fill(i);
      filled.push(need);
      queue.push(i);
    } else {
      await here(i);
      filled.push(need);
    }
  }
  // longest first, so that no long run is left training alone at the end (results do not depend on order)
  queue.sort((a, b) => estimatedCost(jobs[b]) - estimatedCost(jobs[a]) || a - b);
  let failure: unknown = null;
  let interrupted = false;
  const onSigint = () => (interrupted = true);
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined && failure === null && !interrupted; i = queue.shift()) {
      emit({ type: "start", index: i, where: "worker" });
      const epochs = epochsOf(jobs[i]);
      try {
        await runWorker(new URL("./_train_worker.ts", import.meta.url), jobs[i], {
          onDone: (epoch) => emit({ type: "epoch", index: i, epoch, epochs }),
        });
        results[i] = { dir: jobs[i].outDir, reused: false, summary: readRunRecord(jobs[i].outDir).summary };
        emit({ type: "done", index: i, result: results[i] });
      } catch (e) {
        // a worker that died without a message never ran trainRun's `finally`: its lock is left behind
        if ((e as { crashed?: boolean }).crashed) releaseLockOfThisProcess(jobs[i].outDir);
        failure ??= e;
      }
    }
  };
  const listening = queue.length > 0;
  if (listening) Deno.addSignalListener("SIGINT", onSigint);
  try {
    await Promise.all([...Array(Math.min(limit, queue.length)).keys()].map(worker));
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onSigint);
  }
  if (failure !== null) throw failure;
  if (interrupted) {
    const left = jobs.length - results.filter(Boolean).length;
    throw new InterruptedError(
      `Training interrupted: ${left} of ${jobs.length} runs not trained (completed runs are kept); run the same command again to go on`,
    );
  }
  return results;
}
