/**
 * Several runs trained at once, each in its own module worker on its own tfjs backend. The wasm
 * backend trains on one thread, so on a machine with c cores c workers train about c runs in the time
 * of one. Results do not depend on it: a run is a pure function of its config and seed, whichever
 * thread trains it (tests compare the files bit for bit).
 *
 * - A completed run of the same config is reused in the calling thread, as {@linkcode trainRun} would.
 * - Until one run with an image input has been trained, runs are trained in the calling thread, one at
 *   a time: the first fills the feature cache (its extraction already uses every core), and the runs
 *   that follow in workers read it. Runs whose features another config would need are still correct in
 *   workers, only slower (each worker then extracts what it lacks).
 * - A failing run stops new ones from starting; the runs already in workers finish and keep their
 *   folders, then the first error is thrown. Ctrl-C reaches every worker: each saves its checkpoint,
 *   and the pool ends with an {@linkcode InterruptedError} (rerun to resume).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainJobsFrom } from "./run_pool.ts";
 * assert.equal(trainJobsFrom(undefined, 2), 2);       // default: one worker per core
 * assert.equal(trainJobsFrom("1", 8), 1);             // DERM7PT_TRAIN_JOBS=1: one run at a time, no workers
 * assert.throws(() => trainJobsFrom("two", 2), /DERM7PT_TRAIN_JOBS: expected a whole number >= 1, found "two"/);
 * ```
 *
 * @module
 */
import { runWorker } from "../util/worker.ts";
import { releaseLockOfThisProcess } from "../util/lock.ts";
import { readRunRecord, runPlan, RunResult, RunSummary, trainRun, TrainRunOptions } from "./run.ts";

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

/** What the pool reports as it goes (for a status line). */
export type PoolEvent =
  | { type: "start"; index: number; where: "here" | "worker" }
  | { type: "epoch"; index: number; epoch: number; epochs: number }
  | { type: "done"; index: number; result: PoolResult };

/** Options of {@linkcode trainRunsInPool}. */
export interface PoolOptions {
  /** Runs trained at once (default {@linkcode defaultTrainJobs}); 1 trains each in the calling thread. */
  jobs?: number;
  /** No progress lines from the runs trained in the calling thread (workers are always quiet). */
  quiet?: boolean;
  /** Called as runs start, advance an epoch and end. */
  onEvent?: (event: PoolEvent) => void;
  /**
   * Runs a run in the calling thread (reused runs, and the first trained ones); default `train()`.
   * The caller can wrap it, e.g. to show the feature extraction's progress.
   */
  inThisThread?: (index: number, train: () => Promise<RunResult>) => Promise<RunResult>;
}

/**
 * The number of runs to train at once: `DERM7PT_TRAIN_JOBS` when set, else one per core.
 * @throws {RangeError} naming DERM7PT_TRAIN_JOBS when it is not a whole number >= 1.
 */
export function trainJobsFrom(env: string | undefined, cores: number): number {
  if (env === undefined || env === "") return Math.max(1, cores);
  if (!/^[1-9]\d*$/.test(env.trim())) {
    throw new RangeError(`DERM7PT_TRAIN_JOBS: expected a whole number >= 1, found "${env}"`);
  }
  return Number(env.trim());
}

/** {@linkcode trainJobsFrom} for this process: DERM7PT_TRAIN_JOBS, else navigator.hardwareConcurrency. */
export function defaultTrainJobs(): number {
  return trainJobsFrom(Deno.env.get("DERM7PT_TRAIN_JOBS"), navigator.hardwareConcurrency ?? 1);
}

const usesImages = (job: PoolJob) => job.config.model.inputs !== "M";
/** Backends that train on one CPU thread (a GPU backend is shared, not multiplied, by workers). */
const inWorkers = (job: PoolJob) => job.config.backend === "wasm" || job.config.backend === "cpu";
const epochsOf = (job: PoolJob) =>
  job.config.training.preset === "features"
    ? job.config.training.epochs
    : job.config.training.schedule.reduce((n, s) => n + s.epochs, 0);

/**
 * Trains (or reuses) every job; returns their results in the jobs' order.
 * @throws what {@linkcode trainRun} throws (checked for every job before any starts), or the first
 * failing run's error after the running ones have finished.
 */
export async function trainRunsInPool(jobs: readonly PoolJob[], options: PoolOptions = {}): Promise<PoolResult[]> {
  const limit = options.jobs ?? defaultTrainJobs();
  const twice = jobs.find((j, i) => jobs.findIndex((k) => k.outDir === j.outDir) !== i);
  if (twice) throw new RangeError(`Cannot train runs: the run folder ${twice.outDir} is given twice`);
  const plans = jobs.map((job) => runPlan(job)); // refuses a folder it cannot train into before anything starts
  const results: PoolResult[] = new Array(jobs.length);
  const emit = options.onEvent ?? (() => {});
  const here = async (i: number) => {
    emit({ type: "start", index: i, where: "here" });
    const train = () => trainRun({ ...jobs[i], quiet: options.quiet ?? true });
    const r = options.inThisThread ? await options.inThisThread(i, train) : await train();
    results[i] = { dir: r.dir, reused: r.reused, summary: r.summary };
    emit({ type: "done", index: i, result: results[i] });
  };
  const queue: number[] = [];
  let featuresReady = false;
  for (let i = 0; i < jobs.length; i++) {
    if (plans[i] === "reuse" || limit === 1 || !inWorkers(jobs[i]) || (!featuresReady && usesImages(jobs[i]))) {
      await here(i);
      if (plans[i] === "train" && usesImages(jobs[i])) featuresReady = true;
    } else queue.push(i);
  }
  let failure: unknown = null;
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined && failure === null; i = queue.shift()) {
      emit({ type: "start", index: i, where: "worker" });
      const epochs = epochsOf(jobs[i]);
      let epoch = 0;
      try {
        await runWorker(new URL("./_train_worker.ts", import.meta.url), jobs[i], {
          onDone: () => emit({ type: "epoch", index: i, epoch: ++epoch, epochs }),
        });
        results[i] = { dir: jobs[i].outDir, reused: false, summary: readRunRecord(jobs[i].outDir).summary };
        emit({ type: "done", index: i, result: results[i] });
      } catch (e) {
        releaseLockOfThisProcess(jobs[i].outDir); // a worker that died before releasing it
        failure ??= e;
      }
    }
  };
  await Promise.all([...Array(Math.min(limit, queue.length)).keys()].map(worker));
  if (failure !== null) throw failure;
  return results;
}
