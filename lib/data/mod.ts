/**
 * The Derm7pt data layer: vocabulary and grouping, loading and validating a release, images,
 * cross-validation folds, label-balanced sampling, descriptive tables and the synthetic release.
 *
 * @example
 * ```ts ignore
 * import { loadRelease, table1 } from "./mod.ts";
 * const release = loadRelease(Deno.env.get("DERM7PT_DIR")!);
 * console.table(table1(release).filter((r) => r.split === "test" && r.diagnosis === "all"));
 * ```
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
