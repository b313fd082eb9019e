/**
 * ONNX Runtime for the frozen backbone: loading `onnxruntime-node` (its CPU library ships inside the npm
 * package; Deno loads it as a Node-API addon), the on-disk cache of exported models, and sessions.
 *
 * Exported models are cached under `<cacheDir>/onnx/` keyed by the weights' fingerprint, the input size,
 * the preprocessing, the outputs, the precision and the exporter's (and quantiser's) version; a JSON file
 * beside each model records its sha256, and a model whose bytes do not match is rebuilt, never used. An
 * int8 model is the float32 model (cached too) quantised with ranges measured on the calibration images
 * (calibration.ts).
 *
 * `DERM7PT_NO_ONNX=1` makes it unavailable (to use or test the tfjs engine everywhere).
 *
 * Execution providers: CPU by default. `DERM7PT_ORT_PROVIDERS=cuda,cpu` asks for ONNX Runtime's CUDA
 * provider first, for users who installed it (not tested in this project: its libraries are not in the
 * npm package and cannot be downloaded here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { cachedOnnxModel } from "./onnx_runtime.ts";
 * import { tinyInception } from "./inception_v3.ts";
 * await tf.setBackend("cpu");
 * const cacheDir = Deno.makeTempDirSync();
 * const key = {
 *   fingerprint: "random:0",
 *   source: "tiny",
 *   size: 32,
 *   preprocessing: "x/255" as const,
 *   outputs: [{ layer: "mixed1", kind: "pooled" as const }],
 * };
 * const first = await cachedOnnxModel(cacheDir, key, () => Promise.resolve(tinyInception()));
 * assert.equal(first.rebuilt, true);
 * assert.ok(first.path.startsWith(`${cacheDir}/onnx/tiny-32-`));
 * const again = await cachedOnnxModel(cacheDir, key, () => Promise.reject(new Error("not called")));
 * assert.equal(again.rebuilt, false); // read from the cache, its checksum verified
 * assert.deepEqual(Uint8Array.from(again.bytes), Uint8Array.from(first.bytes));
 * // running it: const ort = await loadOnnxRuntime(); (throws with the reason when the addon does not load)
 * ```
 *
 * @module
 */
import { join } from "node:path";
import type * as Ort from "onnxruntime-node";
import { sha256Hex, sha256Parts } from "../util/hash.ts";
import { exists, readTextFile, writeBytesAtomic, writeJsonAtomic } from "../util/fs.ts";
import { type BackboneOutput, exportOnnx } from "./onnx_export.ts";
import type { Preprocessing } from "./weight_set.ts";
import type { Precision } from "./config.ts";
import { calibrationId, calibrationImages, measureRanges } from "./calibration.ts";
import { quantizeGraph, QUANTIZER_VERSION } from "./quantize.ts";
import type * as tf from "@tensorflow/tfjs";

/** The `onnxruntime-node` module's API. */
export type OnnxRuntime = typeof Ort;

/** Bumped whenever the exporter's graph changes, so that cached models are rebuilt. */
export const ONNX_EXPORTER_VERSION = "onnx-export-v1";

/**
 * What makes the graph of a precision, besides the weights, size, preprocessing and outputs: the exporter's
 * version, and for int8 also the quantiser's version and the calibration images' fingerprint. Cached
 * models and int8 features are keyed by it.
 */
export function graphVersion(precision: Precision = "fp32"): string[] {
  return precision === "int8" ? [ONNX_EXPORTER_VERSION, QUANTIZER_VERSION, calibrationId()] : [ONNX_EXPORTER_VERSION];
}

let runtime: OnnxRuntime | null = null;

/**
 * The `onnxruntime-node` module.
 * @throws {Error} with the reason when the package or its native library does not load.
 */
export async function loadOnnxRuntime(): Promise<OnnxRuntime> {
  if (runtime) return runtime;
  if (Deno.env.get("DERM7PT_NO_ONNX")) {
    throw new Error("Cannot load onnxruntime-node: DERM7PT_NO_ONNX is set (the tfjs engine is used instead)");
  }
  try {
    const mod = await import("onnxruntime-node");
    runtime = ((mod as unknown as { default?: OnnxRuntime }).default?.InferenceSession
      ? (mod as unknown as { default: OnnxRuntime }).default
      : mod) as OnnxRuntime;
    return runtime;
  } catch (e) {
    const first = String((e as Error).message ?? e).split("\n")[0];
    throw new Error(`Cannot load onnxruntime-node: ${first}`);
  }
}

