/**
 * The paper preset on a GPU (issue 15): one real epoch of the study's schedule on the synthetic
 * release (`trainRun`, management model, inputs C+D+M, backend webgpu: the frozen-backbone stage, its
 * validation and checkpoint), then the cost of every stage of the schedule measured piece by piece on
 * the same network and data, and the projected time of the full schedule (50 frozen epochs, then
 * mixed10 ... mixed2 unfrozen one block at a time for 25 epochs each, then 25 without augmentation):
 *
 *   epoch(stage) = steps x step(stage) + validation + checkpoint x (1 + steps / 20) + best-weights read
 *
 * where step(stage) is timed over `--steps` training steps with that stage's trainable blocks, real
 * batches (decoded images, the stage's augmentation) and the trainer's step (lib/model/train_step.ts);
 * validation is `predictHeads` over the validation split; a checkpoint reads the weights and the
 * velocities back and writes them (what train.ts does every 20 steps and at each epoch's end). The
 * real epoch checks the estimate of the first stage.
 *
 *   deno run -A bench/paper_epoch.ts [--data DIR] [--steps 4] [--backbone nsfwjs|random|tiny] [--size 299]
 *     [--backend webgpu]
 *
 * (`--backbone tiny --size 32` makes a quick run of the script itself, e.g. on a software adapter.)
 * Needs the project's npm packages (sharp decodes the JPEGs). Prints Markdown (progress on stderr).
 */
import * as tf from "@tensorflow/tfjs";
import {
  DEFAULT_SYNTHETIC,
  DEFAULT_SYNTHETIC_DIR,
  ensureSyntheticRelease,
  ImagePathResolver,
  loadRelease,
} from "../lib/data/mod.ts";
import { BackendName, startBackend } from "../lib/model/backend.ts";
import { BackboneSource, classesOf, defaultRunConfig, headsOf } from "../lib/model/config.ts";
import { casePaths, ImageFeed } from "../lib/model/feeds.ts";
import { layerBlocks } from "../lib/model/inception_v3.ts";
import { buildFullModel } from "../lib/model/network.ts";
import { splitOf, trainRun } from "../lib/model/run.ts";
import { readWeights } from "../lib/model/serialize.ts";
import { LossMeter, SgdMomentum } from "../lib/model/sgd.ts";
import { predictHeads } from "../lib/model/train.ts";
import { trainStep } from "../lib/model/train_step.ts";
import { Prng } from "../lib/util/prng.ts";
import { formatSeconds } from "../lib/util/progress.ts";

const arg = (name: string, d: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : d;
};
const steps = Number(arg("steps", "4"));
const backend = arg("backend", "webgpu") as BackendName;
const cacheDir = new URL("../.cache", import.meta.url).pathname;
let dataDir = arg("data", "");
if (!dataDir) {
  console.error(`synthetic release: ${DEFAULT_SYNTHETIC_DIR}`);
  await ensureSyntheticRelease(DEFAULT_SYNTHETIC_DIR, DEFAULT_SYNTHETIC);
  dataDir = DEFAULT_SYNTHETIC_DIR;
}
const info = await startBackend(backend, { quiet: true });
console.error(`backend: ${info.name} — ${info.detail}`);
const config = defaultRunConfig({
  kind: "mgmt",
  inputs: "CDM",
  preset: "paper",
  backbone: { source: arg("backbone", "nsfwjs") as BackboneSource, size: Number(arg("size", "299")) },
});
if (config.model.backbone.source === "tiny") config.model.backbone.featureLayers = ["mixed1"];
config.data.dir = dataDir;
config.backend = backend;
const schedule = config.training.schedule;
const release = loadRelease(dataDir, { quiet: true });
const split = splitOf(release, config);
const heads = headsOf(config.model.kind);
const batch = config.training.k * heads.reduce((s, h) => s + classesOf(h), 0);
const stepsPerEpoch = Math.ceil(split.train.length / batch);

// 1. one real epoch of the paper preset (its first stage), end to end
const outDir = await Deno.makeTempDir({ prefix: "paper-epoch-" });
const t0 = performance.now();
const run = await trainRun({
  config: { ...config, training: { ...config.training, schedule: [{ ...schedule[0], epochs: 1 }] } },
  outDir,
  cacheDir,
  quiet: true,
  onEpoch: (row) => console.error(`real epoch: ${row.steps} steps in ${formatSeconds(row.seconds)} (with validation)`),
});
const realEpoch = run.history[0].seconds;
const realWall = (performance.now() - t0) / 1000;
await Deno.remove(outDir, { recursive: true });

