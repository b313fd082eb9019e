/**
 * Test cases worth explaining first, chosen from a run's predictions.
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
