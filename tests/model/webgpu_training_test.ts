/**
 * Training on tfjs' webgpu backend (issue 15), on the machine's WebGPU adapter (here a software one,
 * Mesa llvmpipe; skipped with a message only where no adapter can be created):
 *
 * - this project's WGSL kernels (lib/model/webgpu_kernels.ts) against tfjs' pure-JS cpu backend:
 *   the tiled convolution filter gradient (strides 1 and 2, same and valid padding, 1x1, 3x3, 1x7,
 *   7x1, split and unsplit pixel sums, more than one tile), batch normalisation in training mode
 *   against tfjs-layers' own BatchNormalization (output, gradients, moving statistics), the SGD update;
 * - a training step reads nothing back: steps through `trainStep` do no device-to-host read, the
 *   loss sum is the one read; after the first step no shader is compiled and no tensor is left over;
 *   a `trainModel` epoch reads the loss every `lossReadEvery` steps and otherwise only the weights
 *   of the best epoch;
 * - three steps of webgpu and wasm training of the same tiny network give the same losses within 1e-3;
 * - a paper-preset run on webgpu (tiny backbone) completes: checkpoints, best epoch, predictions and
 *   weights are read asynchronously (tfjs' webgpu backend has no synchronous read under Deno).
 *
 * Kernel tolerance: relative 1e-4 of the largest value (float32 sums in another order).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { probeWebGpu, startBackend } from "../../lib/model/backend.ts";
import { buildFullModel } from "../../lib/model/network.ts";
import { registerWebGpuTrainingKernels, setFilterGradKernel } from "../../lib/model/webgpu_kernels.ts";
import { useFusedBatchNorm } from "../../lib/model/fused_batch_norm.ts";
import { LossMeter, SgdMomentum } from "../../lib/model/sgd.ts";
import { trainStep } from "../../lib/model/train_step.ts";
import { Feed, trainModel } from "../../lib/model/train.ts";
import { watchTransfers } from "../../lib/model/step_profile.ts";
import { Prng } from "../../lib/util/prng.ts";
import { trainRun } from "../../lib/model/run.ts";
import { readPredictions } from "../../lib/model/predictions.ts";
import { PROJECT_ROOT, skipNote, tempDir, tinyPaperFixture } from "../_helpers.ts";

const cacheDir = join(PROJECT_ROOT, ".cache");
const probe = await probeWebGpu();
const adapterAvailable = probe.adapter !== null;
if (!adapterAvailable) {
  skipNote(`no WebGPU adapter (${probe.description}): the webgpu training tests need one (Mesa's llvmpipe serves)`);
}

/** A test that needs a WebGPU adapter: reported as ignored where none exists. */
function gpuTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: !adapterAvailable, sanitizeResources: false, sanitizeOps: false, fn });
}

/** Switches to webgpu with this project's kernels (only `gpuTest`s call it: an adapter exists). */
async function webgpu(): Promise<void> {
  await startBackend("webgpu", { quiet: true });
  await tf.setBackend("webgpu");
  registerWebGpuTrainingKernels();
}

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  let scale = 0, err = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
  }
  assert.ok(err <= rel * Math.max(scale, 1e-6), `${what}: max error ${err} of ${scale} (tolerance ${rel} relative)`);
}

const seeded = (n: number, seed: number, offset = 0) => {
  const p = new Prng(seed);
  return Float32Array.from({ length: n }, () => 2 * p.next() - 1 + offset);
};
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const kernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

type Shape4 = [number, number, number, number];
const CONVS: [Shape4, Shape4, number, "same" | "valid"][] = [
  [[2, 49, 49, 3], [3, 3, 3, 8], 2, "valid"], // stem-like: few filter elements, long pixel sum (split)
  [[2, 9, 9, 6], [1, 1, 6, 5], 1, "same"],
  [[1, 10, 12, 4], [1, 7, 4, 6], 1, "same"],
  [[2, 11, 9, 5], [7, 1, 5, 3], 1, "same"],
  [[2, 13, 13, 70], [3, 3, 70, 66], 2, "valid"], // more than one 64x64 tile
  [[2, 8, 8, 12], [3, 3, 12, 9], 2, "same"],
];

