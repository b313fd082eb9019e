/**
 * The model layer: the typed run configuration, InceptionV3 and the multi-modal multi-task network,
 * backbone weights (nsfwjs, Keras .h5, tfjs folders), the tfjs backends and the frozen-backbone
 * engines (ONNX Runtime, tfjs), training a run into a run folder, the run folder's integrity, and
 * predicting with a run (releases, new cases, feature tables). Tensors stay inside this module: what
 * it returns are plain arrays and records.
 *
 * Internal files (feature cache, feeds, the training loop, kernels, ONNX export, serialisation) are
 * imported by path where a test needs them; they are not part of this entry point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classesOf, defaultRunConfig, headsOf } from "./mod.ts";
 * const cfg = defaultRunConfig({ kind: "mgmt", inputs: "CDM", preset: "features", seed: 0 });
 * assert.deepEqual(headsOf("mgmt"), ["management"]);
 * assert.equal(classesOf("management"), 3);
 * assert.equal(cfg.model.kind, "mgmt");
 * ```
 *
 * @module
 */
export * from "./config.ts";
export * from "./backend.ts";
export * from "./engine.ts";
export * from "./weight_set.ts";
export * from "./weights.ts";
export * from "./keras_h5.ts";
export * from "./download.ts";
export * from "./inception_v3.ts";
export * from "./network.ts";
export * from "./summary.ts";
export * from "./prior_correction.ts";
export * from "./run.ts";
export * from "./run_files.ts";
export * from "./predictions.ts";
export * from "./predict.ts";
export * from "./feature_table.ts";
