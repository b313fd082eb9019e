/**
 * MClass-D: loaders for a user's download, ISIC downloads, the synthetic benchmark, the agreement analysis.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerToExcision, majorityVote } from "./mod.ts";
 * assert.equal(answerToExcision("biopsy/further treatment", "demo"), 1);
 * assert.equal(answerToExcision("no biopsy needed", "demo"), 0); // negations first
 * assert.deepEqual(majorityVote([[1, 0, 1], [0, 0, 1], [1, 0, 0]]), [1, 0, 1]);
 * ```
 *
 * @module
 */
export * from "./answers.ts";
export * from "./data.ts";
export * from "./isic.ts";
export * from "./panel.ts";
export * from "./synthetic.ts";
export * from "./agreement.ts";
/** The seeded generator that the panel and the agreement analysis take (from lib/util). */
export type { Prng } from "../util/prng.ts";