gpuTest(
  "webgpu kernels: the tiled filter gradient matches tfjs' cpu backend (strides 1-2, same/valid, 1x1 to 7x1)",
  async () => {
    await tf.setBackend("cpu");
    const cases = CONVS.map(([xs, ws, s, pad], i) => {
      const x = seeded(sizeOf(xs), i);
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(ws) as tf.Tensor4D, s, pad).shape);
      const dy = seeded(sizeOf(outShape), 100 + i);
      const attrs = { strides: [s, s], pad, dataFormat: "NHWC", filterShape: ws };
      const ref = tf.tidy(() =>
        kernel("Conv2DBackpropFilter", { x: tf.tensor4d(x, xs), dy: tf.tensor4d(dy, outShape as Shape4) }, attrs)
          .dataSync()
      );
      return { x, xs, dy, outShape, attrs, ref, label: `${xs} * ${ws} stride ${s} ${pad}` };
    });
    await webgpu();
    const previous = setFilterGradKernel("tiled");
    try {
      for (const c of cases) {
        const x = tf.tensor4d(c.x, c.xs), dy = tf.tensor4d(c.dy, c.outShape as Shape4);
        const dw = kernel("Conv2DBackpropFilter", { x, dy }, c.attrs);
        closeTo(await dw.data(), c.ref, 1e-4, `dW ${c.label}`);
        tf.dispose([x, dy, dw]);
      }
    } finally {
      setFilterGradKernel(previous);
    }
  },
);

/** A conv + BatchNormalization model whose BN output is reduced with fixed weights (a scalar loss). */
function bnModel(trainableGamma: boolean) {
  const input = tf.input({ shape: [7, 7, 5] });
  const conv = tf.layers.conv2d({
    filters: 6,
    kernelSize: 3,
    useBias: false,
    name: "conv",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
  }).apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({
    axis: 3,
    epsilon: 1e-3,
    momentum: 0.9,
    name: "bn",
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 4 }),
    betaInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 5 }),
  });
  const model = tf.model({ inputs: input, outputs: bn.apply(conv) as tf.SymbolicTensor });
  (bn as unknown as { gamma: tf.LayerVariable }).gamma.trainable = trainableGamma;
  return model;
}

async function bnStep(trainableGamma: boolean, fused: boolean) {
  const model = bnModel(trainableGamma);
  if (fused) assert.equal(useFusedBatchNorm(model), 1);
  // inputs with a large mean: the variance must not cancel
  const x = tf.tensor4d(seeded(3 * 7 * 7 * 5, 7, 4), [3, 7, 7, 5]);
  const w = tf.tensor4d(seeded(3 * 5 * 5 * 6, 8), [3, 5, 5, 6]);
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar,
    vars,
  );
  const bn = model.getLayer("bn") as unknown as { movingMean: tf.LayerVariable; movingVariance: tf.LayerVariable };
  const out = {
    names: vars.map((v) => v.name.replace(/_\d+/g, "")),
    loss: (await value.data())[0],
    grads: await Promise.all(vars.map(async (v) => await grads[v.name].data())),
    y: await (model.apply(x, { training: false }) as tf.Tensor).data(),
    movingMean: await bn.movingMean.read().data(),
    movingVariance: await bn.movingVariance.read().data(),
  };
  tf.dispose([x, w, value, ...Object.values(grads)]);
  return out;
}

gpuTest(
  "webgpu kernels: fused batch normalisation = tfjs-layers' (output, gradients of conv/gamma/beta, moving statistics)",
  async () => {
    await tf.setBackend("cpu");
    const refs = [await bnStep(true, false), await bnStep(false, false)];
    await webgpu();
    for (const [i, trainableGamma] of [true, false].entries()) {
      const got = await bnStep(trainableGamma, true);
      const ref = refs[i];
      assert.deepEqual(got.names, ref.names);
      closeTo([got.loss], [ref.loss], 1e-4, "loss");
      got.grads.forEach((g, j) => closeTo(g, ref.grads[j], 1e-4, `gradient of ${ref.names[j]}`));
      closeTo(got.y, ref.y, 1e-4, "output in inference mode after the update");
      closeTo(got.movingMean, ref.movingMean, 1e-4, "moving mean");
      closeTo(got.movingVariance, ref.movingVariance, 1e-4, "moving variance");
    }
  },
);

