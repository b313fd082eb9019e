/**
 * The notebooks: committed without outputs and in sync with their sources, type-checked, and
 * executed headless through Jupyter with the Deno kernel (tools/nbrun.py) in the quick profile;
 * a failing cell, a missing expected output (cells tagged expect-figure / expect-table /
 * expect-output), a table that is not a nodejs-polars DataFrame as the kernel displays it
 * (`application/vnd.dataresource+json`), or any output on stderr (Jupyter's red boxes: progress must
 * use updating displays) fails the test. Every table a notebook exports (CSV) must equal its snapshot in
 * tests/notebooks/__snapshots__/tables/<notebook>/ (numbers to 1e-9 relative, the heads' products on wasm
 * for that; timing columns skipped); DERM7PT_UPDATE_SNAPSHOTS=1 rewrites them after a change meant to alter results. The
 * binary baseline that notebook 03 exports is recomputed from the runs' own predictions, and
 * tools/run_notebooks.sh is checked to keep real and synthetic runs apart.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkNotebook } from "../../tools/check_notebooks.ts";
import { readPredictions } from "../../lib/model/predictions.ts";
import { parseCsv } from "../../lib/util/csv.ts";
import { PROJECT_ROOT, tempDir, writeFixtureRelease } from "../_helpers.ts";

const notebooks = [...Deno.readDirSync(join(PROJECT_ROOT, "notebooks"))]
  .filter((e) => e.name.endsWith(".ipynb"))
  .map((e) => e.name)
  .sort();

Deno.test("notebooks: committed without outputs, numbered, and in sync with notebooks/src", async () => {
  assert.ok(notebooks.length >= 1);
  for (const name of notebooks) {
    assert.match(name, /^\d\d_[a-z0-9_]+\.ipynb$/);
    const nb = JSON.parse(Deno.readTextFileSync(join(PROJECT_ROOT, "notebooks", name)));
    assert.equal(nb.metadata.kernelspec.name, "deno", name);
    for (const c of nb.cells) {
      if (c.cell_type === "code") {
        assert.deepEqual(c.outputs, [], `${name}: committed with outputs`);
        assert.equal(c.execution_count, null);
      }
    }
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "tools", "build_notebooks.ts"), "--check"],
    stdout: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stdout));
});

for (const name of notebooks) {
  Deno.test(`notebook ${name}: type-checks (deno check of its code cells)`, async () => {
    const r = await checkNotebook(join(PROJECT_ROOT, "notebooks", name));
    assert.ok(r.ok, r.output);
  });
}

const outputs = tempDir("derm7pt-nb-");
for (const name of notebooks) {
  Deno.test({
    name: `notebook ${name}: executes headless through Jupyter (quick profile), every expected output present`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const out = await new Deno.Command("/usr/bin/python3", {
        args: [
          join(PROJECT_ROOT, "tools", "nbrun.py"),
          join(PROJECT_ROOT, "notebooks", name),
          "--out",
          join(outputs, "notebooks", name),
          "--timeout",
          "900",
        ],
        // the heads' products on wasm, whose rounding is the same on every machine (see sameCell)
        env: { DERM7PT_PROFILE: "quick", DERM7PT_OUTPUTS: outputs, NO_COLOR: "1", DERM7PT_NO_BLAS: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
      assert.ok(out.success, log);
      const executed = JSON.parse(Deno.readTextFileSync(join(outputs, "notebooks", name)));
      const code = executed.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
      const outs = code.flatMap((c: { outputs: Output[] }) => c.outputs) as Output[];
      assert.ok(outs.every((o) => o.output_type !== "error"));
      // every table is a DataFrame as the kernel displays it (HTML + application/vnd.dataresource+json)
      for (const c of code as { metadata: { tags?: string[] }; outputs: Output[] }[]) {
        const frames = c.outputs.filter((o) => o.data?.["application/vnd.dataresource+json"]);
        if (c.metadata.tags?.includes("expect-table")) {
          assert.ok(frames.length, `${name}: a table cell without a DataFrame`);
        }
        for (const o of c.outputs) {
          const html = [o.data?.["text/html"] ?? ""].flat().join("");
          if (html.includes("<table")) {
            assert.ok(o.data?.["application/vnd.dataresource+json"], `${name}: an HTML table`);
          }
        }
      }
      const stderr = outs.filter((o) => o.output_type === "stream" && o.name === "stderr");
      assert.deepEqual(stderr.map((o) => [o.text].flat().join("").slice(0, 200)), [], `${name}: output on stderr`);
      if (name.startsWith("03_")) checkBinaryBaseline(outputs);
      compareTableSnapshots(outputs, name.replace(/\.ipynb$/, ""));
    },
  });
}

const SNAPSHOTS = join(PROJECT_ROOT, "tests", "notebooks", "__snapshots__", "tables");
/** Columns that time the machine rather than report a result. */
const VOLATILE_COLUMNS: Record<string, readonly string[]> = { "runs_overview.csv": ["seconds"] };

function csvFiles(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isFile && e.name.endsWith(".csv")).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/**
 * Equal cells: the same text, or numbers within 1e-9 (relative above 1). The notebooks run here with the
 * heads' matrix products on wasm (DERM7PT_NO_BLAS=1), whose rounding is the same on every machine: OpenBLAS
 * picks its kernel (its summation order) per CPU, and a multi-task model amplifies such rounding over its
 * training, so snapshots taken with it would hold on one CPU family only.
 */
function sameCell(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a), y = Number(b);
  return a !== "" && b !== "" && Number.isFinite(x) && Number.isFinite(y) &&
    Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}

