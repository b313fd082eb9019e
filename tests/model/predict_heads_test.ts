/**
 * predictHeads (train.ts): test-time averaging over views, and the input cache a training run keeps for its
 * validation split: the same probabilities as without it, the feed asked once per batch and view, image
 * inputs never kept, and no tensor left behind once the cache is disposed.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../lib/model/backend.ts";
import { buildHeads } from "../../lib/model/network.ts";
import { disposeInputCache, type Feed, type InputCache, predictHeads } from "../../lib/model/train.ts";

const D = 12;
const heads = ["management" as const];

/** A feed of fixed feature vectors (rank 2) or of the same values as an image-like rank-4 tensor; it counts calls. */
function countingFeed(rank: 2 | 4): Feed & { calls: number } {
  const feed = {
    calls: 0,
    inputs(indices: readonly number[], mode: { view?: number }) {
      feed.calls++;
      const v = Float32Array.from({ length: indices.length * D }, (_, i) => Math.sin(i + 7 * (mode.view ?? 0)));
      const x = tf.tensor2d(v, [indices.length, D]);
      if (rank === 2) return [x];
      const r = tf.reshape(x, [indices.length, 1, 1, D]);
      x.dispose();
      return [r];
    },
  };
  return feed;
}

Deno.test("predictHeads: kept validation inputs give the same probabilities, the feed is asked once, nothing leaks", async () => {
  await startBackend("wasm", { quiet: true });
  const model = buildHeads(D, "mgmt", { hidden: 0, l2: 0, standardize: false, transform: "none" }, 5);
  const cases = Array.from({ length: 70 }, (_, i) => i);
  const plain = await predictHeads(model, countingFeed(2), cases, heads, { views: 3, batchSize: 32 });
  const before = tf.memory().numTensors;
  const feed = countingFeed(2), cache: InputCache = { tensors: new Map() };
  const first = await predictHeads(model, feed, cases, heads, { views: 3, batchSize: 32, inputs: cache });
  const second = await predictHeads(model, feed, cases, heads, { views: 3, batchSize: 32, inputs: cache });
  assert.deepEqual(first, plain);
  assert.deepEqual(second, plain);
  assert.equal(feed.calls, 9, "3 batches x 3 views, asked once");
  assert.equal(cache.tensors.size, 9);
  disposeInputCache(cache);
  assert.equal(cache.tensors.size, 0);
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  model.dispose();
});

Deno.test("predictHeads: image-like inputs (rank 4) are never kept", async () => {
  await startBackend("wasm", { quiet: true });
  const input = tf.input({ shape: [1, 1, D] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: "softmax" }).apply(flat) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const feed = countingFeed(4), cache: InputCache = { tensors: new Map() };
  const before = tf.memory().numTensors;
  await predictHeads(model, feed, [0, 1, 2], heads, { inputs: cache });
  await predictHeads(model, feed, [0, 1, 2], heads, { inputs: cache });
  assert.equal(feed.calls, 2, "asked at every call");
  assert.equal(cache.tensors.size, 0);
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  model.dispose();
});
