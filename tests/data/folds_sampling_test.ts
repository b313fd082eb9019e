import assert from "node:assert/strict";
import {
  balancedClassWeights,
  crossValidationFolds,
  iterativeStratification,
  labelBalancedBatches,
  loadRelease,
  maxProportionDeviation,
} from "../../lib/data/mod.ts";
import { Prng } from "../../lib/util/prng.ts";
import { realReleaseDir, tempDir, writeFixtureRelease } from "../_helpers.ts";

Deno.test("folds: a partition of all cases into k disjoint test parts, train/valid disjoint from test, seeded", () => {
  const d = tempDir();
  writeFixtureRelease(d, { cases: 150, seed: 11 });
  const r = loadRelease(d, { quiet: true });
  const a = crossValidationFolds(r, { k: 3, seed: 5 });
  const b = crossValidationFolds(r, { k: 3, seed: 5 });
  const c = crossValidationFolds(r, { k: 3, seed: 6 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((f) => f.test), c.map((f) => f.test));
  const tests = a.flatMap((f) => f.test).sort((x, y) => x - y);
  assert.deepEqual(tests, [...Array(150).keys()]);
  for (const f of a) {
    const all = new Set([...f.train, ...f.valid, ...f.test]);
    assert.equal(all.size, 150);
    assert.ok(Math.abs(f.test.length - 50) <= 2, `test size ${f.test.length}`);
    // iterative stratification balances labels first, so small sets land within a few cases of the ratio
    assert.ok(Math.abs(f.valid.length / (f.train.length + f.valid.length) - 203 / 616) < 0.04);
  }
  assert.throws(() => crossValidationFolds(r, { k: 1, seed: 0 }), /expected an integer k >= 2, found 1/);
});

Deno.test("folds: iterative stratification keeps class shares closer than a random partition", () => {
  const dir = realReleaseDir();
  const d = tempDir();
  const r = dir
    ? loadRelease(dir, { quiet: true })
    : loadRelease(writeFixtureRelease(d, { cases: 600, seed: 2 }).dir, { quiet: true });
  const ours = maxProportionDeviation(r, crossValidationFolds(r, { k: 3, seed: 0 }));
  // random partitions, same sizes
  const randomDevs = [1, 2, 3, 4, 5].map((s) => {
    const order = new Prng(s).shuffle([...r.cases.keys()]);
    const folds = [0, 1, 2].map((f) => ({ fold: f, train: [], valid: [], test: order.filter((_, i) => i % 3 === f) }));
    return maxProportionDeviation(r, folds);
  });
  const meanRandom = randomDevs.reduce((a, b) => a + b, 0) / randomDevs.length;
  assert.ok(ours < meanRandom, `stratified ${ours.toFixed(4)} vs random ${meanRandom.toFixed(4)}`);
});

Deno.test("iterativeStratification: exact on a single balanced label; validates ratios", () => {
  const f = iterativeStratification([[0], [0], [0], [0], [1], [1], [1], [1]], [0.5, 0.5], { prng: new Prng(1) });
  assert.equal(f.filter((x, i) => x === 0 && i < 4).length, 2);
  assert.equal(f.filter((x, i) => x === 0 && i >= 4).length, 2);
  assert.throws(() => iterativeStratification([[0]], [0.5, 0.6], { prng: new Prng(1) }), /summing to 1/);
});

Deno.test("label-balanced batches: k cases per label per task (24k for 8 tasks, 27k with management), seeded", () => {
  const prng = new Prng(9);
  const n = 40;
  const labels = { a: [...Array(n)].map((_, i) => (i < 2 ? 1 : 0)), b: [...Array(n)].map((_, i) => i % 3) };
  const batches = labelBalancedBatches(labels, { k: 2, batches: 5, prng });
  assert.equal(batches.length, 5);
  for (const b of batches) {
    assert.equal(b.length, (2 + 3) * 2);
    assert.ok(b.filter((i) => labels.a[i] === 1).length >= 2, "the rare label appears k times");
    for (let c = 0; c < 3; c++) assert.ok(b.filter((i) => labels.b[i] === c).length >= 2);
  }
  assert.deepEqual(labelBalancedBatches(labels, { k: 2, batches: 5, prng: new Prng(9) }), batches);
  // a rare label's cases are cycled: both rare cases appear in every batch when k = 2
  for (const b of batches) assert.deepEqual([...new Set(b.filter((i) => i < 2))].sort(), [0, 1]);
  const empty: string[] = [];
  labelBalancedBatches({ t: [0, 0, 2] }, { k: 1, batches: 1, prng, onEmptyLabel: (t, l) => empty.push(`${t}:${l}`) });
  assert.deepEqual(empty, ["t:1"]);
  assert.throws(
    () => labelBalancedBatches({ t: [0, 1], u: [0] }, { k: 1, batches: 1, prng }),
    /expected 2 labels for task "u", found 1/,
  );
  assert.throws(
    () => labelBalancedBatches({ t: [0, 1.5] }, { k: 1, batches: 1, prng, classes: { t: 2 } }),
    /labels in 0\.\.1, found 1\.5 at 1/,
  );
});

Deno.test("class weights: n / (K n_c), as scikit-learn's compute_class_weight('balanced')", () => {
  // sklearn: compute_class_weight("balanced", classes=[0,1,2], y=[0,0,0,0,1,1,2]) = [0.58333, 1.16667, 2.33333]
  const w = balancedClassWeights([0, 0, 0, 0, 1, 1, 2], 3);
  assert.deepEqual(w.map((x) => Number(x.toFixed(5))), [0.58333, 1.16667, 2.33333]);
  assert.deepEqual(balancedClassWeights([0, 0], 2), [0.5, 0]);
  assert.throws(() => balancedClassWeights([0, 3], 3), /labels in 0\.\.2, found 3 at 1/);
});