/** Problems of a produced CSV table against its snapshot (empty when equal; timing columns skipped). */
function tableDifferences(notebook: string, f: string, produced: string, snapshot: string): string[] {
  const got = parseCsv(Deno.readTextFileSync(produced), { file: f });
  const want = parseCsv(Deno.readTextFileSync(snapshot), { file: `snapshot ${f}` });
  if (got.header.join("\u0000") !== want.header.join("\u0000")) return [`${notebook}/${f}: columns differ`];
  if (got.rows.length !== want.rows.length) {
    return [`${notebook}/${f}: ${got.rows.length} rows (snapshot ${want.rows.length})`];
  }
  const skip = new Set(VOLATILE_COLUMNS[f] ?? []);
  return got.rows.flatMap((row, i) =>
    row.values.flatMap((v, j) => {
      const w = want.rows[i].values[j];
      return skip.has(got.header[j]) || sameCell(v, w)
        ? []
        : [`${notebook}/${f} row ${i + 1} column ${got.header[j]}: ${v} (snapshot ${w})`];
    })
  );
}

/**
 * The CSV tables a notebook exported (quick profile) against the committed snapshots; with
 * DERM7PT_UPDATE_SNAPSHOTS=1 the snapshots that differ (or are new) are rewritten and stale ones removed.
 */
function compareTableSnapshots(outputs: string, notebook: string) {
  const dir = [join(outputs, "quick-synthetic", notebook), join(outputs, notebook)].find((d) => csvFiles(d).length);
  const produced = dir ? csvFiles(dir) : [];
  const snapDir = join(SNAPSHOTS, notebook);
  const expected = csvFiles(snapDir);
  if (Deno.env.get("DERM7PT_UPDATE_SNAPSHOTS") === "1") {
    for (const f of expected.filter((f) => !produced.includes(f))) Deno.removeSync(join(snapDir, f));
    for (const f of produced) {
      const fresh = !expected.includes(f);
      if (fresh || tableDifferences(notebook, f, join(dir!, f), join(snapDir, f)).length) {
        Deno.mkdirSync(snapDir, { recursive: true });
        Deno.copyFileSync(join(dir!, f), join(snapDir, f));
      }
    }
    return;
  }
  assert.deepEqual(produced, expected, `${notebook}: exported tables differ from the snapshots' list`);
  const problems = produced.flatMap((f) => tableDifferences(notebook, f, join(dir!, f), join(snapDir, f)));
  assert.deepEqual(problems.slice(0, 10), [], `${problems.length} differences from the snapshots`);
}

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

/** Notebook 03's exported binary baseline, recomputed from the quick runs' predictions by its definition. */
function checkBinaryBaseline(outputs: string) {
  const csv = parseCsv(
    Deno.readTextFileSync(join(outputs, "quick-synthetic", "03_infer_vs_predict", "binary_baseline.csv")),
  );
  const row = (approach: string) => {
    const r = csv.rows.find((x) => x.values[0] === approach)!.values;
    return Object.fromEntries(csv.header.map((h, i) => [h, r[i]]));
  };
  const runs = join(outputs, "quick-synthetic", "runs");
  const diag = readPredictions(join(runs, "diag-CDM")).rows.filter((r) => r.split === "test");
  const mgmt = new Map(
    readPredictions(join(runs, "mgmt-CDM")).rows.filter((r) => r.split === "test").map((r) => [r.case_num, r]),
  );
  const argmax = (r: Record<string, unknown>, cols: string[]) => {
    const v = cols.map((c) => r[c] as number);
    return v.indexOf(Math.max(...v));
  };
  // MGMT_infr,binary excises the arg-max diagnosis BCC or MEL; wrongly when the true management is not EXC
  const dcols = ["BCC", "NEV", "MEL", "MISC", "SK"].map((c) => `diagnosis_${c}`);
  const infr = diag.filter((r) => mgmt.get(r.case_num)!.management_true !== 2 && [0, 2].includes(argmax(r, dcols)));
  const mcols = ["NONE", "CLNC", "EXC"].map((c) => `management_${c}`);
  const pred = [...mgmt.values()].filter((r) => r.management_true !== 2 && argmax(r, mcols) === 2);
  assert.equal(Number(row("MGMT_infr,binary")["wrongly excised"]), infr.length);
  assert.equal(Number(row("MGMT_pred,binary")["wrongly excised"]), pred.length);
  assert.equal(Number(row("MGMT_pred,all")["wrongly excised"]), pred.length);
}

Deno.test({
  name:
    "run_notebooks.sh: executed notebooks go to outputs/<real|synthetic>/notebooks, real ones with a do-not-share README",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = tempDir("derm7pt-nbout-");
    const real = writeFixtureRelease(join(out, "fake-real")).dir; // no SYNTHETIC.json: read as a real release
    const r = await new Deno.Command("bash", {
      args: [join(PROJECT_ROOT, "tools", "run_notebooks.sh"), "notebooks/00_statistics_primer.ipynb"],
      cwd: PROJECT_ROOT,
      env: { DERM7PT_PROFILE: "quick", DERM7PT_OUTPUTS: out, DERM7PT_DIR: real, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(r.success, new TextDecoder().decode(r.stderr));
    const dir = join(out, "quick-real", "notebooks");
    assert.ok(Deno.statSync(join(dir, "00_statistics_primer.ipynb")).isFile);
    assert.match(Deno.readTextFileSync(join(dir, "README.md")), /REAL Derm7pt data: do not share[\s\S]*licensed/);
    assert.match(new TextDecoder().decode(r.stderr), /\[00_statistics_primer · cell \d+\/\d+ · \d+s\]/);
  },
});
