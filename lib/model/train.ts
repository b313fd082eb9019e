/**
 * The training loop shared by both presets: label-balanced mini-batches (Kawahara et al.),
 * class-weighted categorical cross-entropy summed over the heads, SGD with momentum (Keras
 * semantics, including its learning-rate `decay`), an optional L2 penalty on the head kernels, a
 * stage schedule (e.g. unfreezing one Inception block at a time), model selection on the
 * validation split, progress lines, and checkpoints from which an interrupted run resumes with the
 * same result (batches are a pure function of the seed, the epoch and the step; SIGINT saves a
 * checkpoint after the current step).
 *
 * @example
 * ```ts ignore
 * import { trainModel } from "./train.ts";
 * const history = await trainModel({ model, heads: ["management"], labels, train, valid, feed, ... });
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { balancedClassWeights, labelBalancedBatches, shuffledBatches } from "../data/sampling.ts";
import type { Sampling } from "./config.ts";
import { HeadName } from "../data/vocabulary.ts";
import { rocAucOvrOrNaN } from "../stats/roc.ts";
import { Prng } from "../util/prng.ts";
import { exists, readJsonFile, writeBytesAtomic, writeJsonAtomic } from "../util/fs.ts";
import { sha256Hex } from "../util/hash.ts";
import { Yielder } from "../util/interrupt.ts";
import { formatSeconds, notebookStatusLine } from "../util/progress.ts";
import { concatFloat32 } from "../util/arrays.ts";
import { classesOf, OptimizerConfig } from "./config.ts";
import { orderedWeights, readWeights, restoreWeights } from "./serialize.ts";
import { LossMeter, SgdMomentum } from "./sgd.ts";
import { trainStep } from "./train_step.ts";

/** How a feed turns cases into inputs: training (augmented or not) or prediction of view `view`. */
export interface FeedMode {
  train: boolean;
  augment: boolean;
  prng: Prng;
  /** At prediction, which cached view of each image (0 = the image itself; features preset). */
  view?: number;
}

/** Turns case indices into the model's input tensors. */
export interface Feed {
  inputs(indices: readonly number[], mode: FeedMode): tf.Tensor[] | Promise<tf.Tensor[]>;
}

export interface Stage {
  name: string;
  epochs: number;
  augment: boolean;
  /** Called when the stage starts (e.g. to set which backbone blocks are trainable). */
  begin?: () => void;
  /** Run the model in training mode (BatchNormalization batch statistics) during this stage. */
  trainingMode?: boolean;
}

export interface HistoryRow {
  epoch: number;
  stage: string;
  steps: number;
  lr: number;
  trainLoss: number;
  validLoss: number;
  validAuroc: number;
  best: boolean;
  seconds: number;
}

export interface TrainSpec {
  model: tf.LayersModel;
  heads: HeadName[];
  /** Label of every case (by case index) for each head. */
  labels: Readonly<Record<string, readonly number[]>>;
  train: readonly number[];
  valid: readonly number[];
  feed: Feed;
  stages: Stage[];
  optimizer: OptimizerConfig;
  /** L2 penalty strength and the kernels it applies to. */
  l2?: { strength: number; kernels: tf.LayerVariable[] };
  k: number;
  /** "label-balanced" (k per label of every head; default) or "shuffled" (batches of `batchSize`). */
  sampling?: Sampling;
  batchSize?: number;
  /** Views averaged when predicting the validation split (test-time augmentation; default 1). */
  evalViews?: number;
  classWeights: boolean;
  selection: "loss" | "auroc";
  seed: number;
  maxStepsPerEpoch?: number;
  batchSizeEval?: number;
  checkpoint?: { dir: string; key: string; everySteps?: number };
  /** Stop as if interrupted after this many steps in total (tests of resuming). */
  stopAfterSteps?: number;
  /**
   * Read the summed training loss back from the device every this many steps (default 0: once, at
   * the end of the epoch). Steps do no other device-to-host read.
   */
  lossReadEvery?: number;
  quiet?: boolean;
  /** Receives each epoch's row (e.g. for live plots). */
  onEpoch?: (row: HistoryRow) => void;
}

