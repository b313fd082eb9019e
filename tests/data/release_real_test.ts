/**
 * Tests against the real Derm7pt metadata (../shared/data/derm7pt or $DERM7PT_DIR); skipped with a
 * message when absent. Expected numbers: the study's Table 1 (../shared/data/paper/TABLES.md) and
 * group counts computed independently with Python's csv module from meta.csv
 * (sha256 471199fb86bcc97cd1521bcc4255bb3f9c563e2ed0ad3ff836392d81a3ed9d3b).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadRelease, releaseFingerprint, splitSummary, table1 } from "../../lib/data/mod.ts";
import { parseCsv } from "../../lib/util/csv.ts";
import { toCsv } from "../../lib/util/csv.ts";
import { realReleaseDir, skipNote, tempDir } from "../_helpers.ts";
import { DIAGNOSIS, HEADS, sevenPointScore } from "../../lib/data/vocabulary.ts";

const dir = realReleaseDir();
const ignore = dir === null;
if (ignore) skipNote("real Derm7pt metadata not found: set DERM7PT_DIR or provide ../shared/data/derm7pt");

Deno.test(
  { name: "real release: 1011 cases, splits 413/203/395, Table 1 management counts equal the study's", ignore },
  () => {
    const r = loadRelease(dir!, { quiet: true });
    assert.equal(r.cases.length, 1011);
    assert.equal(r.synthetic, false);
    const s = Object.fromEntries(splitSummary(r).map((x) => [x.split, x]));
    // TABLES.md Table 1: EXC / CLNC / NONE
    assert.deepEqual([s.train.cases, s.train.EXC, s.train.CLNC, s.train.NONE], [413, 235, 133, 45]);
    assert.deepEqual([s.valid.cases, s.valid.EXC, s.valid.CLNC, s.valid.NONE], [203, 127, 51, 25]);
    assert.deepEqual([s.test.cases, s.test.EXC, s.test.CLNC, s.test.NONE], [395, 243, 112, 40]);
    assert.deepEqual([s.all.cases, s.all.EXC, s.all.CLNC, s.all.NONE], [1011, 605, 296, 110]);
  },
);

Deno.test(
  { name: "real release: grouped diagnosis x management counts per split (independent Python count)", ignore },
  () => {
    const r = loadRelease(dir!, { quiet: true });
    const t = table1(r).filter((x) => x.diagnosis === "all");
    const get = (split: string, g: string, m: string) =>
      t.find((x) => x.split === split && x.diagnosis_group === g && x.management === m)!.count;
    const expected: Record<string, Record<string, number>> = {
      train: { BCC: 19, NEV: 256, MEL: 90, MISC: 32, SK: 16 },
      valid: { BCC: 7, NEV: 100, MEL: 61, MISC: 25, SK: 10 },
      test: { BCC: 16, NEV: 219, MEL: 101, MISC: 40, SK: 19 },
      all: { BCC: 42, NEV: 575, MEL: 252, MISC: 97, SK: 45 },
    };
    for (const [split, groups] of Object.entries(expected)) {
      for (const [g, n] of Object.entries(groups)) {
        const total = ["no further examination", "clinical follow up", "excision"].reduce(
          (a, m) => a + get(split, g, m),
          0,
        );
        assert.equal(total, n, `${split} ${g}`);
      }
    }
    assert.equal(get("test", "NEV", "excision"), 115);
    assert.equal(get("test", "NEV", "clinical follow up"), 97);
    assert.equal(get("test", "NEV", "no further examination"), 7);
    assert.equal(get("all", "MISC", "no further examination"), 50);
    assert.equal(get("valid", "SK", "clinical follow up"), 1);
    // BCC and MEL are always excised
    for (const split of ["train", "valid", "test", "all"]) {
      for (const g of ["BCC", "MEL"]) {
        assert.equal(
          get(split, g, "clinical follow up") + get(split, g, "no further examination"),
          0,
        );
      }
    }
    // raw rows of a group sum to the group row
    const raw = table1(r).filter((x) => x.diagnosis !== "all" && x.split === "all" && x.diagnosis_group === "NEV");
    assert.equal(raw.reduce((a, x) => a + x.count, 0), 575);
    assert.equal(new Set(table1(r).filter((x) => x.diagnosis !== "all").map((x) => x.diagnosis)).size, 20);
  },
);

Deno.test({ name: "real release: recomputed seven-point score equals the file's in all 1011 rows", ignore }, () => {
  const t = parseCsv(Deno.readTextFileSync(join(dir!, "meta", "meta.csv")));
  const r = loadRelease(dir!, { quiet: true });
  const scoreCol = t.header.indexOf("seven_point_score");
  let equal = 0;
  r.cases.forEach((c, i) => {
    if (sevenPointScore(c.labels) === Number(t.rows[i].values[scoreCol])) equal++;
  });
  assert.equal(equal, 1011);
});

Deno.test(
  { name: "real release: the exact label vocabulary is accepted and a string outside it is rejected", ignore },
  () => {
    const r = loadRelease(dir!, { quiet: true });
    for (const h of Object.keys(HEADS) as (keyof typeof HEADS)[]) {
      const seen = new Set(r.cases.map((c) => c.raw[h]));
      for (const s of seen) assert.ok(s in HEADS[h].groups, `${h}: ${s}`);
    }
    assert.equal(new Set(r.cases.map((c) => c.raw.diagnosis)).size, Object.keys(DIAGNOSIS.groups).length);
    // a copy with one altered string is refused, naming file, line and column
    const tmp = tempDir();
    Deno.mkdirSync(join(tmp, "meta"));
    for (const f of ["train_indexes.csv", "valid_indexes.csv", "test_indexes.csv"]) {
      Deno.copyFileSync(
        join(dir!, "meta", f),
        join(tmp, "meta", f),
      );
    }
    const t = parseCsv(Deno.readTextFileSync(join(dir!, "meta", "meta.csv")));
    t.rows[99].values[t.header.indexOf("streaks")] = "Irregular";
    Deno.writeTextFileSync(join(tmp, "meta", "meta.csv"), toCsv(t.header, t.rows.map((x) => x.values)));
    assert.throws(
      () => loadRelease(tmp, { quiet: true }),
      /meta\.csv line 101, column "streaks": expected one of .*found "Irregular"/,
    );
  },
);

Deno.test({
  name: "real release: flags the 9 cases whose clinical image is the dermoscopic one; fingerprint is stable",
  ignore,
}, () => {
  const r = loadRelease(dir!, { quiet: true });
  assert.deepEqual(r.cases.filter((c) => c.clinicIsDerm).map((c) => c.caseNum), [
    565,
    800,
    824,
    827,
    833,
    834,
    839,
    844,
    851,
  ]);
  assert.ok(r.warnings.some((w) => w.includes("565, 800")));
  assert.equal(releaseFingerprint(r), releaseFingerprint(loadRelease(dir!, { quiet: true })));
  assert.equal(r.cases[815].derm, "FCl/Fcl068.jpg");
});
