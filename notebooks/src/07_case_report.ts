// %% [markdown]
// # 07 · A second opinion a reviewer can inspect: case reports, explanation maps and the model card
//
// The study's aim is a second opinion on what to do with a lesion. A reviewer needs to see *why* the model says
// what it says, *how sure* it is, *whether the case is like the ones it learned from*, and *what the model is*.
// This notebook walks through a few test cases of the multi-task model (all inputs, notebook 02) — including one it
// gets wrong — and then writes the model's card.
//
// - **Grad-CAM** (Selvaraju et al. 2017) weighs the activation maps of the backbone's deepest feature layer by the
//   gradient of a head's class score and keeps the positive part. Here that layer reaches the heads only through
//   its global average pool, so the gradient is exact and cheap; the maps come from the run's own backbone on the
//   training backend, through the whole multi-input model (both images and the metadata).
// - **Integrated gradients** at the head input say how much the clinical image, the dermoscopic image and each
//   metadata variable moved the class score away from an average training lesion.
// - **Position against the training data**: the mean distance to the 5 nearest training cases in the space the
//   heads see, as a percentile of the training cases' own distances.
// %% code
import {
  attributionRows,
  buildCaseReport,
  buildModelCard,
  caseFromRelease,
  caseReportFigure,
  caseSummaryLines,
  ensureRuns,
  exportTable,
  frameOf,
  modelCardReliabilityFigure,
  modelCardTables,
  notebookContext,
  positionRows,
  show,
  writeCaseReport,
  writeModelCard,
} from "../lib/report/mod.ts";
import { illustrativeCases, openExplainedRun } from "../lib/explain/mod.ts";
import { readPredictions } from "../lib/model/mod.ts";

