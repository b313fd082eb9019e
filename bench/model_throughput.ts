/**
 * Benchmark: InceptionV3 at 299x299 on this machine's CPU backends — feature extraction (images/s,
 * the features preset's real pipeline: decode + resize + forward in 2 parallel wasm workers, and a
 * single wasm thread without decoding) and a training step of the full network (paper preset,
 * images/s). Compare with bench/torch_inception.py (PyTorch CPU, OMP_NUM_THREADS=2).
 *
 *   deno run -A bench/model_throughput.ts [--images 96] [--skip-train]
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import {
  DEFAULT_AUGMENTATION,
  DEFAULT_SYNTHETIC,
  DEFAULT_SYNTHETIC_DIR,
  ensureSyntheticRelease,
  loadRelease,
} from "../lib/data/mod.ts";
import { startBackend } from "../lib/model/backend.ts";
import { extractFeatures } from "../lib/model/features.ts";
import { buildFullModel } from "../lib/model/network.ts";
import { inceptionV3 } from "../lib/model/inception_v3.ts";

const arg = (
  name: string,
  d: number,
) => (Deno.args.includes(`--${name}`) ? Number(Deno.args[Deno.args.indexOf(`--${name}`) + 1]) : d);
const nImages = arg("images", 96);
const results: Record<string, unknown> = {};

await ensureSyntheticRelease(DEFAULT_SYNTHETIC_DIR, DEFAULT_SYNTHETIC);
const release = loadRelease(DEFAULT_SYNTHETIC_DIR, { quiet: true });
const paths = release.cases.slice(0, nImages).map((c) => join(release.imagesDir!, c.derm));
const cacheDir = await Deno.makeTempDir({ prefix: "bench-features-" });
await startBackend("wasm", { quiet: true });
// the weights are extracted into the project cache once; features go to a fresh folder
Deno.symlinkSync(join(new URL("../.cache/models", import.meta.url).pathname), join(cacheDir, "models"));
for (
  const [layer, label] of [["mixed10", "full backbone (mixed10)"], ["mixed5", "features preset (mixed5)"]] as const
) {
  const t = performance.now();
  const { stats } = await extractFeatures(paths.map((path) => ({ path, views: 1 })), {
    backbone: { source: "nsfwjs", size: 299, featureLayers: [layer], shared: true },
    seed: 0,
    cacheDir,
    augmentation: { ...DEFAULT_AUGMENTATION },
    workers: 2,
    quiet: true,
  });
  const s = (performance.now() - t) / 1000;
  results[`extract ${label}, 2 workers, incl. decode + worker start`] = `${
    (stats.computed / s).toFixed(2)
  } images/s (${stats.computed} images in ${s.toFixed(1)} s)`;
}
Deno.removeSync(cacheDir, { recursive: true });

// one thread, forward only, batch 8
const net = inceptionV3();
const feat = tf.model({
  inputs: net.inputs,
  outputs: tf.layers.globalAveragePooling2d({}).apply(net.outputs[0]) as tf.SymbolicTensor,
});
const x8 = tf.randomUniform([8, 299, 299, 3]);
(feat.predict(x8) as tf.Tensor).dataSync();
let t = performance.now();
for (let i = 0; i < 3; i++) (feat.predict(x8) as tf.Tensor).dataSync();
results["forward, 1 wasm thread, batch 8"] = `${(24 / ((performance.now() - t) / 1000)).toFixed(2)} images/s`;

if (!Deno.args.includes("--skip-train")) {
  // training step of the whole network (every layer trainable), batch 2: the wasm heap (4 GiB) caps the batch
  const { model } = await buildFullModel(
    "mgmt",
    "D",
    { source: "random", size: 299, featureLayers: ["mixed10"], shared: true },
    { hidden: 0, l2: 0, standardize: false },
    { seed: 0, cacheDir: ".cache" },
  );
  const xs = tf.randomUniform([2, 299, 299, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 2], "int32"), 3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.mean(
          tf.neg(
            tf.sum(tf.mul(y, tf.log(tf.clipByValue(model.apply(xs, { training: true }) as tf.Tensor, 1e-7, 1))), 1),
          ),
        ) as tf.Scalar,
      vars,
    );
    tf.tidy(() => vars.forEach((v) => v.assign(tf.sub(v, tf.mul(1e-4, grads[v.name])))));
    tf.dispose([value, ...Object.values(grads)]);
  };
  step();
  t = performance.now();
  for (let i = 0; i < 2; i++) step();
  const per = (performance.now() - t) / 2000;
  results["training step, whole network, 1 wasm thread, batch 2"] = `${(2 / per).toFixed(2)} images/s (${
    per.toFixed(1)
  } s per step)`;
}
console.log(
  JSON.stringify(
    { machine: `${navigator.hardwareConcurrency} cores`, deno: Deno.version.deno, tfjs: tf.version.tfjs, ...results },
    null,
    2,
  ),
);
