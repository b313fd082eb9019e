/**
 * Frozen-backbone features, computed once and cached on disk — the heart of the CPU-practical
 * preset. For every image and view, the backbone's global-average-pooled activations at the
 * configured layers are stored as a float32 file keyed by the image's content (sha256), the backbone
 * weights (their fingerprint), the input size, the layers and the augmentation (spec and view
 * index). View 0 is the unaugmented image; view v > 0 is a deterministic augmentation seeded by the
 * image content and v, so every run (any seed, fold or model) reuses the same cached views.
 *
 * Extraction runs in parallel workers (default 2: the wasm backend is single-threaded) with a
 * progress line (images/s, ETA).
 *
 * @example
 * ```ts ignore
 * import { extractFeatures } from "./features.ts";
 * const feats = await extractFeatures([{ path: "a.jpg", views: 3 }], { backbone, cacheDir: ".cache", augmentation });
 * feats.get("a.jpg")![2]; // Float32Array of view 2
 * ```
 */
import { join } from "node:path";
import { AugmentationSpec } from "../data/augment.ts";
import { sha256Hex, sha256Parts } from "../util/hash.ts";
import { exists } from "../util/fs.ts";
import { Progress } from "../util/progress.ts";
import { BackboneConfig } from "./config.ts";
import { Perturbation, validatePerturbation } from "../data/perturb.ts";
import { nsfwjsInceptionV3 } from "./weights.ts";
import { cachedDownload, KERAS_INCEPTION_V3_NOTOP } from "./download.ts";

export interface FeatureRequest {
  /** Absolute image path. */
  path: string;
  /** Number of views: 1 = the image only; 1 + V with V augmented views. */
  views: number;
}

export interface FeatureOptions {
  backbone: BackboneConfig;
  /** Seed of a random backbone (ignored for pretrained ones). */
  seed: number;
  /** Project cache folder (features go under <cacheDir>/features, weights under <cacheDir>/models). */
  cacheDir: string;
  augmentation: AugmentationSpec;
  /** Parallel workers (default 2). */
  workers?: number;
  /** Images per forward pass (default 8). */
  batchSize?: number;
  quiet?: boolean;
  /** Backend for the workers (default "wasm"). */
  backend?: string;
  /** A fixed perturbation applied to every image before its views (robustness checks; cached apart). */
  perturbation?: Perturbation;
}

/** sha256 of the backbone weights a config names, without building the model. */
export async function weightsFingerprint(cfg: BackboneConfig, cacheDir: string, seed: number): Promise<string> {
  switch (cfg.source) {
    case "nsfwjs":
      return (await nsfwjsInceptionV3({ cacheDir: join(cacheDir, "models") })).fingerprint;
    case "imagenet":
      return sha256Hex(
        Deno.readFileSync(
          cfg.path ?? await cachedDownload(KERAS_INCEPTION_V3_NOTOP, { cacheDir: join(cacheDir, "models") }),
        ),
      );
    case "keras-h5":
      return sha256Hex(Deno.readFileSync(cfg.path!));
    case "tfjs": {
      const m = JSON.parse(Deno.readTextFileSync(join(cfg.path!, "model.json")));
      return sha256Parts(
        m.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) =>
          Deno.readFileSync(join(cfg.path!, p))
        ),
      );
    }
    default:
      return `random:${cfg.source}:${cfg.size}:${seed}`;
  }
}

/** The cache folder of one feature configuration. */
export function featureDir(
  cacheDir: string,
  fingerprint: string,
  cfg: BackboneConfig,
  augmentation: AugmentationSpec,
  perturbation?: Perturbation,
): string {
  const perturbed = perturbation && perturbation.kind !== "none";
  const key = sha256Parts([
    fingerprint,
    String(cfg.size),
    cfg.featureLayers.join("+"),
    JSON.stringify(augmentation),
    ...(perturbed ? [JSON.stringify(perturbation)] : []),
    "features-v1",
  ]).slice(0, 20);
  return join(
    cacheDir,
    "features",
    `${cfg.source}-${cfg.size}-${cfg.featureLayers.join("+")}${perturbed ? `-${perturbation.kind}` : ""}-${key}`,
  );
}

