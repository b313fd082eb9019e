/**
 * Engines for frozen backbone forward passes: every path that runs the backbone without training it
 * (feature extraction, predictions, Grad-CAM's activation maps, robustness checks) asks this module for
 * a `FrozenBackbone` and gives it decoded RGB images.
 *
 * - `onnx` (default where it loads): the backbone exported to ONNX (onnx_export.ts) and run by ONNX
 *   Runtime in this process on every core (intra-op threads). 3-7x faster than tfjs-wasm on these CPUs;
 *   with `precision: "int8"` (quantize.ts) about twice as fast again.
 * - `tfjs`: the tfjs-layers model on the current tfjs backend (wasm: one thread per process).
 * - `auto`: `onnx`, else `tfjs` with a one-line note saying why.
 *
 * Both take `uint8` RGB pixels `[n, size, size, 3]` and return, per requested output, a layer's global
 * average pool (`[n, C]`) or its activation map (`[n, h, w, C]`), as plain float32 arrays. In float32
 * their outputs agree to ~1e-6 of the output's scale (tests check <= 1e-4 on the tiny and nsfwjs
 * backbones); the tfjs engine ignores `precision` and always computes float32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openFrozenBackbone } from "./engine.ts";
 * // the tiny test backbone (3 blocks, 4 filters per branch: mixed1 has 12 channels); InceptionV3's mixed5 has 768
 * const cfg = { source: "tiny" as const, size: 32, featureLayers: ["mixed1"], shared: true };
 * const outputs = [{ layer: "mixed1", kind: "pooled" as const }];
 * const net = await openFrozenBackbone(cfg, outputs, { seed: 0, cacheDir: Deno.makeTempDirSync(), engine: "tfjs" });
 * assert.deepEqual(net.shapes, [[12]]);
 * const [pooled] = await net.run(new Uint8Array(2 * 32 * 32 * 3).fill(128), 2); // 2 images
 * assert.equal(pooled.length, 2 * 12);
 * net.dispose();
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BackboneConfig } from "./config.ts";
import { BackboneInfo, buildBaseBackbone, preprocess, preprocessingOf, weightsFingerprint } from "./network.ts";
import { type BackboneOutput, outputName } from "./onnx_export.ts";
import { cachedOnnxModel, defaultThreads, executionProviders, loadOnnxRuntime } from "./onnx_runtime.ts";
import { currentBackend, startBackend } from "./backend.ts";

/** An engine that runs a frozen backbone: ONNX Runtime or tfjs. */
export type EngineName = "onnx" | "tfjs";
/** An engine, or "auto" (onnx where it loads, else tfjs). */
export type EngineChoice = EngineName | "auto";
/** Every engine choice, "auto" first. */
export const ENGINES: readonly EngineChoice[] = ["auto", "onnx", "tfjs"];

export type { BackboneOutput };

/** A frozen backbone ready to run. */
export interface FrozenBackbone {
  /** The engine that runs it. */
  engine: EngineName;
  /** Human-readable detail (threads, providers, backend). */
  detail: string;
  /** Input side in pixels. */
  size: number;
  /** The requested outputs, in the order `run` returns them. */
  outputs: readonly BackboneOutput[];
  /** Per output, the shape of one image's result ([C] or [h, w, C]). */
  shapes: number[][];
  /** sha256 of the weights (or "random:..."). */
  fingerprint: string;
  /** Runs `n` images (uint8 RGB, n x size x size x 3): one float32 array per output, images in order. */
  run(pixels: Uint8Array, n: number): Promise<Float32Array[]>;
  /** Frees the model or session. */
  dispose(): void;
}

/** Options of {@linkcode openFrozenBackbone}. */
export interface OpenOptions {
  /** Seed of a random backbone (ignored for pretrained ones). */
  seed: number;
  /** Project cache folder (weights under models/, exported graphs under onnx/). */
  cacheDir: string;
  /** The engine (default "auto"). */
  engine?: EngineChoice;
  /** Intra-op threads of the onnx engine (default: every core, or DERM7PT_THREADS). */
  threads?: number;
  /** No warning when a cached ONNX graph is damaged and rebuilt. */
  quiet?: boolean;
}

let fallbackNoted = false;

/**
 * The engine a choice gives on this machine: "auto" is onnx where onnxruntime-node loads, else tfjs
 * (printing one line with the reason, once per process).
 */
export async function resolveEngine(choice: EngineChoice): Promise<EngineName> {
  if (!ENGINES.includes(choice)) {
    throw new RangeError(`Cannot choose an engine: expected ${ENGINES.join("|")}, found "${choice}"`);
  }
  if (choice !== "auto") return choice;
  try {
    await loadOnnxRuntime();
    return "onnx";
  } catch (e) {
    noteFallback((e as Error).message);
    return "tfjs";
  }
}

function noteFallback(reason: string, quiet?: boolean): void {
  if (!fallbackNoted && !quiet) {
    console.error(`engine: tfjs (the onnx engine is unavailable: ${reason.split("\n")[0]})`);
  }
  fallbackNoted = true;
}

/**
 * Opens the backbone of `cfg` cut at `outputs` on the chosen engine ("auto": onnx, else tfjs with a
 * one-line note giving the reason).
 * @throws {RangeError} for an unknown engine or layer; {Error} when an explicitly requested engine fails.
 */
