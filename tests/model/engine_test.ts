/**
 * The frozen-backbone engines: the ONNX export reproduces the tfjs model (tiny random backbone and the
 * nsfwjs InceptionV3, pooled and spatial outputs, several cuts at once) within 1e-4 of the output's
 * scale; every Keras layer class of the backbones has an ONNX mapping; TensorFlow's `same` padding;
 * a damaged exported model is rebuilt; feature cache entries record their engine, agree across
 * engines and are recomputed when damaged; `extract` writes Parquet and CSV; without onnxruntime the
 * `auto` engine falls back to tfjs with a one-line note.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import pl from "nodejs-polars";
import { startBackend } from "../../lib/model/backend.ts";
import { inceptionV3, tinyInception } from "../../lib/model/inception_v3.ts";
import { exportOnnx, samePadding, unmappedLayerClasses } from "../../lib/model/onnx_export.ts";
import { BackboneOutput, openFrozenBackbone } from "../../lib/model/engine.ts";
import { onnxModelPath } from "../../lib/model/onnx_runtime.ts";
import {
  decodeFeatureEntry,
  encodeFeatureEntry,
  extractFeatures,
  featureFile,
  featureLayerDir,
  forgetCachedFeatures,
} from "../../lib/model/features.ts";
import { weightsFingerprint } from "../../lib/model/network.ts";
import { DEFAULT_AUGMENTATION } from "../../lib/data/augment.ts";
import { Prng } from "../../lib/util/prng.ts";
import { sha256Hex } from "../../lib/util/hash.ts";
import { BackboneConfig } from "../../lib/model/config.ts";
import { lesionImage, writePng, writeRegionRelease } from "../explain/_fixtures.ts";
import { PROJECT_ROOT, runCli, tempCacheWithModels, tempDir } from "../_helpers.ts";

const cacheDir = join(PROJECT_ROOT, ".cache");
const opts = { sanitizeResources: false, sanitizeOps: false };

function pixelsOf(size: number, n: number, seed: string): Uint8Array {
  const out = new Uint8Array(n * size * size * 3);
  for (let i = 0; i < n; i++) out.set(lesionImage(size, new Prng(`${seed}-${i}`)).data, i * size * size * 3);
  return out;
}

/** max |a - b| / max |b| over every output. */
async function parity(cfg: BackboneConfig, outputs: BackboneOutput[], n: number): Promise<number[]> {
  const px = pixelsOf(cfg.size, n, cfg.source);
  const onnx = await openFrozenBackbone(cfg, outputs, { seed: 5, cacheDir, engine: "onnx", quiet: true });
  const tfjs = await openFrozenBackbone(cfg, outputs, { seed: 5, cacheDir, engine: "tfjs", quiet: true });
  assert.equal(onnx.engine, "onnx");
  assert.equal(tfjs.engine, "tfjs");
  assert.deepEqual(onnx.shapes, tfjs.shapes);
  const [a, b] = [await onnx.run(px, n), await tfjs.run(px, n)];
  onnx.dispose();
  tfjs.dispose();
  return a.map((x, k) => {
    assert.equal(x.length, b[k].length);
    let diff = 0, scale = 0;
    for (let i = 0; i < x.length; i++) {
      diff = Math.max(diff, Math.abs(x[i] - b[k][i]));
      scale = Math.max(scale, Math.abs(b[k][i]));
    }
    assert.ok(scale > 0, `output ${k} is all zeros`);
    return diff / scale;
  });
}

Deno.test({
  name: "onnx vs tfjs: tiny random backbone, pooled and spatial outputs at two cuts, within 1e-4 of the scale",
  ...opts,
  async fn() {
    await startBackend("wasm", { quiet: true });
    const cfg: BackboneConfig = { source: "tiny", size: 64, featureLayers: ["mixed0", "mixed1"], shared: true };
    const rel = await parity(cfg, [
      { layer: "mixed0", kind: "pooled" },
      { layer: "mixed1", kind: "pooled" },
      { layer: "mixed1", kind: "map" },
      { layer: "max_pooling2d_1", kind: "map" },
    ], 3);
    rel.forEach((r, k) => assert.ok(r <= 1e-4, `output ${k}: relative difference ${r}`));
  },
});

Deno.test({
  name: "onnx vs tfjs: the nsfwjs InceptionV3 at mixed5 and mixed10 (pooled) and mixed10's map, within 1e-4",
  ...opts,
  async fn() {
    await startBackend("wasm", { quiet: true });
    const cfg: BackboneConfig = { source: "nsfwjs", size: 299, featureLayers: ["mixed5", "mixed10"], shared: true };
    const rel = await parity(cfg, [
      { layer: "mixed5", kind: "pooled" },
      { layer: "mixed10", kind: "pooled" },
      { layer: "mixed10", kind: "map" },
    ], 2);
    console.log(`relative differences: ${rel.map((r) => r.toExponential(2)).join(", ")}`);
    rel.forEach((r, k) => assert.ok(r <= 1e-4, `output ${k}: relative difference ${r}`));
  },
});

