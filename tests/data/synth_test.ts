/**
 * The synthetic release: written in the release_v0 layout, read back by the same loader,
 * deterministic for a seed, and carrying its labels in the pixels (a simple classifier on crude
 * image features beats chance on held-out cases).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { casesOf, ImageStore, loadRelease, writeSyntheticRelease } from "../../lib/data/mod.ts";
import { REAL_STATISTICS } from "../../lib/data/synth/real_statistics.ts";
import { sha256Hex } from "../../lib/util/hash.ts";
import { tempDir } from "../_helpers.ts";

const dir = tempDir("derm7pt-synth-");
let written: Promise<unknown> | null = null;
function synth() {
  written ??= writeSyntheticRelease(dir, { cases: 300, seed: 42, imageSize: 64, progress: false });
  return written;
}

Deno.test("synth: round-trips through the release loader, with images, marked synthetic", async () => {
  await synth();
  const r = loadRelease(dir, { requireImages: true, quiet: true });
  assert.equal(r.cases.length, 300);
  assert.equal(r.synthetic, true);
  assert.equal(r.splits.train.length + r.splits.valid.length + r.splits.test.length, 300);
  assert.ok(Math.abs(r.splits.test.length / 300 - 395 / 1011) < 0.01);
  const marker = JSON.parse(Deno.readTextFileSync(join(dir, "SYNTHETIC.json")));
  assert.equal(marker.synthetic, true);
  assert.match(marker.note, /SYNTHETIC/);
});

Deno.test("synth: label frequencies follow the real release's aggregate statistics", async () => {
  await synth();
  const big = tempDir();
  // labels only: sample many rows without images through the same sampler
  const { sampleSyntheticRows } = await import("../../lib/data/synth/generate.ts");
  const { Prng } = await import("../../lib/util/prng.ts");
  const rows = sampleSyntheticRows(20000, new Prng(1));
  const share = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length / rows.length;
  const realMel =
    Object.entries(REAL_STATISTICS.diagnosis).filter(([k]) => k.startsWith("melanoma")).reduce((a, [, v]) => a + v, 0) /
    1011;
  assert.ok(Math.abs(share((r) => r.diagnosis.startsWith("melanoma")) - realMel) < 0.015);
  assert.ok(Math.abs(share((r) => r.management === "excision") - 605 / 1011) < 0.02);
  // BCC and melanoma are always excised in the real data, so in the synthetic data too
  assert.equal(
    share((r) =>
      (r.diagnosis.startsWith("melanoma") || r.diagnosis === "basal cell carcinoma") && r.management !== "excision"
    ),
    0,
  );
  Deno.removeSync(big, { recursive: true });
});

Deno.test("synth: deterministic for a seed (labels and image bytes), whatever the number of workers", async () => {
  await synth();
  const again = tempDir();
  await writeSyntheticRelease(again, { cases: 300, seed: 42, imageSize: 64, progress: false, workers: 0 });
  assert.equal(
    Deno.readTextFileSync(join(again, "meta", "meta.csv")),
    Deno.readTextFileSync(join(dir, "meta", "meta.csv")),
  );
  const r = loadRelease(dir, { quiet: true });
  for (const c of r.cases.slice(0, 20)) {
    assert.equal(
      sha256Hex(Deno.readFileSync(join(again, "images", c.derm))),
      sha256Hex(Deno.readFileSync(join(dir, "images", c.derm))),
    );
  }
  const other = tempDir();
  await writeSyntheticRelease(other, { cases: 30, seed: 43, imageSize: 32, progress: false });
  assert.notEqual(
    Deno.readTextFileSync(join(other, "meta", "meta.csv")).slice(0, 2000),
    Deno.readTextFileSync(join(dir, "meta", "meta.csv")).slice(0, 2000),
  );
});

/** Crude features: 6x6 mean colours of both images and the lesion's dark-pixel share. */
function features(a: { data: Uint8Array; width: number }, b: { data: Uint8Array; width: number }): number[] {
  const out: number[] = [];
  for (const img of [a, b]) {
    const g = 6, w = img.width, cell = w / g;
    for (let gy = 0; gy < g; gy++) {
      for (let gx = 0; gx < g; gx++) {
        const acc = [0, 0, 0];
        let n = 0;
        for (let y = Math.floor(gy * cell); y < Math.floor((gy + 1) * cell); y++) {
          for (let x = Math.floor(gx * cell); x < Math.floor((gx + 1) * cell); x++) {
            for (let c = 0; c < 3; c++) acc[c] += img.data[3 * (y * w + x) + c];
            n++;
          }
        }
        out.push(...acc.map((v) => v / n / 255));
      }
    }
    let dark = 0;
    for (let i = 0; i < img.data.length; i += 3) if (img.data[i] + img.data[i + 1] + img.data[i + 2] < 200) dark++;
    out.push(dark / (img.data.length / 3));
  }
  return out;
}

