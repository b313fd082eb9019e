/**
 * Benchmark: InceptionV3 at 299x299 on this machine's CPU, the project's engines side by side with
 * PyTorch in one run.
 *
 * - End to end (what feature caching costs): JPEG decode + resize + forward to the pooled features,
 *   written to a fresh cache, on 2 cores — the onnx engine (one process, 2 intra-op threads, decoding
 *   ahead) and the tfjs engine (2 wasm worker processes) — and PyTorch on the same JPEG files (PIL decode
 *   + resize + forward, 2 threads, bench/torch_inception.py, run from here when /usr/bin/python3 has torch).
 *   Ours includes starting the engine (the exported ONNX model is cached beforehand).
 * - The same with the int8 backbone (the features preset; quantize.ts). PyTorch stays float32: it is
 *   the peer a user would otherwise pick, as installed.
 * - Forward only, batch 8: onnx (2 threads, float32 and int8), tfjs wasm (1 thread), PyTorch (2 threads).
 * - A training step of the whole network on wasm (batch 2: the wasm heap caps it) and PyTorch (batch 8).
 *
 *   deno run -A bench/model_throughput.ts [--images 400] [--data DIR] [--skip-train] [--skip-tfjs]
 *
 * --data DIR reads the images of a release (e.g. the real Derm7pt, 768x512 JPEGs); default: the
 * synthetic release (256x256 JPEGs). Run it on a quiet machine: the numbers are rates.
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
import { EngineName, openFrozenBackbone } from "../lib/model/engine.ts";
import { extractFeatures } from "../lib/model/features.ts";
import { buildFullModel } from "../lib/model/network.ts";
import { BackboneConfig, type Precision } from "../lib/model/config.ts";

const argValue = (
  name: string,
) => (Deno.args.includes(`--${name}`) ? Deno.args[Deno.args.indexOf(`--${name}`) + 1] : null);
const nImages = Number(argValue("images") ?? 400);
const skipTrain = Deno.args.includes("--skip-train");
const rows: { what: string; engine: string; rate: number; note: string }[] = [];
const projectCache = new URL("../.cache", import.meta.url).pathname;

let dataDir = argValue("data");
if (!dataDir) {
  await ensureSyntheticRelease(DEFAULT_SYNTHETIC_DIR, DEFAULT_SYNTHETIC);
  dataDir = DEFAULT_SYNTHETIC_DIR;
}
const release = loadRelease(dataDir, { quiet: true });
const paths = [...new Set(release.cases.flatMap((c) => [c.derm, c.clinic]).map((p) => join(release.imagesDir!, p)))]
  .slice(0, nImages);
await startBackend("wasm", { quiet: true });

const backbone = (layers: string[], precision: Precision = "fp32"): BackboneConfig => ({
  source: "nsfwjs",
  size: 299,
  featureLayers: layers,
  shared: true,
  precision,
});

async function endToEnd(engine: EngineName, layers: string[], precision: Precision = "fp32"): Promise<number> {
  const cacheDir = await Deno.makeTempDir({ prefix: "bench-features-" });
  for (const d of ["models", "onnx"]) {
    Deno.mkdirSync(join(projectCache, d), { recursive: true });
    Deno.symlinkSync(join(projectCache, d), join(cacheDir, d));
  }
  const options = {
    backbone: backbone(layers, precision),
    seed: 0,
    cacheDir,
    augmentation: DEFAULT_AUGMENTATION,
    engine,
    quiet: true,
  };
  await extractFeatures(paths.slice(0, 2).map((path) => ({ path, views: 1 })), options); // exports the model once
  Deno.removeSync(join(cacheDir, "features"), { recursive: true });
  const t = performance.now();
  const { stats } = await extractFeatures(paths.map((path) => ({ path, views: 1 })), { ...options, workers: 2 });
  const s = (performance.now() - t) / 1000;
  Deno.removeSync(cacheDir, { recursive: true });
  return stats.computed / s;
}

async function forwardOnly(engine: EngineName, threads: number, precision: Precision = "fp32"): Promise<number> {
  const net = await openFrozenBackbone(backbone(["mixed10"], precision), [{ layer: "mixed10", kind: "pooled" }], {
    seed: 0,
    cacheDir: projectCache,
    engine,
    threads,
    quiet: true,
  });
  const px = new Uint8Array(8 * 299 * 299 * 3).map((_, i) => (i * 31) % 251);
  await net.run(px, 8);
  const t = performance.now();
  let n = 0;
  while (performance.now() - t < 6000) n += (await net.run(px, 8), 8);
  net.dispose();
  return n / ((performance.now() - t) / 1000);
}

// PyTorch first (it needs the cores alone), on the same files
let torch: Record<string, { images_per_s: number } | string | number> | null = null;
try {
  const list = await Deno.makeTempFile({ suffix: ".txt" });
  Deno.writeTextFileSync(list, paths.join("\n") + "\n");
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("./torch_inception.py", import.meta.url).pathname,
      "--files",
      list,
      ...(skipTrain ? ["--skip-train"] : []),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.success) torch = JSON.parse(new TextDecoder().decode(out.stdout));
  else console.error(`PyTorch peer failed: ${new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)}`);
} catch (e) {
  console.error(`PyTorch peer not run: ${(e as Error).message}`);
}
const torchE2E = torch
  ? (torch["end to end (PIL decode + resize + forward), batch 8"] as { images_per_s: number }).images_per_s
  : NaN;
if (torch) {
  rows.push({
    what: "end to end, to the pooled features",
    engine: `PyTorch ${torch.torch}`,
    rate: torchE2E,
    note: "PIL decode + resize + forward, 2 threads, batch 8",
  });
}
rows.push({
  what: "end to end, to the pooled features",
  engine: "onnx (this project)",
  rate: await endToEnd("onnx", ["mixed10"]),
  note: "mixed10; 2 intra-op threads, decoding ahead",
});
rows.push({
  what: "end to end, 3 pooled layers",
  engine: "onnx (this project)",
  rate: await endToEnd("onnx", ["mixed5", "mixed7", "mixed10"]),
  note: "mixed5+mixed7+mixed10 in one pass",
});
rows.push({
  what: "end to end, 3 pooled layers",
  engine: "onnx int8 (this project; the preset)",
  rate: await endToEnd("onnx", ["mixed5", "mixed7", "mixed10"], "int8"),
  note: "mixed5+mixed7+mixed10 in one pass, int8 (QDQ)",
});
if (!Deno.args.includes("--skip-tfjs")) {
  rows.push({
    what: "end to end, to the pooled features",
    engine: "tfjs wasm (this project)",
    rate: await endToEnd("tfjs", ["mixed10"]),
    note: "mixed10; 2 worker processes",
  });
}
if (torch) {
  rows.push({
    what: "forward only, batch 8",
    engine: `PyTorch ${torch.torch}`,
    rate: (torch["forward only, batch 8"] as { images_per_s: number }).images_per_s,
    note: "2 threads",
  });
}
rows.push({
  what: "forward only, batch 8",
  engine: "onnx (this project)",
  rate: await forwardOnly("onnx", 2),
  note: "2 threads",
});
rows.push({
  what: "forward only, batch 8",
  engine: "onnx (this project)",
  rate: await forwardOnly("onnx", 1),
  note: "1 thread",
});
rows.push({
  what: "forward only, batch 8",
  engine: "onnx int8 (this project)",
  rate: await forwardOnly("onnx", 2, "int8"),
  note: "2 threads",
});
if (!Deno.args.includes("--skip-tfjs")) {
  rows.push({
    what: "forward only, batch 8",
    engine: "tfjs wasm (this project)",
    rate: await forwardOnly("tfjs", 1),
    note: "1 thread (wasm has no threads in Deno)",
  });
}

if (!skipTrain) {
  // training step of the whole network (every layer trainable), batch 2: the wasm heap (4 GiB) caps the batch
  const { model } = await buildFullModel(
    "mgmt",
    "D",
    { source: "random", size: 299, featureLayers: ["mixed10"], shared: true },
    { hidden: 0, l2: 0, standardize: false, transform: "none" },
    { seed: 0, cacheDir: projectCache },
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
  const t = performance.now();
  for (let i = 0; i < 2; i++) step();
  rows.push({
    what: "training step, whole network",
    engine: "tfjs wasm (this project)",
    rate: 4 / ((performance.now() - t) / 1000),
    note: "batch 2, 1 thread",
  });
  if (torch) {
    rows.push({
      what: "training step, whole network",
      engine: `PyTorch ${torch.torch}`,
      rate: (torch["training step, whole network, batch 8"] as { images_per_s: number }).images_per_s,
      note: "batch 8, 2 threads",
    });
  }
}

const header =
  `InceptionV3 at 299x299, ${paths.length} JPEGs from ${release.synthetic ? "the SYNTHETIC release" : dataDir}, ` +
  `${navigator.hardwareConcurrency} cores, ${new Date().toISOString().slice(0, 10)}`;
console.log(header);
console.log("| what | engine | images/s | x PyTorch end to end | note |\n|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.what} | ${r.engine} | ${r.rate.toFixed(1)} | ${
      Number.isFinite(torchE2E) ? (r.rate / torchE2E).toFixed(2) : "-"
    } | ${r.note} |`,
  );
}
