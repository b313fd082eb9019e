/**
 * Figures: Observable Plot charts drawn headless as standalone SVG (title, legend, caption inside),
 * multi-panel and composite layouts, one colour-blind-safe palette, PNG and PDF export with
 * provenance, and a readability check of the exported text. Plots take plain records, never tensors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rocFigure, textProblems } from "./mod.ts";
 * const svg = rocFigure([{ label: "EXC", fpr: [0, 0.2, 1], tpr: [0, 0.7, 1], area: 0.75 }]).svg(336);
 * assert.ok(svg.includes("EXC (AUROC 0.750)"));
 * assert.deepEqual(textProblems(svg), []);
 * ```
 *
 * @module
 */
export * from "./theme.ts";
export * from "./palette.ts";
export * from "./fonts.ts";
export * from "./document.ts";
export * from "./figure.ts";
export * from "./multipanel.ts";
export * from "./png.ts";
export * from "./pdf.ts";
export * from "./export.ts";
export * from "./text_boxes.ts";
export * from "./dataset.ts";
export * from "./montage.ts";
export * from "./curves.ts";
export * from "./training.ts";
export * from "./distances.ts";
export * from "./matrices.ts";
export * from "./calibration.ts";
export * from "./overlay.ts";
export * from "./composite.ts";
