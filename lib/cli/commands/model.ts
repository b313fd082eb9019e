/**
 * Model commands: train and predict.
 *
 * @module
 */
import { join } from "node:path";
import { cacheDirectory, DEFAULT_AUGMENTATION, HEADS, PROJECT_ROOT, releaseLocation } from "../../data/mod.ts";
import {
  defaultRunConfig,
  FEATURE_TRANSFORMS,
  FEATURES_PRESET,
  headsOf,
  INPUT_SETS,
  InputSet,
  MODEL_KINDS,
  ModelKind,
  Preset,
  SAMPLINGS,
} from "../../model/config.ts";
import { BACKENDS } from "../../model/backend.ts";
import { trainRun } from "../../model/run.ts";
import { keptEpochs } from "../../model/ensemble.ts";
import { loadRun, predictCase, predictRelease } from "../../model/predict.ts";
import { formatRecords } from "../../util/table_format.ts";
import { type Command, emit } from "../command.ts";
import {
  BACKBONE_OPTIONS,
  backboneOption,
  choiceOption,
  ENGINE_OPTION,
  engineOption,
  headWeightsOption,
  intOption,
  NEW_CASE_OPTIONS,
  newCaseOption,
  nonNegativeNumberOption,
  positiveNumberOption,
  RELEASE_OPTION,
  requireOption,
  RUN_BACKEND_OPTION,
  RUN_OPTION,
  runBackendOption,
  UsageError,
  WORKERS_OPTION,
} from "../options.ts";

