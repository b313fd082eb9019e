/**
 * Readable summaries of a network: per block, the number of layers, parameters and the output
 * shape (for notebooks and model cards).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { blockSummary } from "./summary.ts";
 * import { inceptionV3 } from "./inception_v3.ts";
 * await tf.setBackend("cpu");
 * const rows = blockSummary(inceptionV3());
 * assert.equal(rows.length, 12); // stem, mixed0..mixed10
 * assert.deepEqual(rows[0], { block: "stem", layers: 17, parameters: 173472, output: "35x35x192" });
 * assert.deepEqual(rows[11], { block: "mixed10", layers: 31, parameters: 6083328, output: "8x8x2048" });
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { layerBlocks } from "./inception_v3.ts";

/** One block of a network in {@linkcode blockSummary}. */
export interface BlockRow {
  /** The block's name ("stem", "mixed0", ...). */
  block: string;
  /** Layers in the block. */
  layers: number;
  /** Parameters of its layers (trainable or not, BatchNormalization's gammas and moving statistics included). */
  parameters: number;
  /** Shape of the block's output for one image, "HxWxC". */
  output: string;
}

/** One row per Inception block (stem, mixed0..mixed10). */
export function blockSummary(model: tf.LayersModel): BlockRow[] {
  const blocks = layerBlocks(model);
  const rows = new Map<string, BlockRow>();
  for (const layer of model.layers) {
    const b = blocks.get(layer.name);
    if (!b) continue;
    const row = rows.get(b) ?? { block: b, layers: 0, parameters: 0, output: "" };
    row.layers++;
    row.parameters += layer.countParams();
    if (layer.name === b || (b === "stem" && layer.getClassName() === "MaxPooling2D")) {
      row.output = (layer.outputShape as number[]).slice(1).join("x");
    }
    rows.set(b, row);
  }
  return [...rows.values()];
}
