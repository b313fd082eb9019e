import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCsv, toCsv } from "../../lib/util/csv.ts";
import { Prng } from "../../lib/util/prng.ts";
import { formatPValue, formatRecords, formatTable } from "../../lib/util/table_format.ts";
import { Progress, statusLine, withStatusLine } from "../../lib/util/progress.ts";
import { writeTextAtomic } from "../../lib/util/fs.ts";
import { addPngText, pngTextChunks, svgToPng } from "../../lib/plots/png.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("csv: quotes, embedded newlines and commas round-trip; line numbers are kept", () => {
  const text = toCsv(["a", "b"], [["x, y", 'say "hi"'], ["multi\nline", 3]]);
  const t = parseCsv(text + "z,4\n");
  assert.deepEqual(t.rows.map((r) => r.values), [["x, y", 'say "hi"'], ["multi\nline", "3"], ["z", "4"]]);
  assert.deepEqual(t.rows.map((r) => r.line), [2, 3, 5]);
  assert.deepEqual(parseCsv("\uFEFFa,b\r\n1,2\r\n").header, ["a", "b"]);
  assert.throws(() => parseCsv("", { file: "e.csv" }), /Cannot read e\.csv: expected a header line/);
});

Deno.test("prng: seeded, reproducible, forks independent of draw count; int is unbiased in range", () => {
  const a = new Prng(123), b = new Prng(123);
  const xs = [...Array(5)].map(() => a.next());
  assert.deepEqual(xs, [...Array(5)].map(() => b.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const c = new Prng(123);
  c.next();
  assert.equal(c.fork("x").next(), new Prng(123).fork("x").next());
  const counts = [0, 0, 0];
  const p = new Prng(1);
  for (let i = 0; i < 30000; i++) counts[p.int(3)]++;
  assert.ok(counts.every((n) => Math.abs(n - 10000) < 400), String(counts));
  const normals = [...Array(20000)].map(() => p.normal());
  const m = normals.reduce((s, x) => s + x, 0) / normals.length;
  const v = normals.reduce((s, x) => s + (x - m) ** 2, 0) / normals.length;
  assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.05);
  assert.throws(() => p.int(0), /expected a positive integer/);
  assert.throws(() => p.categorical([0, 0]), /positive total weight/);
  assert.deepEqual(new Prng(5).shuffle([1, 2, 3, 4]).sort(), [1, 2, 3, 4]);
});

Deno.test("table formats: markdown, latex (escaped), csv, json", () => {
  assert.equal(formatTable(["a", "b"], [[1, "x|y"]], "md"), "| a | b |\n|---|---|\n| 1 | x\\|y |\n");
  assert.match(formatTable(["a_b"], [["50%"]], "tex"), /a\\_b \\\\\n\\midrule\n50\\% \\\\/);
  assert.deepEqual(JSON.parse(formatTable(["a"], [[0.5]], "json")), [{ a: 0.5 }]);
  assert.throws(() => formatTable(["a"], [[1, 2]], "csv"), /expected 1 values in row 0, found 2/);
});

Deno.test("tables for readers: columns from every record, n/a with its footnote, p-values to 2 significant digits", () => {
  // a later record may add columns (notebook 02's batch table lost them when only the first row counted)
  const md = formatRecords([{ a: 1 }, { a: 2, b: 0.5 }], "md");
  assert.equal(md, "| a | b |\n|---|---|\n| 1 |  |\n| 2 | 0.5 |\n");
  const na = formatTable(["x", "p"], [[NaN, 0.00002], [0.25, 0.01667385]], "md", {
    digits: 2,
    pValueColumns: ["p"],
    naNote: "n/a: no such head.",
  });
  assert.equal(na, "| x | p |\n|---|---|\n| n/a | < 0.0001 |\n| 0.25 | 0.017 |\n\n_n/a: no such head._\n");
  assert.match(
    formatTable(["x"], [[NaN]], "tex"),
    /\\end\{tabular\}\n\\par\\smallskip\{\\footnotesize n\/a: does not apply here\.\}/,
  );
  assert.equal(formatTable(["x"], [[NaN]], "csv"), "x\nNaN\n"); // CSV keeps the value as computed
  assert.deepEqual([0.5, 0.0449, 0.00012, 1, 0.000099].map(formatPValue), ["0.5", "0.045", "0.00012", "1", "< 0.0001"]);
  assert.equal(formatPValue(NaN), "n/a");
  assert.throws(() => formatPValue(1.2), /expected a number in \[0, 1\], found 1\.2/);
});

Deno.test("progress: inside a step's status line, nested reporters update that one line with its prefix", async () => {
  const seen: [string, boolean][] = [];
  const step = statusLine({ write: (text, final) => seen.push([text, final]) });
  for (const run of ["a", "b"]) {
    await withStatusLine(step.prefixed(`run ${run} · `), () => {
      const bar = new Progress("features", 4, { intervalMs: 0, unit: "img" });
      for (let i = 0; i < 4; i++) bar.tick();
      bar.done();
      return Promise.resolve();
    });
    step.update(`run ${run}: trained`);
  }
  step.done("2 runs ready");
  assert.equal(seen.length, 2 * (4 + 1 + 1) + 1);
  assert.match(seen[3][0], /^run a · features 4\/4 \(100%\) [\d.]+ img\/s/);
  assert.deepEqual(seen[seen.length - 1], ["2 runs ready", true]);
  // outside a step, and outside a notebook, a quiet reporter writes nothing
  const quiet: string[] = [];
  new Progress("x", 1, { quiet: true, write: (l) => quiet.push(l) }).done();
  assert.deepEqual(quiet, []);
});

Deno.test("atomic writes: the target is replaced whole; no temporary file is left", () => {
  const d = tempDir();
  const p = join(d, "x", "y.txt");
  writeTextAtomic(p, "one");
  writeTextAtomic(p, "two");
  assert.equal(Deno.readTextFileSync(p), "two");
  assert.deepEqual([...Deno.readDirSync(join(d, "x"))].map((e) => e.name), ["y.txt"]);
});

Deno.test("png: text is rendered with the bundled fonts; tEXt chunks round-trip", () => {
  const blank = svgToPng(
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="30"><rect width="100" height="30" fill="white"/></svg>',
    { widthPx: 100 },
  );
  const text = svgToPng(
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="30"><rect width="100" height="30" fill="white"/><text x="5" y="20" font-size="16" font-family="DejaVu Sans">Hello</text></svg>',
    { widthPx: 100, text: { Provenance: '{"a":1}' } },
  );
  assert.ok(text.length > blank.length + 100, "text drew pixels");
  assert.equal(pngTextChunks(text).Provenance, '{"a":1}');
  assert.equal(pngTextChunks(addPngText(blank, "Key", "é ok ✓")).Key, "é ok \\u2713");
  assert.throws(() => addPngText(new Uint8Array(40), "k", "v"), /expected PNG bytes/);
});