/** `deno task cli train`: trains a model on a release and writes a run folder. */
export const trainCommand: Command = {
  name: "train",
  summary: "Train a diag, mgmt or multi model on a release (features or paper preset) and write a run folder.",
  description: [
    "Presets: features = frozen backbone, features cached on disk (with augmented views), heads trained on them (CPU-practical);",
    "paper = the study's schedule (50 frozen epochs, then unfreeze mixed10..mixed2 one block at a time, 25 epochs each,",
    "then 25 without augmentation; SGD momentum 0.9, Keras decay 1e-6) - realistic only on a GPU.",
    "Backbones: nsfwjs (offline default; NOT the study's ImageNet backbone), imagenet (Keras ImageNet weights, downloaded once",
    "or --weights FILE.h5), keras-h5 / tfjs (--weights), random (labelled as such).",
    "The run folder holds config.json, weights/, history.csv, predictions.csv/.parquet and run.json; an interrupted run resumes.",
  ].join("\n"),
  options: {
    data: RELEASE_OPTION,
    model: { type: "string", arg: "diag|mgmt|multi", default: "multi", help: "model kind" },
    inputs: { type: "string", arg: "CDM", default: "CDM", help: "inputs: any of C, D, M, CD, CM, DM, CDM" },
    preset: { type: "string", arg: "features|paper", default: "features", help: "training preset" },
    backend: { type: "string", arg: "NAME", default: "auto", help: `tfjs backend: ${BACKENDS.join("|")}` },
    seed: { type: "string", arg: "S", default: "0", help: "seed of everything random" },
    out: { type: "string", arg: "DIR", help: "run folder (default outputs/runs/<model>-<inputs>-<preset>[-fold<i>])" },
    fold: { type: "string", arg: "I", help: "train cross-validation fold I (0-based) instead of the official split" },
    k: { type: "string", arg: "K", default: "3", help: "number of folds with --fold" },
    "fold-seed": { type: "string", arg: "S", default: "0", help: "seed of the fold partition" },
    ...BACKBONE_OPTIONS,
    layers: {
      type: "string",
      arg: "L1,L2",
      help: `feature layers (default ${FEATURES_PRESET.featureLayers.join(",")} for features, mixed10 for paper)`,
    },
    epochs: { type: "string", arg: "N", help: "epochs (features preset)" },
    views: { type: "string", arg: "V", help: "augmented views per training image (features preset)" },
    lr: { type: "string", arg: "LR", help: "learning rate" },
    hidden: { type: "string", arg: "H", help: "hidden units of the heads (0 = linear)" },
    members: {
      type: "string",
      arg: "K",
      help: "heads trained K times with their own seeds and merged (an ensemble; features preset; 1 = one network)",
    },
    l2: { type: "string", arg: "L2", help: "L2 penalty on the head kernels" },
    "head-weights": {
      type: "string",
      arg: "HEAD=W,...|equal",
      help:
        "multi-task model: each head's weight in the summed loss (default management=3 with the features preset, equal with paper; equal: the study's plain sum)",
    },
    transform: {
      type: "string",
      arg: FEATURE_TRANSFORMS.join("|"),
      help: "transform of the pooled features (features preset)",
    },
    sampling: {
      type: "string",
      arg: SAMPLINGS.join("|"),
      help: "mini-batches: label-balanced (the study's) or shuffled",
    },
    "batch-size": { type: "string", arg: "B", help: "cases per batch with --sampling shuffled" },
    tta: { type: "string", arg: "V", help: "views averaged at prediction (test-time augmentation; 0 = none)" },
    "prior-correction": { type: "string", arg: "on|off", help: "add the log training priors to the heads' biases" },
    "max-steps": { type: "string", arg: "N", help: "cap steps per epoch (smoke runs, timing)" },
    engine: ENGINE_OPTION,
    workers: WORKERS_OPTION,
    force: { type: "boolean", help: "redo a completed run in --out (its own run only; other folders are refused)" },
    quiet: { type: "boolean", help: "print only the summary" },
  },
  requires: { k: "fold", "fold-seed": "fold" },
  async run(values) {
    const kind = choiceOption("train", values, "model", MODEL_KINDS, "multi") as ModelKind;
    const inputs = choiceOption("train", values, "inputs", INPUT_SETS, "CDM") as InputSet;
    const preset = choiceOption("train", values, "preset", ["features", "paper"] as const, "features") as Preset;
    const backend = choiceOption("train", values, "backend", BACKENDS, "auto");
    const backbone = backboneOption("train", values);
    if (preset === "paper" && backbone.precision !== undefined) {
      throw new UsageError(
        'Cannot run "train": expected --precision only with --preset features (the paper preset fine-tunes in float32)',
      );
    }
    const cfg = defaultRunConfig({
      kind,
      inputs,
      preset,
      seed: intOption("train", values, "seed", 0),
      backbone: {
        ...backbone,
        ...(values.layers ? { featureLayers: String(values.layers).split(",") } : {}),
      },
    });
    cfg.backend = backend;
    cfg.data.dir = releaseLocation(values.data as string | undefined).dir;
    if (values.fold !== undefined) {
      cfg.data.k = intOption("train", values, "k", 3, 2, 20);
      cfg.data.fold = intOption("train", values, "fold", 0, 0, cfg.data.k - 1);
      cfg.data.foldSeed = intOption("train", values, "fold-seed", 0);
    }
    if (values.epochs !== undefined) cfg.training.epochs = intOption("train", values, "epochs", 60, 1, 100000);
    if (values.views !== undefined) cfg.training.views = intOption("train", values, "views", 4, 0, 100);
    if (values.lr !== undefined) {
      cfg.training.optimizer.learningRate = positiveNumberOption("train", values, "lr", 0.01);
    }
    if (values.hidden !== undefined) cfg.model.head.hidden = intOption("train", values, "hidden", 256, 0, 100000);
    if (values.members !== undefined) {
      const members = intOption("train", values, "members", 1, 1, 32);
      if (members > 1 && preset === "paper") {
        throw new UsageError(
          'Cannot run "train": expected --members only with --preset features (the paper preset trains one network)',
        );
      }
      if (members > 1) cfg.model.head.members = members;
      else delete cfg.model.head.members;
    }
    if (values.l2 !== undefined) cfg.model.head.l2 = nonNegativeNumberOption("train", values, "l2", 0);
    if (values["head-weights"] !== undefined && kind !== "multi") {
      throw new UsageError(
        `Cannot run "train": expected --head-weights only with --model multi (a single head's weight only rescales its loss against the L2 penalty), found --model ${kind}`,
      );
    }
    const headWeights = headWeightsOption("train", values, headsOf(kind));
    if (headWeights && Object.keys(headWeights).length) cfg.training.headWeights = headWeights;
    else if (headWeights) delete cfg.training.headWeights;
    if (values.transform !== undefined) {
      cfg.model.head.transform = choiceOption("train", values, "transform", FEATURE_TRANSFORMS, "none");
    }
    if (values.sampling !== undefined) {
      cfg.training.sampling = choiceOption("train", values, "sampling", SAMPLINGS, "shuffled");
    }
    if (values["batch-size"] !== undefined) {
      cfg.training.batchSize = intOption("train", values, "batch-size", 32, 1, 4096);
    }
    if (values.tta !== undefined) cfg.training.ttaViews = intOption("train", values, "tta", 0, 0, 100);
    if (values["prior-correction"] !== undefined) {
      cfg.training.priorCorrection =
        choiceOption("train", values, "prior-correction", ["on", "off"] as const, "on") === "on";
    }
    if (values["max-steps"] !== undefined) {
      cfg.training.maxStepsPerEpoch = intOption("train", values, "max-steps", 0, 0, 1e9);
    }
    cfg.training.augmentation = { ...DEFAULT_AUGMENTATION };
    const out = (values.out as string) ??
      join(
        PROJECT_ROOT,
        "outputs",
        "runs",
        `${kind}-${inputs}-${preset}${cfg.data.fold !== null ? `-fold${cfg.data.fold}` : ""}`,
      );
    const r = await trainRun({
      config: cfg,
      outDir: out,
      cacheDir: cacheDirectory(),
      quiet: Boolean(values.quiet),
      force: Boolean(values.force),
      workers: intOption("train", values, "workers", 2, 1, 64),
      engine: engineOption("train", values),
    });
    const rows = Object.entries(r.summary.test).map(([head, m]) => ({
      head,
      test_accuracy: m.accuracy,
      test_macro_auroc: m.auroc,
      n: m.n,
    }));
    console.log(`${r.reused ? "reused the completed run in" : "wrote"} ${r.dir}`);
    console.log(`backbone: ${r.summary.backbone.description}`);
    console.log(
      `backend: ${r.summary.backend}; ${keptEpochs(r.summary)}; ${r.summary.seconds.total.toFixed(1)} s`,
    );
    console.log(formatRecords(rows, "md", { digits: 4 }));
  },
};

