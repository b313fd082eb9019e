/**
 * The statistics of the study and of its audit: pure functions over plain arrays (no tfjs), each
 * matched against SciPy, statsmodels, scikit-learn, PyCM or R in tests/stats/.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classwiseMetrics, mcnemar, mcnemarTable, rocAucOvr } from "./mod.ts";
 * assert.equal(classwiseMetrics([0, 1, 2, 2], [0, 2, 2, 2]).accuracy, 0.75);
 * const probs = [[1, 0, 0], [0.1, 0.5, 0.4], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]];
 * assert.equal(rocAucOvr([0, 1, 2, 2], probs), (1 + 1 + 0.875) / 3);
 * const table = mcnemarTable([0, 1, 1, 0], [0, 1, 0, 0], [1, 1, 1, 0]);
 * assert.deepEqual(table, [[2, 1], [1, 0]]);
 * assert.equal(mcnemar(table, { method: "midp" }).pValue, 0.75); // b = c = 1: 1 - P(X = 1) / 2
 * ```
 *
 * @module
 */
export type { Numbers } from "./_checks.ts";
export * from "./descriptive.ts";
export * from "./special.ts";
export * from "./confusion.ts";
export * from "./roc.ts";
export * from "./precision_recall.ts";
export * from "./cosine.ts";
export * from "./jensen_shannon.ts";
export * from "./hellinger.ts";
export * from "./wasserstein.ts";
export * from "./prediction_distances.ts";
export * from "./wilcoxon.ts";
export * from "./mcnemar.ts";
export * from "./kappa.ts";
export * from "./effect_size.ts";
export * from "./bootstrap.ts";
export * from "./kde.ts";
export * from "./delong.ts";
export * from "./calibration.ts";
export * from "./decision_curve.ts";
export * from "./multiple_testing.ts";
