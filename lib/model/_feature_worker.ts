/// <reference lib="deno.worker" />
/**
 * Feature worker of the tfjs engine (see features.ts): opens the backbone on its own tfjs backend, then
 * computes and caches the views of its share of the images. Messages out: `{ done: n }`, then
 * `{ finished: true }` or `{ error }` (lib/util/worker.ts).
 *
 * @module
 */
import { serveWorker } from "../util/worker.ts";
import { BackendName, startBackend } from "./backend.ts";
import { openFrozenBackbone } from "./engine.ts";
import { computeViews, FeatureJob } from "./features.ts";

serveWorker<FeatureJob>(async (job, onDone) => {
  const quiet = console.warn;
  console.warn = () => {};
  await startBackend(job.backend as BackendName, { quiet: true });
  console.warn = quiet;
  const net = await openFrozenBackbone(
    job.backbone,
    job.backbone.featureLayers.map((layer) => ({ layer, kind: "pooled" })),
    { seed: job.seed, cacheDir: job.cacheDir, engine: "tfjs", quiet: true },
  );
  await computeViews(net, job.items, {
    dirs: job.dirs,
    augmentation: job.augmentation,
    perturbation: job.perturbation,
    batchSize: job.batchSize,
    onDone,
  });
  net.dispose();
});
