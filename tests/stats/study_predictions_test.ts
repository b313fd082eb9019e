/**
 * The study's own released test-set predictions, shipped in third_party/McNemar-mid-p (MIT, from the
 * first author's repository): rows C and CM of Table 4 and the McNemar p-values must come out exactly
 * as published (Sci Rep 11:7769, Table 4 and text; ../shared/data/paper/TABLES.md). The shipped files
 * must match the sha256 sums of their SOURCE.md and, where the shared copy exists, that copy byte for byte.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { comparePredictions, readLabelFile } from "../../lib/report/compare_predictions.ts";
import { releasedPredictions, SHIPPED_PREDICTIONS_DIR } from "../../lib/report/released_predictions.ts";
import { runCli, sharedDataDir, skipNote } from "../_helpers.ts";

const shipped = releasedPredictions({ paperDir: null });
const r4 = (x: number) => Number(x.toFixed(4));
const sha256 = (path: string) => createHash("sha256").update(Deno.readFileSync(path)).digest("hex");

Deno.test("study: the shipped released predictions carry their licence, source and checksums", () => {
  const source = Deno.readTextFileSync(join(SHIPPED_PREDICTIONS_DIR, "SOURCE.md"));
  assert.match(
    Deno.readTextFileSync(join(SHIPPED_PREDICTIONS_DIR, "LICENSE")),
    /^MIT License\n\nCopyright \(c\) 2023 Kumar Abhishek/,
  );
  assert.match(source, /kakumarabhishek\/McNemar-mid-p/);
  for (const f of [shipped.truth, shipped.C, shipped.CM]) {
    const name = f.slice(SHIPPED_PREDICTIONS_DIR.length + 1);
    assert.match(source, new RegExp(`\`${name}\` \\| \`${sha256(f)}\``), `${name}: sha256 differs from SOURCE.md`);
  }
  const shared = sharedDataDir();
  if (!shared) return skipNote("../shared/data not found: the shipped copy is not compared with it");
  const dir = join(shared, "paper", "released_predictions");
  assert.equal(sha256(shipped.truth), sha256(join(dir, "ground_truth_labels.csv")));
  assert.equal(sha256(shipped.C), sha256(join(dir, "model_C_predictions.csv")));
  assert.equal(sha256(shipped.CM), sha256(join(dir, "model_CM_predictions.csv")));
});

Deno.test("study: Table 4 rows C and CM (sensitivity, specificity, precision, accuracy) from the released predictions", () => {
  const truth = readLabelFile(shipped.truth);
  const c = readLabelFile(shipped.C);
  const cm = readLabelFile(shipped.CM);
  assert.equal(truth.length, 395);
  const r = comparePredictions(truth, c, cm, { labels: ["NONE", "CLNC", "EXC"] });
  // TABLES.md Table 4: C 0.5997 / 0.7911 / 0.5466 / AUROC 0.7781 / 0.6051; CM 0.6050 / 0.7983 / 0.5684 / 0.7852 / 0.6405
  assert.deepEqual([r.a.macro.sensitivity, r.a.macro.specificity, r.a.macro.precision, r.a.accuracy].map(r4), [
    0.5997,
    0.7911,
    0.5466,
    0.6051,
  ]);
  assert.deepEqual([r.b.macro.sensitivity, r.b.macro.specificity, r.b.macro.precision, r.b.accuracy].map(r4), [
    0.6050,
    0.7983,
    0.5684,
    0.6405,
  ]);
  assert.deepEqual(r.a.confusionMatrix, [[22, 9, 9], [13, 74, 25], [26, 74, 143]]);
  assert.deepEqual(r.b.confusionMatrix, [[20, 9, 11], [8, 74, 30], [22, 62, 159]]);
  assert.equal(r.a.tp.reduce((s, v) => s + v, 0), 239);
  assert.equal(r.b.tp.reduce((s, v) => s + v, 0), 253);
  // McNemar between C and CM: discordant 10 and 24; exact p 0.02430651, mid-p 0.01667385
  assert.equal(r.mcnemar.exact.b, 10);
  assert.equal(r.mcnemar.exact.c, 24);
  assert.equal(Number(r.mcnemar.exact.pValue.toFixed(8)), 0.02430651);
  assert.equal(Number(r.mcnemar.midp.pValue.toFixed(8)), 0.01667385);
});

Deno.test("cli compare: JSON and table output on the released predictions", async () => {
  const args = [
    "compare",
    "--truth",
    shipped.truth,
    "--a",
    shipped.C,
    "--b",
    shipped.CM,
    "--labels",
    "NONE,CLNC,EXC",
  ];
  const json = await runCli([...args, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const j = JSON.parse(json.stdout);
  assert.equal(Number(j.mcnemar.midp.pValue.toFixed(8)), 0.01667385);
  assert.equal(j.a.confusionMatrix[2][2], 143);
  const table = await runCli(args);
  assert.match(table.stdout, /\| A \| 0\.5997 \| 0\.7911 \| 0\.5466 \|/);
  assert.match(table.stdout, /McNemar mid-p .*\| 10 \| 24 \| 10 \| 0\.01667385 \|/);
});

Deno.test("cli compare: a bad label file names the file and line; unequal lengths are refused", async () => {
  const d = Deno.makeTempDirSync();
  Deno.writeTextFileSync(join(d, "t.csv"), "0\n1\n2\n");
  Deno.writeTextFileSync(join(d, "a.csv"), "0\n1\nx\n");
  Deno.writeTextFileSync(join(d, "b.csv"), "0\n1\n");
  const bad = await runCli(["compare", "--truth", join(d, "t.csv"), "--a", join(d, "a.csv"), "--b", join(d, "t.csv")]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /a\.csv line 3: expected a non-negative integer label, found "x"/);
  const short = await runCli([
    "compare",
    "--truth",
    join(d, "t.csv"),
    "--a",
    join(d, "t.csv"),
    "--b",
    join(d, "b.csv"),
  ]);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /expected --b to hold 3 labels like --truth, found 2/);
});
