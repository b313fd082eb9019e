/**
 * Readable summaries of a network: per block, the number of layers, parameters and the output
 * shape (for notebooks and model cards).
 *
 * @example
 * ```ts ignore
 * import { blockSummary } from "./summary.ts";
 * blockSummary(inceptionV3()); // [{ block: "stem", layers: 17, parameters: 264352, output: "35x35x192" }, ...]
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { layerBlocks } from "./inception_v3.ts";

export interface BlockRow {
  block: string;
  layers: number;
  parameters: number;
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
