// %% [markdown]
// # 00 · A statistics primer for auditing the study
//
// The study compares ways of predicting the management of a skin lesion with a battery of statistics. This
// notebook introduces each measure on a small worked example, using the same library (`lib/stats`) the later
// notebooks use. Every function here is checked in `tests/stats/` against SciPy, statsmodels, scikit-learn,
// PyCM, R or published examples (299 reference vectors).
//
// The last section audits the study's own released predictions: rows C and CM of its Table 4 and the mid-p
// McNemar test between them.
// %% code
import * as S from "../lib/stats/mod.ts";
import {
  classMetricRows,
  comparePredictions,
  comparisonRows,
  distanceExampleRows,
  exportTable,
  frameOf,
  kappaExampleRows,
  mcnemarExampleRows,
  notebookContext,
  pairedComparisonRows,
  precisionRecallSeriesOf,
  readLabelFile,
  releasedAuditNote,
  releasedAuditRows,
  releasedPredictions,
  rocSeriesOf,
  show,
  simulatedPrediction,
} from "../lib/report/mod.ts";
import { exportFigure, precisionRecallFigure, rocFigure } from "../lib/plots/mod.ts";
import { Prng } from "../lib/util/prng.ts";

const ctx = await notebookContext("00_statistics_primer", { data: false });
const SEED = 2021; // every random draw below comes from this seed
const prng = new Prng(SEED);
Deno.jupyter.md`${ctx.dataNote} Outputs go to \`${ctx.outDir}\`. Seed: ${SEED}.`;
// %% [markdown]
// ## 1. The confusion matrix and class-wise metrics
//
// Management has three classes: 0 = no further examination (NONE), 1 = clinical follow up (CLNC), 2 = excision
// (EXC). Rows of the confusion matrix are the truth, columns the prediction. Each class is scored one-vs-rest:
// **sensitivity** TP/(TP+FN), **specificity** TN/(TN+FP), **precision** TP/(TP+FP). The study's "Average"
// rows are the unweighted (macro) means over the three classes.
// %% code [expect-table]
const truth = [0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2];
const guess = [0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 2, 0];
const m = S.classwiseMetrics(truth, guess);
const names = ["NONE", "CLNC", "EXC"];
await show(frameOf(classMetricRows(m, names)), {
  caption: `Confusion matrix ${JSON.stringify(m.confusionMatrix)}; accuracy ${
    m.accuracy.toFixed(3)
  }; macro sensitivity ${m.macro.sensitivity.toFixed(3)}`,
  digits: 3,
});
// %% [markdown]
// ## 2. ROC and precision-recall curves
//
// A probabilistic prediction is judged over all thresholds. The **ROC curve** plots sensitivity against
// 1 - specificity; the area under it (AUROC) is the probability that a random positive scores above a random
// negative (ties count 1/2). The **precision-recall curve** ignores true negatives, so it shows how a rare
// class fares; its summary, **average precision**, is the step sum of precision over recall increments (not
// the trapezoid, which overstates it). For three classes, each class is scored one-vs-rest by its probability.
// %% code [expect-figure]
const n = 300;
const { truth: y, probs } = simulatedPrediction(prng, { cases: n, classWeights: [40, 112, 243], signal: 1.2 });
const rocFig = rocFigure(rocSeriesOf(y, probs, names), {
  title: "ROC curves of a simulated 3-class prediction",
  caption: `Simulated data (seed ${SEED}), ${n} cases. Macro AUROC ${S.rocAucOvr(y, probs).toFixed(3)}.`,
});
exportFigure(rocFig, ctx.outDir, "primer_roc", { ...ctx.provenance, seed: SEED });
rocFig;
// %% code [expect-figure]
const prFig = precisionRecallFigure(precisionRecallSeriesOf(y, probs, names), {
  title: "Precision-recall curves of the same prediction",
  caption: `Simulated data (seed ${SEED}). NONE is rare (about 10%): its AP is far below its AUROC.`,
});
exportFigure(prFig, ctx.outDir, "primer_pr", { ...ctx.provenance, seed: SEED });
prFig;
// %% [markdown]
// ## 3. How far is a probabilistic prediction from the truth?
//
// The study measures, for each case, four distances between the predicted probability vector and the one-hot
// vector of the true class: 1 - cosine similarity, Jensen-Shannon, Wasserstein and Hellinger. Two of them are
// ambiguous in the study:
//
// - **Jensen-Shannon**: the divergence, or its square root (the *distance*, what SciPy's `jensenshannon`
//   returns). This toolkit defaults to the distance (natural log) and can compute both.
// - **Wasserstein**: (A) classes as positions 0, 1, 2 carrying the probabilities as weights — the earth mover's
//   distance over the *ordered* management classes, so predicting NONE for an EXC case costs two steps; or
//   (B) SciPy's `wasserstein_distance(p, onehot)` called directly, which treats the three numbers as samples
//   and ignores which class holds the mass. The default is (A); (B) is shown for comparison.
// %% code [expect-table]
const examples = [
  { case: "confident, right", p: [0.02, 0.03, 0.95], target: 2 },
  { case: "unsure, right", p: [0.2, 0.35, 0.45], target: 2 },
  { case: "wrong, adjacent class", p: [0.05, 0.9, 0.05], target: 2 },
  { case: "wrong, far class", p: [0.9, 0.05, 0.05], target: 2 },
];
await show(frameOf(distanceExampleRows(examples)), {
  caption: "Distances to the one-hot target EXC. Only reading A tells the adjacent mistake from the far one.",
  digits: 3,
});
// %% [markdown]
// ## 4. Comparing two sets of distances: Wilcoxon, bootstrap CIs, Cohen's d
//
// The same cases get a distance under each approach, so the comparison is **paired**. The Wilcoxon
// signed-rank test ranks the absolute paired differences and compares the rank sums of positive and negative
// differences (two-sided statistic min(R+, R-)); small samples use the exact null distribution, large ones
// the normal approximation with a tie correction. The study reports each mean with a 95% interval from
// 1000 subsamples of half the cases, and Cohen's d as the effect size.
// %% code [expect-table]
const a = Array.from({ length: 60 }, () => Math.abs(prng.normal(0.45, 0.2)));
const b = a.map((v) => Math.max(0, v - 0.08 + prng.normal(0, 0.15)));
await show(frameOf(pairedComparisonRows(a, b, prng)), {
  caption: "Simulated paired distances (60 cases). The report always says which d it uses.",
});
// %% [markdown]
// ## 5. McNemar's test looks only at the discordant pairs
//
// To compare two classifiers on the same cases, tabulate right/wrong for both. Cases both get right (or both
// get wrong) say nothing about which is better: they would be the same whichever classifier we kept. Only the
// discordant counts b (A right, B wrong) and c (A wrong, B right) matter; under "no difference", b is
// Binomial(b + c, 1/2). The **mid-p** version (Fagerland et al. 2013, the study's choice) subtracts half the
// probability of the observed table, which keeps the exact test's validity without most of its conservatism.
// %% code [expect-table]
await show(frameOf(mcnemarExampleRows([[[30, 4], [12, 10]], [[300, 4], [12, 100]]])), {
  caption: "Ten times more concordant cases, same b = 4 and c = 12: the same p-values.",
  pValueColumns: ["exact p", "mid-p", "chi-square (corrected) p"],
});
// %% [markdown]
// ## 6. Agreement beyond chance: Cohen's and Fleiss' kappa
//
// Two raters who agree on 70% of cases may agree on 50% by chance alone; **Cohen's kappa** rescales observed
// agreement p_o against chance agreement p_e: (p_o - p_e) / (1 - p_e). **Fleiss' kappa** does the same for many
// raters rating every subject. The study compares its model with 157 dermatologists this way (notebook 06).
// %% code [expect-table]
const table = [[20, 5], [10, 15]]; // Wikipedia's worked example: 50 grant proposals, two readers
const panel = [[0, 0, 0, 0, 1], [1, 1, 1, 0, 1], [0, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]];
await show(frameOf(kappaExampleRows(table, panel)), { digits: 4, pValueColumns: ["p (H0: chance)"] });
// %% [markdown]
// ## 7. Audit: the study's released predictions
//
// The first author released the test-set management predictions of the multi-task model with inputs C
// (clinical image only) and CM (clinical + metadata) in the repository `kakumarabhishek/McNemar-mid-p` (MIT);
// a copy ships with this project in `third_party/McNemar-mid-p/` with its licence and source. From them, rows
// C and CM of Table 4 and the McNemar test between the two models must come out exactly as published: C
// 0.5997 / 0.7911 / 0.5466 / accuracy 0.6051, CM 0.6050 / 0.7983 / 0.5684 / 0.6405; exact p 0.02430651, mid-p
// 0.01667385. (AUROC needs probabilities, which were not released.)
// %% code [expect-table]
const released = releasedPredictions();
const audit = comparePredictions(
  readLabelFile(released.truth),
  readLabelFile(released.C),
  readLabelFile(released.CM),
  { labels: names },
);
const auditTable = frameOf(releasedAuditRows(comparisonRows(audit, ["C", "CM"])));
exportTable(ctx.outDir, "audit_table4_rows_C_CM", auditTable.drop("published"), ctx.provenance, {
  caption: "Table 4 rows C and CM recomputed from the released predictions",
  digits: 4,
});
await show(auditTable, { caption: releasedAuditNote(audit, released.source), digits: 4 });
// %% [markdown]
// ## What this notebook shows, and what it does not
//
// It shows how each measure the study relies on is defined and computed — class-wise metrics, ROC and PR
// curves, the four distances and their two ambiguous readings, Wilcoxon, the subsampling intervals, Cohen's
// d, McNemar's test, Cohen's and Fleiss' kappa — on small examples, with the library the other notebooks use.
// And it shows that rows C and CM of Table 4 and the McNemar test between them follow exactly from the
// predictions the first author released.
//
// It does not show how well any model predicts management: sections 1-6 use simulated or textbook numbers.
// The audit cannot check AUROC or the other rows of Table 4, because only the labels of two models were
// released, and agreeing numbers show that the published table follows from those predictions, not that the
// models behind them can be trained again to the same result.