Deno.test("synth: images carry the labels: nearest-centroid on crude features beats chance on held-out cases", async () => {
  await synth();
  const r = loadRelease(dir, { quiet: true });
  const store = new ImageStore(r);
  const feats = new Map<number, number[]>();
  for (const c of r.cases) {
    const { clinical, derm } = await store.pair(c, { size: 48 });
    feats.set(c.index, features(derm, clinical));
  }
  const train = [...casesOf(r, "train"), ...casesOf(r, "valid")];
  const test = casesOf(r, "test");
  const dim = feats.get(0)!.length;
  const mean = new Array(dim).fill(0), sd = new Array(dim).fill(0);
  for (const c of train) feats.get(c.index)!.forEach((v, j) => (mean[j] += v / train.length));
  for (const c of train) feats.get(c.index)!.forEach((v, j) => (sd[j] += (v - mean[j]) ** 2 / train.length));
  const z = (v: number[]) => v.map((x, j) => (x - mean[j]) / (Math.sqrt(sd[j]) + 1e-9));
  const balancedAccuracy = (head: "diagnosis" | "blue_whitish_veil" | "vascular_structures", k: number) => {
    const centroids = [...Array(k)].map((_, cls) => {
      const members = train.filter((c) => c.labels[head] === cls).map((c) => z(feats.get(c.index)!));
      return members.length ? members[0].map((_, j) => members.reduce((a, m) => a + m[j], 0) / members.length) : null;
    });
    const recall = [...Array(k)].map((_, cls) => {
      const members = test.filter((c) => c.labels[head] === cls);
      if (!members.length || !centroids[cls]) return null;
      const hits = members.filter((c) => {
        const v = z(feats.get(c.index)!);
        let best = -1, bestD = Infinity;
        centroids.forEach((m, i) => {
          if (!m) return;
          const d = m.reduce((a, x, j) => a + (x - v[j]) ** 2, 0);
          if (d < bestD) [best, bestD] = [i, d];
        });
        return best === cls;
      }).length;
      return hits / members.length;
    }).filter((x): x is number => x !== null);
    return { value: recall.reduce((a, b) => a + b, 0) / recall.length, chance: 1 / recall.length };
  };
  const diag = balancedAccuracy("diagnosis", 5);
  const veil = balancedAccuracy("blue_whitish_veil", 2);
  console.log(
    `balanced accuracy on held-out synthetic cases: diagnosis ${diag.value.toFixed(3)} (chance ${diag.chance}), veil ${
      veil.value.toFixed(3)
    } (chance ${veil.chance})`,
  );
  assert.ok(diag.value > diag.chance + 0.1, `diagnosis ${diag.value}`);
  assert.ok(veil.value > veil.chance + 0.1, `veil ${veil.value}`);
  // ... and the task is not trivial: crude features stay well below perfect
  assert.ok(diag.value < 0.95);
});
