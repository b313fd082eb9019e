/**
 * Hostile and careless input (issue 13): every class is refused with the right exit status (1 error,
 * 2 usage), one line naming the file or option and what was expected, and no existing file changed
 * (sha256 of every file before and after).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cliInProcess, col, copyTree, errorLines, tempDir, treeHashes, writeFixtureRelease } from "../_helpers.ts";

/** Runs the CLI and checks status, the single error line, and that `dirs` are unchanged. */
async function refused(args: string[], code: number, message: RegExp, dirs: string[] = []) {
  const before = dirs.map(treeHashes);
  const r = await cliInProcess(args);
  assert.equal(r.code, code, `exit status of ${args.join(" ")}: ${r.stderr}`);
  const lines = errorLines(r.stderr);
  assert.equal(lines.length, 1, `one error line expected, found:\n${r.stderr}`);
  assert.match(lines[0], message);
  dirs.forEach((d, i) => assert.deepEqual(treeHashes(d), before[i], `${d} changed`));
  return r;
}

let trained: Promise<{ data: string; run: string }> | null = null;
/** One small completed run (metadata only, cpu), trained once for the tests that need a run. */
function trainedRun(): Promise<{ data: string; run: string }> {
  trained ??= (async () => {
    const data = tempDir();
    writeFixtureRelease(data, { cases: 40, seed: 11 });
    const run = join(tempDir(), "run");
    const r = await cliInProcess(trainArgs(data, run));
    assert.equal(r.code, 0, r.stderr);
    return { data, run };
  })();
  return trained;
}
const trainArgs = (data: string, out: string) => [
  "train",
  "--data",
  data,
  "--inputs",
  "M",
  "--epochs",
  "2",
  "--backend",
  "cpu",
  "--out",
  out,
  "--quiet",
];
/** A copy of the trained run to damage. */
async function runCopy(): Promise<{ data: string; run: string }> {
  const { data, run } = await trainedRun();
  return { data, run: copyTree(run, join(tempDir(), "run")) };
}

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "refused: a positional argument is a usage error naming the option it probably meant",
  ...opts,
  async fn() {
    const d = tempDir();
    writeFixtureRelease(d, { cases: 20 });
    await refused(["table1", d], 2, /expected options only .* found the argument ".*"; did you mean --data .*\?/, [d]);
    await refused(["labels", d], 2, /^Cannot run "labels": .*did you mean --data /, [d]);
    await refused(["train", d, "--inputs", "M"], 2, /^Cannot run "train": .*did you mean --data /, [d]);
  },
});

Deno.test({
  name: "refused: an image path leading out of images/ (.., absolute, a link) names meta.csv, line and column",
  ...opts,
  async fn() {
    for (const bad of ["../../other/images/x.jpg", "../../../../etc/passwd", "/etc/passwd", "NEL/../../x.jpg"]) {
      const d = tempDir();
      writeFixtureRelease(d, { cases: 20, edit: (rows) => (rows[3][col("clinic")] = bad) });
      const esc = bad.replace(/[./]/g, (c) => `\\${c}`);
      await refused(
        ["table1", "--data", d],
        1,
        new RegExp(`meta\\.csv line 5, column "clinic": expected an image path inside images/ .*found "${esc}"`),
        [d],
      );
    }
    // a link inside images/ that points out of it
    const { ImagePathResolver } = await import("../../lib/data/release.ts");
    const d = tempDir(), outside = tempDir();
    Deno.mkdirSync(join(d, "images"));
    Deno.writeTextFileSync(join(outside, "secret.jpg"), "x");
    Deno.symlinkSync(outside, join(d, "images", "NEL"));
    assert.throws(
      () => new ImagePathResolver(join(d, "images")).resolve("NEL/secret.jpg", "case_num 1"),
      /expected "NEL\/secret\.jpg" to stay inside .*images, found a link to/,
    );
  },
});

