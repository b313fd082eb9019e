/**
 * Decision-curve analysis (Vickers & Elkin 2006, Med Decis Making 26:565): the net benefit of
 * acting (here: excising) when the predicted probability reaches a threshold t, against acting on
 * everyone or no one. NB(t) = TP/N - (FP/N) t/(1 - t); treat-all NB = prevalence -
 * (1 - prevalence) t/(1 - t); treat-none NB = 0. The odds t/(1 - t) is the harm of an unnecessary
 * excision relative to the benefit of a necessary one that the threshold implies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { netBenefit } from "./decision_curve.ts";
 * const r = netBenefit([1, 1, 0, 0], [0.9, 0.6, 0.7, 0.1], [0.5]);
 * assert.deepEqual(r, [{ threshold: 0.5, model: 0.25, treatAll: 0, treatNone: 0 }]); // TP 2, FP 1: 2/4 - 1/4 * 1
 * ```
 *
 * @module
 */
import { checkBinary, checkNonEmpty, checkSameLength } from "./_checks.ts";

/** Net benefits at one threshold (in true positives per case). */
export interface NetBenefitPoint {
  /** The probability threshold t at or above which a case is acted on. */
  threshold: number;
  /** The model's net benefit, TP/N - (FP/N) t/(1 - t). */
  model: number;
  /** Acting on everyone: prevalence - (1 - prevalence) t/(1 - t). */
  treatAll: number;
  /** Acting on no one: 0. */
  treatNone: number;
}

/**
 * Net benefit of the model, treat-all and treat-none at each threshold in (0, 1).
 * @throws {RangeError} on empty input, different lengths, non-binary truth or a threshold outside (0, 1).
 */
export function netBenefit(
  truth01: readonly number[],
  scores: readonly number[],
  thresholds: readonly number[],
): NetBenefitPoint[] {
  checkNonEmpty("netBenefit", "truth", truth01);
  checkSameLength("netBenefit", truth01, scores, ["truth", "scores"]);
  checkBinary("netBenefit", "truth", truth01);
  const n = truth01.length;
  const prevalence = truth01.reduce((a, b) => a + b, 0) / n;
  return thresholds.map((t) => {
    if (!(t > 0 && t < 1)) throw new RangeError(`Cannot compute netBenefit: expected thresholds in (0, 1), found ${t}`);
    let tp = 0, fp = 0;
    for (let i = 0; i < n; i++) {
      if (scores[i] >= t) {
        if (truth01[i] === 1) tp++;
        else fp++;
      }
    }
    const odds = t / (1 - t);
    return {
      threshold: t,
      model: tp / n - (fp / n) * odds,
      treatAll: prevalence - (1 - prevalence) * odds,
      treatNone: 0,
    };
  });
}
