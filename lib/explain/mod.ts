/** Explaining a trained run: Grad-CAM maps, input attributions, the training distribution, robustness. */
export * from "./decompose.ts";
export * from "./gradcam.ts";
export * from "./attribution.ts";
export * from "./inputs.ts";
export * from "./reference.ts";
export * from "./robustness.ts";
export * from "./open_run.ts";
export * from "./illustrative_cases.ts";
