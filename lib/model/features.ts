/**
 * Frozen-backbone features, computed once and cached on disk — the heart of the CPU-practical preset.
 *
 * For every image and view, the backbone's global-average-pooled activation at each feature layer is
 * stored as one cache entry, keyed by the image's content (sha256), the backbone weights (their
 * fingerprint), the input size, the precision (int8 features apart from float32 ones), the layer, and
 * the augmentation (spec and view index); a perturbed image
 * (robustness checks) is cached apart. One forward pass fills every requested layer, and a layer's
 * entries serve every layer set that contains it (mixed5 alone, or mixed5+mixed7+mixed10). View 0 is the
 * unaugmented image; view v > 0 is a deterministic augmentation seeded by the image content and v, so
 * every run (any seed, fold or model) reuses the same cached views.
 *
 * An entry is a 12-byte header (`D7F2`, the engine that computed it, 3 reserved bytes, the number of
 * values as uint32 little-endian) and the float32 values. In float32 the two engines agree within 1e-4
 * of the output's scale (tests), so entries from either serve both; int8 features are computed by the
 * onnx engine only (where they are missing and only tfjs runs, float32 features are used instead, with a
 * note). A damaged entry is reported, recomputed and replaced.
 *
 * Engines (engine.ts): `onnx` runs in this process on every core while the next images are decoded;
 * `tfjs` runs in parallel worker processes (default 2; the wasm backend is single-threaded). Progress is
 * reported as images/s with an ETA.
 *
 * @example Extracting (needs an image and a backbone; not run here)
 * ```ts ignore
 * import { extractFeatures } from "./features.ts";
 * const { features } = await extractFeatures([{ path: "a.jpg", views: 3 }], { backbone, seed: 0, cacheDir: ".cache", augmentation });
 * const view2 = features.get("a.jpg")![2]; // view 2: the layers' pools, concatenated
 * ```
 *
 * @example A cache entry
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeFeatureEntry, encodeFeatureEntry } from "./features.ts";
 * const bytes = encodeFeatureEntry(new Float32Array([0.5, 2]), "onnx");
 * assert.equal(bytes.length, 12 + 2 * 4);
 * assert.deepEqual(decodeFeatureEntry(bytes, "a.f32", 2), { values: new Float32Array([0.5, 2]), engine: "onnx" });
 * assert.throws(() => decodeFeatureEntry(bytes, "a.f32", 3), /Cannot read cached features a\.f32/);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { AugmentationSpec, augmentImage } from "../data/augment.ts";
import { decodeImage, RgbImage } from "../data/images.ts";
import { type Perturbation, perturbImage, validatePerturbation } from "../data/perturb.ts";
import { sha256Hex, sha256Parts } from "../util/hash.ts";
import { exists, writeBytesAtomic } from "../util/fs.ts";
import { Progress } from "../util/progress.ts";
import { Prng } from "../util/prng.ts";
import { BackboneConfig, isRandomBackbone } from "./config.ts";
import { weightsFingerprint } from "./network.ts";
import { EngineChoice, EngineName, FrozenBackbone, openFrozenBackbone, resolveEngine } from "./engine.ts";
import { runWorker } from "../util/worker.ts";
import { graphVersion } from "./onnx_runtime.ts";

/** One image whose features are wanted, and how many views. */
export interface FeatureRequest {
  /** Absolute image path. */
  path: string;
  /** Number of views: 1 = the image only; 1 + V with V augmented views. */
  views: number;
}

/** Options of {@linkcode extractFeatures}. */
export interface FeatureOptions {
  /** The backbone and its feature layers. */
  backbone: BackboneConfig;
  /** Seed of a random backbone (ignored for pretrained ones). */
  seed: number;
  /** Project cache folder (features go under <cacheDir>/features, weights under <cacheDir>/models). */
  cacheDir: string;
  /** The augmentation of views 1.. (part of the cache key). */
  augmentation: AugmentationSpec;
  /** Inference engine (default "auto": onnx where it loads, else tfjs). */
  engine?: EngineChoice;
  /** Parallel worker processes of the tfjs engine (default 2). */
  workers?: number;
  /** Intra-op threads of the onnx engine (default: every core). */
  threads?: number;
  /** Images per forward pass (default 8). */
  batchSize?: number;
  /** No progress line and no warnings. */
  quiet?: boolean;
  /** Backend of the tfjs engine's workers (default "wasm"). */
  backend?: string;
  /** A fixed perturbation applied to every image before its views (robustness checks; cached apart). */
  perturbation?: Perturbation;
}