// 2. every stage measured piece by piece on the same network and data
const full = await buildFullModel(config.model.kind, config.model.inputs, config.model.backbone, config.model.head, {
  seed: config.seed,
  cacheDir,
});
const resolver = new ImagePathResolver(release.imagesDir!);
const feed = new ImageFeed(release.cases, release.cases.map((c) => casePaths(c, resolver)), {
  inputs: config.model.inputs,
  size: config.model.backbone.size,
  preprocessing: full.info.preprocessing,
  augmentation: config.training.augmentation,
});
const labels = Object.fromEntries(heads.map((h) => [h, release.cases.map((c) => c.labels[h])]));
const blocks = full.backbones.map((b) => layerBlocks(b));
/** Trainable blocks as the paper preset sets them (run.ts), BatchNormalization gammas fixed. */
const setTrainable = (trainableBlocks: string[]) => {
  full.backbones.forEach((b, i) => {
    for (const layer of b.layers) {
      layer.trainable = trainableBlocks.includes(blocks[i].get(layer.name) ?? "");
      const gamma = (layer as unknown as { gamma?: { trainable: boolean } }).gamma;
      if (layer.getClassName() === "BatchNormalization" && gamma) gamma.trainable = false;
    }
  });
};
const time = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
};
// decode every image once (ImageFeed keeps them), so that the steps below time what later epochs do
for (let i = 0; i < split.train.length; i += 64) {
  tf.dispose(await feed.inputs(split.train.slice(i, i + 64), { train: false, augment: false, prng: new Prng(0) }));
}
await predictHeads(full.model, feed, split.valid, heads); // compiles the inference shaders, decodes
const validation = await time(() => predictHeads(full.model, feed, split.valid, heads));
const checkpoint = await time(async () => {
  const w = await readWeights(full.model);
  await readWeights(full.model); // the velocities: as many values
  const tmp = await Deno.makeTempFile();
  const bytes = new Uint8Array(3 * w.reduce((s, a) => s + a.byteLength, 0)); // weights, velocities, best
  await Deno.writeFile(tmp, bytes);
  await Deno.remove(tmp);
});
const bestRead = await time(() => readWeights(full.model));
console.error(
  `validation ${validation.toFixed(2)} s, checkpoint ${checkpoint.toFixed(2)} s, best-weights read ${
    bestRead.toFixed(2)
  } s`,
);
const rows: { stage: string; epochs: number; step: number; epoch: number }[] = [];
const prng = new Prng(0);
const train = split.train;
for (const stage of schedule) {
  setTrainable(stage.trainableBlocks);
  const vars = full.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sgd = new SgdMomentum(config.training.optimizer);
  const losses = new LossMeter();
  const oneStep = async (s: number) => {
    const idx = Array.from({ length: batch }, (_, j) => train[(s * batch + j) % train.length]);
    const xs = await feed.inputs(idx, { train: true, augment: stage.augment, prng: prng.fork(`${stage.name}-${s}`) });
    trainStep(xs, {
      model: full.model,
      vars,
      heads,
      labels: Object.fromEntries(heads.map((h) => [h, idx.map((ci) => labels[h][ci])])),
      classWeights: Object.fromEntries(heads.map((h) => [h, new Array(classesOf(h)).fill(1)])),
      training: stage.trainableBlocks.length > 0,
    }, { sgd, losses, step: s });
    tf.dispose(xs);
  };
  await oneStep(0); // compiles this stage's shaders
  await losses.read();
  const step = (await time(async () => {
    for (let s = 1; s <= steps; s++) await oneStep(s);
    await losses.read(); // waits for the queued steps
  })) / steps;
  sgd.dispose();
  const epoch = stepsPerEpoch * step + validation + checkpoint * (1 + Math.floor(stepsPerEpoch / 20)) + bestRead;
  rows.push({ stage: stage.name, epochs: stage.epochs, step, epoch });
  console.error(`${stage.name}: ${step.toFixed(3)} s per step (${(batch / step).toFixed(1)} images/s)`);
}
const total = rows.reduce((s, r) => s + r.epochs * r.epoch, 0);
const epochs = rows.reduce((s, r) => s + r.epochs, 0);

console.log(
  `## The paper preset on ${info.detail} (${new Date().toISOString().slice(0, 10)})\n\n` +
    `${release.synthetic ? "SYNTHETIC release" : dataDir}: ${split.train.length} training cases, batch ${batch} ` +
    `(k ${config.training.k} x 3 classes), ${stepsPerEpoch} steps per epoch, two images per case at ` +
    `${config.model.backbone.size} px; backbone ${full.info.description.split(" (")[0]}.\n`,
);
console.log(
  `One real epoch (first stage, \`trainRun\`): ${realEpoch.toFixed(1)} s with validation, and decoding every ` +
    `image once ` +
    `(${realWall.toFixed(1)} s with model building and the predictions of every case); estimated from its pieces: ` +
    `${rows[0].epoch.toFixed(1)} s. Validation ${validation.toFixed(1)} s, checkpoint ${checkpoint.toFixed(1)} s.\n`,
);
console.log(`| stage | epochs | s per step | images/s | s per epoch | stage total |\n|---|---|---|---|---|---|`);
for (const r of rows) {
  console.log(
    `| ${r.stage} | ${r.epochs} | ${r.step.toFixed(3)} | ${(batch / r.step).toFixed(1)} | ${r.epoch.toFixed(1)} | ${
      formatSeconds(r.epochs * r.epoch)
    } |`,
  );
}
console.log(`| **full schedule** | ${epochs} | | | | **${formatSeconds(total)}** (${(total / 3600).toFixed(2)} h) |`);
