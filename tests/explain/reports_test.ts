/**
 * Case reports and model cards from a tiny trained run (multi-task, all inputs): every file is
 * written (HTML, SVG with provenance, PNGs with provenance chunks, JSON); the numbers in them are the
 * run's (probabilities as predictCase gives them; test metrics as the predictions table gives them);
 * robustness covers every condition; the CLI commands write the same and reject bad input clearly.
 */
import assert from "node:assert/strict";
import { HEADS } from "../../lib/data/vocabulary.ts";
import { join } from "node:path";
import { loadRun, predictCase } from "../../lib/model/predict.ts";
import { readPredictions } from "../../lib/model/predictions.ts";
import { argmax, classwiseMetrics } from "../../lib/stats/mod.ts";
import { pngDpi, pngTextChunks } from "../../lib/plots/png.ts";
import { textProblems } from "../../lib/plots/text_boxes.ts";
import {
  buildCaseReport,
  buildModelCard,
  caseFromFiles,
  caseFromRelease,
  modelCardMarkdown,
  renderCaseReport,
  renderModelCard,
  writeCaseReport,
  writeModelCard,
} from "../../lib/report/mod.ts";
import { illustrativeCases, openExplainedRun } from "../../lib/explain/mod.ts";
import { PROJECT_ROOT, runCli, tempDir } from "../_helpers.ts";
import { trainTinyRun, writeRegionRelease } from "./_fixtures.ts";

const cacheDir = join(PROJECT_ROOT, ".cache");
const SIZE = 64;

const PROV = {
  run_id: "t",
  git_commit: "g",
  data_fingerprint: "d",
  synthetic_data: false,
  seed: 6,
  backbone: null,
  backend: null,
  created: "now",
  tool: "test",
};

