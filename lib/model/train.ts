/**
 * The training loop shared by both presets: label-balanced mini-batches (Kawahara et al.),
 * categorical cross-entropy (class-weighted or not) summed over the heads with their weights, SGD with momentum (Keras
 * semantics, including its learning-rate `decay`), an optional L2 penalty on the head kernels, a
 * stage schedule (e.g. unfreezing one Inception block at a time), model selection on the
 * validation split, progress lines, and checkpoints from which an interrupted run resumes with the
 * same result (batches are a pure function of the seed, the epoch and the step; SIGINT saves a
 * checkpoint after the current step).
 *
 * @example
 * ```ts ignore
 * // needs a model and a feed: see trainRun (run.ts), which builds both from a release and a config
 * import { trainModel } from "./train.ts";
 * const result = await trainModel({ model, heads: ["management"], labels, train, valid, feed, stages, ... });
 * console.log(result.bestEpoch, result.history.at(-1)?.validLoss);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { balancedClassWeights, labelBalancedBatches, shuffledBatches } from "../data/sampling.ts";
import type { Sampling } from "./config.ts";
import { HeadName } from "../data/vocabulary.ts";
import { rocAucOvrOrNaN } from "../stats/roc.ts";
import { Prng } from "../util/prng.ts";
import { Yielder } from "../util/interrupt.ts";
import { formatSeconds, notebookStatusLine, StatusLine } from "../util/progress.ts";
import { classesOf, OptimizerConfig } from "./config.ts";
import { readWeights, restoreWeights } from "./serialize.ts";
import {
  CheckpointSpec,
  freshProgress,
  HistoryRow,
  resumeProgress,
  TrainPosition,
  TrainProgress,
  writeCheckpoint,
} from "./checkpoint.ts";
import { LossMeter, SgdMomentum } from "./sgd.ts";
import { trainStep } from "./train_step.ts";
import { predictInOnePass } from "./network.ts";

/** How a feed turns cases into inputs: training (augmented or not) or prediction of view `view`. */
export interface FeedMode {
  /** Training (true) or prediction (false). */
  train: boolean;
  /** Draw an augmented view (training) or a random one of the cached views (features preset). */
  augment: boolean;
  /** The run's random stream for this batch (augmentation and view choice). */
  prng: Prng;
  /** At prediction, which cached view of each image (0 = the image itself; features preset). */
  view?: number;
}

/** Turns case indices into the model's input tensors. */
export interface Feed {
  /** The model's inputs for these cases, in the model's input order. */
  inputs(indices: readonly number[], mode: FeedMode): tf.Tensor[] | Promise<tf.Tensor[]>;
}

/** One stage of the schedule: a number of epochs with the same trainable blocks and augmentation. */
export interface Stage {
  /** Shown in progress lines and the history (e.g. "frozen backbone", "unfreeze mixed9"). */
  name: string;
  /** Epochs in this stage. */
  epochs: number;
  /** Augment the training images during this stage. */
  augment: boolean;
  /** Called when the stage starts (e.g. to set which backbone blocks are trainable). */
  begin?: () => void;
  /** Run the model in training mode (BatchNormalization batch statistics) during this stage. */
  trainingMode?: boolean;
}

export type { HistoryRow };

