/**
 * Reading and writing Keras-layout HDF5 weight files (h5wasm, in memory).
 *
 * Keras 2 stores weights as: root attribute `layer_names`; per layer a group `/<layer>` with
 * attribute `weight_names` (e.g. "conv2d_1/kernel:0") and datasets at `/<layer>/<weight name>`. A
 * full-model file nests the same under `/model_weights`. This reads both and writes the plain form
 * (for tests and for exporting trained backbones).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKerasH5, writeKerasH5 } from "./keras_h5.ts";
 * // InceptionV3's first kernel: 3x3, from 3 to 32 channels
 * const kernel = { shape: [3, 3, 3, 32], data: new Float32Array(3 * 3 * 3 * 32).fill(0.5) };
 * const path = `${Deno.makeTempDirSync()}/w.h5`;
 * await writeKerasH5(path, new Map([["conv2d_1/kernel", kernel]]));
 * const weights = await readKerasH5(path);
 * assert.deepEqual(weights.get("conv2d_1/kernel"), kernel);
 * ```
 *
 * @module
 */
import h5wasm from "h5wasm";
import type { WeightArray } from "./weight_set.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
let counter = 0;

async function fs(): Promise<Any> {
  const Module = await (h5wasm as Any).ready;
  return Module.FS;
}

function attrStrings(node: Any, name: string): string[] | null {
  const a = node.attrs?.[name];
  if (!a) return null;
  const v = a.value;
  const list = Array.isArray(v) ? v : [v];
  return list.map((s: unknown) =>
    (s instanceof Uint8Array ? new TextDecoder().decode(s) : String(s)).replace(/\0+$/, "")
  );
}

/** The 8-byte signature that opens an HDF5 superblock (HDF5 spec, "Format Signature"). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Reads a file that must be HDF5, checking its signature first (at byte 0, 512, 1024, 2048, ...,
 * where the superblock may sit), so that a wrong file gets one line here instead of the HDF5
 * library's diagnostics on stderr.
 * @throws {Error} naming the file when it is missing, a folder, or not HDF5.
 */
export function readHdf5File(path: string, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch {
    throw new Error(`Cannot read ${what}: expected an HDF5 (.h5) file at ${path}, found none`);
  }
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return bytes;
  }
  throw new Error(
    `Cannot read ${what}: expected an HDF5 (.h5) file at ${path}, found ${
      bytes.length ? `${bytes.length} bytes without the HDF5 signature` : "an empty file"
    }`,
  );
}

/**
 * Reads every weight of a Keras .h5 file as "layer/weight" -> array.
 * @throws {Error} naming the file when it is missing or not a Keras weights file.
 */
export async function readKerasH5(path: string): Promise<Map<string, WeightArray>> {
  const bytes = readHdf5File(path, "Keras weights");
  const FS = await fs();
  const mem = `/read-${Deno.pid}-${counter++}.h5`;
  FS.writeFile(mem, bytes);
  const out = new Map<string, WeightArray>();
  try {
    let f: Any;
    try {
      f = new (h5wasm as Any).File(mem, "r");
    } catch (e) {
      throw new Error(
        `Cannot read Keras weights: expected an HDF5 file at ${path}, found an error: ${(e as Error).message}`,
      );
    }
    const root = f.keys().includes("model_weights") ? f.get("model_weights") : f;
    const layers = attrStrings(root, "layer_names") ?? root.keys();
    for (const layer of layers) {
      const g = root.get(layer);
      if (!g) continue;
      const names: string[] = attrStrings(g, "weight_names") ?? [];
      for (const wn of names) {
        const ds = g.get(wn) ?? root.get(`${layer}/${wn}`);
        if (!ds) {
          throw new Error(`Cannot read Keras weights ${path}: layer "${layer}" lists "${wn}" but has no such dataset`);
        }
        const data = Float32Array.from(ds.value as ArrayLike<number>);
        out.set(`${layer}/${wn.split("/").pop()!.replace(/:0$/, "")}`, { shape: [...ds.shape], data });
      }
    }
    f.close();
  } finally {
    try {
      FS.unlink(mem);
    } catch { /* already gone */ }
  }
  if (!out.size) {
    throw new Error(`Cannot read Keras weights: expected layer groups with weight_names in ${path}, found none`);
  }
  return out;
}

/** Writes weights ("layer/weight" -> array) as a Keras-layout .h5 file. */
export async function writeKerasH5(path: string, weights: Map<string, WeightArray>): Promise<void> {
  const FS = await fs();
  const mem = `/write-${Deno.pid}-${counter++}.h5`;
  const f = new (h5wasm as Any).File(mem, "w");
  const byLayer = new Map<string, [string, WeightArray][]>();
  for (const [name, w] of weights) {
    const [layer, weight] = name.split("/");
    if (!byLayer.has(layer)) byLayer.set(layer, []);
    byLayer.get(layer)!.push([weight, w]);
  }
  for (const [layer, ws] of byLayer) {
    const g = f.create_group(layer);
    const inner = g.create_group(layer);
    for (const [weight, w] of ws) {
      inner.create_dataset({ name: `${weight}:0`, data: w.data, shape: w.shape, dtype: "<f" });
    }
    g.create_attribute("weight_names", ws.map(([weight]) => `${layer}/${weight}:0`));
  }
  f.create_attribute("layer_names", [...byLayer.keys()]);
  f.create_attribute("backend", "tensorflow");
  f.create_attribute("keras_version", "2.2.4");
  f.flush();
  f.close();
  Deno.writeFileSync(path, FS.readFile(mem));
  FS.unlink(mem);
}
