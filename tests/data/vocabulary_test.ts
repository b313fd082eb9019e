import assert from "node:assert/strict";
import {
  DIAGNOSIS,
  encodeMetadata,
  groupLabel,
  HEADS,
  MANAGEMENT,
  METADATA_FEATURES,
  MULTI_TASK_HEADS,
  sevenPointScore,
  TASKS,
} from "../../lib/data/vocabulary.ts";

Deno.test("vocabulary: 8 tasks with 24 grouped labels, management with 3 (Kawahara et al. grouping)", () => {
  assert.equal(TASKS.length, 8);
  assert.equal(TASKS.reduce((s, t) => s + t.codes.length, 0), 24);
  assert.deepEqual(DIAGNOSIS.codes, ["BCC", "NEV", "MEL", "MISC", "SK"]);
  assert.deepEqual(MANAGEMENT.codes, ["NONE", "CLNC", "EXC"]);
  assert.equal(MULTI_TASK_HEADS.length, 9);
  assert.equal(MULTI_TASK_HEADS.at(-1), "management");
});

Deno.test("vocabulary: every raw diagnosis string maps to its group (derm7pt Derm7PtDatasetGroupInfrequent)", () => {
  assert.equal(Object.keys(DIAGNOSIS.groups).length, 20);
  assert.equal(groupLabel("diagnosis", "melanoma metastasis"), 2);
  assert.equal(groupLabel("diagnosis", "reed or spitz nevus"), 1);
  assert.equal(groupLabel("diagnosis", "vascular lesion"), 3);
  assert.equal(groupLabel("pigmentation", "localized regular"), 1);
  assert.equal(groupLabel("regression_structures", "combinations"), 1);
  assert.equal(groupLabel("vascular_structures", "within regression"), 1);
  assert.equal(groupLabel("vascular_structures", "linear irregular"), 2);
  assert.equal(groupLabel("management", "clinical follow up"), 1);
});

Deno.test("vocabulary: strings outside the vocabulary are errors naming the task and the accepted strings", () => {
  assert.throws(
    () => groupLabel("diagnosis", "Melanoma"),
    /Cannot group diagnosis label: expected one of .*"melanoma".*found "Melanoma"/,
  );
  assert.throws(() => groupLabel("streaks", "present"), /streaks.*found "present"/);
  assert.throws(() => groupLabel("management", "excise"), /management/);
});

Deno.test("seven-point score: major criteria 2, minor 1 (Argenziano et al. 1998)", () => {
  const none = Object.fromEntries(Object.keys(HEADS).map((h) => [h, 0]));
  assert.equal(sevenPointScore(none), 0);
  assert.equal(sevenPointScore({ ...none, pigment_network: 2, blue_whitish_veil: 1, vascular_structures: 2 }), 6);
  assert.equal(
    sevenPointScore({ ...none, pigmentation: 2, streaks: 2, dots_and_globules: 2, regression_structures: 1 }),
    4,
  );
  assert.equal(sevenPointScore({ ...none, pigment_network: 1, streaks: 1, vascular_structures: 1 }), 0);
});

Deno.test("metadata one-hot: 14 features in sex, location, elevation order (alphabetical within each)", () => {
  assert.equal(METADATA_FEATURES.length, 14);
  assert.equal(METADATA_FEATURES[0], "sex=female");
  assert.equal(METADATA_FEATURES.at(-1), "elevation=palpable");
  const v = encodeMetadata({ sex: "male", location: "acral", elevation: "flat" });
  assert.deepEqual([...v].map((x, i) => (x ? METADATA_FEATURES[i] : null)).filter(Boolean), [
    "sex=male",
    "location=acral",
    "elevation=flat",
  ]);
  assert.throws(
    () => encodeMetadata({ sex: "other", location: "acral", elevation: "flat" }),
    /sex: expected one of "female", "male", found "other"/,
  );
});