Deno.test("every Keras layer class of InceptionV3 and the tiny backbone has an ONNX mapping", async () => {
  await startBackend("wasm", { quiet: true });
  const full = inceptionV3({ size: 299 });
  const tiny = tinyInception({ size: 32 });
  assert.deepEqual(unmappedLayerClasses(full), []);
  assert.deepEqual(unmappedLayerClasses(tiny), []);
  // a layer class without a mapping is named, not silently dropped
  const input = tf.input({ shape: [8, 8, 3] });
  const flat = tf.layers.flatten({ name: "flatten_x" }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: flat });
  assert.deepEqual(unmappedLayerClasses(model), ["Flatten"]);
  assert.throws(
    () => exportOnnx(model, [{ layer: "flatten_x", kind: "map" }], { preprocessing: "x/255" }),
    /Cannot export layer "flatten_x" to ONNX: expected one of .*, found Flatten/,
  );
  assert.throws(
    () => exportOnnx(tiny, [{ layer: "mixed9", kind: "pooled" }], { preprocessing: "x/255" }),
    /expected a layer "mixed9"/,
  );
});

Deno.test("samePadding: TensorFlow's rule, the odd pixel after (tf.nn.conv2d padding='SAME')", () => {
  assert.deepEqual(samePadding(35, 3, 1), [1, 1]);
  assert.deepEqual(samePadding(17, 7, 1), [3, 3]);
  assert.deepEqual(samePadding(17, 1, 1), [0, 0]);
  assert.deepEqual(samePadding(8, 3, 2), [0, 1]); // out 4: (4-1)*2+3-8 = 1
  assert.deepEqual(samePadding(7, 3, 2), [1, 1]); // out 4: (4-1)*2+3-7 = 2
  assert.deepEqual(samePadding(5, 4, 1), [1, 2]);
});

Deno.test({
  name: "a damaged exported model in the cache is detected by its checksum and rebuilt",
  ...opts,
  async fn() {
    await startBackend("wasm", { quiet: true });
    const dir = tempCacheWithModels();
    const cfg: BackboneConfig = { source: "tiny", size: 40, featureLayers: ["mixed1"], shared: true };
    const outputs: BackboneOutput[] = [{ layer: "mixed1", kind: "pooled" }];
    const px = pixelsOf(40, 2, "damaged");
    const first = await openFrozenBackbone(cfg, outputs, { seed: 2, cacheDir: dir, engine: "onnx", quiet: true });
    const want = (await first.run(px, 2))[0];
    first.dispose();
    const path = onnxModelPath(dir, {
      fingerprint: await weightsFingerprint(cfg, dir, 2),
      source: "tiny",
      size: 40,
      preprocessing: "x/127.5-1",
      outputs,
    });
    const bytes = Deno.readFileSync(path);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    Deno.writeFileSync(path, bytes);
    const warnings: string[] = [];
    const error = console.error;
    console.error = (...a: unknown[]) => warnings.push(a.join(" "));
    try {
      const again = await openFrozenBackbone(cfg, outputs, { seed: 2, cacheDir: dir, engine: "onnx" });
      assert.deepEqual((await again.run(px, 2))[0], want);
      again.dispose();
    } finally {
      console.error = error;
    }
    assert.ok(
      warnings.some((w) => /exported model .* is damaged \(checksum mismatch\); rebuilding it/.test(w)),
      warnings.join("\n"),
    );
    assert.notDeepEqual(Deno.readFileSync(path), bytes);
  },
});

