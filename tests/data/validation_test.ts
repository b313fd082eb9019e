/**
 * Every validation error of the release loader, provoked by a malformed fixture written here; each
 * message must name the file, line/column or path, and what was expected.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { ImageStore, loadRelease } from "../../lib/data/mod.ts";
import { col, tempDir, writeFixtureRelease } from "../_helpers.ts";

Deno.test("validation: a missing folder, meta.csv or index file is named", () => {
  assert.throws(() => loadRelease("/nonexistent/release"), /expected a folder at \/nonexistent\/release/);
  const d = tempDir();
  assert.throws(() => loadRelease(d), /meta\.csv: expected a file at .*meta\/meta\.csv/);
  writeFixtureRelease(d);
  Deno.removeSync(join(d, "meta", "valid_indexes.csv"));
  assert.throws(() => loadRelease(d, { quiet: true }), /the valid index file: expected a file at .*valid_indexes\.csv/);
});

Deno.test("validation: a missing column names the file and the expected columns", () => {
  const d = tempDir();
  writeFixtureRelease(d);
  const p = join(d, "meta", "meta.csv");
  Deno.writeTextFileSync(p, Deno.readTextFileSync(p).replace("blue_whitish_veil", "bwv"));
  assert.throws(() => loadRelease(d, { quiet: true }), /meta\.csv: expected a column "blue_whitish_veil"/);
});

Deno.test("validation: an unknown label string names file, line, column and the accepted strings", () => {
  const d = tempDir();
  writeFixtureRelease(d, { edit: (rows) => (rows[4][col("management")] = "biopsy") });
  assert.throws(
    () => loadRelease(d, { quiet: true }),
    /meta\.csv line 6, column "management": expected one of "no further examination", "clinical follow up", "excision", found "biopsy"/,
  );
  const e = tempDir();
  writeFixtureRelease(e, { edit: (rows) => (rows[0][col("location")] = "face") });
  assert.throws(
    () => loadRelease(e, { quiet: true }),
    /line 2, column "location": expected one of "abdomen".*found "face"/,
  );
});

Deno.test("validation: a wrong seven-point score and a non-integer case number are refused", () => {
  const d = tempDir();
  writeFixtureRelease(d, {
    edit: (rows) => (rows[2][col("seven_point_score")] = String(Number(rows[2][col("seven_point_score")]) + 1)),
  });
  assert.throws(
    () => loadRelease(d, { quiet: true }),
    /line 4, column "seven_point_score": expected \d+ \(the seven-point score of this row's criteria\), found \d+/,
  );
  const e = tempDir();
  writeFixtureRelease(e, { edit: (rows) => (rows[1][col("case_num")] = "2a") });
  assert.throws(() => loadRelease(e, { quiet: true }), /line 3, column "case_num": expected an integer, found "2a"/);
  const f = tempDir();
  writeFixtureRelease(f, { edit: (rows) => (rows[3][col("case_num")] = rows[0][col("case_num")]) });
  assert.throws(
    () => loadRelease(f, { quiet: true }),
    /line 5, column "case_num": expected unique case numbers, found 1 again \(first on line 2\)/,
  );
});

const cover = (n: number) => [...Array(n).keys()];

Deno.test("validation: non-integer, out-of-range, duplicate and overlapping indexes, and uncovered rows", () => {
  const n = 12;
  const all = cover(n);
  const cases: [Record<string, (number | string)[]>, RegExp][] = [
    [
      { train: [0, 1, "x2", ...all.slice(3, 6)], valid: all.slice(6, 9), test: all.slice(9) },
      /train_indexes\.csv line 4, column "indexes": expected a non-negative integer row index, found "x2"/,
    ],
    [
      { train: [...all.slice(0, 6), 12], valid: all.slice(6, 9), test: all.slice(9) },
      /train_indexes\.csv line 8, column "indexes": expected a row index in 0\.\.11 \(meta\.csv has 12 rows\), found 12/,
    ],
    [
      { train: [...all.slice(0, 6), 5], valid: all.slice(6, 9), test: all.slice(9) },
      /train_indexes\.csv line 8.*found a duplicate index 5/,
    ],
    [
      { train: all.slice(0, 6), valid: [...all.slice(6, 9), 2], test: all.slice(9) },
      /valid_indexes\.csv line 5.*overlapping \(also in train_indexes\.csv line 4\) index 2/,
    ],
    [
      { train: all.slice(0, 5), valid: all.slice(6, 9), test: all.slice(9) },
      /expected the three index files to cover all 12 rows, found 11 \(missing e\.g\. 5\)/,
    ],
    [
      { train: [-1, ...all.slice(1, 6)], valid: all.slice(6, 9), test: all.slice(9) },
      /line 2, column "indexes": expected a non-negative integer row index, found "-1"/,
    ],
  ];
  for (const [splits, re] of cases) {
    const d = tempDir();
    writeFixtureRelease(d, { cases: n, splits });
    assert.throws(() => loadRelease(d, { quiet: true }), re);
  }
});

Deno.test("validation: a malformed CSV (unterminated quote, wrong field count) names the line", () => {
  const d = tempDir();
  writeFixtureRelease(d);
  const p = join(d, "meta", "meta.csv");
  const lines = Deno.readTextFileSync(p).split("\n");
  lines[3] = lines[3] + ",extra";
  Deno.writeTextFileSync(p, lines.join("\n"));
  assert.throws(() => loadRelease(d, { quiet: true }), /meta\.csv line 4: expected 19 fields/);
  lines[3] = '"unterminated';
  Deno.writeTextFileSync(p, lines.join("\n"));
  assert.throws(() => loadRelease(d, { quiet: true }), /meta\.csv line 4: unterminated quoted field/);
});

async function writeJpeg(path: string, color = [200, 120, 90]) {
  Deno.mkdirSync(join(path, ".."), { recursive: true });
  const px = new Uint8Array(8 * 8 * 3).map((_, i) => color[i % 3]);
  Deno.writeFileSync(path, await sharp(px, { raw: { width: 8, height: 8, channels: 3 } }).jpeg().toBuffer());
}

Deno.test("images: missing and undecodable images are named; paths resolve case-insensitively with one warning", async () => {
  const d = tempDir();
  // like the real case 816: meta says FCl/Fcl068.jpg, the disk has FCL/Fcl068.jpg
  const { rows } = writeFixtureRelease(d, { cases: 6, edit: (rows) => (rows[0][col("derm")] = "FCl/Fcl068.jpg") });
  for (const r of rows) {
    await writeJpeg(join(d, "images", r[col("clinic")]));
    await writeJpeg(join(d, "images", r[col("derm")].replace("FCl/", "FCL/")));
  }
  const derm0 = rows[0][col("derm")];
  const [dir0, file0] = ["FCL", "Fcl068.jpg"];
  const r = loadRelease(d, { requireImages: true, quiet: true });
  const folded = r.warnings.filter((w) => w.includes("resolved case-insensitively"));
  assert.ok(
    folded.some((w) => w.includes(`"${derm0}" resolved case-insensitively to "${dir0}/${file0}"`)),
    folded.join("\n"),
  );
  const store = new ImageStore(r, { cacheDir: join(d, "cache") });
  const warnings: string[] = [];
  const orig = console.warn;
  console.warn = (m: string) => warnings.push(m);
  try {
    const img1 = await store.image(r.cases[0], "derm", { size: 16 });
    const img2 = await store.image(r.cases[0], "derm", { size: 16 }); // from the cache
    assert.equal(img1.data.length, 16 * 16 * 3);
    assert.deepEqual(img1.data, img2.data);
  } finally {
    console.warn = orig;
  }
  assert.equal(warnings.filter((w) => w.includes(derm0)).length, 1, "warned once");
  // undecodable
  Deno.writeTextFileSync(join(d, "images", rows[1][col("clinic")]), "not a jpeg");
  await assert.rejects(
    () => store.image(r.cases[1], "clinic", { size: 16 }),
    /Cannot decode image .*: expected a readable JPEG\/PNG image/,
  );
  // missing
  Deno.removeSync(join(d, "images", rows[2][col("clinic")]));
  assert.throws(
    () => loadRelease(d, { requireImages: true, quiet: true }),
    new RegExp(`case_num|line 4, column "clinic"`),
  );
  assert.throws(
    () => store.path(r.cases[2], "clinic"),
    /Cannot find the image of case_num 3, column "clinic": expected a file .* \(also tried ignoring case\), found none/,
  );
  // no images folder at all
  Deno.removeSync(join(d, "images"), { recursive: true });
  assert.throws(() => loadRelease(d, { requireImages: true, quiet: true }), /expected a folder .*images, found none/);
});
