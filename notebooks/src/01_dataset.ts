// %% [markdown]
// # 01 · The Derm7pt dataset
//
// This notebook walks through the data of *Predicting the clinical management of skin lesions using deep
// learning* (Abhishek, Kawahara & Hamarneh, Sci Rep 2021): the Derm7pt release (Interactive Atlas of
// Dermoscopy), what one case is, the study's Table 1, how labels are grouped, the seven-point checklist score,
// label and metadata distributions, a few image pairs, and the cross-validation folds.
//
// All logic lives in `lib/`; this notebook only calls it and shows the results. Outputs (tables as
// CSV/Markdown/LaTeX/JSON, figures as SVG and 300-dpi PNG) are written under `outputs/`.
// %% code
import pl from "nodejs-polars";
import {
  caseLabelRows,
  casesFrame,
  datasetRecords,
  exampleCasePairs,
  exportTable,
  frameOf,
  groupingTable,
  notebookContext,
  sevenPointWeightRows,
  show,
  table1Frame,
} from "../lib/report/mod.ts";
import {
  crossValidationFolds,
  DIAGNOSIS,
  foldSizes,
  MANAGEMENT,
  maxProportionDeviation,
  splitSummary,
} from "../lib/data/mod.ts";
import {
  exportFigure,
  foldProportionsFigure,
  imagePairMontage,
  labelDistributionFigure,
  managementByGroupFigure,
  metadataFigure,
  sevenPointScoreFigure,
} from "../lib/plots/mod.ts";

const ctx = await notebookContext("01_dataset");
const { release } = ctx;
const SEED = 0; // the seed of the cross-validation partition
const note = ctx.synthetic ? " SYNTHETIC data: drawn lesions, not patients." : "";
Deno.jupyter.md`${ctx.dataNote}

Outputs of this notebook go to \`${ctx.outDir}\`.`;
// %% [markdown]
// ## What a case is
//
// One row of `meta/meta.csv` is one lesion: a **clinical** photograph and a **dermoscopic** image
// (columns `clinic`, `derm`, relative to `images/`), the **diagnosis** (20 strings), the seven dermoscopic
// **criteria** of the seven-point checklist, patient **metadata** (sex, lesion location, elevation), the
// level of diagnostic difficulty, and the **management** decided for it (excision, clinical follow up, or no
// further examination). Here is the first case, raw and grouped:
// %% code [expect-table]
const first = release.cases[0];
await show(frameOf(caseLabelRows(first)), { caption: `case_num ${first.caseNum} (${first.split} split)` });
// %% [markdown]
// ## Every case as a DataFrame
//
// The whole release as one nodejs-polars DataFrame, one row per case: its official split, raw diagnosis and
// group, management, seven-point score, the grouped criteria and the metadata. It stays in the variable `cases`
// for any question the tables below do not answer; the next cell asks one: how is management distributed over
// lesion locations?
// %% code [expect-table]
const cases = casesFrame(release);
await show(cases, { head: 8, caption: `${cases.height} cases, ${cases.width} columns.${note}` });
// %% code [expect-table]
const byLocation = cases.groupBy(["location", "management"]).agg(pl.len().alias("cases")).sort([
  "location",
  "management",
]);
await show(byLocation, { caption: "Cases per location and management (a group-by on `cases`)." + note });
// %% [markdown]
// ## Table 1: splits and management
//
// The official split has 413 training, 203 validation and 395 test cases. The study's Table 1 counts the
// management decisions in each split, broken down by diagnosis.
// %% code [expect-table]
const summary = frameOf(splitSummary(release));
exportTable(ctx.outDir, "table1_split_summary", summary, ctx.provenance, {
  caption: "Split sizes and management counts",
});
await show(summary, { caption: "Cases and management (EXC / CLNC / NONE) per split." + note });
// %% code [expect-table]
const table1Groups = table1Frame(release, "group");
exportTable(ctx.outDir, "table1_groups", table1Groups, ctx.provenance, {
  caption: "Table 1: management by diagnosis group and split",
});
await show(table1Groups, {
  caption: "Table 1, grouped diagnoses (NONE = no further examination, CLNC = clinical follow up, EXC = excision)." +
    note,
});
// %% code [expect-table]
const table1Raw = table1Frame(release, "raw");
exportTable(ctx.outDir, "table1_raw", table1Raw, ctx.provenance, {
  caption: "Table 1: management by raw diagnosis and split",
});
await show(table1Raw.filter(pl.col("split").eq(pl.lit("all"))), {
  caption: "The 20 raw diagnoses over all splits." + note,
});
// %% code [expect-figure]
const folds = crossValidationFolds(release, { k: 3, seed: SEED }); // the 3-fold partition, shown at the end
const records = datasetRecords(release, folds);
const fig1 = managementByGroupFigure(records.managementByGroup, {
  groups: DIAGNOSIS.codes,
  caption: "Counts of the Derm7pt release per split (Table 1)." + note,
});
exportFigure(fig1, ctx.outDir, "table1_management_by_group", ctx.provenance);
fig1;
// %% [markdown]
// ## How labels are grouped
//
// The study follows Kawahara et al.: infrequent labels are merged, giving 5 diagnosis groups (numbered
// BCC 0, NEV 1, MEL 2, MISC 3, SK 4) and 2-3 classes per criterion, 24 labels over 8 tasks; management
// has 3 classes (0 = no further examination, 1 = clinical follow up, 2 = excision). Any other string in
// `meta.csv` is rejected with the file, line and column.
// %% code [expect-table]
const grouping = frameOf(groupingTable());
exportTable(ctx.outDir, "label_grouping", grouping, ctx.provenance, { caption: "Raw label strings and their groups" });
await show(grouping, { caption: "Every accepted raw string and its group" });
// %% [markdown]
// ## The seven-point checklist score
//
// Major criteria score 2 (atypical pigment network, blue-whitish veil, atypical vascular structures), minor
// criteria 1 (irregular pigmentation, irregular streaks, irregular dots/globules, regression structures).
// The loader recomputes the score from the grouped criteria and refuses a file whose `seven_point_score`
// disagrees, so every case below has the file's score.
// %% code [expect-table]
await show(frameOf(sevenPointWeightRows()), {
  caption: `Weights. The loader recomputed the score of all ${release.cases.length} cases and found the file's.`,
});
// %% code [expect-figure]
const fig2 = sevenPointScoreFigure(records.sevenPoint, { groups: DIAGNOSIS.codes, caption: "All cases." + note });
exportFigure(fig2, ctx.outDir, "seven_point_score", ctx.provenance);
fig2;
// %% [markdown]
// ## Label and metadata distributions
//
// Every head of the multi-task model over all cases. Note the imbalance: rare classes (e.g. regular
// streaks, irregular vessels, NONE) are why the study samples label-balanced mini-batches and weights the loss.
// %% code [expect-figure]
const fig3 = labelDistributionFigure(records.labelCounts, { caption: "Grouped labels of all cases." + note });
exportFigure(fig3, ctx.outDir, "label_distribution", ctx.provenance);
fig3;
// %% code [expect-figure]
const fig4 = metadataFigure(records.metadata, {
  managements: MANAGEMENT.names,
  caption: "Metadata inputs (one-hot encoded for the model), by management." + note,
});
exportFigure(fig4, ctx.outDir, "metadata_by_management", ctx.provenance);
fig4;
// %% [markdown]
// ## A few cases: clinical (top) and dermoscopic (bottom) images
//
// One case of each diagnosis group from the test split. (In 9 real cases the release reuses the
// dermoscopic image as the clinical one; the loader flags them.)
// %% code [expect-output]
const pairs = await exampleCasePairs(release, { cacheDir: `${ctx.cacheDir}/images`, size: 160 });
const montage = pairs && await imagePairMontage(pairs, {
  tile: 150,
  title: "Clinical (top) and dermoscopic (bottom)" + (ctx.synthetic ? " - SYNTHETIC" : ""),
});
if (montage) Deno.writeFileSync(`${ctx.outDir}/example_cases.png`, montage);
montage
  ? Deno.jupyter.image(montage)
  : Deno.jupyter.md`No \`images/\` folder in ${release.dir}: image pairs are skipped.`;