/**
 * What the feature cache folders of a backbone depend on, apart from the layer and the perturbation
 * (robustness checks), without reading its weights: the source and weights file (or, for a random
 * backbone, the seed that draws its weights), size, precision and augmentation. Configs with the same
 * identity read the same folders ({@linkcode featureLayerDir}, which keys them by the weights' content);
 * the run pool groups runs by it.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureCacheIdentity } from "./features.ts";
 * import { DEFAULT_AUGMENTATION } from "../data/augment.ts";
 * const id = (source: "nsfwjs" | "tiny", precision: "int8" | "fp32", seed: number) =>
 *   featureCacheIdentity({ source, size: 299, precision }, seed, DEFAULT_AUGMENTATION);
 * assert.equal(id("nsfwjs", "int8", 1), id("nsfwjs", "int8", 2)); // pretrained: the seed draws no weights
 * assert.notEqual(id("nsfwjs", "int8", 1), id("nsfwjs", "fp32", 1));
 * assert.notEqual(id("tiny", "int8", 1), id("tiny", "int8", 2)); // random weights: one cache per seed
 * ```
 */
export function featureCacheIdentity(
  cfg: Pick<BackboneConfig, "source" | "path" | "size" | "precision">,
  seed: number,
  augmentation: AugmentationSpec,
): string {
  const weights = isRandomBackbone(cfg.source) ? { seed } : { path: cfg.path ?? null };
  return JSON.stringify([cfg.source, weights, cfg.size, cfg.precision ?? null, augmentation]);
}

/** The cache folder of one layer's pooled features for a backbone, size, augmentation and perturbation. */
export function featureLayerDir(
  cacheDir: string,
  fingerprint: string,
  cfg: Pick<BackboneConfig, "source" | "size" | "precision">,
  layer: string,
  augmentation: AugmentationSpec,
  perturbation?: Perturbation,
): string {
  const perturbed = perturbation && perturbation.kind !== "none";
  const int8 = cfg.precision === "int8";
  const key = sha256Parts([
    fingerprint,
    String(cfg.size),
    layer,
    JSON.stringify(augmentation),
    ...(perturbed ? [JSON.stringify(perturbation)] : []),
    "features-v2",
    // int8 features come from one exported, quantised and calibrated graph: any of the three changes them
    ...(int8 ? graphVersion("int8") : []),
  ]).slice(0, 20);
  return join(
    cacheDir,
    "features",
    `${cfg.source}-${cfg.size}-${int8 ? "int8-" : ""}${layer}${perturbed ? `-${perturbation.kind}` : ""}-${key}`,
  );
}

let int8FallbackNoted = false;

/**
 * Whether int8 features can be computed here: int8 needs the onnx engine, so with tfjs (chosen, or the
 * fallback of "auto") they cannot, which is noted once per process.
 */
async function int8Computable(options: FeatureOptions): Promise<boolean> {
  if (await resolveEngine(options.engine ?? "auto") === "onnx") return true;
  if (!int8FallbackNoted && !options.quiet) {
    console.error("features: float32 backbone (int8 needs the onnx engine); cached apart from int8 features");
  }
  int8FallbackNoted = true;
  return false;
}

/** The cache entry of one image (by content hash) and view in a layer's folder. */
export function featureFile(dir: string, sha: string, view: number): string {
  return join(dir, sha.slice(0, 2), `${sha}-v${view}.f32`);
}

const ENTRY_MAGIC = [0x44, 0x37, 0x46, 0x32]; // "D7F2"
const ENGINE_CODES: Record<EngineName, number> = { tfjs: 1, onnx: 2 };

const HEADER = 12;

/** A cache entry's bytes: header (magic, engine, count) and the float32 values. */
export function encodeFeatureEntry(values: Float32Array, engine: EngineName): Uint8Array {
  const out = new Uint8Array(HEADER + values.byteLength);
  out.set(ENTRY_MAGIC, 0);
  out[4] = ENGINE_CODES[engine];
  new DataView(out.buffer).setUint32(8, values.length, true);
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), HEADER);
  return out;
}

/**
 * Reads a cache entry back.
 * @throws {Error} naming the file when its header or length is not that of an entry of `dim` values.
 */
