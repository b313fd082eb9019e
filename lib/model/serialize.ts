/**
 * Saving and loading model weights in the tfjs format (model.json + weights.bin) with Deno's file
 * system, atomically. (tfjs' own `file://` save handler needs tfjs-node.) The topology is saved
 * too, for inspection; models are rebuilt from the run's config, and weights are matched by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { loadWeightsInto, saveWeights, savedHeadInputSize, snapshotWeights } from "./serialize.ts";
 * import { buildHeads } from "./network.ts";
 * await tf.setBackend("cpu");
 * const cfg = { hidden: 0, l2: 0, standardize: false, transform: "none" as const };
 * const dir = `${Deno.makeTempDirSync()}/weights`;
 * await saveWeights(buildHeads(4, "mgmt", cfg, 1), dir);
 * assert.equal(savedHeadInputSize(dir), 4);
 * const model = buildHeads(4, "mgmt", cfg, 2); // another seed: other initial weights
 * loadWeightsInto(model, dir);
 * assert.deepEqual(snapshotWeights(model), snapshotWeights(buildHeads(4, "mgmt", cfg, 1)));
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { readJsonFile, writeBytesAtomic, writeJsonAtomic } from "../util/fs.ts";
import { concatFloat32 } from "../util/arrays.ts";

/**
 * The model's weights in creation order. (`model.weights` lists trainable weights first, so its
 * order changes when layers are frozen or unfrozen; creation order does not.)
 */
export function orderedWeights(model: tf.LayersModel): tf.LayerVariable[] {
  return [...model.weights].sort((a, b) => (a as unknown as { id: number }).id - (b as unknown as { id: number }).id);
}

/**
 * Writes `model`'s topology and weights (in creation order) to `dir` (model.json + weights.bin). Reads
 * the weights asynchronously: tfjs' webgpu backend cannot read synchronously under Deno.
 */
export async function saveWeights(model: tf.LayersModel, dir: string): Promise<void> {
  const weights = orderedWeights(model);
  const values = concatFloat32(await readWeights(model));
  const data = new Uint8Array(values.buffer);
  writeBytesAtomic(join(dir, "weights.bin"), data);
  writeJsonAtomic(join(dir, "model.json"), {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: model.toJSON(null, false),
    weightsManifest: [{
      paths: ["weights.bin"],
      weights: weights.map((w) => ({ name: w.originalName, shape: w.shape, dtype: "float32" })),
    }],
  });
}

/**
 * Loads weights saved by `saveWeights` into a model built from the same config. Weights are matched
 * in creation order and must agree in name and shape (nested backbones repeat layer names, so names
 * alone are not unique).
 * @throws {Error} naming the first weight whose name or shape differs, or a count mismatch.
 */
export function loadWeightsInto(model: tf.LayersModel, dir: string): void {
  const specs = savedWeightSpecs(dir);
  const bin = join(dir, "weights.bin");
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(bin);
  } catch {
    throw new Error(`Cannot load weights: expected a file at ${bin}, found none`);
  }
  const expected = 4 * specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.length !== expected) {
    throw new Error(
      `Cannot load weights from ${bin}: expected ${expected} bytes (the shapes in model.json), found ${bytes.length}`,
    );
  }
  if (specs.length !== model.weights.length) {
    throw new Error(
      `Cannot load weights from ${dir}: expected ${model.weights.length} weights for ${model.name}, found ${specs.length}`,
    );
  }
  const weights = orderedWeights(model);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let offset = 0;
  const values = specs.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(buffer, offset, n);
    offset += 4 * n;
    return v;
  });
  specs.forEach((spec, i) => {
    const w = weights[i];
    const t = { shape: spec.shape };
    const same = spec.name === w.originalName && t.shape.length === w.shape.length &&
      t.shape.every((d, j) => d === w.shape[j]);
    if (!same) {
      throw new Error(
        `Cannot load weights from ${dir}: weight ${i} is "${spec.name}" ${
          JSON.stringify(t.shape)
        } in the file but "${w.originalName}" ${
          JSON.stringify(w.shape)
        } in the model (was it built from the same config?)`,
      );
    }
  });
  specs.forEach((spec, i) => {
    const t = tf.tensor(values[i], spec.shape);
    weights[i].write(t);
    t.dispose();
  });
}

/** A copy of every weight's values in creation order (synchronous: not on webgpu, use `readWeights`). */
export function snapshotWeights(model: tf.LayersModel): Float32Array[] {
  return orderedWeights(model).map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

/**
 * A copy of every weight's values in creation order, read asynchronously (best-model snapshots and
 * checkpoints): tfjs' webgpu backend has no synchronous read under Deno (its `dataSync` draws through
 * an OffscreenCanvas that Deno lacks).
 */
export async function readWeights(model: tf.LayersModel): Promise<Float32Array[]> {
  return await Promise.all(
    orderedWeights(model).map(async (w) => Float32Array.from(await w.read().data() as Float32Array)),
  );
}

/** Writes a snapshot back. */
export function restoreWeights(model: tf.LayersModel, snapshot: readonly Float32Array[]): void {
  orderedWeights(model).forEach((w, i) => {
    const t = tf.tensor(snapshot[i], w.shape as number[]);
    w.write(t);
    t.dispose();
  });
}

/**
 * The input width of the heads saved in `dir` (features preset): the first kernel's first dimension.
 * @throws {Error} naming the folder when it holds no kernel.
 */
export function savedHeadInputSize(dir: string): number {
  const kernel = savedWeightSpecs(dir).find((w) => w.name.endsWith("kernel") && w.shape.length === 2);
  if (!kernel) throw new Error(`Cannot read the heads in ${dir}: expected a dense kernel in model.json, found none`);
  return kernel.shape[0];
}

/** The weight names and shapes that `saveWeights` wrote into `dir`. */
function savedWeightSpecs(dir: string): tf.io.WeightsManifestEntry[] {
  const m = readJsonFile<{ weightsManifest?: tf.io.WeightsManifestConfig }>(join(dir, "model.json"), "saved weights");
  if (!Array.isArray(m?.weightsManifest)) {
    throw new Error(
      `Cannot load weights from ${join(dir, "model.json")}: expected a "weightsManifest" list, found none`,
    );
  }
  return m.weightsManifest.flatMap((g) => g.weights);
}