Deno.test({
  name: "refused: compare --column on a file without a header; labels outside the label set; absurd labels",
  ...opts,
  async fn() {
    const d = tempDir();
    const file = (name: string, lines: (string | number)[]) => {
      Deno.writeTextFileSync(join(d, name), lines.join("\n") + "\n");
      return join(d, name);
    };
    const truth = file("truth.csv", [0, 1, 2, 2, 1, 0, 1, 2, 0, 1]);
    const a = file("a.csv", [0, 1, 2, 2, 1, 0, 1, 1, 0, 1]);
    const absurd = file("absurd.csv", [0, 1, 2, 2, 1, 0, 1, 100000, 0, 1]);
    const three = file("three.csv", [0, 1, 2, 3, 1, 0, 1, 2, 0, 1]);
    await refused(
      ["compare", "--truth", truth, "--a", a, "--b", a, "--column", "label"],
      1,
      /truth\.csv: expected a header line with a column "label" \(--column\), found a file without a header/,
      [d],
    );
    await refused(
      ["compare", "--truth", truth, "--a", a, "--b", absurd],
      1,
      /absurd\.csv line 8: expected a label in 0\.\.2 \(the labels of --truth; --labels declares more\), found 100000/,
      [d],
    );
    await refused(
      ["compare", "--truth", truth, "--a", three, "--b", a],
      1,
      /three\.csv line 4: expected a label in 0\.\.2 .*found 3/,
      [d],
    );
    await refused(
      ["compare", "--truth", absurd, "--a", a, "--b", a],
      2,
      /the labels of --truth go up to 100000, more classes than its 10 cases; expected --labels/,
      [d],
    );
    await refused(
      ["compare", "--truth", three, "--a", a, "--b", a, "--labels", "NONE,CLNC,EXC"],
      1,
      /three\.csv line 4: expected a label in 0\.\.2 \(the 3 --labels\), found 3/,
      [d],
    );
    const ok = await cliInProcess(["compare", "--truth", truth, "--a", a, "--b", a, "--format", "json"]);
    assert.equal(ok.code, 0, ok.stderr);
  },
});

Deno.test({
  name: "refused: train writes only into a new or empty folder or its own intact run",
  ...opts,
  async fn() {
    const { data, run } = await runCopy();
    // a completed run whose predictions.csv is missing
    Deno.removeSync(join(run, "predictions.csv"));
    await refused(
      trainArgs(data, run),
      1,
      /Cannot use the run in .*: expected .*predictions\.csv \(listed in its run\.json\), found none; retrain it/,
      [run],
    );
    // a folder that is not a run: the user's own files, with or without --force
    const mine = tempDir();
    for (const f of ["config.json", "history.csv", "predictions.csv"]) Deno.writeTextFileSync(join(mine, f), "mine\n");
    for (const force of [[], ["--force"]]) {
      await refused(
        [...trainArgs(data, mine), ...force],
        1,
        /Cannot train into .*: it is not empty and holds no run\.json or checkpoint\/checkpoint\.json or checkpoint\/member-1\/checkpoint\.json \(it holds config\.json, history\.csv, predictions\.csv\)/,
        [mine],
      );
    }
    // a run.json that is not a run record of this toolkit
    Deno.writeTextFileSync(join(mine, "run.json"), '{"name": "my experiment"}\n');
    await refused([...trainArgs(data, mine), "--force"], 1, /run\.json: expected a run record written by "train"/, [
      mine,
    ]);
  },
});

Deno.test({
  name: "refused: damaged run files (changed weights, truncated feature_norm.json, corrupt JSON) are named",
  ...opts,
  async fn() {
    const cases: [string, (run: string) => void, RegExp][] = [
      [
        "weights.bin",
        (run) => {
          const p = join(run, "weights", "weights.bin");
          Deno.writeFileSync(p, Deno.readFileSync(p).map((b) => b ^ 0xa5)); // every byte changed, same size
        },
        /weights\.bin is damaged or was changed \(expected \d+ bytes with sha256 [0-9a-f]{12}\.\.\., found \d+ bytes with another sha256\)/,
      ],
      [
        "feature_norm.json",
        (run) => {
          const p = join(run, "weights", "feature_norm.json");
          Deno.writeTextFileSync(p, Deno.readTextFileSync(p).slice(0, 200));
        },
        /feature_norm\.json is damaged or was changed/,
      ],
      [
        "run.json",
        (run) => Deno.writeTextFileSync(join(run, "run.json"), '{"key": "abc", "created'),
        /Cannot read a run's run\.json .*run\.json: expected JSON, found invalid or truncated text/,
      ],
      ["config.json", (run) => Deno.writeTextFileSync(join(run, "config.json"), "{"), /config\.json is damaged/],
      [
        "model.json",
        (run) => Deno.writeTextFileSync(join(run, "weights", "model.json"), "[]"),
        /model\.json is damaged/,
      ],
    ];
    for (const [, damage, message] of cases) {
      const { run } = await runCopy();
      damage(run);
      await refused(
        ["predict", "--run", run, "--sex", "female", "--location", "back", "--elevation", "flat", "--backend", "cpu"],
        1,
        message,
        [run],
      );
    }
    // string numbers in a config: the file and the field are named
    const { readRunConfig } = await import("../../lib/model/run.ts");
    const { run } = await runCopy();
    const cfg = JSON.parse(Deno.readTextFileSync(join(run, "config.json")));
    cfg.training.k = "8";
    Deno.writeTextFileSync(join(run, "config.json"), JSON.stringify(cfg));
    assert.throws(() => readRunConfig(run), /expected training\.k to be an integer >= 1, found "8" in .*config\.json/);
  },
});

