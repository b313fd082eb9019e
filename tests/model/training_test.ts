/**
 * Training: a short run on the synthetic release learns (loss falls, held-out accuracy above the
 * majority class) for mgmt and multi; an interrupted run resumed from its checkpoint ends with the
 * same weights and predictions as an uninterrupted one; the paper preset's schedule unfreezes one
 * block at a time; runs write every artefact and are reused when complete.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureSyntheticRelease, loadRelease } from "../../lib/data/mod.ts";
import { defaultRunConfig, FEATURES_PRESET, RunConfig } from "../../lib/model/config.ts";
import { trainRun } from "../../lib/model/run.ts";
import { exists } from "../../lib/util/fs.ts";
import { readPredictions } from "../../lib/model/predictions.ts";
import { argmax, classwiseMetrics } from "../../lib/stats/mod.ts";
import { metadataRunFixture, PROJECT_ROOT, tempDir, tinyPaperFixture, writeFixtureRelease } from "../_helpers.ts";

const cacheDir = join(PROJECT_ROOT, ".cache");
const synth = join(cacheDir, "test-data", "synthetic-1011-160");

function cfgFor(kind: "mgmt" | "multi", dir: string): RunConfig {
  const c = defaultRunConfig({ kind, inputs: "CDM", preset: "features", backbone: { size: 160 }, seed: 3 });
  c.data.dir = dir;
  c.training.views = 1;
  c.training.ttaViews = 1;
  c.backend = "wasm";
  return c;
}

// On the synthetic release, management is only partly predictable by design: its labels follow the
// real release's p(MGMT | diagnosis group, seven-point score >= 3), whose best possible accuracy is
// 0.754 against 0.598 for "always excision". Frozen features reach a management AUROC of ~0.72-0.78
// but an accuracy near the majority level (as MODEL_NOTES reports on the real images), so the test
// asks for ranking skill (AUROC, balanced accuracy) on management and for accuracy above the
// majority class on the diagnosis head, where the images carry the answer.
for (const kind of ["mgmt", "multi"] as const) {
  Deno.test({
    name:
      `training learns on the synthetic release (${kind}, features preset): loss falls; held-out AUROC and accuracy beat chance and the majority class`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await ensureSyntheticRelease(synth, { cases: 1011, seed: 11, imageSize: 160 }, { progress: false });
      const out = tempDir();
      const r = await trainRun({ config: cfgFor(kind, synth), outDir: out, cacheDir, quiet: true });
      const h = r.history;
      const first = h.slice(0, 3).reduce((s, x) => s + x.trainLoss, 0) / 3,
        last = h.slice(-3).reduce((s, x) => s + x.trainLoss, 0) / 3;
      assert.ok(last < 0.8 * first, `train loss ${first} -> ${last}`);
      const release = loadRelease(synth, { quiet: true });
      const majorityOf = (labels: number[]) =>
        Math.max(...[0, 1, 2, 3, 4].map((m) => labels.filter((x) => x === m).length)) / labels.length;
      const testCases = release.splits.test.map((i) => release.cases[i]);
      const p = readPredictions(out);
      const m = classwiseMetrics(p.truth("management", "test"), argmax(p.probs("management", "test")), { labels: 3 });
      const mgmtMajority = majorityOf(testCases.map((c) => c.labels.management));
      console.log(
        `${kind}: management test AUROC ${r.summary.test.management.auroc.toFixed(3)}, balanced accuracy ${
          m.balancedAccuracy.toFixed(3)
        }, accuracy ${m.accuracy.toFixed(3)} (majority ${mgmtMajority.toFixed(3)})`,
      );
      assert.ok(r.summary.test.management.auroc > 0.7, "management AUROC");
      assert.ok(m.balancedAccuracy > 0.45, "management balanced accuracy (chance 1/3)");
      assert.ok(m.accuracy > mgmtMajority - 0.05, "management accuracy near or above the majority class");
      if (kind === "multi") {
        const diagMajority = majorityOf(testCases.map((c) => c.labels.diagnosis));
        console.log(
          `multi: diagnosis test accuracy ${r.summary.test.diagnosis.accuracy.toFixed(3)} (majority ${
            diagMajority.toFixed(3)
          }), AUROC ${r.summary.test.diagnosis.auroc.toFixed(3)}`,
        );
        assert.ok(
          r.summary.test.diagnosis.accuracy > diagMajority + 0.1,
          "diagnosis accuracy above the majority class",
        );
        assert.ok(r.summary.test.diagnosis.auroc > 0.9);
      }
    },
  });
}

Deno.test({
  name: "resume: a run of one network interrupted mid-epoch and resumed ends with the same weights and predictions",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const c = metadataRunFixture({ seed: 9, epochs: 6 });
    delete c.model.head.members; // one network (ensembles resume in ensemble_test.ts)
    const a = tempDir(), b = tempDir();
    // epochs far shorter than 30 s write no checkpoint of their own (run.ts, EPOCH_CHECKPOINT_SECONDS): none
    // exists as each epoch ends; the last epoch's is written and removed with the completed run
    const seen: boolean[] = [];
    const onEpoch = () => seen.push(exists(join(a, "checkpoint", "checkpoint.json")));
    await trainRun({ config: c, outDir: a, cacheDir, quiet: true, onEpoch });
    assert.deepEqual(seen, new Array(6).fill(false));
    await assert.rejects(
      () => trainRun({ config: c, outDir: b, cacheDir, quiet: true, stopAfterSteps: 7 }),
      /Training interrupted: the checkpoint in .* keeps its progress; run the same command again to resume/,
    );
    assert.ok(Deno.statSync(join(b, "checkpoint", "checkpoint.json")).isFile);
    const resumed = await trainRun({ config: c, outDir: b, cacheDir, quiet: true });
    assert.equal(resumed.summary.resumedFrom !== null, true);
    assert.deepEqual(
      Deno.readFileSync(join(b, "weights", "weights.bin")),
      Deno.readFileSync(join(a, "weights", "weights.bin")),
    );
    assert.equal(Deno.readTextFileSync(join(b, "predictions.csv")), Deno.readTextFileSync(join(a, "predictions.csv")));
    assert.throws(() => Deno.statSync(join(b, "checkpoint")), /NotFound|No such file/);
    // a completed run is reused; a different config in the same folder is refused
    const again = await trainRun({ config: c, outDir: a, cacheDir, quiet: true });
    assert.equal(again.reused, true);
    await assert.rejects(
      () => trainRun({ config: { ...c, seed: 10 }, outDir: a, cacheDir, quiet: true }),
      /holds a completed run with a different configuration/,
    );
  },
});

Deno.test({
  name: "run folder: config, weights, history, predictions (CSV + Parquet), provenance; predictions cover every case",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const data = tempDir();
    writeFixtureRelease(data, { cases: 60, seed: 2 });
    const c = defaultRunConfig({ kind: "diag", inputs: "M", preset: "features", seed: 1 });
    c.data.dir = data;
    c.training.epochs = 2;
    c.backend = "cpu";
    const out = tempDir();
    await trainRun({ config: c, outDir: out, cacheDir, quiet: true });
    for (
      const f of [
        "config.json",
        "weights/model.json",
        "weights/weights.bin",
        "history.csv",
        "history.json",
        "predictions.csv",
        "predictions.parquet",
        "run.json",
      ]
    ) {
      assert.ok(Deno.statSync(join(out, f)).size > 0, f);
    }
    const p = readPredictions(out);
    assert.deepEqual(p.heads, ["diagnosis"]);
    assert.equal(p.rows.length, 60);
    assert.ok(p.probs("diagnosis", "test").every((r) => Math.abs(r.reduce((s, v) => s + v, 0) - 1) < 1e-5));
    const run = JSON.parse(Deno.readTextFileSync(join(out, "run.json")));
    assert.equal(run.managementPriors.table.length, 5);
    assert.match(run.git_commit, /^[0-9a-f]{40}|unknown/);
    // the kept epoch and the validation scores that chose it, as in history.json
    const history = JSON.parse(Deno.readTextFileSync(join(out, "history.json")));
    // (an ensemble's choice records its first member's kept epoch, and each member's kept epoch)
    const kept = history.filter((r: { best: boolean; member?: number }) => r.best && (r.member ?? 1) === 1).at(-1);
    assert.equal(run.choice.preset, "features");
    assert.match(run.choice.presetEvidence, /validation split .*cli tune/);
    assert.equal(run.choice.selection, "loss");
    assert.equal(run.choice.bestEpoch, kept.epoch);
    assert.equal(run.choice.validLoss, kept.validLoss);
    assert.equal(run.summary.members.length, FEATURES_PRESET.members);
    assert.equal(run.summary.members[0].bestEpoch, kept.epoch);
  },
});

Deno.test({
  name: "paper preset: the schedule unfreezes one block at a time from the top (tiny backbone, capped steps)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { config: c } = await tinyPaperFixture(40, { releaseSeed: 6, seed: 2 });
    c.backend = "wasm";
    c.training.schedule = [
      { name: "frozen backbone", epochs: 1, trainableBlocks: [], augment: true },
      { name: "unfreeze mixed1", epochs: 1, trainableBlocks: ["mixed1"], augment: true },
      { name: "unfreeze mixed0", epochs: 1, trainableBlocks: ["mixed1", "mixed0"], augment: true },
      { name: "no augmentation", epochs: 1, trainableBlocks: ["mixed1", "mixed0"], augment: false },
    ];
    c.training.maxStepsPerEpoch = 2;
    const out = tempDir();
    const r = await trainRun({ config: c, outDir: out, cacheDir, quiet: true });
    assert.deepEqual(r.history.map((h) => h.stage), [
      "frozen backbone",
      "unfreeze mixed1",
      "unfreeze mixed0",
      "no augmentation",
    ]);
    assert.equal(r.summary.backbone.random, true);
    assert.match(r.summary.backbone.description, /RANDOM/);
    // weights moved only where the stage allowed: compare the saved backbone weights with a fresh build
    const { buildFullModel } = await import("../../lib/model/network.ts");
    const { loadWeightsInto } = await import("../../lib/model/serialize.ts");
    const fresh = (await buildFullModel("mgmt", "CDM", c.model.backbone, c.model.head, { seed: 2, cacheDir })).model;
    const trained = (await buildFullModel("mgmt", "CDM", c.model.backbone, c.model.head, { seed: 2, cacheDir })).model;
    loadWeightsInto(trained, join(out, "weights"));
    const changed = (name: string) => {
      const i = fresh.weights.findIndex((w) => w.originalName === name);
      assert.ok(i >= 0, name);
      const a = fresh.weights[i].read().dataSync(), b = trained.weights[i].read().dataSync();
      return Array.from(a).some((v, j) => v !== b[j]);
    };
    assert.equal(changed("conv2d_1/kernel"), false, "stem stays frozen");
    assert.equal(changed("conv2d_9/kernel"), true, "mixed1 was trained");
    assert.equal(changed("conv2d_3/kernel"), true, "mixed0 was trained");
    assert.equal(changed("head_logits/kernel"), true);
  },
});
