/**
 * Weights: the offline nsfwjs backbone maps by name onto our InceptionV3 (features equal the
 * nsfwjs model's own), saving and reloading gives identical outputs, a Keras-layout .h5 written
 * here loads into the right layers, tf.keras names are normalised, a missing layer is reported by
 * name, and the ImageNet download is cached and verified (against a local server).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { startBackend } from "../../lib/model/backend.ts";
import { inceptionV3, tinyInception } from "../../lib/model/inception_v3.ts";
import { applyWeights, normalizeKerasNames, nsfwjsInceptionV3 } from "../../lib/model/weights.ts";
import type { WeightArray } from "../../lib/model/weight_set.ts";
import { readKerasH5, writeKerasH5 } from "../../lib/model/keras_h5.ts";
import { loadWeightsInto, saveWeights } from "../../lib/model/serialize.ts";
import { buildFullModel } from "../../lib/model/network.ts";
import { cachedDownload } from "../../lib/model/download.ts";
import { PROJECT_ROOT, tempDir } from "../_helpers.ts";

const cache = join(PROJECT_ROOT, ".cache", "models");

Deno.test("nsfwjs weights load by name: our InceptionV3 + GAP equals the nsfwjs model's flatten_1 output", async () => {
  await startBackend("wasm", { quiet: true });
  const set = await nsfwjsInceptionV3({ cacheDir: cache });
  const net = inceptionV3();
  const r = applyWeights(net, set);
  assert.equal(r.loaded.length, 94 + 94 * 3); // conv kernels + BN beta/mean/variance
  assert.equal(r.defaultedGamma, 94);
  assert.deepEqual(r.unused.sort(), [
    "dense_1/bias",
    "dense_1/kernel",
    "dense_2/bias",
    "dense_2/kernel",
    "dense_3/bias",
    "dense_3/kernel",
  ]);
  const code = Deno.readTextFileSync(`${PROJECT_ROOT}/node_modules/nsfwjs/dist/models/inception_v3/model.min.js`);
  const module = { exports: {} as { modelTopology: object; weightsManifest: tf.io.WeightsManifestConfig } };
  new Function("module", "exports", code)(module, module.exports);
  const bytes = Deno.readFileSync(join(cache, "nsfwjs-inception_v3", "weights.bin"));
  const ref = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: module.exports.modelTopology,
      weightSpecs: module.exports.weightsManifest.flatMap((g) => g.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
  const refFeat = tf.model({ inputs: ref.inputs, outputs: ref.getLayer("flatten_1").output as tf.SymbolicTensor });
  const ours = tf.model({
    inputs: net.inputs,
    outputs: tf.layers.globalAveragePooling2d({}).apply(net.outputs[0]) as tf.SymbolicTensor,
  });
  const x = tf.randomUniform([1, 299, 299, 3], 0, 1, "float32", 3);
  const a = (refFeat.predict(x) as tf.Tensor).dataSync(), b = (ours.predict(x) as tf.Tensor).dataSync();
  assert.equal(a.length, 2048);
  assert.ok(Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]))) < 1e-5);
  tf.dispose(x);
});

Deno.test("save and reload a model: identical outputs; a different config is refused by name", async () => {
  await startBackend("cpu", { quiet: true });
  const dir = tempDir();
  const bb = { source: "tiny" as const, size: 32, featureLayers: ["mixed1"], shared: true };
  const a = (await buildFullModel("multi", "CDM", bb, { hidden: 4, l2: 0, standardize: false, transform: "none" }, {
    seed: 1,
    cacheDir: dir,
  }))
    .model;
  await saveWeights(a, join(dir, "w"));
  const b = (await buildFullModel("multi", "CDM", bb, { hidden: 4, l2: 0, standardize: false, transform: "none" }, {
    seed: 99,
    cacheDir: dir,
  }))
    .model;
  const xs = [
    tf.randomUniform([2, 32, 32, 3], 0, 1, "float32", 1),
    tf.randomUniform([2, 32, 32, 3], 0, 1, "float32", 2),
    tf.randomUniform([2, 14], 0, 1, "float32", 3),
  ];
  const outA = (a.predict(xs) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
  assert.notDeepEqual((b.predict(xs) as tf.Tensor[]).map((t) => Array.from(t.dataSync())), outA);
  loadWeightsInto(b, join(dir, "w"));
  assert.deepEqual((b.predict(xs) as tf.Tensor[]).map((t) => Array.from(t.dataSync())), outA);
  const c = (await buildFullModel("mgmt", "CDM", bb, { hidden: 4, l2: 0, standardize: false, transform: "none" }, {
    seed: 1,
    cacheDir: dir,
  }))
    .model;
  assert.throws(
    () => loadWeightsInto(c, join(dir, "w")),
    /Cannot load weights from .*: expected \d+ weights for .*, found \d+|weight \d+ is/,
  );
});

Deno.test("a Keras-layout .h5 written here loads into the right layers; tf.keras names are normalised; a missing layer is named", async () => {
  await startBackend("cpu", { quiet: true });
  const src = tinyInception({ seed: 5 });
  const weights = new Map<string, WeightArray>();
  for (const l of src.layers) {
    for (const w of l.weights) {
      weights.set(`${l.name}/${w.originalName.split("/").pop()}`, {
        shape: w.shape as number[],
        data: Float32Array.from(w.read().dataSync() as Float32Array),
      });
    }
  }
  // Keras BN without scale: drop gammas
  for (const k of [...weights.keys()]) if (k.endsWith("/gamma")) weights.delete(k);
  const dir = tempDir();
  const path = join(dir, "tiny.h5");
  await writeKerasH5(path, weights);
  const read = await readKerasH5(path);
  assert.equal(read.size, weights.size);
  assert.deepEqual(Array.from(read.get("conv2d_3/kernel")!.data), Array.from(weights.get("conv2d_3/kernel")!.data));
  const dst = tinyInception({ seed: 77 });
  const { kerasH5Weights } = await import("../../lib/model/weights.ts");
  const report = applyWeights(dst, await kerasH5Weights(path));
  assert.equal(report.missing.length, 0);
  assert.ok(report.defaultedGamma > 0);
  for (const l of src.layers) {
    for (const [i, w] of l.weights.entries()) {
      assert.deepEqual(
        Array.from(dst.getLayer(l.name).weights[i].read().dataSync()),
        Array.from(w.read().dataSync()),
        `${l.name}/${w.originalName}`,
      );
    }
  }
  // tf.keras counts from 0: conv2d, conv2d_1, ... -> conv2d_1, conv2d_2, ...
  const tfkeras = new Map(
    [...weights].map((
      [k, v],
    ) => [
      k.replace(
        /^(conv2d|batch_normalization|activation)_(\d+)/,
        (_, kind, n) => (n === "1" ? kind : `${kind}_${Number(n) - 1}`),
      ),
      v,
    ]),
  );
  assert.ok(tfkeras.has("conv2d/kernel"));
  assert.deepEqual([...normalizeKerasNames(tfkeras).keys()].sort(), [...weights.keys()].sort());
  // a missing layer is reported by name
  const partial = new Map(weights);
  partial.delete("conv2d_2/kernel");
  await writeKerasH5(join(dir, "partial.h5"), partial);
  await assert.rejects(
    async () => applyWeights(tinyInception(), await kerasH5Weights(join(dir, "partial.h5"))),
    /missing: conv2d_2\/kernel/,
  );
  await assert.rejects(
    () => readKerasH5(join(dir, "nope.h5")),
    /expected an HDF5 \(\.h5\) file at .*nope\.h5, found none/,
  );
});

Deno.test("download once into a cache, verified by digest (local server standing in for the real address)", async () => {
  const dir = tempDir();
  const body = new TextEncoder().encode("fake weights");
  let hits = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    hits++;
    return new URL(req.url).pathname === "/w.h5" ? new Response(body) : new Response("no", { status: 404 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const md5 = "md5:" + (await import("node:crypto")).createHash("md5").update(body).digest("hex");
    const file = { name: "w.h5", urls: [`${base}/missing.h5`, `${base}/w.h5`], digest: md5 };
    const p = await cachedDownload(file, { cacheDir: dir, quiet: true });
    assert.deepEqual(Deno.readFileSync(p), body);
    assert.equal(hits, 2);
    await cachedDownload(file, { cacheDir: dir, quiet: true });
    assert.equal(hits, 2, "second call uses the cache");
    await assert.rejects(
      () => cachedDownload({ ...file, name: "x.h5", digest: "md5:00" }, { cacheDir: dir, quiet: true }),
      /expected md5 00, found/,
    );
    await assert.rejects(
      () =>
        cachedDownload({ name: "y.h5", urls: [`${base}/missing.h5`], digest: null }, { cacheDir: dir, quiet: true }),
      /every address failed:\n.*HTTP 404/,
    );
  } finally {
    await server.shutdown();
  }
});
