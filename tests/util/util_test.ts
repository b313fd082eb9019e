import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCsv, toCsv } from "../../lib/util/csv.ts";
import { Prng } from "../../lib/util/prng.ts";
import { formatTable } from "../../lib/util/table_format.ts";
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