export function decodeFeatureEntry(
  bytes: Uint8Array,
  file: string,
  dim?: number,
): { values: Float32Array; engine: EngineName } {
  const engine = (Object.keys(ENGINE_CODES) as EngineName[]).find((e) => ENGINE_CODES[e] === bytes[4]);
  const count = bytes.length >= HEADER ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true) : -1;
  const ok = ENTRY_MAGIC.every((b, i) => bytes[i] === b) && engine !== undefined &&
    bytes.length === HEADER + 4 * count && (dim === undefined || count === dim);
  if (!ok) {
    throw new Error(
      `Cannot read cached features ${file}: expected a D7F2 entry of ${
        dim ?? "n"
      } float32 values, found ${bytes.length} bytes that are not one`,
    );
  }
  const values = new Float32Array(bytes.slice(HEADER).buffer);
  return { values, engine: engine! };
}

/** One image's work: the views to compute. */
export interface FeatureItem {
  /** Absolute image path. */
  path: string;
  /** sha256 of the image file (hex). */
  sha: string;
  /** The view indexes to compute (0: the image itself). */
  views: number[];
}

/** Work handed to a tfjs worker. */
export interface FeatureJob {
  /** The backbone and its feature layers. */
  backbone: BackboneConfig;
  /** Seed of a random backbone (ignored for pretrained ones). */
  seed: number;
  /** Project cache folder. */
  cacheDir: string;
  /** One cache folder per feature layer, in the order of `backbone.featureLayers`. */
  dirs: string[];
  /** The augmentation of views 1... */
  augmentation: AugmentationSpec;
  /** Images per forward pass. */
  batchSize: number;
  /** The tfjs backend of the worker. */
  backend: string;
  /** The perturbation applied to every image before its views ({ kind: "none" } for none). */
  perturbation: Perturbation;
  /** The images and views to compute. */
  items: FeatureItem[];
}

/** What an extraction did: images, views computed and read from the cache, time and engine. */
export interface ExtractionStats {
  /** Views requested, over all images (each image counts once per view). */
  images: number;
  /** Views computed by the backbone. */
  computed: number;
  /** Views read from the cache. */
  cached: number;
  /** Wall time of the whole extraction, in seconds. */
  seconds: number;
  /** Images per second of the computation (excluding cache hits). */
  rate: number;
  /** The cache folder of each feature layer. */
  dirs: string[];
  /** The engine that computed the missing views (null when everything was cached). */
  engine: EngineName | null;
  /** Length of each feature layer's pool, in layer order (what a view's vector concatenates). */
  layerSizes: number[];
}

/**
 * Features of every requested image and view: Map path -> array of views, each the concatenation of
 * the feature layers' pools. Cached views are read; missing ones are computed.
 * @throws {Error} naming the image when it is missing or cannot be decoded.
 */
export async function extractFeatures(
  requests: readonly FeatureRequest[],
  options: FeatureOptions,
): Promise<{ features: Map<string, Float32Array[]>; stats: ExtractionStats }> {
  const start = performance.now();
  const perturbation = validatePerturbation(options.perturbation ?? { kind: "none" });
  const shaOf = new Map<string, string>();
  for (const r of requests) {
    if (shaOf.has(r.path)) continue;
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(r.path);
    } catch {
      throw new Error(`Cannot compute features: expected an image at ${r.path}, found none`);
    }
    shaOf.set(r.path, sha256Hex(bytes));
  }
  // The cache folders of a backbone, and the views missing from them.
  const plan = async (cfg: BackboneConfig) => {
    const fingerprint = await weightsFingerprint(cfg, options.cacheDir, options.seed);
    const dirs = cfg.featureLayers.map((layer) =>
      featureLayerDir(options.cacheDir, fingerprint, cfg, layer, options.augmentation, perturbation)
    );
    const missingOf = (r: FeatureRequest) =>
      [...Array(r.views).keys()].filter((v) => dirs.some((d) => !exists(featureFile(d, shaOf.get(r.path)!, v))));
    return {
      dirs,
      todo: mergeItems(requests.map((r) => ({ path: r.path, sha: shaOf.get(r.path)!, views: missingOf(r) }))),
    };
  };
  let cfg = options.backbone;
  let { dirs, todo } = await plan(cfg);
  // int8 views that are missing and cannot be computed here: the float32 backbone's instead
  if (todo.length && cfg.precision === "int8" && !(await int8Computable(options))) {
    cfg = { ...cfg, precision: "fp32" };
    ({ dirs, todo } = await plan(cfg));
  }
  options = { ...options, backbone: cfg };
  const total = requests.reduce((s, r) => s + r.views, 0);
  const computedViews = todo.reduce((s, it) => s + it.views.length, 0);
  let engine: EngineName | null = null;
  if (todo.length) engine = await computeMissing(todo, dirs, perturbation, options);
  // Read back; a damaged entry is recomputed once.
  let features = readFeatures(requests, shaOf, dirs);
  if (features.damaged.length) {
    for (const f of features.damaged) if (!options.quiet) console.error(`warning: ${f.message}; recomputing it`);
    todo = mergeItems(features.damaged.map((d) => ({ path: d.path, sha: shaOf.get(d.path)!, views: [d.view] })));
    engine = await computeMissing(todo, dirs, perturbation, options);
    features = readFeatures(requests, shaOf, dirs);
    if (features.damaged.length) throw new Error(features.damaged[0].message);
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    features: features.map,
    stats: {
      images: total,
      computed: computedViews,
      cached: total - computedViews,
      seconds,
      rate: computedViews / Math.max(seconds, 1e-9),
      dirs,
      engine,
      layerSizes: features.layerSizes,
    },
  };
}