export function featureFile(dir: string, sha: string, view: number): string {
  return join(dir, sha.slice(0, 2), `${sha}-v${view}.f32`);
}

/** Work item handed to a worker. */
export interface FeatureJob {
  backbone: BackboneConfig;
  seed: number;
  cacheDir: string;
  dir: string;
  augmentation: AugmentationSpec;
  batchSize: number;
  backend: string;
  perturbation: Perturbation;
  items: { path: string; sha: string; views: number[] }[];
}

export interface ExtractionStats {
  images: number;
  computed: number;
  cached: number;
  seconds: number;
  /** Images per second of the computation (excluding cache hits). */
  rate: number;
  dir: string;
}

/**
 * Features of every requested image and view: Map path -> array of views. Cached views are read;
 * missing ones are computed by workers.
 */
export async function extractFeatures(
  requests: readonly FeatureRequest[],
  options: FeatureOptions,
): Promise<{ features: Map<string, Float32Array[]>; stats: ExtractionStats }> {
  const start = performance.now();
  const fingerprint = await weightsFingerprint(options.backbone, options.cacheDir, options.seed);
  const perturbation = validatePerturbation(options.perturbation ?? { kind: "none" });
  const dir = featureDir(options.cacheDir, fingerprint, options.backbone, options.augmentation, perturbation);
  const shaOf = new Map<string, string>();
  const todo: FeatureJob["items"] = [];
  let cached = 0, computed = 0;
  for (const r of requests) {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(r.path);
    } catch {
      throw new Error(`Cannot compute features: expected an image at ${r.path}, found none`);
    }
    const sha = sha256Hex(bytes);
    shaOf.set(r.path, sha);
    const missing = [...Array(r.views).keys()].filter((v) => !exists(featureFile(dir, sha, v)));
    cached += r.views - missing.length;
    computed += missing.length;
    if (missing.length) todo.push({ path: r.path, sha, views: missing });
  }
  if (todo.length) {
    const workers = Math.max(1, Math.min(options.workers ?? 2, todo.length));
    const bar = new Progress("features", computed, { unit: "img", quiet: options.quiet });
    const jobs = [...Array(workers).keys()].map((w) => todo.filter((_, i) => i % workers === w));
    await Promise.all(jobs.map((items) =>
      runFeatureWorker({
        backbone: options.backbone,
        seed: options.seed,
        cacheDir: options.cacheDir,
        dir,
        augmentation: options.augmentation,
        batchSize: options.batchSize ?? 8,
        backend: options.backend ?? "wasm",
        perturbation,
        items,
      }, (n) => bar.tick(n))
    ));
    bar.done();
  }
  const features = new Map<string, Float32Array[]>();
  for (const r of requests) {
    const sha = shaOf.get(r.path)!;
    features.set(
      r.path,
      [...Array(r.views).keys()].map((v) => {
        const b = Deno.readFileSync(featureFile(dir, sha, v));
        return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      }),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    features,
    stats: {
      images: requests.reduce((s, r) => s + r.views, 0),
      computed,
      cached,
      seconds,
      rate: computed / Math.max(seconds, 1e-9),
      dir,
    },
  };
}

function runFeatureWorker(job: FeatureJob, onDone: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./_feature_worker.ts", import.meta.url), { type: "module" });
    w.onmessage = (e) => {
      if (e.data.done) onDone(e.data.done);
      else if (e.data.finished) {
        w.terminate();
        resolve();
      } else if (e.data.error) {
        w.terminate();
        reject(new Error(`Cannot compute features: a worker failed: ${e.data.error}`));
      }
    };
    w.onerror = (e) => {
      e.preventDefault();
      w.terminate();
      reject(new Error(`Cannot compute features: a worker failed: ${e.message}`));
    };
    w.postMessage(job);
  });
}
