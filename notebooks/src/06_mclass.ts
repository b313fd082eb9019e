// %% [markdown]
// # 06 · MClass-D: the model and 157 dermatologists
//
// The study's external check: the multi-task model trained on Derm7pt, applied unchanged to the 100 dermoscopic
// images of the MClass-D benchmark (20 melanomas, 80 nevi; Brinker et al. 2019), whose 157 dermatologists each
// chose "biopsy / further treatment" (EXC) or "reassure the patient" (NOEXC). MClass-D has dermoscopic images only,
// so the model is the multi-task model with input D (one of notebook 05's ablation runs).
//
// Two ground truths: **MGMT_GT,agg**, the dermatologists' majority vote (a tie, possible when one dermatologist is
// left out, counts as EXC), and **MGMT_GT,true**, the diagnosis (melanoma -> EXC). The model's management comes
// from its management head (MGMT_pred: P(EXC) >= 0.5) or from its diagnosis head (MGMT_infr: p(BCC) + p(MEL) >= 0.5).
// %% code
import {
  agreementRecords,
  ensureRuns,
  frameOf,
  mclassConfusionRows,
  mclassLocation,
  mclassRocFigure,
  notebookContext,
  ratersFrame,
  raterSummaryFrame,
  show,
  writeMclassReport,
} from "../lib/report/mod.ts";
import { loadMclassList } from "../lib/mclass/mod.ts";

const ctx = await notebookContext("06_mclass");
const { "multi-D": runDir } = await ensureRuns(ctx, ["multi-D"]);
const bench = await mclassLocation({ quick: ctx.profile === "quick" });
const SEED = 2019;
const list = loadMclassList(`${bench.dir}/MClassD.csv`);
Deno.jupyter.md`${
  bench.synthetic
    ? `**SYNTHETIC BENCHMARK.** No \`MCLASS_DIR\` is set, so this notebook uses a synthetic MClass-like benchmark in \`${bench.dir}\`: ${list.images.length} drawn dermoscopic lesions (${
      list.images.filter((i) => i.melanoma).length
    } melanomas) and a simulated panel of dermatologists whose agreement was tuned to the published levels. It shows the analysis, not the real dermatologists. To use the real benchmark, put \`MClassD.csv\`, \`images/\` (the ISIC images, which \`lib/mclass/isic.ts\` downloads with network access) and the benchmark's \`ResultsDermoscopic.xlsx\` in a folder and set \`MCLASS_DIR\`.`
    : `MClass-D from \`${bench.dir}\`.`
}

Model: \`${runDir}\` (${
  ctx.dataNote.startsWith("**SYNTHETIC") ? "trained on SYNTHETIC Derm7pt-format data" : "trained on Derm7pt"
}).`;
// %% [markdown]
// ## The analysis
//
// Predicting the 100 images, then every agreement statistic of the study: Cohen's kappa of the model with the
// majority, between all pairs of dermatologists, and of each dermatologist with the majority of the others;
// Fleiss' kappa of all dermatologists, with the model replacing each of them, and of 1000 random sets of 9
// dermatologists plus the model. Beyond the study: 95% bootstrap intervals over the images.
// %% code [expect-table]
const t0 = performance.now();
const { result, answers } = await writeMclassReport({
  runDir,
  dataDir: bench.dir,
  outDir: ctx.outDir,
  cacheDir: ctx.cacheDir,
  prov: ctx.provenance,
  seed: SEED,
  synthetic: bench.synthetic,
  bootstrap: ctx.profile === "quick" ? 200 : 1000,
});
const agreement = frameOf(agreementRecords(result));
await show(agreement, {
  caption: `${
    bench.synthetic ? "SYNTHETIC benchmark. " : ""
  }Agreement (${result.agreement.raters} raters x ${result.agreement.images} images; prediction, analysis and export in ${
    ((performance.now() - t0) / 1000).toFixed(1)
  } s; seed ${SEED})`,
});
// %% [markdown]
// ## The model against each ground truth (Fig. 5)
//
// Against the diagnosis, every dermatologist is a point (their sensitivity and specificity for melanoma); a point
// below the model's ROC curve is a dermatologist the model beats at that operating point.
// %% code [expect-figure]
const note = `${bench.synthetic ? "SYNTHETIC benchmark. " : ""}Decisions at 0.5.`;
mclassRocFigure(result, "true", note);
// %% code [expect-figure]
mclassRocFigure(result, "aggregate", note);
// %% code [expect-table]
const conf = frameOf(mclassConfusionRows(result));
await show(conf, {
  caption:
    "Counts at 0.5, truth as NOEXC/EXC: pred = MGMT_pred, infr = MGMT_infr; aggregate = MGMT_GT,agg, true = MGMT_GT,true",
  digits: 3,
});
// %% [markdown]
// ## The dermatologists one by one
//
// One row per dermatologist (`raters`): how many of the 100 images they would biopsy, their sensitivity and
// specificity for melanoma, and their agreement with the majority of the others. The summary below it is a
// polars aggregation over those rows, with the model's own value beside.
// %% code [expect-table]
const raters = ratersFrame(result, answers);
await show(raters, { head: 5, digits: 3, caption: `${raters.height} dermatologists` });
// %% code [expect-table]
const raterSummary = raterSummaryFrame(raters, result);
await show(raterSummary, {
  digits: 3,
  caption: `${
    bench.synthetic ? "SYNTHETIC benchmark. " : ""
  }The dermatologists summarised, and the model (MGMT_pred at 0.5; its kappa is with the majority of all dermatologists)`,
});
// %% [markdown]
// ## What this notebook shows, and what it does not
//
// It shows the study's external check run end to end on this project's multi-task model with input D: the
// model's management against the dermatologists' majority and against the diagnosis, every agreement statistic
// of the study (Cohen's kappa with the majority, between dermatologists and of each with the others; Fleiss'
// kappa with and without the model) with bootstrap intervals, and the ROC curves with every dermatologist as a
// point (Fig. 5).
//
// It does not show that the model is as good as the dermatologists. Kappa measures agreement, not correctness:
// a model can agree with the dermatologists' majority and share its mistakes. MGMT_GT,true is the diagnosis,
// which for a nevus says nothing about whether a biopsy was a reasonable choice for that image. Fleiss' kappa
// with the model replacing one dermatologist barely moves because one rater in 157 barely can; the 10-rater
// draws are more sensitive. The model never saw a clinical image or metadata here, unlike in Derm7pt. And
// without `MCLASS_DIR` the benchmark and its dermatologists are simulated.