function mergeItems(items: readonly FeatureItem[]): FeatureItem[] {
  const byPath = new Map<string, FeatureItem>();
  for (const it of items) {
    if (!it.views.length) continue;
    const prev = byPath.get(it.path);
    if (prev) prev.views = [...new Set([...prev.views, ...it.views])].sort((a, b) => a - b);
    else byPath.set(it.path, { ...it, views: [...it.views] });
  }
  return [...byPath.values()];
}

interface Damaged {
  path: string;
  view: number;
  message: string;
}

/**
 * Views read in this process, by layer folders, image and view: a notebook or command that trains many runs
 * on the same images reads each entry from disk once. Oldest first out beyond the budget
 * (`DERM7PT_FEATURE_MEMORY_MB`, default 2048).
 */
const memo = new Map<string, Float32Array>();
let memoBytes = 0;
const memoBudget = () => 1024 * 1024 * (Number(Deno.env.get("DERM7PT_FEATURE_MEMORY_MB")) || 2048);

/** Forgets the views read in this process (the next read goes to disk, as in a new process). */
export function forgetCachedFeatures(): void {
  memo.clear();
  memoBytes = 0;
}

function remember(key: string, v: Float32Array): void {
  memo.set(key, v);
  memoBytes += v.byteLength;
  for (const [k, old] of memo) {
    if (memoBytes <= memoBudget()) break;
    memo.delete(k);
    memoBytes -= old.byteLength;
  }
}

function readFeatures(
  requests: readonly FeatureRequest[],
  shaOf: Map<string, string>,
  dirs: readonly string[],
): { map: Map<string, Float32Array[]>; damaged: Damaged[]; layerSizes: number[] } {
  const map = new Map<string, Float32Array[]>();
  const damaged: Damaged[] = [];
  let layerSizes: number[] = [];
  const dirsKey = dirs.join("\u0000");
  for (const r of requests) {
    const sha = shaOf.get(r.path)!;
    const views: Float32Array[] = [];
    for (let v = 0; v < r.views; v++) {
      const key = `${dirsKey}\u0000${sha}\u0000${v}`;
      const known = memo.get(key);
      const parts: Float32Array[] = [];
      if (!known) {
        for (const d of dirs) {
          const file = featureFile(d, sha, v);
          try {
            parts.push(decodeFeatureEntry(Deno.readFileSync(file), file).values);
          } catch (e) {
            damaged.push({ path: r.path, view: v, message: (e as Error).message });
          }
        }
        if (!layerSizes.length && parts.length === dirs.length) layerSizes = parts.map((p) => p.length);
      }
      const out = known ?? new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      if (!known) {
        let o = 0;
        for (const p of parts) {
          out.set(p, o);
          o += p.length;
        }
        if (parts.length === dirs.length) remember(key, out);
      }
      views.push(out);
    }
    const prev = map.get(r.path);
    if (!prev || prev.length < views.length) map.set(r.path, views);
  }
  if (!layerSizes.length && requests.length) {
    // every view came from the memo: read one entry's header per layer for the sizes
    const sha = shaOf.get(requests[0].path)!;
    layerSizes = dirs.map((d) => {
      const file = featureFile(d, sha, 0);
      return decodeFeatureEntry(Deno.readFileSync(file), file).values.length;
    });
  }
  return { map, damaged, layerSizes };
}

