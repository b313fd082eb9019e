/** CLI train / predict (metadata-only models, fast), report (from prediction tables written here). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writePredictions } from "../../lib/model/predictions.ts";
import { describeRunFiles, predictionsShape } from "../../lib/model/run_files.ts";
import { textProblems } from "../../lib/plots/text_boxes.ts";
import { priorsFromLabels } from "../../lib/data/mod.ts";
import { Prng } from "../../lib/util/prng.ts";
import { runCli, tempDir, writeFixtureRelease } from "../_helpers.ts";

Deno.test({
  name: "cli train + predict: a run folder; one new case's heads and inferred management; a whole release",
  sanitizeResources: false,
  async fn() {
    const data = tempDir();
    writeFixtureRelease(data, { cases: 80, seed: 5 });
    const out = join(tempDir(), "run");
    const args = [
      ...["train", "--data", data, "--model", "multi", "--inputs", "M", "--epochs", "3"],
      ...["--backend", "cpu", "--out", out, "--quiet"],
    ];
    const t = await runCli(args);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /wrote .*run/);
    assert.match(t.stdout, /\| management \|/);
    // the multi-task preset weighs the management head 3 (--head-weights equal: the study's plain sum)
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(join(out, "config.json"))).training.headWeights, {
      management: 3,
    });
    const again = await runCli(args);
    assert.match(again.stdout, /reused the completed run/);
    const p = await runCli([
      "predict",
      "--run",
      out,
      "--sex",
      "female",
      "--location",
      "back",
      "--elevation",
      "flat",
      "--backend",
      "cpu",
    ]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /\| management \| EXC \|/);
    assert.match(p.stdout, /\| management \(inferred from diagnosis\) \| NONE \|/);
    const json = JSON.parse(
      (await runCli([
        "predict",
        "--run",
        out,
        "--sex",
        "male",
        "--location",
        "acral",
        "--elevation",
        "nodular",
        "--format",
        "json",
        "--backend",
        "cpu",
      ])).stdout,
    );
    assert.equal(json.heads.pigment_network.length, 3);
    assert.ok(Math.abs(json.managementInferred.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-6);
    const bad = await runCli(["predict", "--run", out, "--sex", "female", "--backend", "cpu"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /its inputs are M, expected --sex, --location and --elevation/);
    const whole = await runCli([
      "predict",
      "--run",
      out,
      "--data",
      data,
      "--out",
      join(out, "again"),
      "--backend",
      "cpu",
    ]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stdout, /wrote 80 rows/);
    const usage = await runCli(["train", "--model", "both"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /expected --model to be one of diag\|mgmt\|multi, found "both"/);
  },
});

function fakeRun(
  dir: string,
  name: string,
  heads: ("diagnosis" | "management" | "pigment_network")[],
  prng: Prng,
  n = 60,
) {
  const d = join(dir, name);
  Deno.mkdirSync(d, { recursive: true });
  const codes: Record<string, string[]> = {
    diagnosis: ["BCC", "NEV", "MEL", "MISC", "SK"],
    management: ["NONE", "CLNC", "EXC"],
    pigment_network: ["ABS", "TYP", "ATP"],
  };
  const truthD = Array.from({ length: n }, (_, i) => [1, 1, 2, 3, 4, 0][i % 6]);
  const truthM = truthD.map((t, i) => (t === 0 || t === 2 ? 2 : i % 3));
  const rows = Array.from({ length: n }, (_, i) => {
    const r: Record<string, number | string | null> = { case_num: i + 1, split: i < 20 ? "train" : "test", fold: null };
    for (const h of heads) {
      const truth = h === "diagnosis" ? truthD[i] : h === "management" ? truthM[i] : i % 3;
      const raw = codes[h].map((_, k) => Math.exp((k === truth ? 1.5 : 0) + prng.normal(0, 1)));
      const s = raw.reduce((a, b) => a + b, 0);
      codes[h].forEach((c, k) => (r[`${h}_${c}`] = raw[k] / s));
      r[`${h}_true`] = truth;
    }
    return r;
  });
  writePredictions(d, rows as never, heads);
  Deno.writeTextFileSync(
    join(d, "config.json"),
    JSON.stringify({ model: { backbone: { source: "nsfwjs", size: 160 } }, data: { synthetic: true }, seed: 1 }),
  );
  // a run record as train writes it: checksums of the files and the predictions' shape
  Deno.writeTextFileSync(
    join(d, "run.json"),
    JSON.stringify({
      key: "x",
      data: { fingerprint: "fp" },
      summary: {},
      managementPriors: priorsFromLabels(truthD.slice(0, 20), truthM.slice(0, 20), { smoothing: 1 }),
      files: describeRunFiles(d),
      predictions: predictionsShape(rows as never),
    }),
  );
}

Deno.test("cli report: every table and figure from run folders (prediction tables written here)", async () => {
  const runs = tempDir();
  const prng = new Prng(4);
  fakeRun(runs, "diag-CDM", ["diagnosis"], prng);
  fakeRun(runs, "mgmt-CDM", ["management"], prng);
  for (const inputs of ["CDM", "C", "D", "CD"]) {
    fakeRun(runs, `multi-${inputs}`, ["pigment_network", "diagnosis", "management"], prng);
  }
  const out = tempDir();
  const r = await runCli(["report", "--runs", runs, "--out", out, "--samples", "100"]);
  assert.equal(r.code, 0, r.stderr);
  const files = [...Deno.readDirSync(out)].map((e) => e.name);
  for (
    const f of [
      "table2_infr_vs_pred.csv",
      "binary_baseline.md",
      "over_excision.tex",
      "distances.json",
      "fig2.paper.2col.pdf",
      "fig2.caption.tex",
      "fig2a_distances.2col.svg",
      "fig2a_distances.1col.png",
      "fig2d_confusion_inferred.paper.1col.pdf",
      "roc_infr_vs_pred.2col.png",
      "table3_multitask.csv",
      "fig3.paper.2col.pdf",
      "fig3d_confusion_diagnosis.2col.svg",
      "table4_ablation.csv",
      "fig4_mcnemar.2col.svg",
      "study_vs_run.csv",
      "reliability_multitask.2col.svg",
      "decision_curve_excision.2col.svg",
    ]
  ) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
  const manifest = JSON.parse(Deno.readTextFileSync(join(out, "fig4_mcnemar.manifest.json")));
  assert.equal(manifest.synthetic_data, true);
  // every exported SVG reads cleanly: no text overlaps, leaves the canvas or is clipped
  const svgs = files.filter((f) => f.endsWith(".svg"));
  assert.ok(svgs.length >= 40, `${svgs.length} SVGs`);
  for (const f of svgs) assert.deepEqual(textProblems(Deno.readTextFileSync(join(out, f))), [], f);
  assert.match(Deno.readTextFileSync(join(out, "study_vs_run.md")), /SYNTHETIC data/);
  const missing = await runCli(["report", "--runs", tempDir(), "--out", out]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /expected a run "diag-CDM"/);
});
