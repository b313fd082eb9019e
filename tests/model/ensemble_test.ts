/**
 * Ensembles of heads (ensemble.ts, `model.head.members`): merging is exact for linear heads and for
 * heads with a hidden layer (the merged logits are the mean of the members'); a run with K members
 * trains the same networks as K single runs with the members' seeds and predicts their normalised
 * geometric mean; an interrupted ensemble resumes to the same weights; configs that cannot hold an
 * ensemble are refused.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { defaultRunConfig, validateRunConfig } from "../../lib/model/config.ts";
import { buildHeads } from "../../lib/model/network.ts";
import { memberSeed, mergeMembers } from "../../lib/model/ensemble.ts";
import { trainRun } from "../../lib/model/run.ts";
import { readPredictions } from "../../lib/model/predictions.ts";
import { readRunRecord } from "../../lib/model/run.ts";
import { metadataRunFixture, PROJECT_ROOT, tempDir } from "../_helpers.ts";

const cacheDir = join(PROJECT_ROOT, ".cache");

/** Each row's logits of a model's heads, up to a constant per head: the log of its probabilities. */
function logProbs(model: tf.LayersModel, x: tf.Tensor2D): number[][][] {
  const out = model.predict(x) as tf.Tensor | tf.Tensor[];
  return (Array.isArray(out) ? out : [out]).map((t) => tf.log(t).arraySync() as number[][]);
}

for (const hidden of [0, 5]) {
  Deno.test(`ensemble: merging ${hidden ? "heads with a hidden layer" : "linear heads"} averages the members' logits`, async () => {
    await tf.setBackend("cpu");
    const cfg = { hidden, l2: 0, standardize: true, transform: "none" as const };
    const members = [3, 4, 5].map((s) => buildHeads(6, "multi", cfg, s));
    const merged = buildHeads(6, "multi", { ...cfg, members: 3 }, 3);
    mergeMembers(merged, members);
    const x = tf.randomNormal([4, 6], 0, 1, "float32", 1) as tf.Tensor2D;
    const parts = members.map((m) => logProbs(m, x));
    const got = (merged.predict(x) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);
    assert.equal(got.length, 9);
    got.forEach((head, h) =>
      head.forEach((row, r) => {
        const mean = row.map((_, c) => parts.reduce((s, p) => s + p[h][r][c], 0) / 3);
        const z = mean.reduce((s, v) => s + Math.exp(v), 0);
        row.forEach((p, c) => assert.ok(Math.abs(p - Math.exp(mean[c]) / z) < 1e-5, `head ${h} row ${r} class ${c}`));
      })
    );
    if (hidden) {
      // a hidden layer built for another number of members is refused, naming the layer (linear heads
      // have one shape for any number)
      assert.throws(
        () => mergeMembers(buildHeads(6, "multi", { ...cfg, members: 2 }, 3), members),
        /expected head_hidden weights of shapes 6x10, 10, found 6x15, 15/,
      );
    }
    tf.dispose(x);
  });
}

Deno.test("ensemble: member seeds are the run's seed, then draws that differ by run seed and member (0 included)", () => {
  assert.equal(memberSeed(0, 0), 0);
  const seeds = [0, 1, 2].flatMap((s) => [1, 2, 3].map((m) => memberSeed(s, m)));
  assert.equal(new Set(seeds).size, seeds.length);
  assert.ok(seeds.every((s) => Number.isInteger(s) && s >= 1));
  assert.equal(memberSeed(0, 1), memberSeed(0, 1));
});

Deno.test("ensemble: configs that cannot hold one are refused, naming the field", () => {
  const c = defaultRunConfig({ kind: "mgmt", inputs: "M", preset: "features" });
  assert.throws(
    () => validateRunConfig({ ...c, model: { ...c.model, head: { ...c.model.head, members: 0 } } }),
    /expected model\.head\.members to be an integer >= 1, found 0/,
  );
  const paper = defaultRunConfig({ kind: "mgmt", inputs: "CDM", preset: "paper" });
  assert.throws(
    () => validateRunConfig({ ...paper, model: { ...paper.model, head: { ...paper.model.head, members: 2 } } }),
    /expected model\.head\.members to be 1 with the paper preset/,
  );
});

