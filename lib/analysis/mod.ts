/** The study's experiments as pure functions of prediction tables (no tfjs). */
export * from "./management.ts";
