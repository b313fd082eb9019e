/** The joining layer: notebook context, table export (figure export lives in plots/). */
export * from "./context.ts";
export * from "./export_table.ts";
export * from "./dataset.ts";
export * from "./frames.ts";
export * from "./run_frames.ts";
export * from "./compare_predictions.ts";
export * from "./released_predictions.ts";
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