Deno.test({
  name: "refused: predict --out a run folder or a folder of other files; short predictions in card and report",
  ...opts,
  async fn() {
    const { data, run } = await runCopy();
    const predictArgs = (out: string) => ["predict", "--run", run, "--data", data, "--out", out, "--backend", "cpu"];
    await refused(predictArgs(run), 1, /Cannot write predictions to .*: it is a run folder, whose predictions\.csv/, [
      run,
    ]);
    const mine = tempDir();
    Deno.writeTextFileSync(join(mine, "predictions.csv"), "mine\n");
    await refused(predictArgs(mine), 1, /it is not empty and holds no predict\.json/, [mine, run]);
    const fine = await cliInProcess(predictArgs(join(run, "predict")));
    assert.equal(fine.code, 0, fine.stderr);
    const again = await cliInProcess(predictArgs(join(run, "predict"))); // its own earlier output
    assert.equal(again.code, 0, again.stderr);

    // a predictions table cut to half its rows
    const { run: short } = await runCopy();
    const p = join(short, "predictions.csv");
    const lines = Deno.readTextFileSync(p).trimEnd().split("\n");
    Deno.writeTextFileSync(p, lines.slice(0, 1 + (lines.length - 1) / 2).join("\n") + "\n");
    await refused(
      ["card", "--run", short, "--robustness-cases", "0", "--bootstrap", "10", "--out", join(tempDir(), "card")],
      1,
      /predictions\.csv: expected 40 rows \(as its run\.json records\), found 20/,
      [short],
    );
    const runs = tempDir();
    Deno.renameSync(short, join(runs, "diag-CDM"));
    await refused(
      ["report", "--runs", runs, "--out", join(tempDir(), "report")],
      1,
      /predictions\.csv: expected 40 rows/,
      [runs],
    );
  },
});

Deno.test({
  name: "refused: synth --out over an existing folder; a folder without its own SYNTHETIC marker is never touched",
  ...opts,
  async fn() {
    const { writeSyntheticRelease } = await import("../../lib/data/synth/generate.ts");
    const release = tempDir();
    await writeSyntheticRelease(release, { cases: 12, seed: 1, imageSize: 16, workers: 0, progress: false });
    await refused(
      ["synth", "--out", release, "--cases", "10", "--size", "16", "--workers", "0"],
      1,
      /Cannot write a synthetic release to .*: it is not empty \(it holds SYNTHETIC\.json, images, meta\); expected --out to name a new or empty folder/,
      [release],
    );
    const real = tempDir();
    writeFixtureRelease(real, { cases: 20 });
    await assert.rejects(
      () => writeSyntheticRelease(real, { cases: 12, seed: 1, imageSize: 16, workers: 0, progress: false }),
      /it is not empty and holds no SYNTHETIC\.json/,
    );
    // its own earlier release is replaced whole: no old image stays mixed in
    await writeSyntheticRelease(release, { cases: 5, seed: 2, imageSize: 16, workers: 0, progress: false });
    const images = Object.keys(treeHashes(join(release, "images")));
    assert.ok(images.length <= 10 && images.every((f) => /Syn000[1-5][cd]\.jpg$/.test(f)), images.join(","));
  },
});

