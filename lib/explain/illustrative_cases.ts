/**
 * Test cases worth explaining first, chosen from a run's predictions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PredictionsTable } from "../model/predictions.ts";
 * import { illustrativeCases } from "./illustrative_cases.ts";
 * // a diagnosis-only run with three test cases (classes BCC, NEV, MEL, MISC, SK; truth: MEL, NEV, MEL)
 * const probs = [[0, 0, 0.9, 0.1, 0], [0.8, 0.1, 0.1, 0, 0], [0, 0, 0.6, 0.4, 0]];
 * const predictions: PredictionsTable = {
 *   dir: "demo", heads: ["diagnosis"], rows: [],
 *   probs: () => probs, truth: () => [2, 1, 2], caseNums: () => [7, 8, 9],
 * };
 * assert.deepEqual(illustrativeCases(predictions), [
 *   { caseNum: 7, why: "a melanoma the model gets right, most confidently (p = 0.90)" },
 *   { caseNum: 8, why: "the most confident wrong diagnosis (p = 0.80)" }, // no management head: no missed excision
 * ]);
 * ```
 *
 * @module
 */
import { HeadName, HEADS } from "../data/vocabulary.ts";
import type { PredictionsTable } from "../model/predictions.ts";
import { argmaxIndex } from "../stats/confusion.ts";

/**
 * Test cases worth walking through: the most confident correct melanoma, the most confident wrong
 * diagnosis, and the most confident missed excision (true EXC, management predicted otherwise);
 * each only when the run has one. Distinct cases, in that order.
 */
export function illustrativeCases(predictions: PredictionsTable): { caseNum: number; why: string }[] {
  const out: { caseNum: number; why: string }[] = [];
  const nums = predictions.caseNums("test");
  const pick = (head: HeadName, ok: (truth: number, pred: number) => boolean, why: string) => {
    if (!predictions.heads.includes(head)) return;
    const probs = predictions.probs(head, "test"), truth = predictions.truth(head, "test");
    let best = -1, conf = -1;
    probs.forEach((p, i) => {
      const k = argmaxIndex(p);
      if (ok(truth[i], k) && p[k] > conf && !out.some((o) => o.caseNum === nums[i])) (best = i), (conf = p[k]);
    });
    if (best >= 0) out.push({ caseNum: nums[best], why: `${why} (p = ${conf.toFixed(2)})` });
  };
  const MEL = HEADS.diagnosis.codes.indexOf("MEL"), EXC = HEADS.management.codes.indexOf("EXC");
  pick("diagnosis", (t, k) => t === MEL && k === MEL, "a melanoma the model gets right, most confidently");
  pick("diagnosis", (t, k) => t !== k, "the most confident wrong diagnosis");
  pick("management", (t, k) => t === EXC && k !== EXC, "the most confident missed excision");
  return out;
}
