import assert from "node:assert/strict";
import { join } from "node:path";
import { COMMANDS } from "../../lib/cli/main.ts";
import { parseCsv } from "../../lib/util/csv.ts";
import { realReleaseDir, runCli, tempDir, writeFixtureRelease } from "../_helpers.ts";

Deno.test("cli: every command has --help; an unknown command or option is a usage error (status 2)", async () => {
  for (const c of COMMANDS) {
    const r = await runCli([c.name, "--help"]);
    assert.equal(r.code, 0, c.name);
    assert.match(r.stdout, new RegExp(`deno task cli ${c.name} \\[options\\]`));
    assert.match(r.stdout, /--help/);
  }
  const bad = await runCli(["nope"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Cannot run "nope": expected a command among table1, labels/);
  const opt = await runCli(["table1", "--frmat", "md"]);
  assert.equal(opt.code, 2);
  assert.match(
    opt.stderr,
    /Cannot run "table1": expected one of its options, found unknown option "--frmat"; did you mean --format\?/,
  );
  const fmt = await runCli(["table1", "--format", "xls"]);
  assert.equal(fmt.code, 2);
  assert.match(fmt.stderr, /expected --format to be one of csv\|md\|json\|tex, found "xls"/);
});

Deno.test("cli table1: CSV columns split,diagnosis_group,diagnosis,management,count; md/json/tex formats", async () => {
  const d = tempDir();
  writeFixtureRelease(d, { cases: 40 });
  const r = await runCli(["table1", "--data", d]);
  assert.equal(r.code, 0, r.stderr);
  const t = parseCsv(r.stdout);
  assert.deepEqual(t.header, ["split", "diagnosis_group", "diagnosis", "management", "count"]);
  const all = t.rows.filter((x) => x.values[0] === "all" && x.values[2] === "all").reduce(
    (a, x) => a + Number(x.values[4]),
    0,
  );
  assert.equal(all, 40);
  // 4 splits x (20 raw + 5 group rows) x 3 managements
  assert.equal(t.rows.length, 4 * 25 * 3);
  for (const f of ["md", "json", "tex"]) {
    const o = await runCli(["table1", "--data", d, "--format", f]);
    assert.equal(o.code, 0);
    if (f === "json") assert.equal(JSON.parse(o.stdout).length, 300);
    if (f === "tex") assert.match(o.stdout, /\\begin\{tabular\}/);
    if (f === "md") assert.match(o.stdout, /SYNTHETIC|Table 1/);
  }
  const out = join(d, "t1.csv");
  assert.equal((await runCli(["table1", "--data", d, "--out", out])).code, 0);
  assert.equal(Deno.readTextFileSync(out), r.stdout);
});

Deno.test("cli: a bad --data folder is an error naming it (status 1)", async () => {
  const r = await runCli(["labels", "--data", "/no/such/release"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /expected a folder at \/no\/such\/release/);
});

Deno.test("cli labels/folds: one row per case with grouped labels; folds cover every case", async () => {
  const d = tempDir();
  writeFixtureRelease(d, { cases: 45 });
  const r = await runCli(["labels", "--data", d]);
  const t = parseCsv(r.stdout);
  assert.equal(t.rows.length, 45);
  assert.deepEqual(t.header.slice(0, 11), [
    "case_num",
    "split",
    "diagnosis",
    "pigment_network",
    "streaks",
    "pigmentation",
    "regression_structures",
    "dots_and_globules",
    "blue_whitish_veil",
    "vascular_structures",
    "management",
  ]);
  assert.ok(t.rows.every((x) => ["0", "1", "2"].includes(x.values[10])));
  const j = await runCli(["labels", "--data", d, "--format", "json"]);
  assert.equal(JSON.parse(j.stdout).length, 45);
  const f = await runCli(["folds", "--data", d, "--k", "3", "--seed", "4"]);
  const ft = parseCsv(f.stdout);
  assert.deepEqual(ft.header, ["fold", "part", "case_num"]);
  assert.equal(ft.rows.filter((x) => x.values[1] === "test").length, 45);
  assert.match(f.stderr, /largest deviation/);
  const p = await runCli(["folds", "--data", d, "--proportions"]);
  assert.match(parseCsv(p.stdout).header.join(","), /fold,part,head,label,count,proportion/);
  assert.equal((await runCli(["folds", "--data", d, "--k", "x"])).code, 2);
});

Deno.test("cli synth: writes a loadable synthetic release", async () => {
  const d = tempDir();
  const r = await runCli(["synth", "--out", d, "--cases", "12", "--seed", "3", "--size", "32"]);
  assert.equal(r.code, 0, r.stderr);
  const t = await runCli(["table1", "--data", d, "--format", "json"]);
  assert.equal(t.code, 0);
  assert.equal((await runCli(["synth"])).code, 2);
});

Deno.test({
  name: "cli table1 on the real release matches the study's Table 1 totals",
  ignore: realReleaseDir() === null,
}, async () => {
  const r = await runCli(["table1", "--data", realReleaseDir()!]);
  const rows = parseCsv(r.stdout).rows.map((x) => x.values);
  const sum = (split: string, m: string) =>
    rows.filter((x) => x[0] === split && x[2] === "all" && x[3] === m).reduce((a, x) => a + Number(x[4]), 0);
  assert.deepEqual(["excision", "clinical follow up", "no further examination"].map((m) => sum("test", m)), [
    243,
    112,
    40,
  ]);
});