/** `deno task cli predict`: predictions of a run for a release or one new case. */
export const predictCommand: Command = {
  name: "predict",
  summary: "Predict with a run: a whole release (writes a predictions table) or one new case (prints every head).",
  description:
    "One case: --clinical A.jpg --derm B.jpg --sex female --location back --elevation flat (as the run's inputs need).\n" +
    "Management is printed both as predicted by the management head and as inferred from the diagnosis head\n" +
    "through the run's training priors p(MGMT | DIAG).",
  options: {
    run: RUN_OPTION,
    data: { type: "string", arg: "DIR", help: "score every case of this release" },
    out: {
      type: "string",
      arg: "DIR",
      help: "where to write the predictions table (with --data; default <run>/predict)",
    },
    ...NEW_CASE_OPTIONS,
    backend: RUN_BACKEND_OPTION,
    engine: ENGINE_OPTION,
    format: { type: "string", arg: "table|json", default: "table", help: "output for one case" },
  },
  async run(values) {
    const dir = requireOption("predict", values, "run", "DIR (a run folder)");
    const run = await loadRun(dir, {
      cacheDir: cacheDirectory(),
      backend: runBackendOption("predict", values),
      engine: engineOption("predict", values),
    });
    if (values.data) {
      const out = (values.out as string) ?? join(dir, "predict");
      const rows = await predictRelease(run, String(values.data), out);
      console.log(`wrote ${rows.length} rows to ${join(out, "predictions.csv")} (and .parquet)`);
      return;
    }
    const newCase = newCaseOption(values);
    if (!newCase) {
      throw new UsageError(
        'Cannot run "predict": expected --data DIR, or a new case (--clinical/--derm and metadata), found neither',
      );
    }
    const p = await predictCase(run, newCase);
    if (values.format === "json") {
      emit(JSON.stringify(p, null, 2) + "\n", undefined);
      return;
    }
    const rows = Object.entries(p.heads).flatMap(([head, probs]) =>
      HEADS[head as keyof typeof HEADS].codes.map((code, i) => ({ head, class: code, probability: probs![i] }))
    );
    if (p.managementInferred) {
      rows.push(
        ...HEADS.management.codes.map((code, i) => ({
          head: "management (inferred from diagnosis)",
          class: code,
          probability: p.managementInferred![i],
        })),
      );
    }
    emit(formatRecords(rows, "md", { digits: 4 }), undefined);
  },
};
