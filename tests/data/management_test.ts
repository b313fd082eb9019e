/**
 * Management from diagnosis (lib/data/management.ts) on hand-made labels with known answers: priors
 * with real zeros and an unseen diagnosis, marginalisation, and the sizes taken from the vocabulary.
 */
import assert from "node:assert/strict";
import {
  DIAGNOSIS_GROUPS,
  EXC,
  EXCISED_DIAGNOSES,
  inferManagement,
  MANAGEMENT_CLASSES,
  priorsFromLabels,
} from "../../lib/data/management.ts";
import { DIAGNOSIS, MANAGEMENT } from "../../lib/data/vocabulary.ts";

Deno.test("management sizes come from the vocabulary: 5 diagnoses, 3 classes, BCC and MEL excised, EXC = 2", () => {
  assert.equal(DIAGNOSIS_GROUPS, 5);
  assert.equal(MANAGEMENT_CLASSES, 3);
  assert.deepEqual(EXCISED_DIAGNOSES.map((d) => DIAGNOSIS.codes[d]), ["BCC", "MEL"]);
  assert.equal(MANAGEMENT.codes[EXC], "EXC");
});

Deno.test("priors p(MGMT | DIAG): counts, real zeros, an unseen diagnosis falls back to the overall distribution", () => {
  // diagnosis: BCC 0, NEV 1, MEL 2, MISC 3, SK 4; management: NONE 0, CLNC 1, EXC 2
  const diag = [0, 1, 1, 1, 1, 2, 2, 3, 3];
  const mgmt = [2, 1, 1, 2, 0, 2, 2, 0, 1];
  const p = priorsFromLabels(diag, mgmt);
  assert.deepEqual(p.table[0], [0, 0, 1]);
  assert.deepEqual(p.table[1], [0.25, 0.5, 0.25]);
  assert.deepEqual(p.table[2], [0, 0, 1]);
  assert.deepEqual(p.table[3], [0.5, 0.5, 0]);
  assert.deepEqual(p.unseen, [4]);
  assert.deepEqual(p.table[4], [2 / 9, 3 / 9, 4 / 9]);
  const smoothed = priorsFromLabels(diag, mgmt, { smoothing: 1 });
  assert.deepEqual(smoothed.table[0], [1 / 4, 1 / 4, 2 / 4]);
  assert.throws(() => priorsFromLabels([5], [0]), /diagnosis labels in 0\.\.4, found 5/);
});

Deno.test("marginalisation: P(MGMT | x) = sum_d p(d | x) p(MGMT | d); a certain melanoma is excised with probability 1", () => {
  const p = priorsFromLabels([0, 1, 1, 2, 3, 4], [2, 1, 0, 2, 0, 0]);
  const out = inferManagement([[0, 0, 1, 0, 0], [0, 1, 0, 0, 0], [0.5, 0.5, 0, 0, 0]], p);
  assert.deepEqual(out[0], [0, 0, 1]);
  assert.deepEqual(out[1], [0.5, 0.5, 0]);
  assert.deepEqual(out[2], [0.25, 0.25, 0.5]);
  for (const row of out) assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  assert.throws(() => inferManagement([[1, 0, 0]], p), /expected 5 diagnosis probabilities in row 0, found 3/);
});