Deno.test({
  name:
    "feature cache: entries record their engine, both engines agree, each layer is cached apart, damaged entries are recomputed",
  ...opts,
  async fn() {
    await startBackend("wasm", { quiet: true });
    const dir = tempCacheWithModels();
    const images = tempDir();
    const paths: string[] = [];
    for (let i = 0; i < 3; i++) {
      paths.push(join(images, `im${i}.png`));
      await writePng(paths[i], lesionImage(48, new Prng(`cache-${i}`)));
    }
    const backbone: BackboneConfig = { source: "tiny", size: 48, featureLayers: ["mixed0", "mixed1"], shared: true };
    const base = { backbone, seed: 4, augmentation: DEFAULT_AUGMENTATION, quiet: true };
    const reqs = paths.map((path) => ({ path, views: 2 }));
    const a = await extractFeatures(reqs, { ...base, cacheDir: dir, engine: "onnx" });
    assert.equal(a.stats.engine, "onnx");
    assert.equal(a.stats.computed, 6);
    assert.deepEqual(a.stats.layerSizes, [12, 12]);
    const other = tempCacheWithModels();
    const b = await extractFeatures(reqs, { ...base, cacheDir: other, engine: "tfjs", workers: 1 });
    assert.equal(b.stats.engine, "tfjs");
    for (const p of paths) {
      a.features.get(p)!.forEach((v, view) =>
        v.forEach((x, i) => assert.ok(Math.abs(x - b.features.get(p)![view][i]) <= 1e-5, `${p} view ${view}[${i}]`))
      );
    }
    const fingerprint = await weightsFingerprint(backbone, dir, 4);
    const hex = sha256Hex(Deno.readFileSync(paths[0]));
    const d1 = featureLayerDir(dir, fingerprint, backbone, "mixed1", DEFAULT_AUGMENTATION);
    assert.equal(d1, a.stats.dirs[1]);
    const entry = featureFile(d1, hex, 1);
    assert.equal(decodeFeatureEntry(Deno.readFileSync(entry), entry, 12).engine, "onnx");
    // a set with one of the layers reads it from the cache: nothing computed
    const one = await extractFeatures(reqs, {
      ...base,
      backbone: { ...backbone, featureLayers: ["mixed1"] },
      cacheDir: dir,
      engine: "onnx",
    });
    assert.equal(one.stats.computed, 0);
    assert.deepEqual(one.features.get(paths[0])![1], a.features.get(paths[0])![1].slice(12));
    // a truncated entry is reported, recomputed and replaced (read as a new process would: the views read
    // in this process are kept in memory)
    Deno.writeFileSync(entry, Deno.readFileSync(entry).slice(0, 20));
    forgetCachedFeatures();
    const warnings: string[] = [];
    const error = console.error;
    console.error = (...x: unknown[]) => warnings.push(x.join(" "));
    try {
      const again = await extractFeatures(reqs, { ...base, quiet: false, cacheDir: dir, engine: "onnx" });
      assert.deepEqual(again.features.get(paths[0])![1], a.features.get(paths[0])![1]);
    } finally {
      console.error = error;
    }
    assert.ok(warnings.some((w) => w.includes(`Cannot read cached features ${entry}`)), warnings.join("\n"));
    assert.equal(Deno.readFileSync(entry).length, 12 + 4 * 12);
    assert.throws(
      () => decodeFeatureEntry(encodeFeatureEntry(new Float32Array(3), "tfjs"), "x.f32", 4),
      /Cannot read cached features x\.f32: expected a D7F2 entry of 4 float32 values, found 24 bytes/,
    );
  },
});

Deno.test({
  name:
    "extract: Parquet and CSV tables of every image and view; the auto engine falls back to tfjs without onnxruntime",
  ...opts,
  async fn() {
    const data = tempDir();
    await writeRegionRelease(data, { cases: 12, seed: 3, size: 48 });
    const cache = tempCacheWithModels();
    const env = { DERM7PT_CACHE: cache };
    const parquet = join(tempDir(), "f.parquet");
    const common = ["--data", data, "--backbone", "tiny", "--size", "48", "--layers", "mixed0,mixed1", "--quiet"];
    const a = await runCli(["extract", ...common, "--views", "2", "--split", "test", "--out", parquet], env);
    assert.equal(a.code, 0, a.stderr);
    const df = pl.readParquet(parquet);
    const tests = new Set(Deno.readTextFileSync(join(data, "meta", "test_indexes.csv")).trim().split("\n").slice(1));
    assert.equal(df.height, tests.size * 2 * 3);
    assert.deepEqual(df.columns.slice(0, 5), ["case_num", "split", "image", "view", "mixed0_0"]);
    assert.equal(df.width, 4 + 24);
    assert.deepEqual([...new Set(df.getColumn("split").toArray())], ["test"]);
    assert.match(a.stdout, /wrote \d+ rows x 24 features .* by onnx/);

    // the same features as CSV, from the cache (computed by nothing), then via the tfjs fallback
    const csv = join(tempDir(), "f.csv");
    const b = await runCli(["extract", ...common, "--views", "2", "--split", "test", "--out", csv], env);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /0 views computed/);
    const lines = Deno.readTextFileSync(csv).trim().split("\n");
    assert.equal(lines.length, 1 + df.height);
    assert.ok(
      Math.abs(Number(lines[1].split(",")[4]) - (df.getColumn("mixed0_0").toArray()[0] as number)) < 1e-6,
    );
    const fresh = tempCacheWithModels();
    const c = await runCli(["extract", ...common, "--split", "valid", "--out", join(fresh, "v.csv")], {
      DERM7PT_CACHE: fresh,
      DERM7PT_NO_ONNX: "1",
    });
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, /engine: tfjs \(the onnx engine is unavailable: .*DERM7PT_NO_ONNX/);
    assert.match(c.stdout, /by tfjs/);
    const d = await runCli(["extract", ...common, "--engine", "onnx", "--out", join(fresh, "x.csv")], {
      DERM7PT_CACHE: fresh,
      DERM7PT_NO_ONNX: "1",
    });
    assert.equal(d.code, 1);
    assert.match(d.stderr, /Cannot load onnxruntime-node/);
    const e = await runCli(["extract", ...common, "--out", join(fresh, "x.json")], env);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /expected --out to end in \.parquet or \.csv, found ".*x\.json"/);
  },
});
