/**
 * The joining layer: the notebook context, tables as DataFrames and their export (figure export lives
 * in plots/), the study's runs, tables, figures and reports, the MClass-D analysis, case reports and
 * model cards, built from data, models and statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparePredictions, frameOf } from "./mod.ts";
 * assert.deepEqual(frameOf([{ run: "a", auroc: 0.8 }]).columns, ["run", "auroc"]);
 * assert.equal(comparePredictions([0, 1], [0, 1], [0, 0]).mcnemar.exact.pValue, 1);
 * ```
 *
 * @module
 */
export * from "./context.ts";
export * from "./export_table.ts";
export * from "./dataset.ts";
export * from "./frames.ts";
export * from "./run_frames.ts";
export * from "./compare_predictions.ts";
export * from "./released_predictions.ts";
export * from "./primer.ts";
export * from "./training.ts";
export * from "./experiments.ts";
export * from "./study.ts";
export * from "./study_figures.ts";
export * from "./study_frames.ts";
export * from "./study_report.ts";
export * from "./study_seeds.ts";
export * from "./tune.ts";
export * from "./mclass.ts";
export * from "./case_report.ts";
export * from "./model_card.ts";
