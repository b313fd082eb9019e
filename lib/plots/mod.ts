/** Figures: Observable Plot charts drawn headless, standalone SVG, PNG export with provenance. */
export * from "./theme.ts";
export * from "./document.ts";
export * from "./figure.ts";
export * from "./png.ts";
export * from "./export.ts";
export * from "./dataset.ts";
export * from "./montage.ts";
export * from "./curves.ts";
export * from "./training.ts";
export * from "./distances.ts";
export * from "./matrices.ts";
export * from "./calibration.ts";
export * from "./overlay.ts";
export * from "./composite.ts";
