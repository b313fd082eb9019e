/**
 * `study` and `tune`: the whole study with several seeds on the quick synthetic release (every published
 * number beside this run's per-seed values and their mean ± SD, the findings checked), and the preset's
 * validation evidence (scores read from the validation split of each run only).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tunePreset, tuneRecords } from "../../lib/report/tune.ts";
import { readPredictions } from "../../lib/model/predictions.ts";
import { rocAucOvr } from "../../lib/stats/roc.ts";
import { writeRegionRelease } from "../explain/_fixtures.ts";
import { PROJECT_ROOT, runCli, tempDir } from "../_helpers.ts";

Deno.test({
  name:
    "cli study: two seeds on the quick synthetic release; every number per seed with mean ± SD; the folds of both seeds; findings",
  sanitizeResources: false,
  async fn() {
    const out = tempDir();
    const r = await runCli(["study", "--seeds", "2", "--out", out, "--quiet"], {
      DERM7PT_PROFILE: "quick",
      DERM7PT_DIR: "",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# The study vs this run \(SYNTHETIC DATA\)/);
    assert.match(
      r.stdout,
      /Seeds: 1, 2 \(official split: mean ± SD over seeds\); 3-fold cross-validation: seeds 1, 2 /,
    );
    const result = JSON.parse(Deno.readTextFileSync(join(out, "study.json")));
    assert.deepEqual(result.seeds, [1, 2]);
    const acc = result.rows.find((x: { quantity: string }) => x.quantity === "Table 2 pred accuracy");
    assert.equal(acc.study, 0.6987);
    assert.equal(acc.values.length, 2);
    const mean = (acc.values[0] + acc.values[1]) / 2;
    assert.ok(Math.abs(acc.mean - mean) < 1e-12);
    assert.match(acc.display, /^\d\.\d{4} ± \d\.\d{4}$/);
    assert.equal(result.findings.length, 12); // 8 on the test split, 4 over the folds
    for (const f of result.findings) assert.match(f.thisRun, /holds for \d of 2 seeds/);
    assert.deepEqual(result.cvSeeds, [1, 2]);
    // a cross-validation row: each seed's mean ± SD over its folds, and the folds averaged over the seeds
    const cv = result.rows.find((x: { quantity: string }) => x.quantity === "Table 3 3-fold CV auroc");
    assert.equal(cv.values.length, 2);
    for (const v of [...cv.values, cv.display]) assert.match(v, /^\d\.\d{4} ± \d\.\d{4}$/);
    assert.equal(result.abstract.length, 4);
    assert.match(result.abstract[0]["per seed (pp, mean ± SD over folds)"], /^[+-]\d+\.\d\d ± \d+\.\d\d; [+-]/);
    // the runs of each seed are where the output says, one folder per run
    for (const s of [1, 2]) {
      const runs = [...Deno.readDirSync(join(out, `seed-${s}`, "runs"))].map((e) => e.name).sort();
      const folds = ["diag", "mgmt", "multi"].flatMap((k) => [0, 1, 2].map((f) => `${k}-CDM-fold${f}`));
      assert.deepEqual(runs, [
        "diag-CDM",
        ...folds.slice(0, 3),
        "mgmt-CDM",
        ...folds.slice(3, 6),
        "multi-C",
        "multi-CD",
        "multi-CDM",
        ...folds.slice(6),
        "multi-CM",
        "multi-D",
        "multi-DM",
        "multi-M",
      ]);
    }
    const bad = await runCli(["study", "--seed-list", "1,1"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected --seed-list to be distinct integers like 1,2,3, found "1,1"/);
    const badCv = await runCli(["study", "--cv-seeds", "all"]);
    assert.equal(badCv.code, 2);
    assert.match(badCv.stderr, /expected --cv-seeds to be one of every\|first, found "all"/);
  },
});

Deno.test({
  name:
    "tune: each candidate's validation AUROC and accuracy, computed from the validation rows only; runs of an earlier preset are redone",
  sanitizeResources: false,
  async fn() {
    const data = tempDir();
    await writeRegionRelease(data, { cases: 120, seed: 4, size: 48 });
    const outDir = tempDir();
    // the management model on a tiny backbone, trained for `epochs`
    const tiny = (seeds: number[], candidates: string[], epochs: number) =>
      tunePreset(data, {
        outDir,
        cacheDir: join(PROJECT_ROOT, ".cache"),
        seeds,
        kinds: ["mgmt"],
        candidates,
        configure: (c) => {
          c.model.backbone = { ...c.model.backbone, source: "tiny", size: 48, featureLayers: ["mixed0", "mixed1"] };
          c.training.epochs = epochs;
          c.training.views = 1;
          c.training.ttaViews = 1;
        },
        quiet: true,
      });
    const rows = await tiny([1, 2], ["preset (chosen)", "no augmented views"], 3);
    assert.deepEqual(rows.map((r) => r.candidate), ["preset (chosen)", "no augmented views"]);
    const p = readPredictions(join(outDir, "runs", "mgmt-no-augmented-views-s2"));
    assert.equal(rows[1].auroc[1], rocAucOvr(p.truth("management", "valid"), p.probs("management", "valid")));
    const records = tuneRecords(rows);
    assert.equal(records[0].model, "mgmt-CDM");
    assert.match(String(records[0]["valid macro AUROC"]), /^\d\.\d{4} ± \d\.\d{4}$/);
    // the preset changed (here: 2 epochs): its stale run folder is trained again, and its rows carry another key
    const again = await tiny([1], ["preset (chosen)"], 2);
    assert.notEqual(again[0].preset, rows[0].preset);
    const retrained = JSON.parse(Deno.readTextFileSync(join(outDir, "runs", "mgmt-preset-chosen-s1", "config.json")));
    assert.equal(retrained.training.epochs, 2);
    const bad = await runCli(["tune", "--candidate", "everything"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected --candidate among "preset \(chosen\)", .*found "everything"/);
  },
});