// %% [markdown]
// ## Cross-validation folds
//
// The study also reports 3-fold cross-validation. The partition below is seeded and stratified on all 9
// heads at once (iterative stratification, Sechidis et al. 2011); in each fold, the cases outside the test
// part are split into training and validation parts in the official 413:203 ratio.
// %% code [expect-figure]
const deviation = maxProportionDeviation(release, folds);
const sizes = frameOf(foldSizes(folds));
exportTable(ctx.outDir, "cv_folds_sizes", sizes, { ...ctx.provenance, seed: SEED }, {
  caption: "3-fold cross-validation sizes",
});
const fig5 = foldProportionsFigure(records.foldShares, {
  caption:
    `Seed ${SEED}. Largest deviation of any class share in a test fold from the whole release: ${
      deviation.toFixed(3)
    }.` + note,
});
exportFigure(fig5, ctx.outDir, "cv_fold_proportions", { ...ctx.provenance, seed: SEED });
fig5;
// %% code [expect-table]
await show(sizes, { caption: "Cases per part of each fold" });
// %% [markdown]
// ## What was written
//
// Every exported table above is in `outputs/.../01_dataset/` as `.csv`, `.md`, `.tex`, `.json` and `.parquet`
// (all from the DataFrame shown) with a `.manifest.json` (git commit, data fingerprint, seed); every figure at
// one- and two-column widths as SVG and 300-dpi PNG (`.1col.svg`, `.2col.png`, ...), and without its title and
// caption for a paper (`.paper.2col.pdf`, ...) with the caption as LaTeX (`.caption.tex`).
// %% code [expect-output]
[...Deno.readDirSync(ctx.outDir)].map((e) => e.name).sort();
// %% [markdown]
// ## What this notebook shows, and what it does not
//
// It shows what the data are and how they are organised: what one case holds, the study's Table 1 per split
// (20 raw diagnoses and 5 groups), the grouping of every label string, the seven-point score recomputed and
// checked against the file, the label and metadata distributions, example image pairs, and the seeded
// 3-fold partition with its class shares.
//
// It does not show anything about models. It takes the release's labels as given: a mislabelled lesion or a
// questionable management decision in the atlas is not detected here. On the default synthetic release the
// counts follow the real release's aggregate statistics but the cases are drawn, so they are not the study's
// Table 1; with `DERM7PT_DIR` pointing at the real release they are.
