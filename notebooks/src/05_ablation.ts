// %% [markdown]
// # 05 · Which inputs matter? The input ablation, McNemar tests, and the study vs this run
//
// The multi-task model trained on every subset of its inputs: clinical image (C), dermoscopic image (D),
// metadata (M). Table 4 of the study compares C, CM, D, DM, CD and CDM; M alone is added here. Pairs of models are
// compared on the same test cases with the mid-p McNemar test (Fig. 4), with and without Holm's adjustment for
// the 21 comparisons. The notebook ends with every number of the study this run can produce, side by side.
// The models are the multi-task features preset of notebook 02 (frozen features, a shared hidden layer under the
// nine heads) on each input subset.
// `deno task cli study --data <release_v0>` repeats every run with several seeds and prints the same table with
// this run's mean ± SD over them, and the study's findings checked one by one.
// %% code
import {
  ablationMcnemar,
  ablationRecords,
  ablationTables,
  ensureRuns,
  exportTable,
  frameOf,
  infrVsPred,
  loadStudyRuns,
  mcnemarPairRecords,
  metricsFrame,
  notebookContext,
  runNote,
  runsDir,
  show,
  studyRunNames,
  studyVsRunFrame,
  studyVsRunNote,
} from "../lib/report/mod.ts";
import { distanceComparison, PUBLISHED_SOURCE } from "../lib/analysis/mod.ts";
import { exportFigure, pValueMatrixFigure } from "../lib/plots/mod.ts";
import { Prng } from "../lib/util/prng.ts";

const ctx = await notebookContext("05_ablation");
await ensureRuns(ctx, studyRunNames.all);
const runs = loadStudyRuns(runsDir(ctx));
const note = runNote(runs);
const prov = { ...ctx.provenance, seed: ctx.settings.training.seed, backbone: runs["multi-CDM"].config.backbone };
Deno.jupyter.md`${ctx.dataNote}

${note}`;
// %% [markdown]
// ## Table 4: the input ablation (test split)
// %% code [expect-table]
const tables = ablationTables(runs);
const t4 = frameOf(ablationRecords(tables));
exportTable(ctx.outDir, "table4_ablation", t4, prov, {
  caption: "Table 4: input ablation of the multi-task model (management averages; test split)",
  digits: 4,
});
await show(t4, {
  caption:
    "Average sensitivity / specificity / precision / AUROC and accuracy of the management head; the study's row on the right",
  digits: 4,
});
// %% [markdown]
// ## Are the differences real? Mid-p McNemar tests (Fig. 4)
//
// Each pair of models is compared on the test cases one gets right and the other wrong (notebook 00 explains
// why only these count). The p-values are shown raw, as in the study, and Holm-adjusted for the 21 pairs.
// %% code [expect-table]
const mm = ablationMcnemar(runs);
const pairs = frameOf(mcnemarPairRecords(mm));
exportTable(ctx.outDir, "table4_mcnemar", pairs, prov, {
  caption: "Mid-p McNemar tests between input sets (raw and Holm-adjusted)",
  digits: 5,
  pValueColumns: ["mid-p", "Holm-adjusted"],
});
await show(pairs, { pValueColumns: ["mid-p", "Holm-adjusted"] });
// %% code [expect-figure]
const fig4 = pValueMatrixFigure(mm.names, mm.p, {
  title: "Fig. 4: mid-p McNemar tests between input sets",
  caption: `Multi-task model's management, test split, raw p-values. ${note}`,
});
exportFigure(fig4, ctx.outDir, "fig4_mcnemar", prov);
fig4;
// %% code [expect-figure]
const fig4h = pValueMatrixFigure(mm.names, mm.holm, {
  title: "The same tests, Holm-adjusted",
  caption: `Holm's step-down adjustment over the ${pairs.height} pairs. ${note}`,
});
exportFigure(fig4h, ctx.outDir, "fig4_mcnemar_holm", prov);
fig4h;
// %% [markdown]
// ## The study vs this run
//
// Every number of the study's Derm7pt results that these runs can produce. They are not expected to match when
// the data are synthetic or the backbone differs (the caption says which): the table is there so that a run on
// the real release with the study's backbone can be checked line by line.
// %% code [expect-table]
const r = infrVsPred(runs);
const distances = distanceComparison(r.truth, r.infrProbs, r.predProbs, {
  prng: new Prng(ctx.settings.training.seed).fork("distances"),
  samples: ctx.settings.training.bootstrap,
});
const svr = studyVsRunFrame(runs, r, metricsFrame(runs), distances);
exportTable(ctx.outDir, "study_vs_run", svr, prov, {
  caption: `The study (${PUBLISHED_SOURCE}) vs this run. ${studyVsRunNote(runs)}`,
});
await show(svr, {
  caption: `${svr.height} quantities (a join of the study's numbers with this run's). ${studyVsRunNote(runs)}`,
});
// %% [markdown]
// ## What this notebook shows, and what it does not
//
// It shows Table 4 (the multi-task model on every subset of its inputs, with M alone added), the mid-p McNemar
// tests between every pair of input sets, raw as in the study and Holm-adjusted for the 21 pairs (Fig. 4), and
// every number of the study these runs can produce beside this run's.
// `deno task cli report --runs <runs folder> --out <folder>` regenerates every table and figure of notebooks
// 03-05 from run folders, e.g. after training on the real release.
//
// It does not show which input matters for real lesions unless the runs were trained on the real release
// with the study's backbone: with the frozen stand-in backbone and synthetic data, the ranking of input sets is
// this pipeline's, not the study's. McNemar's test compares right and wrong answers only; it says nothing about
// the probabilities or about how severe the errors are. And 21 raw p-values invite false discoveries: read
// the Holm-adjusted ones.