const ctx = await notebookContext("07_case_report");
const { "multi-CDM": runDir } = await ensureRuns(ctx, ["multi-CDM"]);
const opened = await openExplainedRun(runDir, { cacheDir: ctx.cacheDir, quiet: true });
const prov = { ...opened.prov, run_id: `07_case_report${ctx.profile === "quick" ? "-quick" : ""}` };
const chosen = illustrativeCases(readPredictions(runDir));
Deno.jupyter.md`${ctx.dataNote}

Model: \`${runDir}\` — Grad-CAM on layer \`${opened.ex.camLayer}\`; training reference: ${opened.reference.vectors.length} training cases.`;
// %% code [expect-table]
const chosenCases = frameOf(chosen.map((c) => ({ case_num: c.caseNum, "why this case": c.why })));
await show(chosenCases, { caption: "The cases walked through below (test split)" });
// %% [markdown]
// ## The cases
//
// Each report shows both images, then each image's Grad-CAM map for the predicted diagnosis and the predicted
// management (one colour scale per head across both images, so the two images' heat can be compared), the
// probabilities of every head — the true class marked — and, in the caption, where the case sits against the
// training data and which input drove each decision. Every report is also written as HTML, SVG, 300-dpi PNGs
// and JSON under `cases/`, with one PNG per overlay, all carrying their provenance.
// %% code
const reports = [];
for (const c of chosen) {
  const t0 = performance.now();
  const report = await buildCaseReport(opened.ex, await caseFromRelease(opened.ex, opened.release, c.caseNum), {
    reference: opened.reference,
    release: opened.release,
    synthetic: ctx.synthetic,
  });
  writeCaseReport(report, `${ctx.outDir}/cases`, `case_${c.caseNum}`, prov);
  reports.push({ report, seconds: (performance.now() - t0) / 1000, why: c.why });
}
Deno.jupyter.md`${
  reports.map((r) =>
    `- **${r.report.id}** — ${r.why}: ${caseSummaryLines(r.report).join("; ")} (report in ${r.seconds.toFixed(1)} s)`
  ).join("\n")
}`;
// %% code [expect-figure]
caseReportFigure(reports[0].report);
// %% code [expect-figure]
caseReportFigure(reports[Math.min(1, reports.length - 1)].report);
// %% [markdown]
// A wrong prediction is where a second opinion has to earn its keep: compare its maps and its position with the
// correct case above. A case far from the training data (a high percentile) or a map that lights up the
// background rather than the lesion are reasons to distrust the model on that case — neither proves it wrong.
// %% code [expect-table]
const drivers = frameOf(attributionRows(reports.map((r) => r.report)));
await show(drivers, {
  caption:
    "Integrated gradients at the head input: each input's contribution to the class logit, from the training mean",
  digits: 3,
});
// %% code [expect-table]
const positions = frameOf(positionRows(reports.map((r) => r.report)));
await show(positions, {
  caption: "Position against the training cases (percentiles of the training cases' own leave-one-out distances)",
  digits: 2,
});
// %% [markdown]
// ## The model card
//
// Generated from the run folder (`deno task cli card --run DIR` writes the same): intended use and misuse, data
// and splits, backbone and its provenance, training preset and backend, test metrics with 95% bootstrap
// intervals per class, calibration, the failure modes read off the confusion matrices, robustness to image
// perturbations and to a missing input, and the environment.
// %% code
const robustCases = ctx.profile === "quick" ? 16 : 100;
const t1 = performance.now();
const card = await buildModelCard(runDir, {
  cacheDir: ctx.cacheDir,
  seed: ctx.settings.training.seed,
  bootstrap: ctx.settings.training.bootstrap,
  robustness: { cases: robustCases },
  release: opened.release,
  explained: opened,
  quiet: true,
});
const cardFiles = writeModelCard(card, `${ctx.outDir}/card`, prov);
const tables = modelCardTables(card);
const cardMetrics = frameOf(tables.heads), cardClasses = frameOf(tables.classes);
const cardFailures = frameOf(tables.failures), cardRobustness = frameOf(tables.robustness);
Deno.jupyter.md`Card written to \`${ctx.outDir}/card\` (${cardFiles.length} files, ${
  ((performance.now() - t1) / 1000).toFixed(1)
} s).`;
// %% code [expect-table]
exportTable(ctx.outDir, "card_metrics", cardMetrics, prov, { caption: "Test metrics with 95% bootstrap intervals" });
await show(cardMetrics, {
  caption: `Test metrics per head (${
    card.metrics[0].n
  } cases; 95% bootstrap intervals, ${card.settings.bootstrap} resamples)`,
});
// %% code [expect-table]
await show(cardClasses, { caption: "Per class (diagnosis and management)" });
// %% code [expect-figure]
modelCardReliabilityFigure(card);
// %% code [expect-table]
await show(cardFailures, { caption: "Known failure modes: the largest confusions (share of the true class)" });
// %% code [expect-table]
exportTable(ctx.outDir, "card_robustness", cardRobustness, prov, {
  caption: "Robustness: accuracy under perturbations and without each input",
});
await show(cardRobustness, {
  caption: `Robustness on ${card.robustness!.settings.cases} test cases (stratified by diagnosis)`,
});
// %% [markdown]
// ## What this notebook shows, and what it does not
//
// It shows what a reviewer can inspect for a single case — both images with Grad-CAM maps for the predicted
// diagnosis and management, every head's probabilities, the contribution of each input, and where the case sits
// against the training data — for a correct and two instructive wrong cases, and the model card with
// bootstrap intervals, calibration, failure modes and robustness checks.
//
// It does not show that the model is right for the right reasons, and it is not a diagnostic device:
//
// - Grad-CAM shows where the evidence the heads used sits *at the resolution of the explained layer* (a few
//   cells across the image), not which pixels matter; it can highlight a ruler or a hair as readily as a lesion.
// - Integrated gradients here work at the head input — they apportion a decision between the images and the
//   metadata. Pixel-level integrated gradients would need a backward pass through InceptionV3 per step, which this
//   CPU cannot afford per case; Grad-CAM covers the pixel side.
// - The robustness table perturbs images *after* they are resized to the model's input; a removed input is
//   replaced by the training mean of its features, which is one choice among several (zeros, noise, retraining).
// - On synthetic data all of this describes drawn lesions: the structure of the analysis is real, the numbers
//   are not about patients.