Deno.test({
  name:
    "refused: bad options (--lr -1, --lr 0, --k without --fold, --members 0, --members with paper, --head-weights, --data FILE, --out FILE)",
  ...opts,
  async fn() {
    const d = tempDir();
    writeFixtureRelease(d, { cases: 20 });
    const file = join(tempDir(), "a.txt");
    Deno.writeTextFileSync(file, "x");
    const base = ["train", "--data", d, "--inputs", "M", "--backend", "cpu", "--out", join(tempDir(), "o")];
    await refused(
      [...base, "--lr", "-1"],
      2,
      /expected a value after --lr, found an option-like value; write --lr=-1/,
      [
        d,
      ],
    );
    await refused([...base, "--lr=-1"], 2, /expected --lr to be a positive number, found "-1"/, [d]);
    await refused([...base, "--lr", "0"], 2, /expected --lr to be a positive number, found "0"/, [d]);
    await refused([...base, "--k", "5"], 2, /expected --fold with --k \(it applies only to --fold\), found --k alone/, [
      d,
    ]);
    await refused([...base, "--fold-seed", "3"], 2, /expected --fold with --fold-seed/, [d]);
    await refused([...base, "--members", "0"], 2, /expected --members to be an integer .*, found "0"/, [d]);
    await refused(
      [...base, "--preset", "paper", "--members", "2"],
      2,
      /expected --members only with --preset features \(the paper preset trains one network\)/,
      [d],
    );
    await refused(
      [...base, "--head-weights", "management=0"],
      2,
      /expected --head-weights to be "equal" or HEAD=W entries with HEAD among .*management and W > 0, found "management=0"/,
      [d],
    );
    await refused(
      [...base, "--model", "mgmt", "--head-weights", "diagnosis=2"],
      2,
      /expected --head-weights only with --model multi \(a single head's weight only rescales its loss against the L2 penalty\), found --model mgmt/,
      [d],
    );
    await refused(["table1", "--data", file], 2, /expected --data to name a folder, found a file .*a\.txt/, [d]);
    await refused(
      ["train", "--data", d, "--inputs", "M", "--out", file],
      2,
      /expected --out to name a folder, found a file/,
      [
        d,
      ],
    );
    await refused(["table1", "--data", d, "--out", d], 2, /expected --out to name a file, found a folder/, [d]);
    await refused(["folds", "--data", d, "--seed", "1.5"], 2, /expected --seed to be an integer, found "1\.5"/, [d]);
  },
});

Deno.test({
  name: "refused: degenerate data (empty release, empty valid/test split, duplicated column, k > cases)",
  ...opts,
  async fn() {
    const empty = tempDir();
    writeFixtureRelease(empty, {
      cases: 1,
      edit: (rows) => rows.splice(0),
      splits: { train: [], valid: [], test: [] },
    });
    await refused(["table1", "--data", empty], 1, /meta\.csv: expected at least one case, found only the header/, [
      empty,
    ]);
    for (const split of ["valid", "test"]) {
      const d = tempDir();
      const idx = [...Array(30).keys()];
      writeFixtureRelease(d, {
        cases: 30,
        splits: split === "valid" ? { train: idx.slice(0, 20), valid: [], test: idx.slice(20) } : {
          train: idx.slice(0, 20),
          valid: idx.slice(20),
          test: [],
        },
      });
      await refused(
        trainArgs(d, join(tempDir(), "o")),
        1,
        new RegExp(`expected cases in the ${split} split .*found none in .*${split}_indexes\\.csv`),
        [d],
      );
      const t = await cliInProcess(["table1", "--data", d]);
      assert.equal(t.code, 0);
      assert.match(t.stderr, new RegExp(`warning: the ${split} split is empty`));
    }
    const dup = tempDir();
    writeFixtureRelease(dup, { cases: 10 });
    const meta = join(dup, "meta", "meta.csv");
    Deno.writeTextFileSync(meta, Deno.readTextFileSync(meta).replace("seven_point_score", "diagnosis"));
    await refused(
      ["labels", "--data", dup],
      1,
      /meta\.csv line 1, column 3: expected unique column names, found "diagnosis" again \(first in column 2\)/,
      [dup],
    );
    const forty = tempDir();
    writeFixtureRelease(forty, { cases: 40 });
    await refused(
      ["folds", "--data", forty, "--k", "50"],
      1,
      /expected k \(--k\) <= the number of cases \(40\), found 50/,
      [forty],
    );
  },
});

Deno.test({
  name: "refused: negated MClass answers are read as not excising; an unknown answer names its cell",
  ...opts,
  async fn() {
    const { loadAnswers, answerToExcision } = await import("../../lib/mclass/mod.ts");
    for (const s of ["no excision", "do not excise", "no biopsy needed", "no further treatment", "Don't excise"]) {
      assert.equal(answerToExcision(s, "cell"), 0, s);
    }
    for (const s of ["biopsy/further treatment", "excision", "EXC", "1", "Biopsy"]) {
      assert.equal(answerToExcision(s, "cell"), 1, s);
    }
    const d = tempDir();
    const list = {
      file: join(d, "MClassD.csv"),
      images: [{ name: "a.jpg", melanoma: true }, { name: "b.jpg", melanoma: false }],
    };
    Deno.writeTextFileSync(
      join(d, "answers.csv"),
      "rater,a.jpg,b.jpg\nr1,no biopsy needed,biopsy\nr2,biopsy or reassure,0\n",
    );
    const before = treeHashes(d);
    assert.throws(
      () => loadAnswers(join(d, "answers.csv"), list),
      /answers\.csv line 3, column "a\.jpg": expected an answer the MClass vocabulary decides .*found "biopsy or reassure"/,
    );
    assert.deepEqual(treeHashes(d), before);
    Deno.writeTextFileSync(join(d, "answers.csv"), "rater,a.jpg,b.jpg\nr1,no biopsy needed,biopsy\n");
    assert.deepEqual(loadAnswers(join(d, "answers.csv"), list).answers, [[0, 1]]);
  },
});

Deno.test({
  name: "refused: a full disk during an export leaves the previous file intact and names it",
  ...opts,
  async fn() {
    const d = tempDir();
    writeFixtureRelease(d, { cases: 20 });
    const outDir = tempDir();
    const out = join(outDir, "labels.csv");
    Deno.writeTextFileSync(out, "the previous export\n");
    const write = Deno.writeFileSync;
    // every write fails as on a full disk (a real ENOSPC, from /dev/full)
    Deno.writeFileSync = (_path: string | URL, data: Uint8Array) => write("/dev/full", data);
    try {
      await refused(
        ["labels", "--data", d, "--out", out],
        1,
        /Cannot write .*labels\.csv: No space left on device \(os error 28\); the previous file is unchanged/,
        [outDir, d],
      );
    } finally {
      Deno.writeFileSync = write;
    }
    assert.equal(Deno.readTextFileSync(out), "the previous export\n");
    assert.deepEqual(Object.keys(treeHashes(outDir)), ["labels.csv"]); // no temporary file left
  },
});

Deno.test({
  name: "refused: a full disk while retraining a run keeps its run.json and predictions; loading names what changed",
  ...opts,
  async fn() {
    const { data, run } = await runCopy();
    const before = treeHashes(run);
    const write = Deno.writeFileSync;
    Deno.writeFileSync = (path: string | URL, data: Uint8Array, o?: Deno.WriteFileOptions) =>
      String(path).includes("predictions.csv.tmp") ? write("/dev/full", data) : write(path, data, o);
    let r;
    try {
      r = await cliInProcess([...trainArgs(data, run), "--force"]);
    } finally {
      Deno.writeFileSync = write;
    }
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      errorLines(r.stderr)[0],
      /Cannot write .*predictions\.csv: No space left on device \(os error 28\); the previous file is unchanged/,
    );
    const after = treeHashes(run);
    for (const f of ["run.json", "predictions.csv", "predictions.parquet"]) assert.equal(after[f], before[f], f);
    // no temporary file left; the training checkpoint stays (a rerun resumes from it)
    assert.deepEqual(Object.keys(after).filter((f) => !f.startsWith("checkpoint/")).sort(), Object.keys(before).sort());
    const p = await cliInProcess([
      "predict",
      "--run",
      run,
      "--sex",
      "male",
      "--location",
      "back",
      "--elevation",
      "flat",
    ]);
    if (Object.keys(after).some((f) => after[f] !== before[f])) {
      assert.equal(p.code, 1);
      assert.match(errorLines(p.stderr)[0], /is damaged or was changed/);
    } else assert.equal(p.code, 0, p.stderr);
  },
});
