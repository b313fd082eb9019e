/**
 * The Derm7pt data layer: vocabulary and grouping, loading and validating a release, images,
 * cross-validation folds, label-balanced sampling, descriptive tables and the synthetic release.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadRelease, table1, writeSyntheticRelease } from "./mod.ts";
 * const dir = Deno.makeTempDirSync(); // or a real release: Deno.env.get("DERM7PT_DIR")
 * await writeSyntheticRelease(dir, { cases: 20, seed: 1, imageSize: 16, progress: false, workers: 0 });
 * const release = loadRelease(dir, { quiet: true });
 * const test = table1(release).filter((r) => r.split === "test" && r.diagnosis === "all");
 * assert.equal(test.reduce((n, r) => n + r.count, 0), release.splits.test.length);
 * ```
 *
 * @module
 */
export * from "./vocabulary.ts";
export * from "./management.ts";
export * from "./release.ts";
export * from "./tables.ts";
export * from "./folds.ts";
export * from "./sampling.ts";
export * from "./images.ts";
export * from "./resample.ts";
export * from "./location.ts";
export { sampleSyntheticRows, syntheticSplits, writeSyntheticRelease } from "./synth/generate.ts";
export type { SyntheticReleaseOptions, SyntheticRow } from "./synth/generate.ts";
export * from "./augment.ts";
/** The seeded generator that folds, sampling, augmentation and the synthetic release take (from lib/util). */
export type { Prng } from "../util/prng.ts";
