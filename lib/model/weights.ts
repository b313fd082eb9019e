/**
 * Backbone weights: where they come from, and loading them into a model by Keras layer name.
 *
 * A `WeightSet` is a map from "layer/weight" (e.g. "conv2d_1/kernel",
 * "batch_normalization_1/moving_mean") to a float32 array and shape, plus its provenance and the
 * pixel preprocessing it expects. Sources:
 * - `nsfwjsInceptionV3()` — the offline default: the Keras InceptionV3 shipped inside the npm
 *   package nsfwjs@4.4.0 (MIT), ImageNet-initialised and fine-tuned on a 5-class photo task, with
 *   uint8-quantised weights; layers up to mixed5 kept their ImageNet values (the model's config marks
 *   them not trainable). NOT the study's backbone. Preprocessing x/255.
 * - `kerasH5Weights(path)` — Keras' ImageNet InceptionV3 (`..._notop.h5`), the study's backbone, or
 *   any Keras-layout .h5. Preprocessing x/127.5 - 1 (Keras "tf" mode).
 * - `tfjsLayersWeights(dir)` — a tfjs LayersModel folder (model.json + shards).
 * `applyWeights` copies a set into a model by name and fails with the list of missing and
 * mismatched layers. tf.keras-style names (`conv2d`, `conv2d_1`, ... counted from 0) are renamed to
 * Keras 2 / keras-applications names (`conv2d_1`, `conv2d_2`, ...) first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { applyWeights } from "./weights.ts";
 * import { tinyInception } from "./inception_v3.ts";
 * await tf.setBackend("cpu");
 * // real use: applyWeights(inceptionV3(), await nsfwjsInceptionV3({ cacheDir: ".cache/models" }))
 * const kernel = { shape: [3, 3, 3, 4], data: new Float32Array(3 * 3 * 3 * 4).fill(0.5) };
 * const set = {
 *   id: "demo",
 *   description: "one kernel",
 *   fingerprint: "",
 *   preprocessing: "x/255" as const,
 *   weights: new Map([["conv2d_1/kernel", kernel]]),
 * };
 * const model = tinyInception();
 * assert.throws(() => applyWeights(model, set), /Cannot load weights "demo" into tiny_inception/);
 * const report = applyWeights(model, set, { allowMissing: () => true });
 * assert.deepEqual(report.loaded, ["conv2d_1/kernel"]);
 * assert.equal(report.defaultedGamma, 9); // Keras' BatchNormalization has no gamma: ones
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../util/hash.ts";
import { exists, writeBytesAtomic, writeJsonAtomic } from "../util/fs.ts";
import { concatBytes } from "../util/arrays.ts";

import type { Preprocessing, WeightArray, WeightSet } from "./weight_set.ts";

const NSFWJS_DIR = "node_modules/nsfwjs/dist/models/inception_v3";

function evaluateUmd(path: string): unknown {
  // nsfwjs ships model.json and weight shards as browserify bundles exporting a JSON object / base64 string.
  const code = Deno.readTextFileSync(path);
  const module = { exports: {} as unknown };
  new Function("module", "exports", "require", "define", "window", "global", "self", code)(
    module,
    module.exports,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  );
  return module.exports;
}

/** Decodes a tfjs weights manifest + concatenated shard bytes into named float32 arrays. */
export function decodeTfjsWeights(manifest: tf.io.WeightsManifestConfig, data: ArrayBuffer): Map<string, WeightArray> {
  const specs = manifest.flatMap((g) => g.weights);
  const named = tf.io.decodeWeights(data, specs);
  const out = new Map<string, WeightArray>();
  for (const [name, t] of Object.entries(named)) {
    out.set(name.replace(/:0$/, ""), { shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) });
    t.dispose();
  }
  return out;
}

/**
 * The offline default backbone (see module doc), extracted once from the nsfwjs npm package and
 * cached as a tfjs weights file under `cacheDir`.
 */
