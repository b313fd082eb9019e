/**
 * Profile of one training step of the whole InceptionV3 on tfjs' webgpu backend (issue 15): kernel
 * by kernel and transfer by transfer (lib/model/step_profile.ts), first as tfjs does it out of the
 * box with the trainer's former step (per-variable optimizer ops, the loss awaited every step), then
 * with this project's kernels and step (lib/model/webgpu_kernels.ts, fused_batch_norm.ts, sgd.ts,
 * train_step.ts). Random weights, one image input, the management head, every layer trainable,
 * BatchNormalization in training mode.
 *
 *   deno run -A bench/train_profile.ts [--size 75] [--batch 2] [--steps 3] [--top 15] [--json FILE]
 *
 * On a software adapter (Mesa llvmpipe) use a small input (75 px, InceptionV3's smallest): the
 * structure of the step (launches, uploads, readbacks, shaders) does not depend on the adapter; the
 * kernel times do. Prints Markdown; --json also writes the numbers.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { probeWebGpu } from "../lib/model/backend.ts";
import { BENCH_OPTIMIZER, formerStep, wholeNetwork } from "./_whole_network.ts";
import { registerWebGpuTrainingKernels } from "../lib/model/webgpu_kernels.ts";
import { LossMeter, SgdMomentum } from "../lib/model/sgd.ts";
import { trainStep } from "../lib/model/train_step.ts";
import { flushDevice, formatStepProfile, profileStep, StepProfile } from "../lib/model/step_profile.ts";
import { writeTextAtomic } from "../lib/util/fs.ts";

const arg = (name: string, d: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : d;
};
const probe = await probeWebGpu();
if (!probe.adapter) {
  console.error(`Cannot profile on webgpu: ${probe.description}`);
  Deno.exit(1);
}
const size = Number(arg("size", probe.software ? "75" : "299"));
const batch = Number(arg("batch", probe.software ? "2" : "8"));
const steps = Number(arg("steps", "3"));
const top = Number(arg("top", "15"));
await tf.setBackend("webgpu");
await tf.ready();

const { model, vars } = await wholeNetwork(size);
const labels = { management: Array.from({ length: batch }, (_, i) => i % 3) };
const classWeights = { management: [1, 1, 1] };
const x = tf.randomUniform([batch, size, size, 3], -1, 1, "float32", 1);

/** This project's step (train_step.ts); the loss sum is read every `steps` steps, outside the step. */
function projectStep(): () => Promise<void> {
  const sgd = new SgdMomentum(BENCH_OPTIMIZER);
  const losses = new LossMeter();
  let t = 0;
  return () => {
    trainStep([x], { model, vars, heads: ["management"], labels, classWeights, training: true }, {
      sgd,
      losses,
      step: t++,
    });
    return Promise.resolve();
  };
}

async function measure(label: string, step: () => Promise<void>): Promise<{ profile: StepProfile; rate: number }> {
  console.error(`${label}: warm-up step (compiles the shaders)`);
  await step();
  const t = performance.now();
  for (let i = 0; i < steps; i++) await step();
  await flushDevice();
  const rate = (steps * batch) / ((performance.now() - t) / 1000);
  console.error(`${label}: ${rate.toFixed(3)} images/s over ${steps} steps; profiling one step`);
  return { profile: await profileStep(step), rate };
}

const formerSteps = formerStep(model, vars, x, labels.management, classWeights.management);
const former = await measure("tfjs as is", formerSteps.step);
formerSteps.dispose();
registerWebGpuTrainingKernels();
const ours = await measure("this project", projectStep());

const header =
  `InceptionV3 training step on tfjs webgpu, ${size}x${size} px, batch ${batch}, adapter "${probe.description}"${
    probe.software ? " (software)" : ""
  }, ${new Date().toISOString().slice(0, 10)}`;
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "-");
const f = former.profile, o = ours.profile;
console.log(`## ${header}\n`);
console.log(`| per step | tfjs as is | this project |\n|---|---|---|`);
console.log(`| images/s (${steps} steps, no profiling) | ${former.rate.toFixed(3)} | ${ours.rate.toFixed(3)} |`);
console.log(`| device kernel time, ms | ${f.kernelMs.toFixed(0)} | ${o.kernelMs.toFixed(0)} |`);
console.log(`| kernel launches | ${f.transfers.launches} | ${o.transfers.launches} |`);
console.log(
  `| readbacks (MB) | ${f.transfers.readbacks} (${
    (f.transfers.readbackBytes / 1e6).toFixed(3)
  }) | ${o.transfers.readbacks} (${(o.transfers.readbackBytes / 1e6).toFixed(3)}) |`,
);
console.log(
  `| uploads of host-made tensors (MB) | ${f.transfers.uploads} (${
    (f.transfers.uploadBytes / 1e6).toFixed(1)
  }) | ${o.transfers.uploads} (${(o.transfers.uploadBytes / 1e6).toFixed(1)}) |`,
);
console.log(`| shaders compiled after the warm-up | ${f.transfers.shadersCompiled} | ${o.transfers.shadersCompiled} |`);
console.log(`| tensors left over | ${f.leakedTensors} | ${o.leakedTensors} |`);
console.log(`| speed-up (images/s) | | ${ratio(ours.rate, former.rate)}x |\n`);
console.log(`### tfjs as is\n\n${formatStepProfile(f, top)}\n`);
console.log(`### this project\n\n${formatStepProfile(o, top)}\n`);
const json = arg("json", "");
if (json) {
  writeTextAtomic(
    json,
    JSON.stringify({ header, size, batch, steps, adapter: probe.description, former, ours }, null, 2) + "\n",
  );
}