export async function openFrozenBackbone(
  cfg: BackboneConfig,
  outputs: readonly BackboneOutput[],
  options: OpenOptions,
): Promise<FrozenBackbone> {
  const choice = options.engine ?? "auto";
  if (!ENGINES.includes(choice)) {
    throw new RangeError(`Cannot open the backbone: expected an engine ${ENGINES.join("|")}, found "${choice}"`);
  }
  if (!outputs.length) throw new RangeError("Cannot open the backbone: expected at least one output, found none");
  if (choice === "tfjs") return await openTfjs(cfg, outputs, options);
  try {
    return await openOnnx(cfg, outputs, options);
  } catch (e) {
    if (choice === "onnx" || e instanceof RangeError) throw e;
    noteFallback((e as Error).message);
    return await openTfjs(cfg, outputs, options);
  }
}

/** The tfjs model cut at `outputs` (pooled outputs through GlobalAveragePooling2D layers). */
function cutModel(base: tf.LayersModel, outputs: readonly BackboneOutput[]): tf.LayersModel {
  const heads = outputs.map((o) => {
    let layer: tf.layers.Layer;
    try {
      layer = base.getLayer(o.layer);
    } catch {
      throw new RangeError(
        `Cannot open the backbone: expected a layer "${o.layer}" (e.g. mixed5, mixed7, mixed10), found none in ${base.name}`,
      );
    }
    const out = layer.output as tf.SymbolicTensor;
    return o.kind === "pooled"
      ? tf.layers.globalAveragePooling2d({ name: `gap_${o.layer}` }).apply(out) as tf.SymbolicTensor
      : out;
  });
  return tf.model({ inputs: base.inputs, outputs: heads, name: `${base.name}_cut` });
}

function shapesOf(model: tf.LayersModel): number[][] {
  return model.outputs.map((o) => o.shape.slice(1) as number[]);
}

async function buildBase(
  cfg: BackboneConfig,
  options: OpenOptions,
): Promise<{ base: tf.LayersModel; info: BackboneInfo }> {
  if (!currentBackend()) await startBackend("wasm", { quiet: true });
  return await buildBaseBackbone(cfg, { seed: options.seed, cacheDir: options.cacheDir });
}

async function openTfjs(
  cfg: BackboneConfig,
  outputs: readonly BackboneOutput[],
  options: OpenOptions,
): Promise<FrozenBackbone> {
  const { base, info } = await buildBase(cfg, options);
  const model = cutModel(base, outputs);
  const size = cfg.size;
  return {
    engine: "tfjs",
    detail: `tfjs ${currentBackend()?.name ?? tf.getBackend()}`,
    size,
    outputs,
    shapes: shapesOf(model),
    fingerprint: info.fingerprint,
    async run(pixels: Uint8Array, n: number): Promise<Float32Array[]> {
      checkPixels(pixels, n, size);
      const ys = tf.tidy(() => {
        const x = tf.tensor4d(preprocess(pixels, info.preprocessing), [n, size, size, 3]);
        const r = model.predict(x) as tf.Tensor | tf.Tensor[];
        return Array.isArray(r) ? r : [r];
      });
      // read asynchronously: the webgpu backend has no synchronous read under Deno
      const results = await Promise.all(ys.map(async (t) => Float32Array.from(await t.data() as Float32Array)));
      tf.dispose(ys);
      return results;
    },
    dispose() {
      base.dispose();
    },
  };
}

async function openOnnx(
  cfg: BackboneConfig,
  outputs: readonly BackboneOutput[],
  options: OpenOptions,
): Promise<FrozenBackbone> {
  const ort = await loadOnnxRuntime();
  const fingerprint = await weightsFingerprint(cfg, options.cacheDir, options.seed);
  const { bytes } = await cachedOnnxModel(
    options.cacheDir,
    {
      fingerprint,
      source: cfg.source,
      size: cfg.size,
      preprocessing: preprocessingOf(cfg),
      outputs,
      precision: cfg.precision ?? "fp32",
    },
    async () => (await buildBase(cfg, options)).base,
    { quiet: options.quiet },
  );
  const threads = options.threads ?? defaultThreads();
  const providers = executionProviders();
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    executionProviders: providers,
  });
  const size = cfg.size;
  const names = outputs.map(outputName);
  // the per-image output shapes, from one blank image (cheap next to loading the weights)
  const probe = await session.run({
    pixels: new ort.Tensor("uint8", new Uint8Array(size * size * 3), [1, size, size, 3]),
  });
  const shapes = names.map((n) => (probe[n].dims as readonly number[]).slice(1).map(Number));
  return {
    engine: "onnx",
    detail: `onnxruntime-node ${ort.env.versions?.common ?? ""} (${cfg.precision ?? "fp32"}, ${
      providers.join(", ")
    }, ${threads} thread${threads > 1 ? "s" : ""})`,
    size,
    outputs,
    shapes,
    fingerprint,
    async run(pixels: Uint8Array, n: number): Promise<Float32Array[]> {
      checkPixels(pixels, n, size);
      const r = await session.run({ pixels: new ort.Tensor("uint8", pixels, [n, size, size, 3]) });
      return names.map((name) => r[name].data as Float32Array);
    },
    dispose() {
      void session.release();
    },
  };
}

function checkPixels(pixels: Uint8Array, n: number, size: number): void {
  if (!(Number.isInteger(n) && n > 0) || pixels.length !== n * size * size * 3) {
    throw new RangeError(
      `Cannot run the backbone: expected ${n} images of ${size}x${size}x3 (${
        n * size * size * 3
      } bytes), found ${pixels.length} bytes`,
    );
  }
}