export interface TrainResult {
  history: HistoryRow[];
  bestEpoch: number;
  resumedFrom: number | null;
  interrupted: boolean;
  classWeights: Record<string, number[]>;
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
  const n = orderedWeights(model).reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
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

const log = (quiet: boolean | undefined, line: string) => {
  if (!quiet) console.error(line);
};

/**
 * Probabilities of every head for `indices` (inference mode, in batches). With `views` > 1 (test-time
 * augmentation, features preset) each case's probabilities are the mean over its views 0..views-1.
 */
export async function predictHeads(
  model: tf.LayersModel,
  feed: Feed,
  indices: readonly number[],
  heads: HeadName[],
  options: { batchSize?: number; views?: number } = {},
): Promise<Record<string, number[][]>> {
  const batchSize = options.batchSize ?? 64, views = Math.max(1, options.views ?? 1);
  const sizes = heads.map(classesOf), width = sizes.reduce((a, b) => a + b, 0);
  const out: Record<string, number[][]> = Object.fromEntries(heads.map((h) => [h, []]));
  const prng = new Prng(0);
  for (let i = 0; i < indices.length; i += batchSize) {
    const batch = indices.slice(i, i + batchSize);
    // every head's probabilities side by side, summed over the views, read back once per view
    const sum = new Float64Array(batch.length * width);
    for (let view = 0; view < views; view++) {
      const xs = await feed.inputs(batch, { train: false, augment: false, prng, view });
      const y = tf.tidy(() => {
        const r = model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[];
        return Array.isArray(r) ? (r.length === 1 ? r[0] : tf.concat(r, 1)) : r;
      });
      const data = await y.data(); // asynchronously: webgpu has no synchronous read under Deno
      for (let k = 0; k < data.length; k++) sum[k] += data[k] / views;
      tf.dispose([...xs, y]);
    }
    batch.forEach((_, c) => {
      let offset = c * width;
      heads.forEach((h, j) => {
        out[h].push(Array.from(sum.subarray(offset, offset + sizes[j])));
        offset += sizes[j];
      });
    });
  }
  return out;
}

/** Mean class-weighted cross-entropy over heads, and mean macro AUROC over heads with both classes present. */
function evaluate(
  probs: Record<string, number[][]>,
  labels: TrainSpec["labels"],
  indices: readonly number[],
  heads: HeadName[],
  weights: Record<string, number[]>,
): { loss: number; auroc: number } {
  let loss = 0;
  const aucs: number[] = [];
  for (const h of heads) {
    const p = probs[h];
    let s = 0;
    indices.forEach((ci, i) => {
      const y = labels[h][ci];
      s += weights[h][y] * -Math.log(Math.max(1e-7, p[i][y]));
    });
    loss += s / indices.length;
    const auc = rocAucOvrOrNaN(indices.map((ci) => labels[h][ci]), p);
    if (!Number.isNaN(auc)) aucs.push(auc); // NaN: a class absent from the validation split
  }
  return { loss, auroc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : NaN };
}

/** Trains `spec.model` in place and leaves it at the best validation epoch. */
export async function trainModel(spec: TrainSpec): Promise<TrainResult> {
  const { model, heads, labels, train, feed } = spec;
  const trainLabels = Object.fromEntries(heads.map((h) => [h, train.map((i) => labels[h][i])]));
  const classWeights = Object.fromEntries(
    heads.map((
      h,
    ) => [h, spec.classWeights ? balancedClassWeights(trainLabels[h], classesOf(h)) : new Array(classesOf(h)).fill(1)]),
  );
  const nLabels = heads.reduce((s, h) => s + classesOf(h), 0);
  const shuffled = spec.sampling === "shuffled";
  const batchSize = shuffled ? Math.max(1, spec.batchSize ?? 32) : spec.k * nLabels;
  const stepsPerEpoch = Math.max(1, Math.ceil(train.length / batchSize));
  const steps = spec.maxStepsPerEpoch ? Math.min(stepsPerEpoch, spec.maxStepsPerEpoch) : stepsPerEpoch;
  const sgd = new SgdMomentum(spec.optimizer);
  let history: HistoryRow[] = [];
  let bestMetric = Infinity, bestEpoch = -1;
  let best: Float32Array[] | null = null;
  let startEpoch = 0, startStep = 0, globalStep = 0, resumedFrom: number | null = null;

  // Resume
  const ck = spec.checkpoint;
  if (ck && exists(join(ck.dir, "checkpoint.json"))) {
    const c = readJsonFile<Checkpoint>(join(ck.dir, "checkpoint.json"), "a training checkpoint");
    if (c.key !== ck.key) {
      throw new Error(
        `Cannot resume from ${ck.dir}: it belongs to a different configuration (key ${c.key}, expected ${ck.key}); use a new output folder`,
      );
    }
    const bin = checkpointState(ck.dir, c, model);
    const all = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
    let o = 0;
    const take = (n: number) => all.slice(o, o += n);
    const current = orderedWeights(model).map((w) => take(w.shape.reduce((a: number, b) => a * (b as number), 1)));
    restoreWeights(model, current);
    for (const w of orderedWeights(model)) {
      const n = w.shape.reduce((a: number, b) => a * (b as number), 1);
      sgd.setVelocity(w.name, take(n), w.shape as number[]);
    }
    if (c.bestEpoch >= 0) {
      best = orderedWeights(model).map((w) => take(w.shape.reduce((a: number, b) => a * (b as number), 1)));
    }
    history = c.history;
    bestMetric = c.bestMetric;
    bestEpoch = c.bestEpoch;
    startEpoch = c.epoch;
    startStep = c.step;
    globalStep = c.globalStep;
    resumedFrom = c.epoch;
    log(spec.quiet, `resuming from ${ck.dir}: epoch ${c.epoch + 1}, step ${c.step}`);
  }

  const saveCheckpoint = async (epoch: number, step: number) => {
    if (!ck) return;
    const parts: Float32Array[] = [
      ...await readWeights(model),
      ...await Promise.all(orderedWeights(model).map((w) => sgd.readVelocity(w.name, w.shape as number[]))),
    ];
    if (best) parts.push(...best);
    const state = new Uint8Array(concatFloat32(parts).buffer);
    writeBytesAtomic(join(ck.dir, "state.bin"), state);
    writeJsonAtomic(
      join(ck.dir, "checkpoint.json"),
      {
        key: ck.key,
        epoch,
        step,
        globalStep,
        history,
        bestMetric,
        bestEpoch,
        state: { bytes: state.length, sha256: sha256Hex(state) },
      } satisfies Checkpoint,
    );
  };

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    log(spec.quiet, "interrupt: saving a checkpoint after this step (run the same command again to resume)");
  };
  try {
    Deno.addSignalListener("SIGINT", onSigint);
  } catch { /* signals unavailable (e.g. in a worker) */ }

