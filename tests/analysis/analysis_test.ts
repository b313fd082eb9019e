/**
 * The infr/pred pipeline on hand-made predictions with known answers: priors (with real zeros and
 * an unseen diagnosis), marginalisation, the binary mappings, over-excision counts, the severity
 * penalty, McNemar matrices, and reading prediction tables written to disk.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  alignCases,
  binaryBaseline,
  distanceComparison,
  foldSummary,
  inferVsPredict,
  inferVsPredictCases,
  managementRows,
  mcnemarMatrix,
  overExcision,
  publishedWronglyExcised,
} from "../../lib/analysis/mod.ts";
import {
  diagnosisToBinary,
  excisionScoreFromDiagnosis,
  managementToBinary,
  priorsFromLabels,
} from "../../lib/data/management.ts";
import { readPredictions, writePredictions } from "../../lib/model/predictions.ts";
import { Prng } from "../../lib/util/prng.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("binary mappings: MEL and BCC -> EXC; EXC vs CLNC + NONE; P(EXC) = p(BCC) + p(MEL)", () => {
  assert.deepEqual(diagnosisToBinary([0, 1, 2, 3, 4]), [1, 0, 1, 0, 0]);
  assert.deepEqual(managementToBinary([0, 1, 2]), [0, 0, 1]);
  assert.deepEqual(excisionScoreFromDiagnosis([[0.1, 0.2, 0.3, 0.2, 0.2]]).map((v) => Number(v.toFixed(10))), [0.4]);
  const b = binaryBaseline({
    truth: [2, 2, 1, 0],
    diagnosisProbs: [[0, 0, 1, 0, 0], [0, 1, 0, 0, 0], [0, 1, 0, 0, 0], [1, 0, 0, 0, 0]],
    predProbs: [[0, 0, 1], [0, 0, 1], [0, 1, 0], [0.1, 0.2, 0.7]],
  });
  // truth binary [1,1,0,0]; infr binary [1,0,0,1]: 2 correct; pred binary [1,1,0,1]: 3 correct
  assert.deepEqual([b.infr.correct, b.pred.correct, b.n], [2, 3, 4]);
  assert.equal(b.infr.sensitivityAverage, 0.5);
  assert.equal(b.pred.sensitivityAverage, 0.75);
});

Deno.test("over-excision counts, percent fewer and the severity-weighted error", () => {
  const truth = [0, 0, 1, 1, 2, 2];
  const infr = [2, 2, 2, 1, 2, 2]; // 3 non-EXC cases sent to excision
  const pred = [0, 2, 1, 0, 2, 0]; // 1
  const o = overExcision(truth, infr, pred);
  assert.deepEqual([o.infr, o.pred, o.nonExc], [3, 1, 4]);
  assert.ok(Math.abs(o.percentFewer - 200 / 3) < 1e-12);
  // default penalty: infr errors (0->2: 1, 0->2: 1, 1->2: 1) = 3/6; pred (0->2: 1, 1->0: 2, 2->0: 3) = 6/6
  assert.equal(o.severity.infr, 0.5);
  assert.equal(o.severity.pred, 1);
  assert.equal(overExcision(truth, infr, pred, [[0, 0, 0], [0, 0, 0], [0, 0, 0]]).severity.pred, 0);
});

Deno.test("metric rows and fold summaries (Table 2 layout)", () => {
  const t = managementRows([0, 1, 2, 2], [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]);
  assert.equal(t.accuracy, 1);
  assert.equal(t.average.sensitivity, 1);
  assert.deepEqual(t.perClass.map((r) => r.label), ["NONE", "CLNC", "EXC"]);
  const s = foldSummary([t, { ...t, accuracy: 0.5 }]);
  assert.equal(s.accuracy.mean, 0.75);
  assert.ok(Math.abs(s.accuracy.sd - Math.sqrt(0.125)) < 1e-12);
});

Deno.test("McNemar matrix: symmetric mid-p, Holm over the distinct pairs, discordant counts", () => {
  const truth = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2];
  const m = mcnemarMatrix(truth, { a: truth, b: truth.map((t, i) => (i < 6 ? t : 0)), c: truth.map(() => 0) });
  assert.deepEqual(m.names, ["a", "b", "c"]);
  assert.ok(Number.isNaN(m.p[0][0]));
  assert.equal(m.p[0][1], m.p[1][0]);
  assert.deepEqual(m.discordant[0][1], [4, 0]);
  assert.ok(m.holm[0][1] >= m.p[0][1]);
});

Deno.test("inferVsPredict on prediction tables written to disk: aligned by case, numbers as computed by hand", () => {
  const dir = tempDir();
  const mk = (sub: string, rows: Record<string, number | string | null>[], heads: ("diagnosis" | "management")[]) => {
    Deno.mkdirSync(join(dir, sub));
    writePredictions(join(dir, sub), rows as never, heads);
    return readPredictions(join(dir, sub));
  };
  const diag = mk("diag", [
    {
      case_num: 1,
      split: "test",
      fold: null,
      diagnosis_BCC: 0,
      diagnosis_NEV: 0,
      diagnosis_MEL: 1,
      diagnosis_MISC: 0,
      diagnosis_SK: 0,
      diagnosis_true: 2,
    },
    {
      case_num: 2,
      split: "test",
      fold: null,
      diagnosis_BCC: 0,
      diagnosis_NEV: 1,
      diagnosis_MEL: 0,
      diagnosis_MISC: 0,
      diagnosis_SK: 0,
      diagnosis_true: 1,
    },
    {
      case_num: 3,
      split: "train",
      fold: null,
      diagnosis_BCC: 0,
      diagnosis_NEV: 1,
      diagnosis_MEL: 0,
      diagnosis_MISC: 0,
      diagnosis_SK: 0,
      diagnosis_true: 1,
    },
  ], ["diagnosis"]);
  const mgmt = mk("mgmt", [
    {
      case_num: 2,
      split: "test",
      fold: null,
      management_NONE: 0.1,
      management_CLNC: 0.8,
      management_EXC: 0.1,
      management_true: 1,
    },
    {
      case_num: 1,
      split: "test",
      fold: null,
      management_NONE: 0,
      management_CLNC: 0.1,
      management_EXC: 0.9,
      management_true: 2,
    },
  ], ["management"]);
  assert.deepEqual(alignCases(diag, mgmt, "test"), { caseNums: [1, 2], ia: [0, 1], ib: [1, 0] });
  const priors = priorsFromLabels([1, 1, 2], [1, 2, 2]);
  const r = inferVsPredict(diag, mgmt, priors, "test");
  assert.deepEqual(r.truth, [2, 1]);
  assert.deepEqual(r.infrProbs, [[0, 0, 1], [0, 0.5, 0.5]]);
  assert.deepEqual(r.pred.predicted, [2, 1]);
  assert.equal(r.pred.accuracy, 1);
  // infr: case 2 ties CLNC/EXC at 0.5 -> arg-max takes the first (CLNC): right
  assert.equal(r.infr.accuracy, 1);
  const d = distanceComparison(r.truth, r.infrProbs, r.predProbs, { prng: new Prng(1), samples: 50 });
  assert.equal(d.length, 4);
  assert.ok(d.every((x) => x.infr.values.length === 2));
  assert.throws(() => inferVsPredict(mgmt, mgmt, priors), /expected a diagnosis head/);
});

Deno.test("binary baseline table: each row's wrongly excised count is recomputed from that row's own decision", async () => {
  const { binaryBaselineRecords, overExcisionRecords } = await import("../../lib/report/study.ts");
  const prng = new Prng(12);
  for (let trial = 0; trial < 5; trial++) {
    const n = 120;
    const diagnosisTruth = Array.from({ length: n }, () => prng.int(5));
    // management follows the diagnosis loosely; nevi are often excised, so the priors send nevi towards EXC
    const truth = diagnosisTruth.map((
      d,
    ) => (d === 0 || d === 2 ? 2 : d === 1 ? prng.categorical([1, 2, 3]) : prng.int(2)));
    const priors = priorsFromLabels(diagnosisTruth, truth);
    const soft = (k: number, hot: number) => {
      const raw = Array.from({ length: k }, (_, c) => Math.exp((c === hot ? 1.5 : 0) + prng.normal(0, 1)));
      const s = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / s);
    };
    const diagnosisProbs = diagnosisTruth.map((d) => soft(5, d));
    const predProbs = truth.map((m) => soft(3, m));
    const r = inferVsPredictCases({
      caseNums: truth.map((_, i) => i),
      truth,
      diagnosisTruth,
      diagnosisProbs,
      predProbs,
    }, priors);
    const infrProbs = r.infrProbs;
    const rows = binaryBaselineRecords(r);
    const argmax = (p: number[]) => p.indexOf(Math.max(...p));
    // definitions: a non-EXC case (truth NONE or CLNC) that the approach sends to excision
    const binaryInfr = truth.filter((t, i) => t !== 2 && [0, 2].includes(argmax(diagnosisProbs[i]))).length;
    const binaryPred = truth.filter((t, i) => t !== 2 && argmax(predProbs[i]) === 2).length;
    const allInfr = truth.filter((t, i) => t !== 2 && argmax(infrProbs[i]) === 2).length;
    assert.deepEqual(rows.map((x) => x.approach), [
      "MGMT_infr,binary",
      "MGMT_pred,binary",
      "MGMT_infr,all",
      "MGMT_pred,all",
    ]);
    assert.deepEqual(rows.map((x) => x["wrongly excised"]), [binaryInfr, binaryPred, allInfr, binaryPred]);
    const correctInfr = truth.filter((t, i) =>
      (t === 2 ? 1 : 0) === ([0, 2].includes(argmax(diagnosisProbs[i])) ? 1 : 0)
    )
      .length;
    assert.equal(rows[0].correct, correctInfr);
    assert.ok(Number.isNaN(rows[0]["severity-weighted error"]) && Number.isNaN(rows[1]["severity-weighted error"]));
    if (trial === 0) {
      assert.notEqual(
        binaryInfr,
        allInfr,
        "the data should tell the binary rule from the 3-class model",
      );
    }
    const oe = overExcisionRecords(r);
    assert.equal(oe[2].value, allInfr);
    assert.equal(oe[4].value, (100 * (allInfr - binaryPred)) / n);
  }
});

Deno.test("the study's 24.56% fewer wrongly excised cases: (138 - 41) / 395 from its Table 2 EXC specificities", () => {
  // Sci Rep 11:7769 Table 2: EXC specificity 0.0921 (infr), 0.7303 (pred); test split 40 NONE + 112 CLNC + 243 EXC
  const w = publishedWronglyExcised();
  assert.deepEqual([w.infr, w.pred, w.nonExc, w.n], [138, 41, 152, 395]);
  assert.equal(w.percentOfCases.toFixed(2), "24.56");
  assert.equal(Number(((1 - 0.0921) * 152).toFixed(1)), 138); // the specificity is 14/152 to 4 digits
  const o = overExcision([0, 0, 1, 2], [2, 2, 2, 2], [2, 0, 1, 2]);
  assert.equal(o.percentOfCases, 50); // 3 wrongly excised by infr, 1 by pred: 2 fewer, of 4 test cases
});

Deno.test("ablationMcnemar: fewer than two ablation runs is an error that names the runs it needs", async () => {
  const { ablationMcnemar } = await import("../../lib/report/study.ts");
  assert.throws(
    () => ablationMcnemar({}),
    /Cannot compare the ablation runs: expected at least two of multi-C, .*multi-M, found none/,
  );
});