/** Computes and caches the missing views; returns the engine used. */
async function computeMissing(
  todo: FeatureItem[],
  dirs: string[],
  perturbation: Perturbation,
  options: FeatureOptions,
): Promise<EngineName> {
  const engine = await resolveEngine(options.engine ?? "auto");
  const count = todo.reduce((s, it) => s + it.views.length, 0);
  const bar = new Progress(`features (${engine})`, count, { unit: "img", quiet: options.quiet });
  const batchSize = options.batchSize ?? 8;
  if (engine === "onnx") {
    const net = await openFrozenBackbone(
      options.backbone,
      options.backbone.featureLayers.map((layer) => ({ layer, kind: "pooled" })),
      { seed: options.seed, cacheDir: options.cacheDir, engine, threads: options.threads, quiet: options.quiet },
    );
    try {
      await computeViews(net, todo, {
        dirs,
        augmentation: options.augmentation,
        perturbation,
        batchSize,
        onDone: (n) => bar.tick(n),
      });
    } finally {
      net.dispose();
    }
  } else {
    const workers = Math.max(1, Math.min(options.workers ?? 2, todo.length));
    const jobs = [...Array(workers).keys()].map((w) => todo.filter((_, i) => i % workers === w));
    await Promise.all(jobs.map((items) =>
      runFeatureWorker({
        backbone: options.backbone,
        seed: options.seed,
        cacheDir: options.cacheDir,
        dirs,
        augmentation: options.augmentation,
        batchSize,
        backend: options.backend ?? "wasm",
        perturbation,
        items,
      }, (n) => bar.tick(n))
    ));
  }
  bar.done();
  return engine;
}

/**
 * Runs `net` over every view of `items` and writes one cache entry per view and output into `dirs`
 * (one folder per output of `net`). The next batch is decoded and warped while the engine runs one.
 */
export async function computeViews(
  net: FrozenBackbone,
  items: readonly FeatureItem[],
  options: {
    dirs: readonly string[];
    augmentation: AugmentationSpec;
    perturbation: Perturbation;
    batchSize: number;
    onDone?: (n: number) => void;
  },
): Promise<void> {
  const size = net.size;
  const pixels = size * size * 3;
  const dims = net.shapes.map((s) => s.reduce((a, b) => a * b, 1));
  // Decodes start early; a failure is kept (not left unhandled) and thrown when its image's turn comes.
  const load = (path: string): Promise<RgbImage | Error> =>
    decodeImage(path, { size }).then((img) => perturbImage(img, options.perturbation), (e: Error) => e);
  const ahead = 4;
  const decoding = items.slice(0, ahead).map((it) => load(it.path));
  const pending: { sha: string; view: number; data: Uint8Array }[] = [];
  // One batch runs on the engine while the next one is decoded and warped here.
  let running: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (!pending.length) return;
    const jobs = pending.splice(0, pending.length);
    const batch = new Uint8Array(jobs.length * pixels);
    jobs.forEach((p, i) => batch.set(p.data, i * pixels));
    await running;
    running = net.run(batch, jobs.length).then((outs) => {
      jobs.forEach((p, i) =>
        outs.forEach((out, k) =>
          writeBytesAtomic(
            featureFile(options.dirs[k], p.sha, p.view),
            encodeFeatureEntry(out.subarray(i * dims[k], (i + 1) * dims[k]), net.engine),
          )
        )
      );
      options.onDone?.(jobs.length);
    });
  };
  try {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const img = await decoding[i];
      if (img instanceof Error) throw img;
      if (i + ahead < items.length) decoding.push(load(items[i + ahead].path));
      for (const v of item.views) {
        const view = v === 0 ? img : augmentImage(img, options.augmentation, new Prng(`${item.sha}/view-${v}`));
        pending.push({ sha: item.sha, view: v, data: view.data });
        if (pending.length >= options.batchSize) await flush();
      }
    }
    await flush();
    await running;
  } finally {
    // the caller disposes the engine: never while a batch is still on it
    await running.catch(() => {});
  }
}

function runFeatureWorker(job: FeatureJob, onDone: (n: number) => void): Promise<void> {
  return runWorker(new URL("./_feature_worker.ts", import.meta.url), job, { onDone });
}
