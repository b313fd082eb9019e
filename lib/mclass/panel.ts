/**
 * A simulated panel of dermatologists for the synthetic MClass-like benchmark (labelled synthetic
 * everywhere it appears). Each image has a latent suspiciousness z (melanomas higher:
 * z ~ N(separation, 1), nevi z ~ N(0, 1)); rater r answers "excise" with probability
 * sigmoid(slope (z - threshold_r)), where each rater's threshold varies (heterogeneous sensitivity and
 * specificity). Shared image difficulty makes raters agree beyond chance; the defaults were chosen so
 * that the agreement lands near the published levels for MClass-D (Fleiss' kappa about 0.41,
 * pairwise Cohen's kappa about 0.41 +- 0.10; Brinker et al. 2019's dermatologists: sensitivity 74%,
 * specificity 60%). Seeded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { simulatePanel } from "./panel.ts";
 * import { Prng } from "../util/prng.ts";
 * const p = simulatePanel([1, 0, 0, 1], { raters: 5, prng: new Prng(1) });
 * assert.deepEqual(p.answers.map((row) => row.length), [4, 4, 4, 4, 4]); // 5 raters x 4 images
 * assert.ok(p.answers.flat().every((a) => a === 0 || a === 1));
 * assert.deepEqual(simulatePanel([1, 0, 0, 1], { raters: 5, prng: new Prng(1) }), p); // seeded
 * ```
 *
 * @module
 */
import type { Prng } from "../util/prng.ts";

/** Settings of the simulated panel. */
export interface PanelOptions {
  /** Number of dermatologists (default 157, as MClass-D). */
  raters?: number;
  /** Draws the latent values, thresholds and answers. */
  prng: Prng;
  /** Mean latent shift of melanomas over nevi (default 0.9). */
  separation?: number;
  /** Steepness of each rater's response (default 2.4). */
  slope?: number;
  /** Mean of the raters' thresholds (default 0.35). */
  thresholdMean?: number;
  /** SD of the raters' thresholds (default 0.5). */
  thresholdSd?: number;
}

/** A simulated panel's answers. */
export interface Panel {
  /** answers[r][i]: 1 = excise (biopsy / further treatment), 0 = reassure. */
  answers: number[][];
  /** Each image's latent suspiciousness. */
  latent: number[];
  /** The settings used, defaults filled in. */
  settings: Required<Omit<PanelOptions, "prng">>;
}

/** Simulates the answers of a panel to images whose truth is 1 (melanoma) or 0 (nevus). */
export function simulatePanel(truth: readonly number[], options: PanelOptions): Panel {
  const s = {
    raters: options.raters ?? 157,
    separation: options.separation ?? 0.9,
    slope: options.slope ?? 2.4,
    thresholdMean: options.thresholdMean ?? 0.35,
    thresholdSd: options.thresholdSd ?? 0.5,
  };
  const prng = options.prng;
  const latent = truth.map((t) => prng.normal(t ? s.separation : 0, 1));
  const answers = Array.from({ length: s.raters }, () => {
    const threshold = prng.normal(s.thresholdMean, s.thresholdSd);
    return latent.map((z) => (prng.next() < 1 / (1 + Math.exp(-s.slope * (z - threshold))) ? 1 : 0));
  });
  return { answers, latent, settings: s };
}
