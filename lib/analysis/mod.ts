/**
 * The study's experiments as pure functions of prediction tables (no tfjs): metric tables, inferred vs
 * predicted management, the binary baseline, over-excision, distances, McNemar matrices, and the
 * published numbers to compare with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { managementRows, PUBLISHED } from "./mod.ts";
 * const r = managementRows([0, 1, 2], [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]]);
 * assert.equal(r.accuracy, 1);
 * assert.equal(PUBLISHED.table2.pred.accuracy, 0.6987);
 * ```
 *
 * @module
 */
export * from "./metrics_tables.ts";
export * from "./experiments.ts";
export * from "./published.ts";
