/**
 * GPU check (bench/gpu_check.sh runs it on a machine with a GPU): Deno's WebGPU adapter, and
 * InceptionV3 at 299x299 on tfjs' webgpu backend with this project's kernels (lib/model/webgpu_kernels.ts),
 * in this order: forward to the pooled features (batch 8 and 32); the profile of one training step of
 * the whole network at the first batch size (lib/model/step_profile.ts: kernel times from the adapter's
 * timestamp queries, launches, uploads, readbacks); tfjs' convolution filter gradient against this
 * project's tiled kernel at InceptionV3's large-pixel shapes; the training step as the trainer runs it
 * (lib/model/train_step.ts: BatchNormalization in training mode, SGD with momentum, the loss kept on
 * the device) at batch 8 and 32, last, so that slow steps do not keep the rest from the time limit.
 * Random weights: rates do not depend on them. Prints one JSON object (each result also on stderr).
 *
 *   deno run -A bench/gpu_check.ts
 *
 * Environment: GPU_CHECK_SIZE (299), GPU_CHECK_BATCHES ("8,32"), GPU_CHECK_FORMER=1 also times the
 * trainer's former step with tfjs' own kernels (slow: run it where there is time), GPU_CHECK_SKIP
 * (comma list of forward, train, profile, kernels).
 */
import * as tf from "@tensorflow/tfjs";
import { probeWebGpu, startBackend } from "../lib/model/backend.ts";
import { inceptionV3 } from "../lib/model/inception_v3.ts";
import { BENCH_OPTIMIZER, formerStep, wholeNetwork } from "./_whole_network.ts";
import { setFilterGradKernel } from "../lib/model/webgpu_kernels.ts";
import { LossMeter, SgdMomentum } from "../lib/model/sgd.ts";
import { trainStep } from "../lib/model/train_step.ts";
import { formatStepProfile, profileStep } from "../lib/model/step_profile.ts";