Deno.test({
  name:
    "ensemble run: the members are the single runs of their seeds, the run predicts their geometric mean, and an interrupted ensemble resumes to the same weights",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const c = metadataRunFixture({ seed: 0, epochs: 4 });
    c.model.head.members = 2;
    const ens = tempDir();
    const r = await trainRun({ config: c, outDir: ens, cacheDir, quiet: true });
    assert.deepEqual(r.history.map((h) => h.member), [1, 1, 1, 1, 2, 2, 2, 2]);
    assert.ok(r.history.every((h) => h.stage.startsWith(`member ${h.member}/2: `)));
    const seeds = [memberSeed(0, 0), memberSeed(0, 1)];
    assert.deepEqual(readRunRecord(ens).summary.members?.map((m) => m.seed), seeds);
    // the same two networks trained as single runs
    const singles = await Promise.all(seeds.map(async (seed) => {
      const out = tempDir();
      const single = structuredClone(c);
      delete single.model.head.members;
      single.seed = seed;
      const s = await trainRun({ config: single, outDir: out, cacheDir, quiet: true });
      return { probs: readPredictions(out).probs("management"), bestEpoch: s.summary.bestEpoch };
    }));
    assert.deepEqual(readRunRecord(ens).summary.members?.map((m) => m.bestEpoch), singles.map((s) => s.bestEpoch));
    const got = readPredictions(ens).probs("management");
    got.forEach((row, i) => {
      const g = row.map((_, k) => Math.sqrt(singles[0].probs[i][k] * singles[1].probs[i][k]));
      const z = g.reduce((a, b) => a + b, 0);
      row.forEach((p, k) => assert.ok(Math.abs(p - g[k] / z) < 1e-5, `case ${i} class ${k}: ${p} vs ${g[k] / z}`));
    });
    // interrupted in the first member, or in the second (steps count over the members), then resumed:
    // the same weights as the uninterrupted run, and the epoch the interrupted member went on from
    const perMember = r.history.filter((h) => h.member === 1).reduce((n, h) => n + h.steps, 0);
    const perEpoch = r.history[0].steps;
    for (const [stop, member] of [[5, 1], [perMember + perEpoch + 2, 2]]) {
      const b = tempDir();
      await assert.rejects(
        () => trainRun({ config: c, outDir: b, cacheDir, quiet: true, stopAfterSteps: stop }),
        new RegExp(`Training interrupted: the checkpoint in .*member-${member} keeps its progress`),
      );
      const rows: number[] = [];
      const resumed = await trainRun({
        config: c,
        outDir: b,
        cacheDir,
        quiet: true,
        onEpoch: (row) => rows.push(row.member!),
      });
      assert.equal(resumed.summary.resumedFrom, member === 1 ? Math.floor(stop / perEpoch) : 1);
      // member 1 goes on from its interrupted epoch; member 2, interrupted in its second epoch, from there
      const left = 4 - Math.floor(stop / perEpoch);
      assert.deepEqual(rows, member === 1 ? [...new Array(left).fill(1), 2, 2, 2, 2] : [2, 2, 2]);
      assert.deepEqual(
        Deno.readFileSync(join(b, "weights", "weights.bin")),
        Deno.readFileSync(join(ens, "weights", "weights.bin")),
      );
    }
  },
});

Deno.test({
  name: "ensemble run: a checkpoint of one network in its folder (another configuration's) is refused, not deleted",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const c = metadataRunFixture({ seed: 1, epochs: 3 });
    const single = structuredClone(c);
    delete single.model.head.members;
    const out = tempDir();
    await assert.rejects(() => trainRun({ config: single, outDir: out, cacheDir, quiet: true, stopAfterSteps: 2 }));
    const before = Deno.readFileSync(join(out, "checkpoint", "state.bin"));
    c.model.head.members = 2;
    await assert.rejects(
      () => trainRun({ config: c, outDir: out, cacheDir, quiet: true }),
      /Cannot resume from .*checkpoint: it belongs to a different configuration \(one network; this one: an ensemble of 2 members\); use a new output folder/,
    );
    assert.deepEqual(Deno.readFileSync(join(out, "checkpoint", "state.bin")), before);
  },
});
