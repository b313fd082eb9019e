/**
 * Benchmark: the multi-task head of the features preset (7190 inputs: three pooled layers of two images and
 * the metadata; one hidden layer of 256 ReLU units; nine softmax heads, 27 logits; L2 0.1; SGD with
 * momentum) on one CPU core, as a run of the run pool trains it, side by side in one run:
 *
 * - the project's trainer step (lib/model/train_step.ts) and its validation pass (predictHeads: 203 cases x
 *   10 views = 2030 rows in batches of 64, the inputs kept between passes as the trainer keeps them) on
 *   tfjs-wasm with the matrix products on OpenBLAS (the default),
 *   and on wasm alone (`useBlasProducts(false)`, as with DERM7PT_NO_BLAS=1);
 * - PyTorch (Debian's python3-torch, one thread), the same network, loss, penalty and optimizer
 *   (bench/torch_head.py), the peer a user would otherwise write; run from here when /usr/bin/python3 has
 *   torch.
 *
 *   deno run -A bench/head_training.ts [--steps 200]
 *
 * Run it on a quiet machine: the numbers are times.
 */
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../lib/model/backend.ts";
import { loadBlas } from "../lib/model/blas.ts";
import { classesOf, headsOf } from "../lib/model/config.ts";
import { buildHeads } from "../lib/model/network.ts";
import { LossMeter, SgdMomentum } from "../lib/model/sgd.ts";
import { disposeInputCache, type Feed, type InputCache, predictHeads } from "../lib/model/train.ts";
import { trainStep } from "../lib/model/train_step.ts";
import { useBlasProducts } from "../lib/model/wasm_blas_kernels.ts";

const arg = (name: string) => (Deno.args.includes(`--${name}`) ? Deno.args[Deno.args.indexOf(`--${name}`) + 1] : null);
const steps = Number(arg("steps") ?? 200);
const D = 7190, HIDDEN = 256, BATCH = 32, VALID_ROWS = 2030;

await startBackend("wasm", { quiet: true });
const blas = loadBlas();
const heads = headsOf("multi");
const rows: { engine: string; step: number; valid: number }[] = [];

/** Mean milliseconds of a training step and of the validation pass with the products on `blasOn`. */
async function ours(blasOn: boolean): Promise<{ step: number; valid: number }> {
  const before = useBlasProducts(blasOn);
  try {
    const model = buildHeads(D, "multi", { hidden: HIDDEN, l2: 0.1, standardize: true, transform: "sqrt" }, 1);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const kernels = model.layers.filter((l) => l.name.startsWith("head_"))
      .flatMap((l) => l.weights.filter((w) => w.originalName.endsWith("kernel")));
    const labels = Object.fromEntries(heads.map((h) => [h, Array.from({ length: BATCH }, (_, i) => i % classesOf(h))]));
    const classWeights = Object.fromEntries(heads.map((h) => [h, Array(classesOf(h)).fill(1)]));
    const sgd = new SgdMomentum({ learningRate: 0.001, momentum: 0.9, lrDecay: 1e-3, weightDecay: 0 });
    const losses = new LossMeter();
    const x = tf.abs(tf.randomNormal([BATCH, D], 0, 1, "float32", 1));
    const spec = { model, vars, heads, labels, classWeights, training: false, l2: { strength: 0.1, kernels } };
    let t = 0;
    for (let i = 0; i < 10; i++) trainStep([x], spec, { sgd, losses, step: t++ });
    await losses.read();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) trainStep([x], spec, { sgd, losses, step: t++ });
    await losses.read();
    const step = (performance.now() - t0) / steps;
    // the validation pass as the trainer makes it: 203 cases, 10 views each, batches of 64 cases
    const table = Float32Array.from({ length: VALID_ROWS * D }, (_, i) => Math.abs(Math.sin(i * 0.37)));
    const feed: Feed = {
      inputs: (indices, mode) => {
        const v = mode.view ?? 0, out = new Float32Array(indices.length * D);
        indices.forEach((c, r) => out.set(table.subarray((v * 203 + c) * D, (v * 203 + c + 1) * D), r * D));
        return [tf.tensor2d(out, [indices.length, D])];
      },
    };
    const valid = Array.from({ length: 203 }, (_, i) => i);
    // as the trainer does: the inputs made at the first pass and kept for the next ones
    const inputs: InputCache = { tensors: new Map() };
    await predictHeads(model, feed, valid, heads, { views: 10, inputs });
    const t1 = performance.now();
    const reps = 3;
    for (let i = 0; i < reps; i++) await predictHeads(model, feed, valid, heads, { views: 10, inputs });
    const validMs = (performance.now() - t1) / reps;
    disposeInputCache(inputs);
    tf.dispose([x]);
    losses.dispose();
    sgd.dispose();
    model.dispose();
    return { step, valid: validMs };
  } finally {
    useBlasProducts(before);
  }
}

if (blas) {
  rows.push({ engine: `tfjs-wasm + OpenBLAS (${blas.name.split(" ").slice(0, 2).join(" ")})`, ...await ours(true) });
}
rows.push({ engine: "tfjs-wasm alone (XNNPACK, one thread)", ...await ours(false) });

const torch = await new Deno.Command("/usr/bin/python3", {
  args: [new URL("./torch_head.py", import.meta.url).pathname, "--steps", String(steps)],
  stdout: "piped",
  stderr: "piped",
}).output().catch(() => null);
if (torch?.success) {
  const r = JSON.parse(new TextDecoder().decode(torch.stdout));
  rows.push({ engine: `PyTorch ${r.version} (one thread)`, step: r.step_ms, valid: r.valid_ms });
} else {
  console.error(
    `PyTorch peer not run: ${
      torch ? new TextDecoder().decode(torch.stderr).trim().split("\n").at(-1) : "no /usr/bin/python3"
    }`,
  );
}

const epoch = (r: { step: number; valid: number }) => (13 * r.step + r.valid) / 1000;
console.log(
  `multi-task head, ${D} inputs, hidden ${HIDDEN}, 27 logits, batch ${BATCH}, one core; ${steps} steps timed\n`,
);
console.log(
  "| engine | training step (ms) | validation pass, 2030 rows (ms) | epoch of a run: 13 steps + validation (s) |",
);
console.log("|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.engine} | ${r.step.toFixed(1)} | ${r.valid.toFixed(0)} | ${epoch(r).toFixed(2)} |`);
}