const env = (k: string, d: string) => Deno.env.get(k) ?? d;
const size = Number(env("GPU_CHECK_SIZE", "299"));
const batches = env("GPU_CHECK_BATCHES", "8,32").split(",").map(Number);
const skip = new Set(env("GPU_CHECK_SKIP", "").split(",").filter(Boolean));
const out: Record<string, unknown> = { deno: Deno.version.deno, tfjs: tf.version.tfjs, date: new Date().toISOString() };
const say = (k: string, v: unknown) => {
  out[k] = v;
  console.error(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
};

const probe = await probeWebGpu();
say("adapter", probe.adapter ? `${probe.description}${probe.software ? " (software)" : ""}` : probe.description);
if (!probe.adapter) {
  console.log(JSON.stringify(out, null, 2));
  Deno.exit(1);
}
say("size", size);
await import("@tensorflow/tfjs-backend-webgpu");
await tf.setBackend("webgpu");

// the whole network in training mode: mgmt head on one image input, every layer trainable
const { model, vars } = await wholeNetwork(size);
if (Deno.env.get("GPU_CHECK_FORMER")) {
  // the trainer's step before issue 15 (bench/_whole_network.ts) with tfjs' own kernels: run before this
  // project's kernels are registered
  const x = tf.randomUniform([8, size, size, 3], -1, 1, "float32", 1);
  const former = formerStep(model, vars, x, Array.from({ length: 8 }, (_, i) => i % 3), [1, 1, 1]);
  const r = await rate(8, 2, former.step);
  say(
    "former training step (tfjs ops per variable, momentum, class weights, loss read every step), batch 8",
    `${r.toFixed(2)} images/s`,
  );
  former.dispose();
  x.dispose();
}
await startBackend("webgpu", { quiet: true }); // registers this project's kernels

/** Images per second of `reps` calls of `f` after one warm-up call (shader compilation). */
async function rate(images: number, reps: number, f: () => Promise<void>): Promise<number> {
  await f();
  const t = performance.now();
  for (let i = 0; i < reps; i++) await f();
  return (images * reps) / ((performance.now() - t) / 1000);
}

if (!skip.has("forward")) {
  const net = inceptionV3({ size });
  const feat = tf.model({
    inputs: net.inputs,
    outputs: tf.layers.globalAveragePooling2d({}).apply(net.outputs[0]) as tf.SymbolicTensor,
  });
  for (const b of batches) {
    const x = tf.randomUniform([b, size, size, 3]);
    const r = await rate(b, 5, async () => {
      const y = feat.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    });
    say(`forward, batch ${b}`, `${r.toFixed(1)} images/s`);
    x.dispose();
  }
  feat.dispose();
}

const stepper = (b: number) => {
  const x = tf.randomUniform([b, size, size, 3], -1, 1, "float32", 1);
  const labels = { management: Array.from({ length: b }, (_, i) => i % 3) };
  const sgd = new SgdMomentum(BENCH_OPTIMIZER);
  const losses = new LossMeter();
  let t = 0;
  return {
    step: () =>
      trainStep([x], {
        model,
        vars,
        heads: ["management"],
        labels,
        classWeights: { management: [1, 1, 1] },
        training: true,
      }, {
        sgd,
        losses,
        step: t++,
      }),
    /** Reads the summed loss (waits for the queued steps). */
    sync: async () => (await losses.read()).sum,
    dispose: () => {
      x.dispose();
      sgd.dispose();
      losses.dispose();
    },
  };
};

if (!skip.has("profile")) {
  const s = stepper(batches[0]);
  s.step();
  await s.sync();
  const p = await profileStep(() => s.step()); // the step alone: profileStep waits for the device after it
  say(`profile, batch ${batches[0]}`, {
    wallMs: Math.round(p.wallMs),
    kernelMs: Math.round(p.kernelMs),
    launches: p.transfers.launches,
    readbacks: p.transfers.readbacks,
    uploads: p.transfers.uploads,
    uploadMB: +(p.transfers.uploadBytes / 1e6).toFixed(2),
    shadersCompiled: p.transfers.shadersCompiled,
    submits: p.transfers.submits,
    top: p.kernels.slice(0, 12).map((k) => `${k.name} x${k.count}: ${k.ms.toFixed(1)} ms`),
  });
  console.error(formatStepProfile(p, 15));
  s.dispose();
}

if (!skip.has("kernels")) {
  // the filter gradient at InceptionV3's large-pixel shapes (batch 8, 299 px): tfjs' kernel vs the tiled one
  type S4 = [number, number, number, number];
  const shapes: [S4, S4, number, "same" | "valid"][] = [
    [[8, 299, 299, 3], [3, 3, 3, 32], 2, "valid"],
    [[8, 149, 149, 32], [3, 3, 32, 32], 1, "valid"],
    [[8, 147, 147, 32], [3, 3, 32, 64], 1, "same"],
    [[8, 73, 73, 64], [1, 1, 64, 80], 1, "valid"],
    [[8, 35, 35, 288], [3, 3, 288, 64], 1, "same"],
    [[8, 17, 17, 768], [1, 7, 768, 192], 1, "same"],
  ];
  const kernels: Record<string, string> = {};
  for (const [xs, ws, st, pad] of shapes) {
    const x = tf.randomNormal(xs), w = tf.randomNormal(ws) as tf.Tensor4D;
    const dy = tf.onesLike(tf.conv2d(x as tf.Tensor4D, w, st, pad));
    const run = () =>
      tf.engine().runKernel("Conv2DBackpropFilter", { x, dy } as unknown as tf.NamedTensorMap, {
        strides: [st, st],
        pad,
        dataFormat: "NHWC",
        filterShape: ws,
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const ms: string[] = [];
    for (const kind of ["backend", "tiled"] as const) {
      setFilterGradKernel(kind);
      const r = await rate(1, 3, async () => {
        const g = run();
        await g.data();
        g.dispose();
      });
      ms.push(`${kind} ${(1000 / r).toFixed(1)} ms`);
    }
    setFilterGradKernel("auto");
    kernels[`${xs.join("x")} * ${ws.join("x")} s${st}`] = ms.join(", ");
    tf.dispose([x, w, dy]);
  }
  say("filter gradient (tfjs' kernel vs tiled)", kernels);
}

if (!skip.has("train")) {
  for (const b of batches) {
    const s = stepper(b);
    const r = await rate(b, 3, async () => {
      s.step();
      const loss = await s.sync(); // once per step here, so that the time is the step's
      if (!Number.isFinite(loss)) throw new Error(`training step, batch ${b}: loss ${loss}`);
    });
    say(`training step (whole network), batch ${b}`, `${r.toFixed(1)} images/s`);
    s.dispose();
  }
}

console.log(JSON.stringify(out, null, 2));