/** Everything `trainModel` needs: the model, the labels and splits, the input feed and the schedule. */
export interface TrainSpec {
  /** The model to train in place (its heads' outputs in the order of `heads`). */
  model: tf.LayersModel;
  /** The heads the model predicts, in output order. */
  heads: HeadName[];
  /** Label of every case (by case index) for each head. */
  labels: Readonly<Record<string, readonly number[]>>;
  /** Case indices of the training split. */
  train: readonly number[];
  /** Case indices of the validation split (empty: no selection, the last epoch is kept). */
  valid: readonly number[];
  /** Turns case indices into input tensors. */
  feed: Feed;
  /** The schedule, run in order. */
  stages: Stage[];
  /** SGD with momentum: learning rate, momentum and Keras' learning-rate decay. */
  optimizer: OptimizerConfig;
  /** L2 penalty strength and the kernels it applies to. */
  l2?: { strength: number; kernels: tf.LayerVariable[] };
  /** Cases per label of every head in a label-balanced batch. */
  k: number;
  /** "label-balanced" (k per label of every head; default) or "shuffled" (batches of `batchSize`). */
  sampling?: Sampling;
  /** Cases per batch with shuffled sampling. */
  batchSize?: number;
  /** Views averaged when predicting the validation split (test-time augmentation; default 1). */
  evalViews?: number;
  /** Weight the loss by inverse class frequency in the training split (balanced weights). */
  classWeights: boolean;
  /** Weight of each head's loss (a head not named: 1); multiplies the class weights. */
  headWeights?: Partial<Record<HeadName, number>>;
  /** Keep the epoch with the lowest validation loss or the highest validation macro AUROC. */
  selection: "loss" | "auroc";
  /** Seed of the run's random stream (batches, augmentation); 0 is a seed like any other. */
  seed: number;
  /** Cap on the steps of an epoch (tests and quick profiles). */
  maxStepsPerEpoch?: number;
  /** Cases per batch when predicting the validation split. */
  batchSizeEval?: number;
  /** Where and how often to save checkpoints (none: no checkpoints, no resuming). */
  checkpoint?: CheckpointSpec;
  /** Stop as if interrupted after this many steps in total (tests of resuming). */
  stopAfterSteps?: number;
  /**
   * Read the summed training loss back from the device every this many steps (default 0: once, at
   * the end of the epoch). Steps do no other device-to-host read.
   */
  lossReadEvery?: number;
  /** No progress lines on stderr. */
  quiet?: boolean;
  /** Receives each epoch's row (e.g. for live plots). */
  onEpoch?: (row: HistoryRow) => void;
}

/** What `trainModel` returns; the model holds the best epoch's weights. */
export interface TrainResult {
  /** One row per finished epoch (resumed runs include the epochs before the interruption). */
  history: HistoryRow[];
  /** The best epoch, 1-based (0 when none has finished), interrupted or not. */
  bestEpoch: number;
  /** The epoch a resumed run started from (null: started fresh). */
  resumedFrom: number | null;
  /** Stopped by Ctrl-C or `stopAfterSteps` (a checkpoint was saved when configured). */
  interrupted: boolean;
  /** Each class's weight in its head's loss: class weight (1 without class weighting) times head weight. */
  classWeights: Record<string, number[]>;
}

const log = (quiet: boolean | undefined, line: string) => {
  if (!quiet) console.error(line);
};

/**
 * Probabilities of every head for `indices` (inference mode, in batches). With `views` > 1 (test-time
 * augmentation, features preset) each case's probabilities are the mean over its views 0..views-1. With
 * `inputs`, feature-vector inputs are made once and kept there for the next call on the same `indices`
 * (the caller disposes them); the results are the same as without.
 */
