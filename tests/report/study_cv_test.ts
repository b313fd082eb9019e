/**
 * The study's cross-validation over several training seeds: each fold's number averaged over the seeds,
 * then mean ± SD over the folds (one seed: the fold's own numbers, as the study reports); the abstract's
 * comparisons and the findings over the folds, with how many seeds each holds for.
 */
import assert from "node:assert/strict";
import { formatMeanSd, managementRows, type MetricTable } from "../../lib/analysis/mod.ts";
import {
  abstractRecords,
  type CvComparison,
  cvComparisons,
  type FoldTables,
  meanOverSeedsPerFold,
} from "../../lib/report/study.ts";
import { cvFindings, cvMetricRows } from "../../lib/report/study_seeds.ts";
import { meanSd } from "../../lib/stats/descriptive.ts";
import { Prng } from "../../lib/util/prng.ts";

/** A metric table of random management predictions for 60 cases. */
function randomTable(prng: Prng): MetricTable {
  const truth = Array.from({ length: 60 }, (_, i) => i % 3);
  const probs = truth.map((t) => {
    const p = [prng.next(), prng.next(), prng.next()];
    p[t] += prng.next(); // better than chance, by a random amount
    const s = p[0] + p[1] + p[2];
    return p.map((x) => x / s);
  });
  return managementRows(truth, probs);
}

function randomFolds(seed: number): FoldTables {
  const prng = new Prng(seed);
  const three = () => [0, 1, 2].map(() => randomTable(prng));
  return { infr: three(), pred: three(), multi: three() };
}

Deno.test("meanOverSeedsPerFold: each fold averaged over seeds; ragged or empty input refused", () => {
  assert.deepEqual(meanOverSeedsPerFold([[1, 2, 3], [3, 4, 5]]), [2, 3, 4]);
  assert.deepEqual(meanOverSeedsPerFold([[0.5, 0.25]]), [0.5, 0.25]);
  assert.throws(() => meanOverSeedsPerFold([[1, 2, 3], [1, 2]]), /same number of folds for every seed, found \[3,2\]/);
  assert.throws(() => meanOverSeedsPerFold([]), /found \[\]/);
});

Deno.test("cross-validation over seeds: rows, the abstract's comparisons and their findings, computed by hand", () => {
  const a = randomFolds(1), b = randomFolds(2);
  // one seed: the study's mean ± SD over its folds, and the seed's own value is the same
  const one = cvMetricRows([a]).get("Table 2 pred 3-fold CV auroc")!;
  assert.equal(one.display, formatMeanSd(meanSd(a.pred.map((t) => t.average.auroc))));
  assert.deepEqual(one.perSeed, [one.display]);
  // two seeds: each fold averaged over the seeds first, then mean ± SD over the folds
  const two = cvMetricRows([a, b]).get("Table 3 3-fold CV accuracy")!;
  const perFold = [0, 1, 2].map((f) => (a.multi[f].accuracy + b.multi[f].accuracy) / 2);
  assert.equal(two.display, formatMeanSd(meanSd(perFold)));
  assert.deepEqual(two.perSeed, [a, b].map((s) => formatMeanSd(meanSd(s.multi.map((t) => t.accuracy)))));
  assert.equal(cvMetricRows([a, b]).size, 3 * 5); // infr, pred, multi x 4 measures + accuracy

  const comparisons = cvComparisons(a, b);
  assert.deepEqual(comparisons.map((c) => c.claim), [">", ">", ">=", ">="]);
  const accDiff = [a, b].map((s) => s.pred.map((t, f) => 100 * (t.accuracy - s.infr[f].accuracy)));
  assert.deepEqual(comparisons[0].differences, accDiff);
  const records = abstractRecords(a, b);
  assert.deepEqual(Object.keys(records[0]), [
    "comparison",
    "this run (pp, mean ± SD over folds)",
    "per seed (pp, mean ± SD over folds)",
    "study (pp)",
  ]);
  const m = meanSd(meanOverSeedsPerFold(accDiff));
  assert.equal(
    records[0]["this run (pp, mean ± SD over folds)"],
    `${m.mean >= 0 ? "+" : ""}${m.mean.toFixed(2)} ± ${m.sd.toFixed(2)}`,
  );
  assert.equal(records[0]["study (pp)"], "+13.73 ± 3.93");
  // one seed: the columns the notebooks have always shown
  assert.equal(Object.keys(abstractRecords(a)[0]).length, 3);
});

Deno.test("cvFindings: holds on the mean over folds; counts the seeds whose own mean holds", () => {
  const c = (claim: ">" | ">=", differences: number[][]): CvComparison => ({
    comparison: "multi-task vs single-task management: accuracy",
    claim,
    study: { mean: 4.68, sd: 1.89 },
    differences,
  });
  const [f] = cvFindings([c(">=", [[-1, -2, 0], [3, 2, 4], [0, 0, 0]])]);
  assert.equal(f.finding, "over the 3 folds, multi-task >= single-task management: accuracy");
  assert.equal(f.study, "+4.68 pp >= 0");
  assert.equal(f.thisRun, "+0.67 pp (mean over folds; holds for 2 of 3 seeds)"); // -1, +3, 0: >= 0 for two
  assert.equal(f.holds, true);
  // differences that cancel exactly in cases come out of floating point a hair below zero: still a tie
  const [tie] = cvFindings([c(">=", [[0.6923837784371889, -1.088031651829872, 0.3956478733926831]])]);
  assert.ok((0.6923837784371889 - 1.088031651829872 + 0.3956478733926831) / 3 < 0); // -7e-17 in float
  assert.equal(tie.holds, true);
  assert.equal(tie.thisRun, "+0.00 pp (mean over folds; holds for 1 of 1 seeds)");
  const [strict] = cvFindings([c(">", [[0, 0, 0]])]);
  assert.equal(strict.holds, false); // a tie does not beat
  assert.match(strict.thisRun, /holds for 0 of 1 seeds/);
});
