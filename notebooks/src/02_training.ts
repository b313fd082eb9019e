// %% [markdown]
// # 02 · The multi-modal multi-task network: build, weights, sampling, training
//
// The study trains an InceptionV3 on the clinical and the dermoscopic image of each lesion plus one-hot patient
// metadata: both images go through the backbone, their global-average-pooled features are concatenated with the
// metadata, and each task gets its own softmax head. Three model kinds: **diag** (5 diagnosis groups), **mgmt**
// (3 managements) and **multi** (the 7 seven-point criteria + diagnosis + management: 9 heads).
//
// This notebook shows the architecture, where the weights come from, how mini-batches are sampled and weighted,
// then trains (or reuses) every run the analysis notebooks 03-07 read, and shows one of them (the multi-task model).
// %% code
import pl from "nodejs-polars";
import {
  batchComposition,
  ensureRuns,
  exportTable,
  frameOf,
  historyFrame,
  notebookContext,
  predictionsFrame,
  runsDir,
  runSettingsRows,
  runsOverviewRows,
  savedTuneTable,
  show,
  studyRunConfig,
  studyRunNames,
} from "../lib/report/mod.ts";
import { blockSummary, inceptionV3, readRunHistory, startBackend } from "../lib/model/mod.ts";
import { exportFigure, trainingCurvesFigure } from "../lib/plots/mod.ts";

