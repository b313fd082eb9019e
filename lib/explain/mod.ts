/**
 * Explaining a trained run: the run split at its head input, Grad-CAM maps, integrated-gradients
 * attributions per input, where a case sits against the training cases, robustness to perturbed or
 * removed inputs, and the test cases worth explaining first. Most of it needs a trained run; the
 * reference and the subset drawing are plain functions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IMAGE_INPUTS, stratifiedSubset } from "./mod.ts";
 * import { Prng } from "../util/prng.ts";
 * assert.deepEqual(IMAGE_INPUTS, ["clinical", "derm"]);
 * assert.equal(stratifiedSubset([0, 1, 0, 1], 2, new Prng(3)).length, 2);
 * ```
 *
 * @module
 */
export * from "./decompose.ts";
export * from "./gradcam.ts";
export * from "./attribution.ts";
export * from "./inputs.ts";
export * from "./reference.ts";
export * from "./robustness.ts";
export * from "./open_run.ts";
export * from "./illustrative_cases.ts";