Deno.test({
  name: "case report and model card from a tiny run (multi-task, C+D+M, test-time averaging over 2 views)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const { data, out } = await trainTinyRun({
      kind: "multi",
      inputs: "CDM",
      cases: 90,
      seed: 12,
      size: SIZE,
      epochs: 5,
      ttaViews: 2,
    });
    const opened = await openExplainedRun(out, { cacheDir, quiet: true });
    const chosen = illustrativeCases(readPredictions(out));
    await t.step("illustrative cases: the run has at least one test case to walk through", () => {
      assert.ok(chosen.length >= 1);
    });
    const c = opened.release.cases.find((x) => x.caseNum === chosen[0].caseNum)!;
    const report = await buildCaseReport(opened.ex, await caseFromRelease(opened.ex, opened.release, c.caseNum), {
      reference: opened.reference,
      release: opened.release,
      synthetic: false,
    });

    await t.step(
      "case report: the run's probabilities (predictCase and predictions.csv, averaged over the views)",
      async () => {
        const direct = await predictCase(await loadRun(out, { cacheDir }), {
          clinical: join(data, "images", c.clinic),
          derm: join(data, "images", c.derm),
          metadata: c.metadata,
        });
        const row = readPredictions(out).rows.find((r) => r.case_num === c.caseNum)!;
        for (const h of ["diagnosis", "management", "streaks"] as const) {
          report.probabilities[h]!.forEach((p, k) => {
            assert.ok(Math.abs(p - direct.heads[h]![k]) < 1e-5);
            assert.ok(
              Math.abs(p - (row[`${h}_${HEADS[h].codes[k]}`] as number)) < 1e-5,
              `${h}[${k}] vs predictions.csv`,
            );
          });
        }
        assert.deepEqual(report.management.inferred, direct.managementInferred);
      },
    );

    await t.step(
      "case report: seven criteria with the true score, maps of both images for both heads, not its own neighbour",
      () => {
        assert.equal(report.sevenPoint!.criteria.length, 7);
        assert.equal(report.sevenPoint!.trueScore, c.sevenPointScore);
        assert.deepEqual(report.explanations.map((e) => [e.head, Object.keys(e.maps).sort()]), [["diagnosis", [
          "clinical",
          "derm",
        ]], ["management", ["clinical", "derm"]]]);
        assert.ok(report.position.neighbours.every((n) => n.caseNum !== c.caseNum));
      },
    );

    const dir = tempDir();
    await t.step(
      "case report files: every figure variant and overlay, provenance in SVG and PNG (300 dpi), readable text, the HTML as rendered",
      () => {
        const files = writeCaseReport(report, dir, "case_x", PROV);
        for (
          const suffix of [
            ".html",
            ".2col.svg",
            ".1col.png",
            ".paper.2col.pdf",
            ".caption.tex",
            ".json",
            ".manifest.json",
            ".gradcam_diagnosis_derm.png",
            ".gradcam_management_clinical.png",
          ]
        ) {
          assert.ok(files.includes(join(dir, `case_x${suffix}`)), suffix);
        }
        assert.match(
          Deno.readTextFileSync(join(dir, "case_x.2col.svg")),
          new RegExp(`<metadata id="provenance">[^<]*&quot;case&quot;:&quot;case ${c.caseNum}&quot;`),
        );
        const overlay = Deno.readFileSync(join(dir, "case_x.gradcam_diagnosis_derm.png"));
        assert.match(pngTextChunks(overlay).Provenance, /"method":"Grad-CAM"/);
        assert.equal(pngDpi(overlay), 300);
        for (const f of files.filter((x) => x.endsWith(".svg"))) {
          assert.deepEqual(textProblems(Deno.readTextFileSync(f)), [], f);
        }
        const html = Deno.readTextFileSync(join(dir, "case_x.html"));
        assert.match(html, /not a diagnostic device/);
        assert.match(html, /Seven-point checklist/);
        // writing adds nothing to what rendering gives
        const rendered = renderCaseReport(report, { ...PROV, case: report.id, run: report.run.dir });
        // ids that count renders (Plot's classes, the colour bars' gradients) differ between two renders
        const ids = (text: string) =>
          text.replace(/plot-[0-9a-f]{6}(-\w+)?/g, "plot-X").replace(/heat-\d+-\d+/g, "heat-X");
        assert.equal(ids(html), ids(rendered.html));
        assert.equal(rendered.overlays.length, report.png.overlays.length);
      },
    );

    await t.step("case report of a new case from image files: no truth, the same probabilities", async () => {
      const fresh = await caseFromFiles(opened.ex, {
        clinical: join(data, "images", c.clinic),
        derm: join(data, "images", c.derm),
        metadata: c.metadata,
      });
      const r2 = await buildCaseReport(opened.ex, fresh, { reference: opened.reference, synthetic: false });
      assert.equal(r2.truth, null);
      report.probabilities.diagnosis!.forEach((p, k) => assert.ok(Math.abs(p - r2.probabilities.diagnosis![k]) < 1e-6));
    });

    const card = await buildModelCard(out, {
      cacheDir,
      seed: 1,
      bootstrap: 50,
      robustness: { cases: 12 },
      quiet: true,
    });
    await t.step(
      "model card: test metrics equal the predictions table's, with ordered intervals and 5 diagnosis classes",
      () => {
        const p = readPredictions(out);
        const diag = card.metrics.find((m) => m.head === "diagnosis")!;
        assert.equal(
          diag.accuracy.value,
          classwiseMetrics(p.truth("diagnosis", "test"), argmax(p.probs("diagnosis", "test")), { labels: 5 }).accuracy,
        );
        assert.ok(diag.accuracy.ci[0] <= diag.accuracy.ci[1]);
        assert.equal(diag.classes.length, 5);
      },
    );

    await t.step("model card: robustness covers every condition; unperturbed changes nothing", () => {
      const conditions = [...new Set(card.robustness!.rows.map((r) => r.condition))];
      assert.deepEqual(conditions, [
        "unperturbed",
        "brightness x0.7",
        "brightness x1.3",
        "blur σ=2 px",
        "rotation 30°",
        "without the clinical image",
        "without the dermoscopic image",
        "without metadata",
      ]);
      assert.ok(
        card.robustness!.rows.filter((r) => r.condition === "unperturbed").every((r) =>
          r.delta === 0 && r.flipRate === 0
        ),
      );
    });

    await t.step(
      "model card files: every section in the Markdown (a random backbone named as such); md, html, json, figure",
      () => {
        const md = modelCardMarkdown(card);
        for (
          const s of [
            "## Intended use",
            "**Not for:**",
            "## Data and splits",
            "## Model",
            "## Test performance",
            "## Per class",
            "## Known failure modes",
            "## Robustness",
            "## Environment",
            "RANDOMLY INITIALISED",
          ]
        ) assert.ok(md.includes(s), s);
        const cardDir = tempDir();
        const cardFiles = writeModelCard(card, cardDir, { ...PROV, seed: 1 });
        for (const f of ["card.md", "card.html", "card.json", "reliability.2col.svg", "reliability.2col.png"]) {
          assert.ok(cardFiles.includes(join(cardDir, f)), f);
        }
        assert.equal(Deno.readTextFileSync(join(cardDir, "card.md")), renderModelCard(card).markdown);
      },
    );

    await t.step(
      "CLI case: writes the report; an unknown case (status 1) and no case at all (status 2) are refused",
      async () => {
        const cli = await runCli(["case", "--run", out, "--case", String(c.caseNum), "--out", join(dir, "cli")]);
        assert.equal(cli.code, 0, cli.stderr);
        assert.match(cli.stdout, /diagnosis: \w+ \(\d\.\d\d\)/);
        assert.ok(Deno.statSync(join(dir, "cli", `case_${c.caseNum}.html`)).size > 1000);
        const missing = await runCli(["case", "--run", out, "--case", "99999"]);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /Cannot report case 99999: expected a case_num of .*meta\.csv, found none/);
        const none = await runCli(["case", "--run", out]);
        assert.equal(none.code, 2);
        assert.match(none.stderr, /expected --case N, or a new case/);
      },
    );

    await t.step(
      "CLI card: a card without robustness; a card on other data is refused naming both fingerprints",
      async () => {
        const cardCli = await runCli([
          "card",
          "--run",
          out,
          "--out",
          join(dir, "card"),
          "--robustness-cases",
          "0",
          "--bootstrap",
          "20",
        ]);
        assert.equal(cardCli.code, 0, cardCli.stderr);
        assert.match(Deno.readTextFileSync(join(dir, "card", "card.md")), /Not run for this card/);
        const other = tempDir();
        await writeRegionRelease(other, { cases: 30, seed: 99, size: SIZE });
        const wrongData = await runCli(["card", "--run", out, "--data", other, "--robustness-cases", "0"]);
        assert.equal(wrongData.code, 1);
        assert.match(
          wrongData.stderr,
          /it was trained on data with fingerprint \w+, but .* has \w+; pass the release it was trained on/,
        );
      },
    );
  },
});