gpuTest("webgpu kernels: the fused SGD update = tfjs ops (momentum, learning-rate decay, weight decay)", async () => {
  const opt = { learningRate: 0.1, momentum: 0.9, lrDecay: 0.01, weightDecay: 0.05 };
  const run = async () => {
    const v = tf.variable(tf.tensor2d(seeded(300, 1), [30, 10]));
    const sgd = new SgdMomentum(opt);
    for (let t = 0; t < 3; t++) {
      const g = tf.tensor2d(seeded(300, 10 + t), [30, 10]);
      sgd.apply([v], { [v.name]: g }, t);
      g.dispose();
    }
    const out = { w: await v.data(), velocity: await sgd.readVelocity(v.name, [30, 10]) };
    sgd.dispose();
    v.dispose();
    return out;
  };
  await tf.setBackend("cpu");
  const ref = await run();
  await webgpu();
  const got = await run();
  closeTo(got.w, ref.w, 1e-5, "weights");
  closeTo(got.velocity, ref.velocity, 1e-5, "velocity");
});

/** The tiny network of these tests: one image input, the management head, BN in training mode. */
async function tinyNetwork(seed: number) {
  const { model } = await buildFullModel(
    "mgmt",
    "D",
    { source: "tiny", size: 32, featureLayers: ["mixed1"], shared: true },
    { hidden: 0, l2: 0, standardize: false, transform: "none" },
    { seed, cacheDir },
  );
  return model;
}

/** Seeded images of a case (the same on every backend). */
class RandomImages implements Feed {
  inputs(indices: readonly number[]): tf.Tensor[] {
    const x = new Float32Array(indices.length * 32 * 32 * 3);
    indices.forEach((ci, j) => x.set(seeded(32 * 32 * 3, 1000 + ci), j * 32 * 32 * 3));
    return [tf.tensor4d(x, [indices.length, 32, 32, 3])];
  }
}

const LABELS = Array.from({ length: 24 }, (_, i) => i % 3);

gpuTest(
  "webgpu training step: no device-to-host read in a step, no shader compiled after the first, nothing left over",
  async () => {
    await webgpu();
    const model = await tinyNetwork(4);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const sgd = new SgdMomentum({ learningRate: 0.01, momentum: 0.9, lrDecay: 0, weightDecay: 0 });
    const losses = new LossMeter();
    const feed = new RandomImages();
    const step = (t: number) => {
      const idx = [t, t + 1, t + 2, t + 3, t + 4, t + 5];
      const xs = feed.inputs(idx);
      trainStep(xs, {
        model,
        vars,
        heads: ["management"],
        labels: { management: idx.map((i) => LABELS[i]) },
        classWeights: { management: [1, 2, 0.5] },
        training: true,
      }, { sgd, losses, step: t });
      tf.dispose(xs);
    };
    step(0); // compiles the shaders
    await losses.read();
    const before = tf.memory().numTensors;
    const watch = watchTransfers();
    for (let t = 1; t <= 3; t++) step(t);
    const during = watch.counts();
    const { count, sum } = await losses.read();
    const after = watch.stop();
    assert.equal(during.readbacks, 0, "device-to-host reads inside three steps");
    assert.equal(count, 3);
    assert.ok(Number.isFinite(sum) && sum > 0, `loss sum ${sum}`);
    assert.equal(after.readbacks, 1, "the loss sum is the one read");
    assert.equal(after.readbackBytes, 4);
    assert.equal(after.syncReadbacks, 0);
    assert.equal(during.shadersCompiled, 0, "shaders compiled after the first step");
    assert.ok(during.launches > 0 && during.programs["BnApplyProgram"]?.launches > 0, "the fused kernels ran");
    assert.equal(tf.memory().numTensors, before, "tensors left over after three steps");
    sgd.dispose();
    losses.dispose();
    model.dispose();
  },
);

