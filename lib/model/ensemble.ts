/**
 * Ensembles of heads merged into one network. A run with `model.head.members` = K trains K copies of
 * its heads independently (each with its own seed: initial weights, batches, which of the cached
 * augmented views each step draws, and so its kept epoch), then merges them into one network of the
 * same form whose logits are the mean of the members' logits, so each head's probabilities are the
 * normalised geometric mean of the members'. Linear heads
 * merge into linear heads (the mean of the kernels and biases); heads with a hidden layer of H units
 * merge into a hidden layer of K x H units (the members' units side by side) under a logits layer that
 * averages them. Every tool that reads a run (predictions, explanations, the prior correction) reads
 * the merged network as it reads any other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildHeads } from "./network.ts";
 * import { memberSeed, mergeMembers } from "./ensemble.ts";
 * await tf.setBackend("cpu");
 * const member = { hidden: 4, l2: 0, standardize: true, transform: "none" as const };
 * const members = [1, 2].map((s) => buildHeads(3, "mgmt", member, s));
 * const merged = buildHeads(3, "mgmt", { ...member, members: 2 }, 1);
 * mergeMembers(merged, members);
 * const x = tf.tensor2d([[0.5, -1, 2]]);
 * const logits = (m: tf.LayersModel) => tf.log(m.predict(x) as tf.Tensor).arraySync() as number[][];
 * const geometric = tf.softmax(tf.tensor(logits(members[0])).add(tf.tensor(logits(members[1]))).div(2));
 * const got = (merged.predict(x) as tf.Tensor).arraySync() as number[][];
 * (geometric.arraySync() as number[][])[0].forEach((p, c) => assert.ok(Math.abs(p - got[0][c]) < 1e-5));
 * assert.equal(memberSeed(7, 0), 7); // the first member is the run's own seed
 * assert.notEqual(memberSeed(7, 1), memberSeed(8, 1));
 * assert.equal(keptEpochs({ bestEpoch: 44 }), "best epoch 44");
 * const kept = [{ seed: 7, bestEpoch: 44 }, { seed: 9, bestEpoch: 51 }];
 * assert.equal(keptEpochs({ bestEpoch: 44, members: kept }), "2 members, best epochs 44, 51");
 * assert.deepEqual(keptEpochList({ bestEpoch: 44, members: kept }), [44, 51]);
 * assert.match(ensembleDescription({ members: 2 }) ?? "", /^an ensemble of 2 copies of the heads, trained with their own seeds/);
 * assert.equal(ensembleDescription({}), null);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Prng } from "../util/prng.ts";

/**
 * The seed of member `m` (0-based) of a run with seed `seed`: the run's seed for the first member (a
 * one-member ensemble is the plain run), and a draw from the run's random stream for the others.
 */
export function memberSeed(seed: number, m: number): number {
  return m === 0 ? seed : 1 + new Prng(seed).fork(`ensemble-member-${m}`).int(2 ** 31 - 2);
}

/** What a run's summary records of its kept epochs: an ensemble's members' and else its one. */
export interface KeptEpochs {
  /** The kept epoch (an ensemble: its first member's). */
  bestEpoch: number;
  /** An ensemble's members, each with its kept epoch. */
  members?: readonly { bestEpoch: number }[];
}

/** The kept epoch of each member of a run (one for a single network). */
export function keptEpochList(summary: KeptEpochs): number[] {
  return summary.members?.length ? summary.members.map((m) => m.bestEpoch) : [summary.bestEpoch];
}

/** How a run's summary reads its kept epoch(s): "best epoch 44", or "3 members, best epochs 44, 38, 51". */
export function keptEpochs(summary: KeptEpochs): string {
  const epochs = keptEpochList(summary);
  return summary.members?.length
    ? `${epochs.length} members, best epochs ${epochs.join(", ")}`
    : `best epoch ${summary.bestEpoch}`;
}

/** A head config's ensemble in words, for settings tables and model cards (null for one network). */
export function ensembleDescription(head: { members?: number }): string | null {
  return (head.members ?? 1) > 1
    ? `an ensemble of ${head.members} copies of the heads, trained with their own seeds and merged by averaging their logits`
    : null;
}

/** The kernel and bias of a dense layer. */
function denseWeights(model: tf.LayersModel, name: string): [tf.Tensor2D, tf.Tensor1D] {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(name);
  } catch {
    throw new Error(`Cannot merge ensemble members: expected a layer ${name} in ${model.name}, found none`);
  }
  const [kernel, bias] = layer.getWeights();
  return [kernel as tf.Tensor2D, bias as tf.Tensor1D];
}

/**
 * Sets `merged`'s head weights (built by `buildHeads` with `members` = the number of `members`) to the
 * merge of `members`' (each built with one member): its logits become the mean of theirs.
 * @throws {Error} when the shapes do not match (another head size or member count).
 */
export function mergeMembers(merged: tf.LayersModel, members: readonly tf.LayersModel[]): void {
  const k = members.length;
  const hidden = merged.layers.some((l) => l.name === "head_hidden");
  tf.tidy(() => {
    const logits = members.map((m) => denseWeights(m, "head_logits"));
    const bias = tf.div(tf.addN(logits.map(([, b]) => b)), k);
    const set = (name: string, weights: tf.Tensor[]) => {
      const layer = merged.getLayer(name);
      const want = layer.getWeights().map((w) => w.shape.join("x")).join(", ");
      const got = weights.map((w) => w.shape.join("x")).join(", ");
      if (want !== got) {
        throw new Error(
          `Cannot merge ${k} ensemble members into ${merged.name}: expected ${name} weights of shapes ${want}, found ${got}`,
        );
      }
      layer.setWeights(weights);
    };
    if (hidden) {
      const h = members.map((m) => denseWeights(m, "head_hidden"));
      set("head_hidden", [tf.concat(h.map(([w]) => w), 1), tf.concat(h.map(([, b]) => b), 0)]);
      set("head_logits", [tf.div(tf.concat(logits.map(([w]) => w), 0), k), bias]);
    } else {
      set("head_logits", [tf.div(tf.addN(logits.map(([w]) => w)), k), bias]);
    }
  });
}
