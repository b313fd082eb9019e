/** Bad input raises errors that say what was expected and what was found. */
import assert from "node:assert/strict";
import * as S from "../../lib/stats/mod.ts";

Deno.test("bad input: different lengths and empty arrays", () => {
  assert.throws(() => S.confusionMatrix([0, 1], [0]), /expected truth and pred of the same length, found 2 and 1/);
  assert.throws(() => S.classwiseMetrics([], []), /expected a non-empty truth, found an empty one/);
  assert.throws(() => S.wilcoxon([1, 2], [1]), /expected x and y of the same length, found 2 and 1/);
  assert.throws(() => S.wilcoxon([]), /expected a non-empty x/);
  assert.throws(() => S.cosineDistance([], []), /non-empty u/);
  assert.throws(() => S.quantile([], 0.5), /non-empty sample/);
  assert.throws(() => S.cohensD([1], [2, 3]), /at least 2 values in each sample, found 1 and 2/);
  assert.throws(() => S.delongTest([0, 1], [0.1], [0.2, 0.3]), /same length/);
});

Deno.test("bad input: probabilities that do not sum to 1, negative values and bad labels", () => {
  assert.throws(
    () => S.predictionDistances([[0.5, 0.6]], [0]),
    /expected row 0 to sum to 1 \(within 0\.0001\), found a sum of 1\.1/,
  );
  assert.throws(
    () => S.predictionDistances([[0.5, 0.5]], [2]),
    /target to hold integer labels in 0\.\.1, found 2 at index 0/,
  );
  assert.throws(() => S.predictionDistances([[1.5, -0.5]], [0]), /non-negative probabilities in row 0, found -0\.5/);
  assert.throws(() => S.jensenShannonDistance([0, 0], [1, 0]), /expected p with a positive sum, found 0/);
  assert.throws(() => S.hellingerDistance([-0.1, 1.1], [1, 0]), /non-negative values in p, found -0\.1/);
  assert.throws(() => S.confusionMatrix([0, 1.5], [0, 1]), /integer labels .* found 1\.5 at index 1/);
  assert.throws(() => S.rocAuc([0, 2], [0.1, 0.2]), /expected truth of 0\/1 values, found 2 at index 1/);
  assert.throws(() => S.rocAuc([0, 1], [0.1, NaN]), /finite numbers in scores, found NaN at index 1/);
});

Deno.test("bad input: negative counts, non-2x2 tables, a single class for AUROC", () => {
  assert.throws(() => S.mcnemar([[1, -2], [3, 4]]), /non-negative integer counts in table, found -2 at index 1/);
  assert.throws(() => S.mcnemar([[1, 2, 3], [3, 4, 5]]), /expected a 2x2 table, found 2x3/);
  assert.throws(() => S.fleissKappa([[1, -1]]), /non-negative counts, found -1 in row 0, column 1/);
  assert.throws(() => S.fleissKappa([[2, 1], [1, 1]]), /expected 3 ratings for every subject, found 2 in row 1/);
  assert.throws(() => S.rocAuc([1, 1, 1], [0.1, 0.2, 0.3]), /expected both classes in truth, found only positives/);
  assert.throws(() => S.rocCurve([0, 0], [0.1, 0.2]), /found only negatives/);
  assert.throws(() => S.cohenKappaFromTable([[1, 2]]), /expected a square table, found 1x2/);
  assert.throws(
    () => S.wilcoxon([1, 2, 3], undefined, { method: "bogus" as "exact" }),
    /expected method "auto", "exact" or "approx", found "bogus"/,
  );
  assert.throws(() => S.quantile([1, 2], 1.5), /expected q in \[0, 1\], found 1\.5/);
});