/** `trainModel` on the tiny network with the seeded images: every case, no validation split. */
async function trainTiny(
  model: tf.LayersModel,
  o: { epochs: number; learningRate: number; seed: number; lossReadEvery?: number; maxStepsPerEpoch?: number },
) {
  return await trainModel({
    model,
    heads: ["management"],
    labels: { management: LABELS },
    train: LABELS.map((_, i) => i),
    valid: [],
    feed: new RandomImages(),
    stages: [{ name: "all", epochs: o.epochs, augment: false, trainingMode: true }],
    optimizer: { learningRate: o.learningRate, momentum: 0.9, lrDecay: 1e-3, weightDecay: 0 },
    k: 2,
    classWeights: true,
    selection: "loss",
    seed: o.seed,
    lossReadEvery: o.lossReadEvery,
    maxStepsPerEpoch: o.maxStepsPerEpoch,
    quiet: true,
  });
}

gpuTest(
  "webgpu trainModel: reads the loss every lossReadEvery steps, and else only the best epoch's weights",
  async () => {
    await webgpu();
    const model = await tinyNetwork(5);
    const watch = watchTransfers();
    const r = await trainTiny(model, { epochs: 1, learningRate: 0.01, seed: 1, lossReadEvery: 2 });
    const c = watch.stop();
    assert.equal(r.history[0].steps, 4); // 24 cases, batches of 2 per class x 3 classes
    assert.ok(Number.isFinite(r.history[0].trainLoss));
    const weights = model.weights.length;
    assert.equal(c.readbacks, 2 + weights, "2 loss reads (every 2 of 4 steps) + the best epoch's weights");
    assert.equal(c.syncReadbacks, 0);
    model.dispose();
  },
);

gpuTest("webgpu vs wasm: three training steps of the same tiny network give the same losses within 1e-3", async () => {
  const train = async () => {
    const model = await tinyNetwork(6);
    // one step per epoch: each epoch's train loss is one step's loss
    const r = await trainTiny(model, { epochs: 3, learningRate: 0.05, seed: 2, maxStepsPerEpoch: 1 });
    model.dispose();
    return r.history.map((h) => h.trainLoss);
  };
  await startBackend("wasm", { quiet: true });
  await tf.setBackend("wasm");
  const wasm = await train();
  await webgpu();
  const gpu = await train();
  assert.equal(gpu.length, 3);
  assert.ok(wasm[2] !== wasm[0], "the losses change from step to step");
  gpu.forEach((l, i) => assert.ok(Math.abs(l - wasm[i]) < 1e-3, `step ${i + 1}: webgpu ${l}, wasm ${wasm[i]}`));
  console.log(
    `losses wasm ${wasm.map((l) => l.toFixed(6)).join(", ")}; webgpu ${gpu.map((l) => l.toFixed(6)).join(", ")}`,
  );
});

gpuTest(
  "webgpu trainRun: the paper preset (tiny backbone) checkpoints, selects, predicts and saves without a synchronous read",
  async () => {
    await webgpu();
    const { config: c } = await tinyPaperFixture(30, { releaseSeed: 8, seed: 3 });
    c.backend = "webgpu";
    c.training.schedule = [
      { name: "frozen backbone", epochs: 1, trainableBlocks: [], augment: true },
      { name: "unfreeze mixed1", epochs: 2, trainableBlocks: ["mixed1"], augment: true },
    ];
    c.training.maxStepsPerEpoch = 2;
    const out = tempDir();
    const watch = watchTransfers();
    const r = await trainRun({ config: c, outDir: out, cacheDir, quiet: true });
    const counts = watch.stop();
    assert.equal(counts.syncReadbacks, 0);
    assert.equal(r.history.length, 3);
    assert.ok(r.history.every((h) => Number.isFinite(h.trainLoss) && Number.isFinite(h.validLoss)));
    assert.match(r.summary.backend, /^webgpu/);
    assert.equal(readPredictions(out).rows.length, 30);
    assert.ok(Deno.statSync(join(out, "weights", "weights.bin")).size > 0);
  },
);
