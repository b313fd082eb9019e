/** The study's experiments as pure functions of prediction tables (no tfjs). */
export * from "./metrics_tables.ts";
export * from "./experiments.ts";
export * from "./published.ts";