// deno-lint-ignore require-await -- async like the other weight loaders (keras-h5, download)
export async function nsfwjsInceptionV3(options: { cacheDir: string; projectRoot?: string }): Promise<WeightSet> {
  const cache = extractNsfwjs(options);
  const description =
    "Keras InceptionV3 from the npm package nsfwjs@4.4.0 (MIT): ImageNet-initialised, fine-tuned on a 5-class photo task (layers up to mixed5 kept ImageNet weights), uint8-quantised. Not the study's ImageNet backbone.";
  const m = JSON.parse(Deno.readTextFileSync(join(cache, "manifest.json")));
  const bytes = Deno.readFileSync(join(cache, "weights.bin"));
  const weights = decodeTfjsWeights(
    m.weightsManifest,
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
  return { id: "nsfwjs-inception_v3", description, fingerprint: m.sha256, preprocessing: "x/255", weights };
}

/** sha256 of the offline backbone's weights (extracting them once), without decoding them. */
export function nsfwjsFingerprint(options: { cacheDir: string; projectRoot?: string }): string {
  const cache = extractNsfwjs(options);
  return JSON.parse(Deno.readTextFileSync(join(cache, "manifest.json"))).sha256;
}

/** Extracts the nsfwjs weights into `<cacheDir>/nsfwjs-inception_v3` once; returns that folder. */
function extractNsfwjs(options: { cacheDir: string; projectRoot?: string }): string {
  const root = options.projectRoot ?? fileURLToPath(new URL("../../", import.meta.url));
  const cache = join(options.cacheDir, "nsfwjs-inception_v3");
  if (exists(join(cache, "weights.bin")) && exists(join(cache, "manifest.json"))) return cache;
  const dir = join(root, NSFWJS_DIR);
  if (!exists(join(dir, "model.min.js"))) {
    throw new Error(
      `Cannot load the offline InceptionV3: expected the nsfwjs package at ${dir}, found none (run "deno install")`,
    );
  }
  const model = evaluateUmd(join(dir, "model.min.js")) as { weightsManifest: tf.io.WeightsManifestConfig };
  const shards = model.weightsManifest.flatMap((g) => g.paths);
  const parts = shards.map((p) => {
    const b64 = String(evaluateUmd(join(dir, `${p}.min.js`)));
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  });
  const all = concatBytes(parts);
  writeBytesAtomic(join(cache, "weights.bin"), all);
  writeJsonAtomic(join(cache, "manifest.json"), { weightsManifest: model.weightsManifest, sha256: sha256Hex(all) });
  return cache;
}

/** Weights of a tfjs LayersModel folder (model.json and its shards). */
export function tfjsLayersWeights(dir: string, options: { preprocessing?: Preprocessing } = {}): WeightSet {
  const modelJson = join(dir, "model.json");
  if (!exists(modelJson)) throw new Error(`Cannot load tfjs weights: expected ${modelJson}, found none`);
  const m = JSON.parse(Deno.readTextFileSync(modelJson));
  const manifest = m.weightsManifest as tf.io.WeightsManifestConfig;
  const all = concatBytes(manifest.flatMap((g) => g.paths).map((p) => Deno.readFileSync(join(dir, p))));
  return {
    id: `tfjs:${dir}`,
    description: `tfjs LayersModel weights from ${dir}`,
    fingerprint: sha256Hex(all),
    preprocessing: options.preprocessing ?? "x/127.5-1",
    weights: decodeTfjsWeights(manifest, all.buffer as ArrayBuffer),
  };
}

/**
 * Renames tf.keras-style names counted from 0 (`conv2d/kernel`, `conv2d_1/kernel`, ...) to Keras 2 /
 * keras-applications names counted from 1 (`conv2d_1/kernel`, `conv2d_2/kernel`, ...), for each
 * layer kind that has an unsuffixed first layer. Other names are unchanged.
 */
export function normalizeKerasNames(weights: Map<string, WeightArray>): Map<string, WeightArray> {
  const kinds = new Set<string>();
  for (const name of weights.keys()) {
    const layer = name.split("/")[0];
    if (!/_\d+$/.test(layer) && !/^mixed/.test(layer)) kinds.add(layer);
  }
  if (!kinds.size) return weights;
  const out = new Map<string, WeightArray>();
  for (const [name, w] of weights) {
    const [layer, ...rest] = name.split("/");
    const m = layer.match(/^(.*?)(?:_(\d+))?$/)!;
    const kind = m[1], idx = m[2] === undefined ? 0 : Number(m[2]);
    out.set(kinds.has(kind) ? [`${kind}_${idx + 1}`, ...rest].join("/") : name, w);
  }
  return out;
}

/** What {@linkcode applyWeights} did, weight by weight ("layer/weight" names). */
export interface ApplyReport {
  /** Model weights copied from the set. */
  loaded: string[];
  /** Model weights with no counterpart in the set (filled by a default, or an error). */
  missing: string[];
  /** Same name, different shape. */
  mismatched: { name: string; model: number[]; file: number[] }[];
  /** Set entries the model does not use. */
  unused: string[];
  /** BatchNormalization gammas absent from the set (Keras builds scale=False) set to ones. */
  defaultedGamma: number;
}

/**
 * Copies `set` into `model` by name (see module doc).
 * @throws {Error} listing every missing and mismatched weight unless `allowMissing` accepts it.
 */
export function applyWeights(
  model: tf.LayersModel,
  set: WeightSet,
  options: { allowMissing?: (name: string) => boolean } = {},
): ApplyReport {
  const weights = normalizeKerasNames(set.weights);
  const report: ApplyReport = { loaded: [], missing: [], mismatched: [], unused: [], defaultedGamma: 0 };
  const used = new Set<string>();
  const writes: [tf.LayerVariable, tf.Tensor][] = [];
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      const name = `${layer.name}/${v.originalName.split("/").pop()}`;
      const w = weights.get(name);
      if (!w) {
        if (layer.getClassName() === "BatchNormalization" && name.endsWith("/gamma")) {
          writes.push([v, tf.ones(v.shape as number[])]);
          report.defaultedGamma++;
        } else report.missing.push(name);
        continue;
      }
      used.add(name);
      if (w.shape.length !== v.shape.length || w.shape.some((d, i) => d !== v.shape[i])) {
        report.mismatched.push({ name, model: v.shape as number[], file: w.shape });
        continue;
      }
      writes.push([v, tf.tensor(w.data, w.shape)]);
      report.loaded.push(name);
    }
  }
  for (const k of weights.keys()) if (!used.has(k)) report.unused.push(k);
  const fatalMissing = report.missing.filter((n) => !(options.allowMissing?.(n)));
  if (fatalMissing.length || report.mismatched.length) {
    for (const [, t] of writes) t.dispose();
    const lines = [
      ...fatalMissing.map((n) => `  missing: ${n}`),
      ...report.mismatched.map((m) =>
        `  mismatched: ${m.name} (model ${JSON.stringify(m.model)}, weights ${JSON.stringify(m.file)})`
      ),
    ];
    throw new Error(
      `Cannot load weights "${set.id}" into ${model.name}: expected every layer to have weights of the same shape, found ${fatalMissing.length} missing and ${report.mismatched.length} mismatched:\n${
        lines.slice(0, 40).join("\n")
      }${lines.length > 40 ? `\n  ... ${lines.length - 40} more` : ""}`,
    );
  }
  for (const [v, t] of writes) {
    v.write(t);
    t.dispose();
  }
  return report;
}

/** A Keras-layout .h5 weights file (e.g. the ImageNet `..._notop.h5`) as a weight set. */
export async function kerasH5Weights(
  path: string,
  options: { preprocessing?: Preprocessing; id?: string } = {},
): Promise<WeightSet> {
  const { readKerasH5 } = await import("./keras_h5.ts");
  const weights = await readKerasH5(path);
  return {
    id: options.id ?? `keras-h5:${path.split("/").pop()}`,
    description: `Keras weights from ${path}`,
    fingerprint: sha256Hex(Deno.readFileSync(path)),
    preprocessing: options.preprocessing ?? "x/127.5-1",
    weights,
  };
}