export async function predictHeads(
  model: tf.LayersModel,
  feed: Feed,
  indices: readonly number[],
  heads: HeadName[],
  options: { batchSize?: number; views?: number; inputs?: InputCache } = {},
): Promise<Record<string, number[][]>> {
  const batchSize = options.batchSize ?? 64, views = Math.max(1, options.views ?? 1);
  const sizes = heads.map(classesOf), width = sizes.reduce((a, b) => a + b, 0);
  const out: Record<string, number[][]> = Object.fromEntries(heads.map((h) => [h, []]));
  const prng = new Prng(0);
  const cache = options.inputs;
  for (let i = 0; i < indices.length; i += batchSize) {
    const batch = indices.slice(i, i + batchSize);
    // every head's probabilities side by side, summed over the views, read back once per view
    const sum = new Float64Array(batch.length * width);
    for (let view = 0; view < views; view++) {
      const key = `${batchSize}:${i}:${view}`;
      const cached = cache?.tensors.get(key);
      const xs = cached ?? await feed.inputs(batch, { train: false, augment: false, prng, view });
      // feature vectors are kept for the next call (the same cases: a training run's validation split)
      const keep = cache !== undefined && xs.every((x) => x.rank === 2);
      if (keep && !cached) cache.tensors.set(key, xs);
      const y = tf.tidy(() => {
        const r = predictInOnePass(model, xs);
        return Array.isArray(r) ? (r.length === 1 ? r[0] : tf.concat(r, 1)) : r;
      });
      const data = await y.data(); // asynchronously: webgpu has no synchronous read under Deno
      for (let k = 0; k < data.length; k++) sum[k] += data[k] / views;
      tf.dispose(keep ? y : [...xs, y]);
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

/**
 * Input tensors kept between calls of {@linkcode predictHeads} on the same cases (a training run predicts its
 * validation split after every epoch): feature vectors only, by batch size, batch and view. The owner
 * disposes them with {@linkcode disposeInputCache}.
 */
export interface InputCache {
  /** The kept inputs of each batch and view. */
  tensors: Map<string, tf.Tensor[]>;
}

/** Disposes every tensor an {@linkcode InputCache} holds and empties it. */
export function disposeInputCache(cache: InputCache): void {
  for (const xs of cache.tensors.values()) tf.dispose(xs);
  cache.tensors.clear();
}

/** A validation split's loss and AUROC. */
interface Evaluation {
  loss: number;
  auroc: number;
}

/** Mean class-weighted cross-entropy over heads, and mean macro AUROC over heads with both classes present. */
function evaluate(
  probs: Record<string, number[][]>,
  labels: TrainSpec["labels"],
  indices: readonly number[],
  heads: HeadName[],
  weights: Record<string, number[]>,
): Evaluation {
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

/** What every epoch needs that follows from the spec alone. */
interface Plan {
  /** Each head's label of every training case, in `spec.train` order. */
  trainLabels: Record<string, number[]>;
  /** Each head's class weights in the loss (balanced over the training labels, or all 1), times its head weight. */
  classWeights: Record<string, number[]>;
  /** Cases per batch: k per label of every head, or `spec.batchSize` when shuffled. */
  batchSize: number;
  /** Steps in a full epoch (capped by `spec.maxStepsPerEpoch`). */
  steps: number;
  totalEpochs: number;
}

/** What the steps of one run share: the spec and its plan, the optimizer, the progress, the interrupt. */
interface Run {
  spec: TrainSpec;
  plan: Plan;
  sgd: SgdMomentum;
  progress: TrainProgress;
  interrupt: Interrupt;
  yielder: Yielder;
  /** The validation split's inputs, made once and reused after every epoch. */
  validInputs: InputCache;
  /** When the last checkpoint was written (or the run started), `performance.now()` milliseconds. */
  lastCheckpoint: number;
}

/** Trains `spec.model` in place and leaves it at the best validation epoch. */
export async function trainModel(spec: TrainSpec): Promise<TrainResult> {
  const plan = planTraining(spec);
  const sgd = new SgdMomentum(spec.optimizer);
  const run: Run = {
    spec,
    plan,
    sgd,
    progress: startProgress(spec, sgd),
    interrupt: listenForInterrupt(spec.quiet),
    yielder: new Yielder(100),
    validInputs: { tensors: new Map() },
    lastCheckpoint: performance.now(),
  };
  // in a notebook (or inside a step's status line) epoch lines update one line instead of printing
  const status = spec.quiet ? null : notebookStatusLine();
  try {
    for (const { stage, epochs } of stagesToRun(spec.stages, run.progress.start.epoch)) {
      stage.begin?.();
      const vars = spec.model.trainableWeights.map((w) => w.read() as tf.Variable);
      for (const e of epochs) {
        const t0 = performance.now();
        const fit = await fitEpoch(run, stage, vars, e);
        if (!fit) return result(run, true); // interrupted: the checkpoint keeps the progress
        const ev = await validate(spec, plan.classWeights, run.validInputs);
        const best = await keepIfBest(run, ev, e);
        const row: HistoryRow = {
          epoch: e + 1,
          stage: stage.name,
          steps: fit.steps,
          lr: sgd.learningRate(run.progress.globalStep),
          trainLoss: fit.trainLoss,
          validLoss: ev.loss,
          validAuroc: ev.auroc,
          best,
          seconds: (performance.now() - t0) / 1000,
        };
        recordEpoch(run, row, status);
        if (e + 1 === plan.totalEpochs || checkpointDue(run)) await saveCheckpoint(run, { epoch: e + 1, step: 0 });
      }
    }
  } finally {
    status?.done();
    run.interrupt.remove();
    sgd.dispose();
    disposeInputCache(run.validInputs);
  }
  if (run.progress.best) restoreWeights(spec.model, run.progress.best);
  return result(run, run.interrupt.interrupted);
}

/** Prepares the labels and class weights of the training split, the batch size and the steps per epoch. */
function planTraining(spec: TrainSpec): Plan {
  const { heads, labels, train } = spec;
  const trainLabels = Object.fromEntries(heads.map((h) => [h, train.map((i) => labels[h][i])]));
  const classWeights = Object.fromEntries(heads.map((h) => {
    const n = classesOf(h);
    const w = spec.headWeights?.[h] ?? 1;
    return [h, (spec.classWeights ? balancedClassWeights(trainLabels[h], n) : new Array(n).fill(1)).map((c) => c * w)];
  }));
  const nLabels = heads.reduce((s, h) => s + classesOf(h), 0);
  const batchSize = spec.sampling === "shuffled" ? Math.max(1, spec.batchSize ?? 32) : spec.k * nLabels;
  const stepsPerEpoch = Math.max(1, Math.ceil(train.length / batchSize));
  const steps = spec.maxStepsPerEpoch ? Math.min(stepsPerEpoch, spec.maxStepsPerEpoch) : stepsPerEpoch;
  const totalEpochs = spec.stages.reduce((s, st) => s + st.epochs, 0);
  return { trainLabels, classWeights, batchSize, steps, totalEpochs };
}

/** The progress to start from: the checkpoint's (weights and momentum restored) when there is one, else a fresh one. */
function startProgress(spec: TrainSpec, sgd: SgdMomentum): TrainProgress {
  const ck = spec.checkpoint;
  const resumed = ck ? resumeProgress(ck, spec.model, sgd) : null;
  if (!ck || !resumed) return freshProgress();
  const total = spec.stages.reduce((n, st) => n + st.epochs, 0);
  log(
    spec.quiet,
    resumed.start.epoch >= total
      ? `${ck.dir}: trained to the end before; its kept epoch ${resumed.bestEpoch + 1} is restored`
      : `resuming from ${ck.dir}: epoch ${resumed.start.epoch + 1}, step ${resumed.start.step}`,
  );
  return resumed;
}

/** Writes a checkpoint to go on from `at` (nothing without `spec.checkpoint`). */
async function saveCheckpoint(run: Run, at: TrainPosition): Promise<void> {
  if (!run.spec.checkpoint) return;
  await writeCheckpoint(run.spec.checkpoint, run.spec.model, run.sgd, run.progress, at);
  run.lastCheckpoint = performance.now();
}

/** Whether an epoch's checkpoint is due: `checkpoint.minSeconds` have passed since the last one (or the start). */
function checkpointDue(run: Run): boolean {
  const min = run.spec.checkpoint?.minSeconds ?? 0;
  return min <= 0 || performance.now() - run.lastCheckpoint >= min * 1000;
}

/** Set by SIGINT (where signals are available); `remove` stops listening. */
interface Interrupt {
  interrupted: boolean;
  remove(): void;
}

/** Listens for SIGINT: the run then saves a checkpoint after the current step and stops. */
function listenForInterrupt(quiet: boolean | undefined): Interrupt {
  const interrupt: Interrupt = { interrupted: false, remove: () => {} };
  const onSigint = () => {
    interrupt.interrupted = true;
    log(quiet, "interrupt: saving a checkpoint after this step (run the same command again to resume)");
  };
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    interrupt.remove = () => Deno.removeSignalListener("SIGINT", onSigint);
  } catch { /* signals unavailable on this platform */ }
  return interrupt;
}

/** The stages still to train from epoch `startEpoch` on, each with its (0-based) epochs left. */
function stagesToRun(stages: readonly Stage[], startEpoch: number): { stage: Stage; epochs: number[] }[] {
  const out: { stage: Stage; epochs: number[] }[] = [];
  let first = 0;
  for (const stage of stages) {
    const end = first + stage.epochs;
    if (end > startEpoch) {
      const from = Math.max(first, startEpoch);
      out.push({ stage, epochs: Array.from({ length: end - from }, (_, i) => from + i) });
    }
    first = end;
  }
  return out;
}

/** The batches of one epoch (indices into `spec.train`), a pure function of the seed and the epoch. */
function epochBatches(spec: TrainSpec, plan: Plan, prng: Prng): number[][] {
  return spec.sampling === "shuffled"
    ? shuffledBatches(spec.train.length, plan.batchSize, prng).slice(0, plan.steps)
    : labelBalancedBatches(plan.trainLabels, { k: spec.k, batches: plan.steps, prng, onEmptyLabel: () => {} });
}

/**
 * Trains epoch `e` (from the resumed step in the epoch a run resumes in) and gives its mean training
 * loss; saves a checkpoint every `everySteps` steps. Interrupted, it saves one after the current step
 * and gives null.
 */
async function fitEpoch(
  run: Run,
  stage: Stage,
  vars: tf.Variable[],
  e: number,
): Promise<{ trainLoss: number; steps: number } | null> {
  const { spec, plan, progress } = run;
  const prng = new Prng(spec.seed).fork(`epoch-${e}`);
  const batches = epochBatches(spec, plan, prng.fork("batches"));
  const first = e === progress.start.epoch ? progress.start.step : 0;
  const losses = new LossMeter();
  let lossSum = 0;
  for (let s = first; s < plan.steps; s++) {
    const idx = batches[s].map((j) => spec.train[j]);
    const xs = await spec.feed.inputs(idx, { train: true, augment: stage.augment, prng: prng.fork(`step-${s}`) });
    trainStep(xs, {
      model: spec.model,
      vars,
      heads: spec.heads,
      labels: Object.fromEntries(spec.heads.map((h) => [h, idx.map((ci) => spec.labels[h][ci])])),
      classWeights: plan.classWeights,
      training: stage.trainingMode ?? false,
      l2: spec.l2,
    }, { sgd: run.sgd, losses, step: progress.globalStep });
    tf.dispose(xs);
    if (spec.lossReadEvery && losses.pending >= spec.lossReadEvery) lossSum += (await losses.read()).sum;
    progress.globalStep++;
    await run.yielder.maybeYield(); // lets the SIGINT listener run
    if (spec.stopAfterSteps !== undefined && progress.globalStep >= spec.stopAfterSteps) {
      run.interrupt.interrupted = true;
    }
    if (run.interrupt.interrupted) {
      losses.dispose();
      await saveCheckpoint(run, { epoch: e, step: s + 1 });
      return null;
    }
    const every = spec.checkpoint?.everySteps;
    if (every && progress.globalStep % every === 0) await saveCheckpoint(run, { epoch: e, step: s + 1 });
  }
  lossSum += (await losses.read()).sum;
  losses.dispose();
  return { trainLoss: lossSum / Math.max(1, plan.steps - first), steps: plan.steps - first };
}

/** The validation split's loss and macro AUROC (NaN for both without a validation split). */
async function validate(
  spec: TrainSpec,
  classWeights: Record<string, number[]>,
  inputs: InputCache,
): Promise<Evaluation> {
  if (!spec.valid.length) return { loss: NaN, auroc: NaN };
  const probs = await predictHeads(spec.model, spec.feed, spec.valid, spec.heads, {
    batchSize: spec.batchSizeEval,
    views: spec.evalViews,
    inputs,
  });
  return evaluate(probs, spec.labels, spec.valid, spec.heads, classWeights);
}

/**
 * Whether epoch `e` is the best so far by `spec.selection` (every epoch is, without a validation
 * metric); if so its weights are kept.
 */
async function keepIfBest(run: Run, ev: Evaluation, e: number): Promise<boolean> {
  const p = run.progress;
  const metric = run.spec.selection === "auroc" ? -ev.auroc : ev.loss;
  const best = Number.isNaN(metric) || metric < p.bestMetric;
  if (best) {
    if (!Number.isNaN(metric)) p.bestMetric = metric;
    p.bestEpoch = e;
    p.best = await readWeights(run.spec.model);
  }
  return best;
}

/** Adds an epoch's row to the history, hands it to `spec.onEpoch` and shows its progress line. */
function recordEpoch(run: Run, row: HistoryRow, status: StatusLine | null): void {
  run.progress.history.push(row);
  run.spec.onEpoch?.(row);
  const line = epochLine(row, run.plan.totalEpochs);
  if (status) status.update(line);
  else log(run.spec.quiet, line);
}

/** The progress line of an epoch: losses, AUROC, a star for the best epoch, its time and the ETA. */
function epochLine(row: HistoryRow, totalEpochs: number): string {
  const eta = formatSeconds(row.seconds * (totalEpochs - row.epoch));
  return `epoch ${row.epoch}/${totalEpochs} [${row.stage}] train loss ${row.trainLoss.toFixed(4)} valid loss ${
    row.validLoss.toFixed(4)
  } AUROC ${row.validAuroc.toFixed(4)}${row.best ? " *" : ""} (${formatSeconds(row.seconds)}, ETA ${eta})`;
}

/** The run's result (its best epoch 1-based). */
function result(run: Run, interrupted: boolean): TrainResult {
  const { history, bestEpoch, resumedFrom } = run.progress;
  return { history, bestEpoch: bestEpoch + 1, resumedFrom, interrupted, classWeights: run.plan.classWeights };
}
