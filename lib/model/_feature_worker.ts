/// <reference lib="deno.worker" />
/**
 * Feature worker (see features.ts): builds the backbone on its own tfjs engine, then for each image
 * decodes and resizes it, makes the requested views, runs the backbone in batches and writes each
 * view's feature vector to the cache. Messages out: `{ done: n }`, then `{ finished: true }` or
 * `{ error }`.
 */
import * as tf from "@tensorflow/tfjs";
import { decodeImage } from "../data/images.ts";
import { augmentImage } from "../data/augment.ts";
import { perturbImage } from "../data/perturb.ts";
import { Prng } from "../util/prng.ts";
import { writeBytesAtomic } from "../util/fs.ts";
import { concatFloat32 } from "../util/arrays.ts";
import { BackendName, startBackend } from "./backend.ts";
import { buildBackbone, preprocess } from "./network.ts";
import { featureFile, FeatureJob } from "./features.ts";

self.onmessage = async (e: MessageEvent<FeatureJob>) => {
  const job = e.data;
  try {
    const quiet = console.warn;
    console.warn = () => {};
    await startBackend(job.backend as BackendName, { quiet: true });
    console.warn = quiet;
    const { model, info } = await buildBackbone(job.backbone, { seed: job.seed, cacheDir: job.cacheDir });
    const size = job.backbone.size;
    const pending: { sha: string; view: number; pixels: Float32Array }[] = [];
    const flush = () => {
      if (!pending.length) return;
      const batch = tf.tensor4d(concatFloat32(pending.map((p) => p.pixels)), [pending.length, size, size, 3]);
      const out = model.predict(batch) as tf.Tensor;
      const data = out.dataSync() as Float32Array;
      const dim = out.shape[1] as number;
      pending.forEach((p, i) =>
        writeBytesAtomic(featureFile(job.dir, p.sha, p.view), new Uint8Array(data.slice(i * dim, (i + 1) * dim).buffer))
      );
      tf.dispose([batch, out]);
      self.postMessage({ done: pending.length });
      pending.length = 0;
    };
    for (const item of job.items) {
      const img = perturbImage(await decodeImage(item.path, { size }), job.perturbation);
      for (const v of item.views) {
        const view = v === 0 ? img : augmentImage(img, job.augmentation, new Prng(`${item.sha}/view-${v}`));
        pending.push({ sha: item.sha, view: v, pixels: preprocess(view.data, info.preprocessing) });
        if (pending.length >= job.batchSize) flush();
      }
    }
    flush();
    self.postMessage({ finished: true });
  } catch (err) {
    self.postMessage({ error: (err as Error).stack ?? String(err) });
  }
};