/** The execution providers asked for by `DERM7PT_ORT_PROVIDERS` (default CPU only). */
export function executionProviders(): string[] {
  const raw = Deno.env.get("DERM7PT_ORT_PROVIDERS")?.trim();
  if (!raw) return ["cpu"];
  const list = raw.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const known = ["cpu", "cuda"];
  const bad = list.find((p) => !known.includes(p));
  if (bad) {
    throw new RangeError(`Cannot use DERM7PT_ORT_PROVIDERS: expected a list of ${known.join(", ")}, found "${bad}"`);
  }
  return list.includes("cpu") ? list : [...list, "cpu"];
}

/** What identifies an exported model. */
export interface OnnxModelKey {
  /** sha256 of the backbone's weights (or "random:..." for a seeded random backbone). */
  fingerprint: string;
  /** Short name of the weights' source, for the file name (e.g. "nsfwjs"). */
  source: string;
  /** Input side in pixels. */
  size: number;
  /** The pixel preprocessing the graph applies. */
  preprocessing: Preprocessing;
  /** The graph's outputs, in order. */
  outputs: readonly BackboneOutput[];
  /** float32 (default) or int8 (quantised, calibrated on calibration.ts's images). */
  precision?: Precision;
}

/** The cached model's path for a key. */
export function onnxModelPath(cacheDir: string, key: OnnxModelKey): string {
  const int8 = key.precision === "int8";
  const id = sha256Parts([
    key.fingerprint,
    String(key.size),
    key.preprocessing,
    JSON.stringify(key.outputs),
    ...graphVersion(key.precision),
  ]).slice(0, 20);
  return join(cacheDir, "onnx", `${key.source}-${key.size}-${int8 ? "int8-" : ""}${id}.onnx`);
}

/**
 * The exported model for `key`: read from the cache when its checksum matches, else exported from the
 * tfjs model that `build` returns (and cached). A corrupt cached model is reported once and rebuilt.
 */
export async function cachedOnnxModel(
  cacheDir: string,
  key: OnnxModelKey,
  build: () => Promise<tf.LayersModel>,
  options: { quiet?: boolean } = {},
): Promise<{ bytes: Uint8Array; path: string; rebuilt: boolean }> {
  const path = onnxModelPath(cacheDir, key);
  const meta = path.replace(/\.onnx$/, ".json");
  if (exists(path) && exists(meta)) {
    const bytes = Deno.readFileSync(path);
    let expected = "";
    try {
      expected = JSON.parse(readTextFile(meta, "an exported model's checksum")).sha256;
    } catch { /* unreadable: rebuilt below */ }
    if (sha256Hex(bytes) === expected) return { bytes, path, rebuilt: false };
    if (!options.quiet) {
      console.error(`warning: the exported model ${path} is damaged (checksum mismatch); rebuilding it`);
    }
  }
  let bytes: Uint8Array;
  if (key.precision === "int8") {
    const fp32 = await cachedOnnxModel(cacheDir, { ...key, precision: "fp32" }, build, options);
    const ort = await loadOnnxRuntime();
    const ranges = await measureRanges(ort, fp32.bytes, calibrationImages(key.size), key.size, {
      intraOpNumThreads: defaultThreads(),
      graphOptimizationLevel: "all",
    });
    bytes = quantizeGraph(fp32.bytes, ranges);
  } else {
    const model = await build();
    bytes = exportOnnx(model, key.outputs, { preprocessing: key.preprocessing, docString: key.fingerprint });
  }
  writeBytesAtomic(path, bytes);
  writeJsonAtomic(meta, {
    sha256: sha256Hex(bytes),
    fingerprint: key.fingerprint,
    size: key.size,
    preprocessing: key.preprocessing,
    outputs: key.outputs,
    exporter: ONNX_EXPORTER_VERSION,
    precision: key.precision ?? "fp32",
    ...(key.precision === "int8" ? { quantizer: QUANTIZER_VERSION, calibration: calibrationId() } : {}),
  });
  return { bytes, path, rebuilt: true };
}

/** Threads for ONNX Runtime's intra-op pool: `DERM7PT_THREADS`, else every core this process may use. */
export function defaultThreads(): number {
  const env = Number(Deno.env.get("DERM7PT_THREADS"));
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, navigator.hardwareConcurrency || 1);
}
