/**
 * The prior correction folded into the heads: after it, each head's probabilities are the balanced ones
 * times the training priors, renormalised (Bayes' rule), and the other heads' blocks are shifted only by
 * their own priors.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../lib/model/backend.ts";
import { buildHeads } from "../../lib/model/network.ts";
import { applyPriorCorrection, logPriors } from "../../lib/model/prior_correction.ts";
import { headsOf } from "../../lib/model/config.ts";

Deno.test("prior correction: p(c | x) = p_b(c | x) pi_c / sum_k p_b(k | x) pi_k for every head of a multi-task model", async () => {
  await startBackend("cpu", { quiet: true });
  const heads = buildHeads(6, "multi", { hidden: 0, l2: 0, standardize: false, transform: "none" }, 3);
  const x = tf.tensor2d(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 6]);
  const before = (heads.predict(x) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);
  const labels = Object.fromEntries(headsOf("multi").map((h, i) => [h, [0, 0, 1, 0, 1, 0, i % 2]]));
  const added = applyPriorCorrection(heads, "multi", labels);
  const after = (heads.predict(x) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);
  headsOf("multi").forEach((h, j) => {
    const pi = logPriors(labels[h], before[j][0].length).map(Math.exp);
    assert.deepEqual(added[h], logPriors(labels[h], before[j][0].length));
    before[j].forEach((row, r) => {
      const z = row.reduce((s, p, c) => s + p * pi[c], 0);
      row.forEach((p, c) => assert.ok(Math.abs(after[j][r][c] - (p * pi[c]) / z) < 1e-6, `${h}[${r}][${c}]`));
    });
  });
  assert.throws(
    () =>
      applyPriorCorrection(
        buildHeads(6, "mgmt", { hidden: 0, l2: 0, standardize: false, transform: "none" }, 1),
        "multi",
        labels,
      ),
    /expected a bias of 27 values, found 3/,
  );
});
