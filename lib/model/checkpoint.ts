/**
 * The trainer's progress and its checkpoint: what `trainModel` (train.ts) keeps between epochs, written
 * to a folder (checkpoint.json + state.bin: the weights, the momentum and, after a best epoch, the best
 * weights, all float32) so that an interrupted run resumes with the same result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { freshProgress, resumeProgress, writeCheckpoint } from "./checkpoint.ts";
 * import { buildHeads } from "./network.ts";
 * import { SgdMomentum } from "./sgd.ts";
 * import { snapshotWeights } from "./serialize.ts";
 * await tf.setBackend("cpu");
 * const cfg = { hidden: 0, l2: 0, standardize: false, transform: "none" as const };
 * const sgd = new SgdMomentum({ learningRate: 0.1, momentum: 0.9, lrDecay: 0, weightDecay: 0 });
 * const ck = { dir: Deno.makeTempDirSync(), key: "demo" };
 * const model = buildHeads(4, "mgmt", cfg, 1);
 * assert.equal(resumeProgress(ck, model, sgd), null); // no checkpoint yet
 * await writeCheckpoint(ck, model, sgd, freshProgress(), { epoch: 2, step: 0 });
 * const other = buildHeads(4, "mgmt", cfg, 2);
 * assert.deepEqual(resumeProgress(ck, other, sgd)?.start, { epoch: 2, step: 0 });
 * assert.deepEqual(snapshotWeights(other), snapshotWeights(model)); // the weights restored
 * assert.throws(() => resumeProgress({ ...ck, key: "another" }, other, sgd), /different configuration/);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { exists, readJsonFile, writeBytesAtomic, writeJsonAtomic } from "../util/fs.ts";
import { sha256Hex } from "../util/hash.ts";
import { concatFloat32 } from "../util/arrays.ts";
import { orderedWeights, readWeights, restoreWeights } from "./serialize.ts";
import type { SgdMomentum } from "./sgd.ts";

/** One epoch of a run, as its history records it. */
export interface HistoryRow {
  /** 1-based. */
  epoch: number;
  /** Name of the schedule stage the epoch belongs to. */
  stage: string;
  /** Steps trained in this epoch (fewer in the epoch a run resumed in). */
  steps: number;
  /** The learning rate at the epoch's end. */
  lr: number;
  /** Mean training loss over the epoch's steps. */
  trainLoss: number;
  /** Loss on the validation split (what `selection: "loss"` minimises). */
  validLoss: number;
  /** Mean macro AUROC over the heads with every class in the validation split. */
  validAuroc: number;
  /** Whether this epoch was the best so far (its weights kept). */
  best: boolean;
  /** Wall time of the epoch (training and validation), in seconds. */
  seconds: number;
  /** The ensemble member (1-based) the epoch trained; absent for a run of one network. */
  member?: number;
}

/** Where a run writes its checkpoints; `key` identifies the configuration they belong to. */
export interface CheckpointSpec {
  /** The checkpoint folder. */
  dir: string;
  /** Identifies the configuration; resuming from a checkpoint with another key throws. */
  key: string;
  /** Also write one every this many steps (default: after each epoch and on interrupt only). */
  everySteps?: number;
  /**
   * Skip an epoch's checkpoint when the last one was written less than this many seconds before (default
   * 0: one after every epoch). The last epoch's and an interrupted run's are always written, so a finished
   * run (or ensemble member) is never trained again and Ctrl-C loses nothing; a killed process redoes at
   * most this many seconds. Writing one costs the weights, the momentum and the best weights (about 22 MB for
   * one network of the multi-task head) and their sha256, far more than a short epoch of the features preset.
   */
  minSeconds?: number;
}

/** A position in the run: the epoch (0-based) and the step within it to go on from. */
export interface TrainPosition {
  /** The epoch, 0-based. */
  epoch: number;
  /** The step within the epoch. */
  step: number;
}

/** What the trainer keeps from epoch to epoch (and a checkpoint saves). */
export interface TrainProgress {
  /** One row per completed epoch. */
  history: HistoryRow[];
  /** The best selection metric so far (lower is better). */
  bestMetric: number;
  /** The best epoch (0-based; -1 before any). */
  bestEpoch: number;
  /** The best epoch's weights, in `orderedWeights` order. */
  best: Float32Array[] | null;
  /** Steps taken since the run began (the learning-rate schedule's clock). */
  globalStep: number;
  /** Where training (re)starts. */
  start: TrainPosition;
  /** The epoch a resumed run went on from; null for a fresh run. */
  resumedFrom: number | null;
}