  const yielder = new Yielder(100);
  const totalEpochs = spec.stages.reduce((s, st) => s + st.epochs, 0);
  // in a notebook (or inside a step's status line) epoch lines update one line instead of printing
  const status = spec.quiet ? null : notebookStatusLine();
  let epoch = 0;
  try {
    for (const stage of spec.stages) {
      const stageStart = epoch;
      if (epoch + stage.epochs <= startEpoch && !(startEpoch === epoch + stage.epochs && startStep > 0)) {
        epoch += stage.epochs;
        continue;
      }
      stage.begin?.();
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      for (let e = Math.max(stageStart, startEpoch); e < stageStart + stage.epochs; e++) {
        epoch = e;
        const t0 = performance.now();
        const prng = new Prng(spec.seed).fork(`epoch-${e}`);
        const batches = shuffled
          ? shuffledBatches(train.length, batchSize, prng.fork("batches")).slice(0, steps)
          : labelBalancedBatches(trainLabels, {
            k: spec.k,
            batches: steps,
            prng: prng.fork("batches"),
            onEmptyLabel: () => {},
          });
        let lossSum = 0;
        const losses = new LossMeter();
        const first = e === startEpoch ? startStep : 0;
        for (let s = first; s < steps; s++) {
          const idx = batches[s].map((j) => train[j]);
          const xs = await feed.inputs(idx, { train: true, augment: stage.augment, prng: prng.fork(`step-${s}`) });
          trainStep(xs, {
            model,
            vars,
            heads,
            labels: Object.fromEntries(heads.map((h) => [h, idx.map((ci) => labels[h][ci])])),
            classWeights,
            training: stage.trainingMode ?? false,
            l2: spec.l2,
          }, { sgd, losses, step: globalStep });
          tf.dispose(xs);
          if (spec.lossReadEvery && losses.pending >= spec.lossReadEvery) lossSum += (await losses.read()).sum;
          globalStep++;
          await yielder.maybeYield(); // lets the SIGINT listener run
          if (spec.stopAfterSteps !== undefined && globalStep >= spec.stopAfterSteps) interrupted = true;
          if (interrupted) {
            losses.dispose();
            await saveCheckpoint(e, s + 1);
            return { history, bestEpoch, resumedFrom, interrupted: true, classWeights };
          }
          if (ck?.everySteps && globalStep % ck.everySteps === 0) await saveCheckpoint(e, s + 1);
        }
        lossSum += (await losses.read()).sum;
        const probs = await predictHeads(model, feed, spec.valid, heads, {
          batchSize: spec.batchSizeEval,
          views: spec.evalViews,
        });
        const ev = spec.valid.length
          ? evaluate(probs, labels, spec.valid, heads, classWeights)
          : { loss: NaN, auroc: NaN };
        const metric = spec.selection === "auroc" ? -ev.auroc : ev.loss;
        const isBest = !Number.isNaN(metric) ? metric < bestMetric : true;
        if (isBest) {
          bestMetric = Number.isNaN(metric) ? bestMetric : metric;
          bestEpoch = e;
          best = await readWeights(model);
        }
        const row: HistoryRow = {
          epoch: e + 1,
          stage: stage.name,
          steps: steps - first,
          lr: sgd.learningRate(globalStep),
          trainLoss: lossSum / Math.max(1, steps - first),
          validLoss: ev.loss,
          validAuroc: ev.auroc,
          best: isBest,
          seconds: (performance.now() - t0) / 1000,
        };
        history.push(row);
        spec.onEpoch?.(row);
        const line = `epoch ${e + 1}/${totalEpochs} [${stage.name}] train loss ${row.trainLoss.toFixed(4)} valid loss ${
          row.validLoss.toFixed(4)
        } AUROC ${row.validAuroc.toFixed(4)}${isBest ? " *" : ""} (${formatSeconds(row.seconds)}, ETA ${
          formatSeconds(row.seconds * (totalEpochs - e - 1))
        })`;
        if (status) status.update(line);
        else log(spec.quiet, line);
        await saveCheckpoint(e + 1, 0);
      }
      epoch = stageStart + stage.epochs;
    }
  } finally {
    status?.done();
    try {
      Deno.removeSignalListener("SIGINT", onSigint);
    } catch { /* not registered */ }
    sgd.dispose();
  }
  if (best) restoreWeights(model, best);
  return { history, bestEpoch: bestEpoch + 1, resumedFrom, interrupted, classWeights };
}
