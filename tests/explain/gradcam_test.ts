/**
 * Explanation maps: on tiny models trained on images whose melanoma label is decided by one textured
 * disc, the Grad-CAM map of the melanoma class ranks the disc above the background and peaks at it,
 * wherever it is placed;
 * maps are deterministic; the decomposition used to explain computes exactly the run's predictions
 * (features and paper presets); integrated gradients at the head input are complete.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultRunConfig } from "../../lib/model/config.ts";
import { trainRun } from "../../lib/model/run.ts";
import { loadRun, predictCase } from "../../lib/model/predict.ts";
import { decodeImage } from "../../lib/data/images.ts";
import { encodeMetadata } from "../../lib/data/vocabulary.ts";
import { loadRelease } from "../../lib/data/release.ts";
import { Prng } from "../../lib/util/prng.ts";
import { explainable, gradCam, headInputOf, headProbabilities, integratedGradients } from "../../lib/explain/mod.ts";
import { upsampleMap } from "../../lib/data/resample.ts";
import { PROJECT_ROOT, tempDir } from "../_helpers.ts";
import { lesionImage, MEL, trainTinyRun, writeRegionRelease } from "./_fixtures.ts";

const cacheDir = join(PROJECT_ROOT, ".cache");
const SIZE = 64;

// Three (data seed, model seed) pairs; of 8 pairs tried while writing this test, 7 met these
// criteria (the other's model had not learned the class: p(MEL) 0.39-0.72 on the probes). How much
// heat the background keeps depends on the random filters, so the ReLU map's contrast varies (1.5x
// to 20x); the ranking of disc pixels above background pixels by the signed map does not.
const SEEDS = [[5, 5], [11, 7], [13, 8]];

Deno.test({
  name:
    "Grad-CAM: tiny models whose melanoma class is decided by a textured disc rank the disc above the background and peak at it, wherever it is; maps are deterministic",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    for (const [dataSeed, runSeed] of SEEDS) {
      const { out } = await trainTinyRun({
        kind: "diag",
        inputs: "D",
        cases: 160,
        seed: dataSeed,
        runSeed,
        size: SIZE,
        epochs: 30,
        hidden: 0,
        members: 1, // the seeds above were chosen for one network
      });
      const ex = await explainable(await loadRun(out, { cacheDir, backend: "wasm" }));
      for (const [cx, cy] of [[16, 16], [46, 20], [30, 48]]) {
        const r = Math.round(SIZE / 8);
        const derm = lesionImage(SIZE, new Prng(`probe-${cx}-${cy}`), { cx, cy, radius: r });
        const cam = await gradCam(ex, { derm }, { head: "diagnosis", classIndex: MEL });
        const m = cam.maps.derm!;
        assert.equal(m.layer, "mixed1");
        const up = upsampleMap(m, { height: SIZE, width: SIZE });
        const signed = upsampleMap({ ...m, values: m.signed }, { height: SIZE, width: SIZE });
        let best = 0;
        for (let i = 1; i < up.length; i++) if (up[i] > up[best]) best = i;
        const peak = Math.hypot((best % SIZE) - cx, Math.floor(best / SIZE) - cy);
        const inside: number[] = [], outside: number[] = [];
        let hotIn = 0, hotOut = 0;
        signed.forEach((v, i) => {
          const d = Math.hypot((i % SIZE) - cx, Math.floor(i / SIZE) - cy);
          if (d <= r) (inside.push(v), hotIn += up[i]);
          else if (d > 2 * r) (outside.push(v), hotOut += up[i]);
        });
        // the share of (disc pixel, background pixel) pairs the signed map orders correctly (an AUROC)
        let wins = 0;
        for (const a of inside) for (const b of outside) wins += a > b ? 1 : a === b ? 0.5 : 0;
        const auc = wins / (inside.length * outside.length);
        const contrast = (hotIn / inside.length) / (hotOut / outside.length);
        console.log(
          `seeds ${dataSeed}/${runSeed}, disc at (${cx},${cy}) r ${r}: p(MEL) ${
            cam.probability.toFixed(2)
          }; disc ranked above background ${(100 * auc).toFixed(1)}%; ` +
            `ReLU map ${contrast.toFixed(1)}x hotter inside; peak ${peak.toFixed(1)} px from the centre`,
        );
        assert.ok(
          auc >= 0.9,
          `the signed map ranks disc pixels above background pixels only ${auc.toFixed(3)} of the time`,
        );
        assert.ok(contrast > 1.3, `the disc is only ${contrast.toFixed(2)}x hotter than the background`);
        // the map has cells of ~4 px: its peak lies on the disc or its rim
        assert.ok(peak <= 2.5 * r, `peak ${peak.toFixed(1)} px from the disc centre`);
        // negative control: for nevus the disc is evidence against (explained as a log-probability,
        // which counts evidence for melanoma against nevus): the map must rank it below the background
        const nevMap = (await gradCam(ex, { derm }, { head: "diagnosis", classIndex: 1, target: "log-probability" }))
          .maps.derm!;
        const nev = upsampleMap({ ...nevMap, values: nevMap.signed }, { height: SIZE, width: SIZE });
        const nevIn: number[] = [], nevOut: number[] = [];
        nev.forEach((v, i) => {
          const d = Math.hypot((i % SIZE) - cx, Math.floor(i / SIZE) - cy);
          if (d <= r) nevIn.push(v);
          else if (d > 2 * r) nevOut.push(v);
        });
        let nevWins = 0;
        for (const a of nevIn) for (const b of nevOut) nevWins += a > b ? 1 : a === b ? 0.5 : 0;
        assert.ok(nevWins / (nevIn.length * nevOut.length) < 0.5, "the nevus map ranks the disc below the background");
        const again = await gradCam(ex, { derm }, { head: "diagnosis", classIndex: MEL });
        assert.deepEqual(again.maps.derm!.values, m.values);
        assert.deepEqual(again.maps.derm!.signed, m.signed);
      }
    }
  },
});

async function assertDecompositionMatches(runDir: string, data: string) {
  const run = await loadRun(runDir, { cacheDir, backend: "wasm" });
  const ex = await explainable(run);
  const release = loadRelease(data, { quiet: true });
  for (const c of release.cases.slice(0, 4)) {
    const clinical = join(data, "images", c.clinic), derm = join(data, "images", c.derm);
    const direct = await predictCase(run, { clinical, derm, metadata: c.metadata });
    const { vector, maps } = await headInputOf(ex, {
      clinical: await decodeImage(clinical, { size: SIZE }),
      derm: await decodeImage(derm, { size: SIZE }),
      metadata: encodeMetadata(c.metadata),
    });
    Object.values(maps).flat().forEach((t) => t.dispose());
    const split = headProbabilities(ex, [vector]);
    for (const h of run.heads) {
      split[h]![0].forEach((p, k) =>
        assert.ok(Math.abs(p - direct.heads[h]![k]) < 1e-5, `${h}[${k}]: ${p} vs ${direct.heads[h]![k]}`)
      );
    }
  }
  return ex;
}

Deno.test({
  name:
    "explaining decomposes a run exactly: split model = the run's predictions (features and paper presets); integrated gradients are complete",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const data = tempDir();
    await writeRegionRelease(data, { cases: 40, seed: 8, size: SIZE });
    const base = { backbone: { source: "tiny" as const, size: SIZE, featureLayers: ["mixed0", "mixed1"] }, seed: 3 };
    const f = defaultRunConfig({ kind: "multi", inputs: "CDM", preset: "features", ...base });
    f.data.dir = data;
    f.backend = "wasm";
    f.training.views = 0;
    f.training.ttaViews = 0; // the decomposition is exact for the image itself (view 0)
    f.training.epochs = 2;
    const fOut = tempDir();
    await trainRun({ config: f, outDir: fOut, cacheDir, quiet: true });
    const ex = await assertDecompositionMatches(fOut, data);
    assert.deepEqual(ex.blocks.map((b) => [b.name, b.length]), [["clinical", 24], ["derm", 24], ["metadata", 14]]);
    assert.equal(ex.camLayer, "mixed1");

    const p = defaultRunConfig({ kind: "mgmt", inputs: "CDM", preset: "paper", ...base });
    p.data.dir = data;
    p.backend = "wasm";
    p.training.schedule = [{ name: "unfreeze mixed1", epochs: 1, trainableBlocks: ["mixed1"], augment: true }];
    p.training.maxStepsPerEpoch = 2;
    const pOut = tempDir();
    await trainRun({ config: p, outDir: pOut, cacheDir, quiet: true });
    const exp = await assertDecompositionMatches(pOut, data);

    // integrated gradients: attributions sum to the change of the logit from the baseline
    const release = loadRelease(data, { quiet: true });
    const c = release.cases[0];
    const input = {
      clinical: await decodeImage(join(data, "images", c.clinic), { size: SIZE }),
      derm: await decodeImage(join(data, "images", c.derm), { size: SIZE }),
      metadata: encodeMetadata(c.metadata),
    };
    for (const e of [ex, exp]) {
      const { vector, maps } = await headInputOf(e, input);
      Object.values(maps).flat().forEach((t) => t.dispose());
      const ig = integratedGradients(e, vector, { head: "management", classIndex: 2, steps: 128 });
      // a Riemann sum over a piecewise-linear (ReLU) head: within 1% of the logit change
      assert.ok(
        ig.completenessError < 1e-2 * Math.max(1, Math.abs(ig.logit - ig.baselineLogit)),
        `completeness error ${ig.completenessError} for a change of ${ig.logit - ig.baselineLogit}`,
      );
      assert.deepEqual(Object.keys(ig.byInput), ["clinical", "derm", "sex", "location", "elevation"]);
      const sum = Object.values(ig.byInput).reduce((s, x) => s + x, 0);
      assert.ok(Math.abs(sum - ig.attributions.reduce((a, b) => a + b, 0)) < 1e-4);
    }
    await assert.rejects(
      () => gradCam(ex, input, { head: "diagnosis", classIndex: 7 }),
      /expected a class index in 0\.\.4, found 7/,
    );
    await assert.rejects(
      () => gradCam(ex, { derm: input.derm, metadata: input.metadata }, { head: "diagnosis" }),
      /need the clinical image, found none/,
    );
  },
});
