/**
 * Tables of how the runs are trained (notebook 02): a run configuration in words, the composition of
 * one label-balanced batch with each label's class weight, and an overview of trained run folders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultRunConfig } from "../model/config.ts";
 * import { runSettingsRows } from "./training.ts";
 * const rows = runSettingsRows(defaultRunConfig({ kind: "multi", inputs: "CDM", preset: "features", seed: 0 }));
 * assert.equal(rows[0].setting, "backbone");
 * assert.match(rows[0].value, /^nsfwjs/);
 * const loss = rows.find((r) => r.setting === "mini-batches and loss")!.value;
 * assert.match(loss, /plain cross-entropy summed over the heads with management weighted 3 \(the others 1\)/);
 * ```
 *
 * @module
 */
import { casesOf, Release } from "../data/release.ts";
import { balancedClassWeights, labelBalancedBatches } from "../data/sampling.ts";
import { HEADS } from "../data/vocabulary.ts";
import { classesOf, headsOf, headWeightsDescription, ModelKind, RunConfig } from "../model/config.ts";
import { BLOCK_CHANNELS } from "../model/inception_v3.ts";
import { readRunRecord } from "../model/run.ts";
import { ensembleDescription, keptEpochList } from "../model/ensemble.ts";
import { Prng } from "../util/prng.ts";

/** One setting of a run, in words. */
export interface SettingRow {
  /** What is set, e.g. "input size". */
  setting: string;
  /** Its value and what it means. */
  value: string;
}

/**
 * The configuration of a run in words: backbone, input size, image features, streams, heads, feature
 * transform, preset, mini-batches and loss, and how it predicts. With `synthetic`, the input size
 * says why synthetic runs use a smaller one.
 */
export function runSettingsRows(cfg: RunConfig, options: { synthetic?: boolean } = {}): SettingRow[] {
  const { backbone, head } = cfg.model;
  const t = cfg.training;
  const batches = t.sampling === "shuffled"
    ? `shuffled batches of ${t.batchSize} cases (each case once per epoch, a random view of each image)`
    : `label-balanced batches, k = ${t.k} per label`;
  const headWeights = headWeightsDescription(t) ? ` summed over the heads with ${headWeightsDescription(t)}` : "";
  const prediction = t.ttaViews
    ? `probabilities averaged over the image and ${t.ttaViews} augmented views (test-time augmentation)`
    : "the image alone";
  return [
    { setting: "backbone", value: `${backbone.source} (offline nsfwjs InceptionV3; not the study's ImageNet weights)` },
    {
      setting: "input size",
      value: `${backbone.size} px${
        options.synthetic ? " (synthetic data: 160 px keeps the main job short; real data uses 299)" : ""
      }`,
    },
    {
      setting: "image features",
      value: `${backbone.featureLayers.join(" + ")} (${
        backbone.featureLayers.map((l) => BLOCK_CHANNELS[l]).join(" + ")
      } per image), global average pooled`,
    },
    {
      setting: "streams",
      value: backbone.shared ? "one backbone shared by the clinical and dermoscopic images" : "one backbone per image",
    },
    {
      setting: "heads",
      value: `${
        head.hidden ? `shared hidden layer of ${head.hidden} ReLU units, then ` : ""
      }one softmax per task; L2 ${head.l2}${ensembleDescription(head) ? `; ${ensembleDescription(head)}` : ""}`,
    },
    {
      setting: "feature transform",
      value: `${head.transform === "sqrt" ? "square root of each pool" : "none"}, then standardised (training split)`,
    },
    {
      setting: "preset",
      value: `${t.preset}: frozen backbone, features cached on disk with ${t.views} augmented view(s) per image; ` +
        `heads trained for ${t.epochs} epochs`,
    },
    {
      setting: "mini-batches and loss",
      value: `${batches}; ${
        t.classWeights ? "class-weighted" : "plain"
      } cross-entropy${headWeights}; SGD lr ${t.optimizer.learningRate}, momentum ${t.optimizer.momentum}`,
    },
    {
      setting: "prediction",
      value: `${prediction}${t.priorCorrection ? "; prior correction of the decision rule" : ""}; ` +
        "the epoch with the lowest validation loss",
    },
  ];
}

/** One label of one head in a batch: how many of the batch's cases carry it, and its class weight. */
export interface BatchCompositionRow {
  /** The head. */
  head: string;
  /** The label's code. */
  label: string;
  /** Cases of the batch with this label. */
  "cases in the batch": number;
  /** The label's weight in its head's loss (balanced class weights of the training split). */
  "class weight": number;
}

/**
 * The first label-balanced batch of the training split (k cases per label of every head of `kind`,
 * drawn with `new Prng(seed)`), as label counts beside each label's class weight.
 */
export function batchComposition(
  release: Release,
  options: { kind: ModelKind; k: number; seed: number },
): { size: number; rows: BatchCompositionRow[] } {
  const train = casesOf(release, "train");
  const heads = headsOf(options.kind);
  const labels = Object.fromEntries(heads.map((h) => [h, train.map((c) => c.labels[h])]));
  const [batch] = labelBalancedBatches(labels, { k: options.k, batches: 1, prng: new Prng(options.seed) });
  const rows = heads.flatMap((h) => {
    const weights = balancedClassWeights(labels[h], classesOf(h));
    return HEADS[h].codes.map((code, k) => ({
      head: h,
      label: code,
      "cases in the batch": batch.filter((i) => train[i].labels[h] === k).length,
      "class weight": weights[k],
    }));
  });
  return { size: batch.length, rows };
}

/** One trained run at a glance. */
export interface RunOverviewRow {
  /** The run's name (e.g. "multi-CDM"). */
  run: string;
  /** Test accuracy of the management head (NaN without one). */
  "test management accuracy": number;
  /** Test macro AUROC of the management head (NaN without one). */
  "test management AUROC": number;
  /** Test macro AUROC of the diagnosis head (NaN without one). */
  "diagnosis AUROC": number;
  /** The epoch selected on the validation split (an ensemble: each member's, e.g. "44, 42"). */
  "best epoch": string;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
}

/** The test summary of each run folder (`name -> folder`, in the order of `names`), from its run.json. */
export function runsOverviewRows(
  dirs: Readonly<Record<string, string>>,
  names: readonly string[] = Object.keys(dirs),
): RunOverviewRow[] {
  return names.map((name) => {
    const { summary } = readRunRecord(dirs[name]);
    const m = summary.test.management;
    return {
      run: name,
      "test management accuracy": m?.accuracy ?? NaN,
      "test management AUROC": m?.auroc ?? NaN,
      "diagnosis AUROC": summary.test.diagnosis?.auroc ?? NaN,
      "best epoch": keptEpochList(summary).join(", "),
      seconds: summary.seconds.total,
    };
  });
}