interface Checkpoint {
  key: string;
  epoch: number;
  step: number;
  globalStep: number;
  history: HistoryRow[];
  bestMetric: number;
  bestEpoch: number;
  /** Size and sha256 of state.bin (checkpoints written before 2026-11-29 have none). */
  state?: { bytes: number; sha256: string };
}

/** The progress of a run that starts from scratch. */
export function freshProgress(): TrainProgress {
  return {
    history: [],
    bestMetric: Infinity,
    bestEpoch: -1,
    best: null,
    globalStep: 0,
    start: { epoch: 0, step: 0 },
    resumedFrom: null,
  };
}

const sizeOf = (w: tf.LayerVariable) => tf.util.sizeFromShape(w.shape as number[]);

/**
 * Reads a checkpoint's state.bin and checks it before any epoch is trained: its size must hold the
 * weights, the momentum and (after a best epoch) the best weights, and match its recorded sha256.
 * @throws {Error} naming the file, what was expected and how to start over.
 */
function checkpointState(dir: string, c: Checkpoint, model: tf.LayersModel): Uint8Array {
  const file = join(dir, "state.bin");
  let bin: Uint8Array;
  try {
    bin = Deno.readFileSync(file);
  } catch {
    bin = new Uint8Array(0);
  }
  const n = orderedWeights(model).reduce((s, w) => s + sizeOf(w), 0);
  const bytes = 4 * n * (c.bestEpoch >= 0 ? 3 : 2);
  const fail = (found: string) => {
    throw new Error(
      `Cannot resume from ${dir}: expected ${file} to hold ${bytes} bytes${
        c.state ? ` with sha256 ${c.state.sha256.slice(0, 12)}...` : ""
      }, found ${found}; delete ${dir} to start the run over`,
    );
  };
  if (bin.length !== bytes) fail(`${bin.length} bytes (damaged or truncated)`);
  if (c.state && sha256Hex(bin) !== c.state.sha256) fail("another sha256 (damaged)");
  return bin;
}

/**
 * The progress saved in `ck.dir`, with `model`'s weights and `sgd`'s momentum restored from it; null
 * when the folder holds no checkpoint.
 * @throws {Error} when the checkpoint belongs to another configuration or its state is damaged.
 */
export function resumeProgress(ck: CheckpointSpec, model: tf.LayersModel, sgd: SgdMomentum): TrainProgress | null {
  if (!exists(join(ck.dir, "checkpoint.json"))) return null;
  const c = readJsonFile<Checkpoint>(join(ck.dir, "checkpoint.json"), "a training checkpoint");
  if (c.key !== ck.key) {
    throw new Error(
      `Cannot resume from ${ck.dir}: it belongs to a different configuration (key ${c.key}, expected ${ck.key}); use a new output folder`,
    );
  }
  const bin = checkpointState(ck.dir, c, model);
  const all = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  let o = 0;
  const take = (w: tf.LayerVariable) => all.slice(o, o += sizeOf(w));
  // state.bin: the weights, then the momentum, then (after a best epoch) the best weights
  restoreWeights(model, orderedWeights(model).map(take));
  for (const w of orderedWeights(model)) sgd.setVelocity(w.name, take(w), w.shape as number[]);
  const best = c.bestEpoch >= 0 ? orderedWeights(model).map(take) : null;
  return {
    history: c.history,
    bestMetric: c.bestMetric,
    bestEpoch: c.bestEpoch,
    best,
    globalStep: c.globalStep,
    start: { epoch: c.epoch, step: c.step },
    resumedFrom: c.epoch,
  };
}

/** Writes `model`'s weights, `sgd`'s momentum and `progress` to `ck.dir`, to go on from `at`. */
export async function writeCheckpoint(
  ck: CheckpointSpec,
  model: tf.LayersModel,
  sgd: SgdMomentum,
  progress: TrainProgress,
  at: TrainPosition,
): Promise<void> {
  const parts: Float32Array[] = [
    ...await readWeights(model),
    ...await Promise.all(orderedWeights(model).map((w) => sgd.readVelocity(w.name, w.shape as number[]))),
  ];
  if (progress.best) parts.push(...progress.best);
  const state = new Uint8Array(concatFloat32(parts).buffer);
  writeBytesAtomic(join(ck.dir, "state.bin"), state);
  writeJsonAtomic(
    join(ck.dir, "checkpoint.json"),
    {
      key: ck.key,
      epoch: at.epoch,
      step: at.step,
      globalStep: progress.globalStep,
      history: progress.history,
      bestMetric: progress.bestMetric,
      bestEpoch: progress.bestEpoch,
      state: { bytes: state.length, sha256: sha256Hex(state) },
    } satisfies Checkpoint,
  );
}
