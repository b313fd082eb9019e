/**
 * Tables as DataFrames: records round-trip into frames without changing a number, the reader's view
 * (rounding, n/a, p-values), exports from one frame (CSV identical to the records' CSV, Parquet read
 * back equal), and the polars group-bys and joins against the loops they replaced (Table 1 against
 * lib/data's table1, the fold summary against foldSummary, the confusion breakdown against a count).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { foldSummary, formatMeanSd, managementRows } from "../../lib/analysis/mod.ts";
import { loadRelease, table1 } from "../../lib/data/mod.ts";
import { writePredictions } from "../../lib/model/predictions.ts";
import {
  casesFrame,
  confusionBreakdownFrame,
  cvFrame,
  exportTable,
  frameOf,
  historyFrame,
  metricTableRows,
  predictionsFrame,
  recordsOf,
  show,
  table1Frame,
  view,
} from "../../lib/report/mod.ts";
import { formatRecords } from "../../lib/util/table_format.ts";
import { provenance } from "../../lib/util/provenance.ts";
import { Prng } from "../../lib/util/prng.ts";
import { tempDir, writeFixtureRelease } from "../_helpers.ts";

Deno.test("frames: records round-trip unchanged; mixed columns hold the numbers as the CSV writes them", () => {
  const records = [
    { quantity: "a", study: 0.9718, this_run: 1, note: null },
    { quantity: "b", study: "0.3943 ± 0.0025", this_run: NaN, extra: true },
    { quantity: "c", study: 1, this_run: 0.1 + 0.2 },
  ];
  const df = frameOf(records);
  assert.deepEqual(df.columns, ["quantity", "study", "this_run", "note", "extra"]);
  const back = recordsOf(df);
  assert.deepEqual(back.map((r) => r.study), ["0.9718", "0.3943 ± 0.0025", "1"]);
  assert.ok(Number.isNaN(back[1].this_run as number));
  assert.equal(back[2].this_run, 0.30000000000000004);
  assert.equal(formatRecords(back, "csv"), formatRecords(records, "csv"));
});

Deno.test("frames: the reader's view rounds, writes n/a and formats p-values; show returns it", async () => {
  const df = frameOf([{ m: "x", auc: 0.123456, p: 0.00001, n: 3 }, { m: "y", auc: 0.5, p: 0.0449, n: 4 }]);
  const v = view(df, { digits: 3, pValueColumns: ["p"] });
  assert.deepEqual(recordsOf(v), [{ m: "x", auc: 0.123, p: "< 0.0001", n: 3 }, { m: "y", auc: 0.5, p: "0.045", n: 4 }]);
  assert.equal(v.getColumn("auc").dtype.equals(pl.Float64), true); // still numbers: the grid sorts them
  const na = recordsOf(view(frameOf([{ a: NaN }, { a: 0.25 }]), { digits: 1 }));
  assert.deepEqual(na, [{ a: "n/a" }, { a: "0.3" }]);
  assert.deepEqual(recordsOf(await show(df, { head: 1 })), [{ m: "x", auc: 0.123456, p: 0.00001, n: 3 }]);
  assert.equal(df.height, 2); // the frame itself is not changed
});

Deno.test("exportTable: CSV, Markdown, LaTeX, JSON and Parquet from one frame", () => {
  const dir = tempDir();
  const records = [{ approach: "infr", auroc: 0.8039, accuracy: null }, {
    approach: "pred",
    auroc: NaN,
    accuracy: 0.7,
  }];
  const prov = provenance({ run_id: "t", data_fingerprint: "x", synthetic_data: true });
  const files = exportTable(dir, "t", frameOf(records), prov, { caption: "T", digits: 2, naNote: "n/a: none." });
  assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), [
    "t.csv",
    "t.md",
    "t.json",
    "t.tex",
    "t.parquet",
    "t.manifest.json",
  ]);
  assert.equal(Deno.readTextFileSync(join(dir, "t.csv")), formatRecords(records, "csv"));
  assert.match(Deno.readTextFileSync(join(dir, "t.md")), /\| pred \| n\/a \| 0\.70 \|\n\n_n\/a: none\._/);
  const parquet = recordsOf(pl.readParquet(join(dir, "t.parquet")));
  assert.equal(parquet[0].auroc, 0.8039);
  assert.equal(parquet[0].accuracy, null);
  assert.deepEqual(JSON.parse(Deno.readTextFileSync(join(dir, "t.manifest.json"))).files.length, 5);
});

Deno.test("Table 1 as a polars group-by equals lib/data's table1 count for count, zeros included", () => {
  const { dir } = writeFixtureRelease(tempDir(), { cases: 90, seed: 11 });
  const release = loadRelease(dir, { quiet: true });
  const long = table1(release);
  const count = (r: Record<string, unknown>, diagnosis: string, management: string) =>
    long.find((x) =>
      x.split === r.split && x.diagnosis_group === r.group && x.diagnosis === diagnosis && x.management === management
    )!.count;
  const names = { NONE: "no further examination", CLNC: "clinical follow up", EXC: "excision" } as const;
  const groups = recordsOf(table1Frame(release, "group"));
  assert.equal(groups.length, 4 * 5);
  for (const r of groups) {
    for (const [code, name] of Object.entries(names)) assert.equal(r[code], count(r, "all", name));
    assert.equal(r.total, (r.NONE as number) + (r.CLNC as number) + (r.EXC as number));
  }
  const raw = recordsOf(table1Frame(release, "raw"));
  assert.equal(raw.length, 4 * 20);
  for (const r of raw) {
    for (const [code, name] of Object.entries(names)) {
      assert.equal(r[code], count(r, r.diagnosis as string, name), JSON.stringify(r));
    }
  }
  assert.ok(raw.some((r) => r.total === 0), "a fixture this small leaves some diagnosis without a case");
  assert.equal(casesFrame(release).height, 90);
});

Deno.test("cross-validation mean ± SD as a polars group-by equals foldSummary over the same tables", () => {
  const prng = new Prng(4);
  const tables = [0, 1, 2].map(() => {
    const truth = Array.from({ length: 40 }, () => prng.int(3));
    return managementRows(truth, truth.map(() => [prng.next(), prng.next(), prng.next()]));
  });
  const metrics = frameOf(
    tables.flatMap((t, fold) =>
      metricTableRows(t).map((r) => ({ run: `mgmt-CDM-fold${fold}`, fold, approach: "pred", ...r }))
    ),
  );
  const [row] = recordsOf(cvFrame(metrics, { direct: "mgmt-CDM" }));
  const s = foldSummary(tables);
  assert.deepEqual(row, {
    approach: "direct",
    folds: 3,
    sensitivity: formatMeanSd(s.sensitivity),
    specificity: formatMeanSd(s.specificity),
    precision: formatMeanSd(s.precision),
    auroc: formatMeanSd(s.auroc),
    accuracy: formatMeanSd(s.accuracy),
  });
});

Deno.test("confusion cells by diagnosis: every cell listed, counts as counted by hand", () => {
  const truth = [0, 0, 1, 2, 2, 2], predicted = [0, 2, 1, 2, 2, 0], diagnosis = [1, 1, 1, 2, 0, 2];
  const rows = recordsOf(confusionBreakdownFrame({
    labels: ["NONE", "CLNC", "EXC"],
    truth,
    predicted,
    breakdown: diagnosis,
    breakdownLabels: ["BCC", "NEV", "MEL", "MISC", "SK"],
  }));
  assert.equal(rows.length, 9);
  const cell = (t: string, p: string) => rows.find((r) => r.truth === t && r.predicted === p)!;
  assert.deepEqual(cell("EXC", "EXC"), {
    truth: "EXC",
    predicted: "EXC",
    cases: 2,
    BCC: 1,
    NEV: 0,
    MEL: 1,
    MISC: 0,
    SK: 0,
  });
  assert.deepEqual(cell("EXC", "NONE"), {
    truth: "EXC",
    predicted: "NONE",
    cases: 1,
    BCC: 0,
    NEV: 0,
    MEL: 1,
    MISC: 0,
    SK: 0,
  });
  assert.equal(cell("CLNC", "EXC").cases, 0);
  assert.equal(rows.reduce((s, r) => s + (r.cases as number), 0), truth.length);
});

Deno.test("run folders as frames: predictions of several runs with labels joined; histories with a run column", () => {
  const { dir } = writeFixtureRelease(tempDir(), { cases: 30, seed: 2 });
  const release = loadRelease(dir, { quiet: true });
  const runs = tempDir();
  for (const name of ["mgmt-CDM", "multi-CDM"]) {
    const run = join(runs, name);
    Deno.mkdirSync(run);
    Deno.writeTextFileSync(join(run, "config.json"), JSON.stringify({ data: { dir } }));
    Deno.writeTextFileSync(
      join(run, "history.json"),
      JSON.stringify([{ epoch: 1, trainLoss: 1 }, { epoch: 2, trainLoss: 0.5 }]),
    );
    writePredictions(
      run,
      release.cases.map((c, i) => ({
        case_num: c.caseNum,
        split: c.split,
        fold: null,
        management_NONE: i % 3 === 0 ? 0.6 : 0.2,
        management_CLNC: 0.2,
        management_EXC: i % 3 === 0 ? 0.2 : 0.6,
        management_true: c.labels.management,
      })),
      ["management"],
    );
  }
  const p = predictionsFrame([join(runs, "mgmt-CDM"), join(runs, "multi-CDM")]);
  assert.equal(p.height, 60);
  const first = recordsOf(p.filter(pl.col("run").eq(pl.lit("multi-CDM"))).head(1))[0];
  const c = release.cases[0];
  assert.equal(first.case_num, c.caseNum);
  assert.equal(first.management_pred, 0);
  assert.equal(first.diagnosis, c.raw.diagnosis);
  assert.equal(first.release_split, c.split);
  assert.equal(first.sex, c.metadata.sex);
  const h = historyFrame([join(runs, "mgmt-CDM"), join(runs, "multi-CDM")]);
  assert.deepEqual(h.columns, ["run", "epoch", "trainLoss"]);
  assert.equal(h.height, 4);
});