const ctx = await notebookContext("02_training");
const backend = await startBackend("wasm", { quiet: true });
Deno.jupyter.md`${ctx.dataNote}

Backend: ${backend.detail}. Runs are written to \`${runsDir(ctx)}\`.`;
// %% [markdown]
// ## The backbone: InceptionV3 with Keras' layer names
//
// The backbone is built layer by layer with the names Keras gives them (`conv2d_1` ... `conv2d_94`, `mixed0` ...
// `mixed10`), so that Keras weights load by name and "unfreeze one Inception block at a time" means the same
// blocks as in Keras. A test checks every layer's name, class and inputs against a Keras model.
// %% code [expect-table]
const backbone = inceptionV3({ size: 299 });
const blocks = frameOf(blockSummary(backbone));
exportTable(ctx.outDir, "inception_v3_blocks", blocks, ctx.provenance, { caption: "InceptionV3 (no top) by block" });
await show(blocks, {
  caption: `InceptionV3 without top: ${
    backbone.countParams().toLocaleString("en")
  } parameters (with the fixed BatchNormalization gammas tfjs needs)`,
});
// %% [markdown]
// The image features are global averages of block outputs. The study fine-tunes the whole network and uses
// the top (`mixed10`, 2048 values per image). With a frozen backbone the CPU preset concatenates three depths,
// `mixed5` + `mixed7` + `mixed10` (768 + 768 + 2048 values per image, one forward pass), square-rooted: in the
// offline backbone the layers up to `mixed5` kept their ImageNet weights and transfer best to dermoscopy, the
// later ones add what they add (the table "Choosing the preset" below measures each choice).
//
// ## Where the weights come from
//
// - **Offline default:** the Keras InceptionV3 inside the npm package `nsfwjs@4.4.0`: ImageNet-initialised, then
//   fine-tuned on a 5-class photo task (layers up to `mixed5` kept their ImageNet weights). **It is not the
//   study's ImageNet backbone.**
// - **The study's backbone:** Keras' ImageNet weights (`inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`),
//   downloaded once into `.cache/models` with network access (`--backbone imagenet`), or read from a local file.
// - **Random initialisation** (`--backbone random`), labelled as such wherever it is used.
// %% code [expect-table]
const cfg0 = studyRunConfig(ctx, "multi-CDM");
const settings = frameOf(runSettingsRows(cfg0, { synthetic: ctx.synthetic }));
await show(settings, { caption: "The configuration of the runs below (saved as config.json in each run folder)" });
// %% [markdown]
// ## Mini-batches and class weights
//
// The study follows Kawahara et al.: every mini-batch holds k cases for each label of each task, so that rare
// labels (an irregular vascular pattern, "no further examination") appear in every batch; with management as a
// ninth task the multi-task model has 27 labels, and each head's loss is a class-weighted cross-entropy with
// weights n / (K n_c) from the training split. Both push the decision rule towards the rare classes. On the real
// validation split, plain cross-entropy on shuffled batches gave the heads on frozen features the same ranking
// (AUROC) and a better accuracy, so the preset uses it (`--sampling label-balanced` and class weights remain
// options). The study sums the nine heads' losses with equal weights; the preset weighs the multi-task model's
// management head 3 (chosen on the validation split; notebook 04 and the README give the evidence). Here is one
// of the study's batches of the multi-task model, counted by label:
// %% code [expect-table]
const batch = batchComposition(ctx.release, { kind: "multi", k: cfg0.training.k, seed: ctx.settings.training.seed });
await show(frameOf(batch.rows), {
  caption:
    `One batch of ${batch.size} training cases (k = ${cfg0.training.k} per label; every case counts for every head), and each label's weight in its head's loss`,
  digits: 2,
});
// %% [markdown]
// ## Choosing the preset on the validation split
//
// Every setting of the preset was chosen on the validation split of the real release; the test split only
// reports. `deno task cli tune --data <release_v0>` reruns the comparison: the preset and one-change
// alternatives, each trained with three seeds and scored on the validation split only. When that table exists
// for this data it is shown here (the README gives the values measured on 2026-11-29).
// %% code
const tuned = savedTuneTable(ctx.outDir);
if (tuned) {
  await show(tuned, { caption: "The preset and one-change alternatives, validation split only (deno task cli tune)" });
} else {
  Deno.jupyter.md`No \`tune\` table for this data yet: run \`deno task cli tune${
    ctx.synthetic ? "" : ` --data ${ctx.location?.dir}`
  }\` (10-45 s per network with warm caches; the preset trains 2 per run) and rerun this notebook to see the evidence here.`;
}
// %% [markdown]
// ## Training the models
//
// Features of every image (and of its augmented views) are computed once by the frozen backbone on ONNX Runtime
// (both cores), in int8 (int8 kernels, activation ranges measured on synthetic lesions; 1.8 times faster than
// float32 here; `--precision fp32` turns it off), and cached under `.cache/features`, keyed by the image's
// content, the backbone weights, the input size, the precision, the layer and the augmentation, so later runs
// start in seconds. Then every run notebooks 03-07 read trains (listed at the end of this notebook): notebook 03
// compares the diagnosis and management models, 04 the multi-task model, 05 the input ablation, and the 3-fold
// cross-validation rows of the study's tables need each model trained on each fold. The runs train several at
// once, each in its own worker on one core (`DERM7PT_TRAIN_JOBS` sets how many; the results are the same bit for
// bit). One progress line below shows images/s and the ETA while features are computed, then the runs in
// training and their epochs. Completed runs are reused, so this cell is fast the second time.
//
// Below, the multi-task model with all inputs.
// %% code [expect-figure]
const names = studyRunNames.all;
const dirs = await ensureRuns(ctx, names);
const multiDir = dirs["multi-CDM"];
const history = readRunHistory(multiDir);
const curves = trainingCurvesFigure(history, {
  title: "Multi-task model (C+D+M): training curves",
  caption: `Features preset, seed ${ctx.settings.training.seed}. ${
    (cfg0.model.head.members ?? 1) > 1
      ? `One set of curves per member of the ${cfg0.model.head.members}-member ensemble; the dashed lines mark each member's epoch`
      : "The dashed line marks the epoch"
  } selected on the validation split.${ctx.synthetic ? " SYNTHETIC data." : ""}`,
});
exportFigure(curves, ctx.outDir, "training_curves_multi_CDM", {
  ...ctx.provenance,
  seed: ctx.settings.training.seed,
  backbone: cfg0.model.backbone.source,
  backend: backend.name,
});
curves;
// %% [markdown]
// ## What a run leaves behind
//
// Every run has its own folder: `config.json` (enough to rebuild the model), `weights/` (tfjs format), `history`,
// `predictions.csv`/`.parquet` (every case's probabilities for every head — the only thing the later notebooks
// read) and `run.json` (git commit, backend, backbone and its weights' fingerprint, timings, training priors).
// %% code [expect-table]
const predictions = predictionsFrame(multiDir);
await show(
  predictions.filter(pl.col("split").eq(pl.lit("test"))).select(
    "case_num",
    "diagnosis_group",
    "management",
    "management_NONE",
    "management_CLNC",
    "management_EXC",
    "management_pred",
    "diagnosis_MEL",
  ),
  {
    head: 5,
    caption: `${
      [...Deno.readDirSync(multiDir)].map((e) => e.name).sort().join(", ")
    } — test rows of predictions.csv as a DataFrame (\`predictionsFrame\`, joined with the case's labels)`,
    digits: 3,
  },
);
// %% [markdown]
// The same folder's training history, one row per epoch (`historyFrame`; an ensemble's rows name their member):
// an epoch that improved on the validation loss is marked `best`, and the last such epoch of each member is the
// one kept.
// %% code [expect-table]
const trainingHistory = historyFrame(multiDir);
await show(trainingHistory.filter(pl.col("best")), {
  caption: "The epochs of multi-CDM that improved on the validation loss (the last of each member is kept)",
  digits: 4,
});
// %% [markdown]
// ## Every run the analyses need
//
// The runs trained above, with their kept epochs and their test accuracy and AUROC.
// %% code [expect-table]
const runsOverview = frameOf(runsOverviewRows(dirs, names));
const runsNote = "n/a: the run has no such head (diag runs predict no management, mgmt runs no diagnosis).";
exportTable(ctx.outDir, "runs_overview", runsOverview, ctx.provenance, {
  caption: "Runs trained for the analyses",
  digits: 4,
  naNote: runsNote,
});
await show(runsOverview, {
  caption: "Runs for notebooks 03-07 (test split of the official split, or of the fold)" +
    (ctx.synthetic ? " - SYNTHETIC data" : ""),
  digits: 3,
  naNote: runsNote,
});
// %% [markdown]
// ## The study's full schedule (`--preset paper`)
//
// `deno task cli train --preset paper` runs the study's schedule end to end: 50 epochs with the backbone frozen,
// then one Inception block unfrozen at a time from `mixed10` down to `mixed2` (25 epochs each), then 25 epochs
// without augmentation; SGD with momentum 0.9 and Keras' `decay` 1e-6; model selection on the validation split.
// On this 2-core CPU a training step of the whole network runs at about 0.3 images/s (wasm, batch 2; PyTorch:
// 2.8 images/s at batch 8), so the 300 epochs would take weeks: it is meant for a GPU. The features preset
// above is the CPU-practical stand-in; the README's section on the model says what it gives up.
// %% [markdown]
// ## What this notebook shows, and what it does not
//
// It shows the network block by block, where its weights come from, how mini-batches are drawn and the loss
// weighted, one training run with its curves and the artefacts it leaves, and it trains (or reuses) every run
// notebooks 03-07 read, with their test accuracy and AUROC.
//
// It does not reproduce the study's training. The runs use the features preset: a frozen backbone that is not
// the study's ImageNet network, with only small heads trained on its pooled features (linear for the single-task
// models, one shared hidden layer for the multi-task model, whose management head weighs 3 in its loss; each model
// an ensemble of three such heads trained with
// their own seeds and merged into one network), so their numbers are
// those of a stand-in, not of the study's fine-tuned InceptionV3; the paper preset implements the study's
// schedule but needs a GPU. The preset's settings were chosen on the real release's validation split; other
// releases may favour others (`tune` shows it). On the
// default synthetic data the curves and accuracies describe drawn lesions, not patients.
