/**
 * `computeViews` runs one batch on the engine while it prepares the next: every view still lands in its
 * own cache entry, and a failure while a batch is on the engine waits for that batch (the caller disposes
 * the engine next) and keeps what it wrote.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { DEFAULT_AUGMENTATION } from "../../lib/data/augment.ts";
import type { FrozenBackbone } from "../../lib/model/engine.ts";
import { computeViews, decodeFeatureEntry, featureFile, FeatureItem } from "../../lib/model/features.ts";
import { exists } from "../../lib/util/fs.ts";
import { tempDir } from "../_helpers.ts";

/** A stand-in engine: each image's output is [a position-weighted sum of its bytes, batch number]; runs take `ms`. */
function fakeNet(size: number, ms: number, log: string[]): FrozenBackbone {
  let batches = 0;
  return {
    engine: "onnx",
    detail: "fake",
    size,
    outputs: [{ layer: "x", kind: "pooled" }],
    shapes: [[2]],
    fingerprint: "fake",
    async run(pixels, n) {
      const batch = ++batches;
      log.push(`start ${batch}`);
      await new Promise((r) => setTimeout(r, ms));
      const out = new Float32Array(2 * n);
      const per = pixels.length / n;
      for (let i = 0; i < n; i++) {
        out[2 * i] = pixels.subarray(i * per, (i + 1) * per).reduce((s, v, k) => s + v * (k % 97 + 1), 0);
        out[2 * i + 1] = batch;
      }
      log.push(`end ${batch}`);
      return [out];
    },
    dispose() {
      log.push("dispose");
    },
  };
}

async function images(dir: string, count: number, size: number): Promise<FeatureItem[]> {
  const items: FeatureItem[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `img${i}.png`);
    const px = new Uint8Array(size * size * 3).map((_, k) => (k * (i + 3)) % 256);
    await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
    items.push({ path, sha: `${i}`.padStart(64, "a"), views: [0, 1, 2] });
  }
  return items;
}

const viewOptions = (dir: string) => ({
  dirs: [join(dir, "cache")],
  augmentation: DEFAULT_AUGMENTATION,
  perturbation: { kind: "none" } as const,
  batchSize: 4,
});

Deno.test("computeViews: one batch on the engine at a time, each view written to its own entry", async () => {
  const dir = tempDir();
  const items = await images(dir, 5, 16); // 15 views: batches of 4, 4, 4, 3
  const log: string[] = [];
  await computeViews(fakeNet(16, 20, log), items, viewOptions(dir));
  // one batch on the engine at a time
  assert.deepEqual(log, ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3", "start 4", "end 4"]);
  const sums = new Set<number>();
  items.forEach((it, i) =>
    it.views.forEach((v, j) => {
      const { values } = decodeFeatureEntry(Deno.readFileSync(featureFile(join(dir, "cache"), it.sha, v)), "entry");
      assert.equal(values[1], Math.floor((3 * i + j) / 4) + 1, `image ${i} view ${v} in its batch`);
      sums.add(values[0]);
    })
  );
  assert.equal(sums.size, 15); // every view is a different image: no entry got another view's output
});

Deno.test("computeViews: a failure while a batch runs waits for it, keeps its entries, then throws", async () => {
  const dir = tempDir();
  const items = await images(dir, 3, 16);
  items[2] = { ...items[2], path: join(dir, "missing.png") };
  const log: string[] = [];
  const net = fakeNet(16, 150, log);
  await assert.rejects(
    computeViews(net, items, viewOptions(dir)).finally(() => net.dispose()),
    /expected a file at .*missing\.png/,
  );
  assert.deepEqual(log, ["start 1", "end 1", "dispose"]); // the engine was freed only after its batch ended
  for (const v of [0, 1, 2]) assert.ok(exists(featureFile(join(dir, "cache"), items[0].sha, v)));
  assert.ok(exists(featureFile(join(dir, "cache"), items[1].sha, 0)));
});
