/**
 * A model card (Mitchell et al. 2019) generated from a run folder: intended use and misuse, data and
 * splits, backbone and its provenance, training preset and backend, test metrics with 95% bootstrap
 * intervals per class, calibration (ECE with its interval, Brier score, reliability diagram), the
 * known failure modes read off the confusion matrices, robustness to image perturbations and to a
 * missing input, and the environment. Markdown and self-contained HTML, plus JSON of every number.
 *
 * @example
 * ```ts ignore
 * import { buildModelCard, writeModelCard } from "./model_card.ts";
 * const card = await buildModelCard("outputs/synthetic/runs/multi-CDM", { cacheDir: ".cache", seed: 2021 });
 * writeModelCard(card, "outputs/synthetic/runs/multi-CDM/card", prov); // card.md, card.html, card.json
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { loadRelease, Release } from "../data/release.ts";
import { HeadName, HEADS } from "../data/vocabulary.ts";
import { Perturbation } from "../data/perturb.ts";
import { readRunPredictions } from "../model/run_files.ts";
import { checkRunData, readRunConfig, readRunRecord, RunRecord, splitOf } from "../model/run.ts";
import type { PredictionsTable } from "../model/predictions.ts";
import { loadRun } from "../model/predict.ts";
import { BackendName } from "../model/backend.ts";
import type { EngineChoice } from "../model/engine.ts";
import { headWeightsDescription, RunConfig } from "../model/config.ts";
import type { BackboneInfo } from "../model/network.ts";
import { ensembleDescription, keptEpochs } from "../model/ensemble.ts";
import { argmax, classwiseMetrics } from "../stats/confusion.ts";
import { rocAucOvrOrNaN } from "../stats/roc.ts";
import { resampleIndices, summariseDraws } from "../stats/bootstrap.ts";
import { brierScore, expectedCalibrationError, reliabilityCurve } from "../stats/calibration.ts";
import { Explainable, explainable } from "../explain/decompose.ts";
import { TrainingReference, trainingReference } from "../explain/reference.ts";
import { robustnessCheck, RobustnessResult } from "../explain/robustness.ts";
import { reliabilityFigure } from "../plots/calibration.ts";
import { exportFigure } from "../plots/export.ts";
import type { Figure } from "../plots/figure.ts";
import { Prng } from "../util/prng.ts";
import { gitCommit, Provenance } from "../util/provenance.ts";
import { writeJsonAtomic, writeTextAtomic } from "../util/fs.ts";
import { escapeXml as esc } from "../util/escape.ts";
import { formatRecords } from "../util/table_format.ts";

/** A statistic with its 95% bootstrap percentile interval (NaN draws, e.g. a class absent from a resample, are left out and counted). */
export interface Estimate {
  /** The statistic on the whole test split. */
  value: number;
  /** Its 95% bootstrap percentile interval ([NaN, NaN] when every draw is undefined). */
  ci: [number, number];
  /** Resamples where the statistic was undefined. */
  undefinedDraws: number;
}

/** Test metrics of one head, each with its bootstrap interval (see {@linkcode headMetrics}). */
export interface HeadMetrics {
  /** The head. */
  head: HeadName;
  /** Test cases. */
  n: number;
  /** Share of cases whose arg-max class is the true one. */
  accuracy: Estimate;
  /** Mean sensitivity over the classes. */
  balancedAccuracy: Estimate;
  /** Mean one-vs-rest AUROC over the classes (NaN in a draw that lacks a class). */
  macroAuroc: Estimate;
  /** Per class (for diagnosis and management; empty for the criteria). */
  classes: {
    code: string;
    support: number;
    sensitivity: Estimate;
    specificity: Estimate;
    precision: Estimate;
    auroc: Estimate;
  }[];
  /** Expected calibration error of the arg-max probability (10 bins). */
  ece: Estimate;
  /** Brier score of the probabilities (no interval). */
  brier: number;
  /** Reliability bins with cases: mean arg-max probability, share predicted right, cases. */
  reliability: { meanScore: number; fractionPositive: number; count: number }[];
  /** Confusion matrix, rows the true class, columns the predicted one. */
  confusion: number[][];
}

/** One frequent confusion of a head (see {@linkcode failureModes}). */
export interface FailureMode {
  /** The head (diagnosis or management). */
  head: HeadName;
  /** The true class's code. */
  truth: string;
  /** The predicted class's code. */
  predicted: string;
  /** Test cases of `truth` predicted as `predicted`. */
  count: number;
  /** Test cases of `truth`. */
  of: number;
  /** count / of. */
  share: number;
  /** What the error means clinically ("" when nothing is said). */
  note: string;
}

/** Everything a model card states about a run (see {@linkcode buildModelCard}); JSON-serialisable. */
export interface ModelCard {
  /** The card's name (the run folder's name). */
  name: string;
  /** The run: folder, config key, creation time, commit, config, backend, backbone, best epoch, timings (s). */
  run: {
    dir: string;
    key: string;
    created: string;
    gitCommit: string;
    config: RunConfig;
    backend: string;
    backbone: BackboneInfo;
    bestEpoch: number;
    /** The kept epoch(s) in words (an ensemble's members each keep one). */
    keptEpochs: string;
    seconds: Record<string, number>;
  };
  /** The release: folder, synthetic or not, fingerprint, cases, split sizes, test cases per class and head. */
  data: {
    dir: string;
    synthetic: boolean;
    fingerprint: string;
    cases: number;
    splits: Record<string, number>;
    testCounts: Record<string, Record<string, number>>;
  };
  /** Test metrics of every head. */
  metrics: HeadMetrics[];
  /** The largest confusions of the diagnosis and management heads. */
  failureModes: FailureMode[];
  /** Robustness to perturbations and missing inputs (null when not run). */
  robustness: RobustnessResult | null;
  /** Bootstrap resamples, seed and ECE bins used. */
  settings: { bootstrap: number; seed: number; eceBins: number };
  /** Versions and machine of the card's computation. */
  environment: Record<string, string>;
}

/** Options of {@linkcode buildModelCard}. */
export interface ModelCardOptions {
  /** Cache folder of decoded images and features. */
  cacheDir: string;
  /** Seed of the bootstrap and the robustness cases. */
  seed: number;
  /** Bootstrap resamples (default 1000). */
  bootstrap?: number;
  /** Robustness checks: false to skip; `cases` test cases (default all). */
  robustness?: false | { cases?: number; perturbations?: readonly Perturbation[] };
  /** The release (default: the one in the run's config). */
  release?: Release;
  /** The run already opened for explaining (see explain/open_run.ts), to reuse. */
  explained?: { ex: Explainable; reference: TrainingReference };
  /** Backend of the robustness predictions. */
  backend?: BackendName;
  /** Engine of the frozen backbone (default "auto"). */
  engine?: EngineChoice;
  /** Workers of the feature extraction. */
  workers?: number;
  /** No progress lines. */
  quiet?: boolean;
}

const ECE_BINS = 10;

function estimate(value: number, draws: number[]): Estimate {
  const ok = draws.filter((d) => Number.isFinite(d));
  return { value, ci: ok.length ? summariseDraws(ok).ci : [NaN, NaN], undefinedDraws: draws.length - ok.length };
}

/**
 * Test metrics of one head with bootstrap intervals (the same `samples` resamples of the cases for every
 * statistic); per-class metrics only with `perClass`. `truth` holds class indices, `probs` one row of
 * class probabilities per case.
 */
export function headMetrics(
  head: HeadName,
  truth: number[],
  probs: number[][],
  options: { samples: number; prng: Prng; perClass: boolean },
): HeadMetrics {
  const k = HEADS[head].codes.length;
  const stats = (ix: readonly number[]) => {
    const t = ix.map((i) => truth[i]), p = ix.map((i) => probs[i]);
    const m = classwiseMetrics(t, argmax(p), { labels: k });
    const aurocs = rocAucOvrOrNaN(t, p, { average: "none" }); // NaN for a class absent from the draw
    return {
      accuracy: m.accuracy,
      balancedAccuracy: m.balancedAccuracy,
      macroAuroc: aurocs.reduce((a, b) => a + b, 0) / k, // NaN as soon as one class's is
      sensitivity: m.sensitivity.map((s, c) => (m.support[c] ? s : NaN)),
      specificity: m.specificity,
      precision: m.precision.map((s, c) => (m.tp[c] + m.fp[c] ? s : NaN)),
      auroc: aurocs,
      ece: expectedCalibrationError(t, p, { bins: ECE_BINS }),
      confusion: m.confusionMatrix,
      support: m.support,
    };
  };
  const all = stats(truth.map((_, i) => i));
  const draws = resampleIndices(truth.length, { samples: options.samples, prng: options.prng }).map(stats);
  const est = (pick: (s: ReturnType<typeof stats>) => number) => estimate(pick(all), draws.map(pick));
  const pred = argmax(probs);
  return {
    head,
    n: truth.length,
    accuracy: est((s) => s.accuracy),
    balancedAccuracy: est((s) => s.balancedAccuracy),
    macroAuroc: est((s) => s.macroAuroc),
    classes: options.perClass
      ? HEADS[head].codes.map((code, c) => ({
        code,
        support: all.support[c],
        sensitivity: est((s) => s.sensitivity[c]),
        specificity: est((s) => s.specificity[c]),
        precision: est((s) => s.precision[c]),
        auroc: est((s) => s.auroc[c]),
      }))
      : [],
    ece: est((s) => s.ece),
    brier: brierScore(truth, probs),
    reliability: reliabilityCurve(pred.map((p, i) => (p === truth[i] ? 1 : 0)), probs.map((r, i) => r[pred[i]]), {
      bins: ECE_BINS,
    }).filter((b) => b.count > 0),
    confusion: all.confusion,
  };
}

/**
 * The largest confusions of the diagnosis and management heads (share of the true class, at least
 * 3 cases), with what each means clinically (a missed excision is the costly error).
 */
export function failureModes(metrics: readonly HeadMetrics[], options: { top?: number } = {}): FailureMode[] {
  const out: FailureMode[] = [];
  for (const m of metrics.filter((x) => x.head === "diagnosis" || x.head === "management")) {
    const codes = HEADS[m.head].codes;
    const cells: FailureMode[] = [];
    m.confusion.forEach((row, t) => {
      const of = row.reduce((a, b) => a + b, 0);
      row.forEach((count, p) => {
        if (p === t || count < 3) return;
        const note = m.head === "management" && codes[t] === "EXC"
          ? "an excision the model would not recommend (the costly error)"
          : m.head === "diagnosis" && (codes[t] === "MEL" || codes[t] === "BCC") && !["MEL", "BCC"].includes(codes[p])
          ? "a malignancy called benign"
          : m.head === "management" && codes[p] === "EXC"
          ? "an unnecessary excision"
          : "";
        cells.push({ head: m.head, truth: codes[t], predicted: codes[p], count, of, share: count / of, note });
      });
    });
    out.push(...cells.sort((a, b) => b.share - a.share).slice(0, options.top ?? 4));
  }
  return out;
}

function environment(backend: string): Record<string, string> {
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    "@tensorflow/tfjs": tf.version.tfjs,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    cpus: String(navigator.hardwareConcurrency),
    "backend (training)": backend,
    "commit (card)": gitCommit(),
  };
}

/**
 * Builds the card of a run folder, in steps: open the run (config, record, its release, its
 * predictions), test metrics with bootstrap intervals, robustness (by re-running the model), then
 * the card itself.
 * @throws {Error} when the release is not the one the run was trained on, or the run's files are damaged.
 */
export async function buildModelCard(runDir: string, options: ModelCardOptions): Promise<ModelCard> {
  const run = openCardRun(runDir, options.release);
  const samples = options.bootstrap ?? 1000;
  const metrics = cardMetrics(run.predictions, samples, new Prng(options.seed));
  const robustness = options.robustness === false ? null : await cardRobustness(runDir, run.release, options, samples);
  return {
    name: runDir.split("/").filter(Boolean).at(-1)!,
    run: cardRunSection(runDir, run),
    data: cardDataSection(run),
    metrics,
    failureModes: failureModes(metrics),
    robustness,
    settings: { bootstrap: samples, seed: options.seed, eceBins: ECE_BINS },
    environment: environment(run.record.summary.backend),
  };
}

/** What a card reads from a run folder: its config and record, its release and split, its predictions. */
interface CardRun {
  config: RunConfig;
  record: RunRecord;
  release: Release;
  split: { train: number[]; valid: number[]; test: number[] };
  predictions: PredictionsTable;
}

/**
 * Step 1: the run's config and record, its release (checked against the run's data fingerprint), its
 * predictions (row count, cases and checksums as run.json records them) and split.
 */
function openCardRun(runDir: string, given?: Release): CardRun {
  const config = readRunConfig(runDir);
  const record = readRunRecord(runDir);
  const release = given ?? loadRelease(config.data.dir, { quiet: true });
  checkRunData(runDir, release, record);
  const predictions = readRunPredictions(runDir, record, release, { fold: config.data.fold });
  return { config, record, release, split: splitOf(release, config), predictions };
}

/** Step 2: test metrics of every head with bootstrap intervals (per class for diagnosis and management). */
function cardMetrics(predictions: PredictionsTable, samples: number, prng: Prng): HeadMetrics[] {
  return predictions.heads.map((h) =>
    headMetrics(h, predictions.truth(h, "test"), predictions.probs(h, "test"), {
      samples,
      prng: prng.fork(`metrics/${h}`),
      perClass: h === "diagnosis" || h === "management",
    })
  );
}

/**
 * Step 3: robustness to perturbations and to a removed input, on the run opened for explaining
 * (`options.explained`, or opened here with its training reference).
 */
async function cardRobustness(
  runDir: string,
  release: Release,
  options: ModelCardOptions,
  samples: number,
): Promise<RobustnessResult> {
  let ex = options.explained?.ex, reference = options.explained?.reference;
  if (!ex || !reference) {
    ex = await explainable(
      await loadRun(runDir, { cacheDir: options.cacheDir, backend: options.backend, engine: options.engine }),
    );
    reference = await trainingReference(ex, release, {
      cacheDir: options.cacheDir,
      workers: options.workers,
      quiet: options.quiet,
    });
  }
  const robustness = options.robustness || {};
  return await robustnessCheck(ex, release, reference, {
    cacheDir: options.cacheDir,
    cases: robustness.cases,
    perturbations: robustness.perturbations,
    seed: options.seed,
    bootstrap: samples,
    workers: options.workers,
    quiet: options.quiet,
  });
}

/** The card's run section: key, dates, commit, config, backend, backbone, best epoch and timings. */
function cardRunSection(runDir: string, run: CardRun): ModelCard["run"] {
  const { record } = run;
  return {
    dir: runDir,
    key: record.key,
    created: record.created,
    gitCommit: record.git_commit,
    config: run.config,
    backend: record.summary.backend,
    backbone: record.summary.backbone,
    bestEpoch: record.summary.bestEpoch,
    keptEpochs: keptEpochs(record.summary),
    seconds: record.summary.seconds,
  };
}

/** The card's data section: the release, its fingerprint, the split sizes and the test cases per class. */
function cardDataSection(run: CardRun): ModelCard["data"] {
  const { release, split } = run;
  const testCounts: ModelCard["data"]["testCounts"] = {};
  for (const h of ["diagnosis", "management"] as HeadName[]) {
    testCounts[h] = Object.fromEntries(
      HEADS[h].codes.map((c, k) => [c, split.test.filter((i) => release.cases[i].labels[h] === k).length]),
    );
  }
  return {
    dir: release.dir,
    synthetic: release.synthetic,
    fingerprint: run.record.data.fingerprint,
    cases: release.cases.length,
    splits: { train: split.train.length, valid: split.valid.length, test: split.test.length },
    testCounts,
  };
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const withCi = (e: Estimate) => `${f3(e.value)} [${f3(e.ci[0])}, ${f3(e.ci[1])}]`;

/** The tables of a model card as records of text (see {@linkcode modelCardTables}); intervals are 95% bootstrap. */
export interface ModelCardTables {
  /** One row per head: accuracy, balanced accuracy, macro AUROC and ECE with intervals, Brier score. */
  heads: {
    head: HeadName;
    n: number;
    accuracy: string;
    "balanced accuracy": string;
    "macro AUROC": string;
    ECE: string;
    Brier: string;
  }[];
  /** One row per class of the diagnosis and management heads, with intervals. */
  classes: {
    head: HeadName;
    class: string;
    n: number;
    sensitivity: string;
    specificity: string;
    precision: string;
    AUROC: string;
  }[];
  /** The failure modes in words. */
  failures: {
    head: HeadName;
    "true class": string;
    predicted: string;
    cases: string;
    share: string;
    meaning: string;
  }[];
  /** The robustness rows of the diagnosis and management heads (empty when not run). */
  robustness: {
    condition: string;
    head: HeadName;
    accuracy: string;
    "change (95% CI)": string;
    "macro AUROC": string;
    "predictions changed": string;
  }[];
}

/** The card's tables as records (shared by Markdown and HTML); numbers as text with 3 decimals, "n/a" for NaN. */
export function modelCardTables(card: ModelCard): ModelCardTables {
  const heads = card.metrics.map((m) => ({
    head: m.head,
    n: m.n,
    accuracy: withCi(m.accuracy),
    "balanced accuracy": withCi(m.balancedAccuracy),
    "macro AUROC": withCi(m.macroAuroc),
    ECE: withCi(m.ece),
    Brier: f3(m.brier),
  }));
  const classes = card.metrics.flatMap((m) =>
    m.classes.map((c) => ({
      head: m.head,
      class: c.code,
      n: c.support,
      sensitivity: withCi(c.sensitivity),
      specificity: withCi(c.specificity),
      precision: withCi(c.precision),
      AUROC: withCi(c.auroc),
    }))
  );
  const failures = card.failureModes.map((f) => ({
    head: f.head,
    "true class": f.truth,
    predicted: f.predicted,
    cases: `${f.count} of ${f.of}`,
    share: `${(100 * f.share).toFixed(1)}%`,
    meaning: f.note,
  }));
  const robustness = (card.robustness?.rows ?? [])
    .filter((r) => r.head === "diagnosis" || r.head === "management")
    .map((r) => ({
      condition: r.condition,
      head: r.head,
      accuracy: f3(r.accuracy),
      "change (95% CI)": r.kind === "reference"
        ? ""
        : `${r.delta >= 0 ? "+" : ""}${f3(r.delta)} [${f3(r.deltaCi[0])}, ${f3(r.deltaCi[1])}]`,
      "macro AUROC": f3(r.auroc),
      "predictions changed": r.kind === "reference" ? "" : `${(100 * r.flipRate).toFixed(1)}%`,
    }));
  return { heads, classes, failures, robustness };
}

function sections(card: ModelCard): { title: string; paragraphs: string[]; table?: Record<string, unknown>[] }[] {
  const c = card.run.config;
  const bb = card.run.backbone;
  const t = modelCardTables(card);
  const synthetic = card.data.synthetic;
  const robustSettings = card.robustness?.settings;
  return [
    {
      title: "Intended use",
      paragraphs: [
        "A research model reproducing Abhishek, Kawahara & Hamarneh (Sci Rep 11:7769, 2021): from a lesion's clinical and dermoscopic images and the patient's sex, lesion location and elevation, it predicts the seven-point criteria, the diagnosis group and the clinical management (excision, clinical follow-up, no further examination). It is meant for studying the method, auditing the analysis and as a second opinion in research settings, next to a clinician's own judgement.",
        "**Not for:** diagnosing or triaging patients, deciding on excision, use as or in a medical device, populations or imaging devices unlike the Interactive Atlas of Dermoscopy (mostly fair skin, curated textbook cases, one dermatoscope type), or lesions outside its 20 diagnoses. It has not been validated prospectively or cleared by any regulator.",
        ...(synthetic
          ? [
            "**SYNTHETIC DATA.** This card describes a run on the synthetic Derm7pt-format release: every number below is about drawn lesions, not patients.",
          ]
          : []),
      ],
    },
    {
      title: "Data and splits",
      paragraphs: [
        `Release \`${card.data.dir}\` (${card.data.cases} cases; fingerprint ${
          card.data.fingerprint.slice(0, 16)
        }…). ` +
        `${
          c.data.fold === null
            ? "Official split"
            : `Cross-validation fold ${c.data.fold} of ${c.data.k} (partition seed ${c.data.foldSeed})`
        }: ` +
        `${card.data.splits.train} training, ${card.data.splits.valid} validation, ${card.data.splits.test} test cases.`,
        `Test cases per diagnosis: ${
          Object.entries(card.data.testCounts.diagnosis).map(([k, v]) => `${k} ${v}`).join(", ")
        }; per management: ${Object.entries(card.data.testCounts.management).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
      ],
    },
    {
      title: "Model",
      paragraphs: [
        `Kind \`${c.model.kind}\` (heads: ${
          card.metrics.map((m) => m.head).join(", ")
        }), inputs \`${c.model.inputs}\`. Backbone: ${bb.description}${
          bb.random ? " (RANDOMLY INITIALISED)" : ""
        }; weights sha256 ${bb.fingerprint.slice(0, 16)}…; input ${c.model.backbone.size} px; features ${
          c.model.backbone.featureLayers.join(" + ")
        }${c.model.backbone.shared ? ", one backbone shared by both images" : ""}.`,
        `Training preset \`${c.training.preset}\`${
          c.training.preset === "features"
            ? ` (frozen backbone, cached features with ${c.training.views} augmented views per training image, heads trained ${c.training.epochs} epochs)`
            : ` (${c.training.schedule.map((s) => `${s.name} ${s.epochs}`).join(", ")})`
        }; ` +
        `SGD lr ${c.training.optimizer.learningRate}, momentum ${c.training.optimizer.momentum}; hidden ${c.model.head.hidden}, L2 ${c.model.head.l2}; ${
          c.training.classWeights ? "class-weighted loss; " : ""
        }${
          headWeightsDescription(c.training) ? `heads' losses summed with ${headWeightsDescription(c.training)}; ` : ""
        }${
          ensembleDescription(c.model.head) ? `${ensembleDescription(c.model.head)}; ` : ""
        }model selection by validation ${c.training.selection}; ${card.run.keptEpochs}. ` +
        `Backend: ${card.run.backend}. Seed ${c.seed}. Run key ${card.run.key}, trained ${card.run.created} at commit ${card.run.gitCommit}.`,
      ],
    },
    {
      title: "Test performance",
      paragraphs: [
        `${
          card.metrics[0]?.n ?? 0
        } test cases; 95% percentile intervals from ${card.settings.bootstrap} bootstrap resamples of the test cases (seed ${card.settings.seed}). ECE: top-label, ${card.settings.eceBins} equal-width bins (ECE is biased upwards on small or resampled sets, so its interval can lie above the estimate).`,
      ],
      table: t.heads,
    },
    {
      title: "Per class",
      paragraphs: ["One-vs-rest sensitivity, specificity, precision and AUROC at the arg-max decision."],
      table: t.classes,
    },
    {
      title: "Known failure modes",
      paragraphs: [
        "The largest confusions of the diagnosis and management heads on the test cases (share of the true class; cells with at least 3 cases).",
      ],
      table: t.failures,
    },
    {
      title: "Robustness",
      paragraphs: card.robustness
        ? [
          `${robustSettings!.cases} of ${robustSettings!.of} test cases (stratified by diagnosis, seed ${
            robustSettings!.seed
          }). Each perturbation is applied to every image at the model's input size; a removed input has its head-input block replaced by the training mean. Change: accuracy minus the unperturbed accuracy on the same cases, 95% paired-bootstrap interval; "predictions changed": share of cases whose predicted class differs.`,
        ]
        : ["Not run for this card."],
      table: t.robustness,
    },
    {
      title: "Environment",
      paragraphs: [Object.entries(card.environment).map(([k, v]) => `${k} ${v}`).join("; ") + "."],
    },
  ];
}

/** The card as Markdown. */
export function modelCardMarkdown(card: ModelCard): string {
  const out = [`# Model card: ${card.name}`, ""];
  for (const s of sections(card)) {
    out.push(`## ${s.title}`, "", ...s.paragraphs.flatMap((p) => [p, ""]));
    if (s.table?.length) out.push(formatRecords(s.table, "md"), "");
  }
  out.push(
    "Figures: `reliability.2col.svg` (also 300-dpi PNGs, and `reliability.paper.*.pdf` for papers) beside this file.",
    "",
  );
  return out.join("\n");
}

/** The card as self-contained HTML (the reliability diagram inline). */
export function modelCardHtml(card: ModelCard, reliabilitySvg: string): string {
  const md = (p: string) => esc(p).replace(/\*\*(.+?)\*\*/g, "<b>$1</b>").replace(/`([^`]+)`/g, "<code>$1</code>");
  const table = (rows: Record<string, unknown>[]) =>
    `<table><thead><tr>${Object.keys(rows[0]).map((k) => `<th>${esc(k)}</th>`).join("")}</tr></thead><tbody>${
      rows.map((r) => `<tr>${Object.values(r).map((v) => `<td>${esc(String(v))}</td>`).join("")}</tr>`).join("")
    }</tbody></table>`;
  const body = sections(card).map((s) =>
    `<h2>${esc(s.title)}</h2>${s.paragraphs.map((p) => `<p>${md(p)}</p>`).join("")}${
      s.table?.length ? table(s.table) : ""
    }${s.title === "Test performance" ? reliabilitySvg : ""}`
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Model card: ${
    esc(card.name)
  }</title><style>` +
    `body{font-family:"DejaVu Sans",sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0;font-size:90%}` +
    `td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style></head><body><h1>Model card: ${
      esc(card.name)
    }</h1>${body.join("\n")}</body></html>\n`;
}

/** The card's reliability diagram: every head's test calibration, with its ECE. */
export function modelCardReliabilityFigure(card: ModelCard): Figure {
  return reliabilityFigure(card.metrics.map((m) => ({ head: m.head, ece: m.ece.value, bins: m.reliability })), {
    caption: `${card.data.synthetic ? "SYNTHETIC DATA. " : ""}Test split of ${card.name}; point area = cases per bin.`,
  });
}

/** A card rendered: Markdown, self-contained HTML (the diagram inline), and the reliability figure. */
export interface RenderedModelCard {
  /** The card as Markdown. */
  markdown: string;
  /** The card as self-contained HTML. */
  html: string;
  /** The reliability diagram. */
  reliability: Figure;
}

/** Renders a card (no files written). */
export function renderModelCard(card: ModelCard): RenderedModelCard {
  const reliability = modelCardReliabilityFigure(card);
  return { markdown: modelCardMarkdown(card), html: modelCardHtml(card, reliability.svg(900)), reliability };
}

/** Writes card.md, card.html, card.json and the reliability figure into `outDir`; returns the files. */
export function writeModelCard(card: ModelCard, outDir: string, prov: Provenance): string[] {
  const rendered = renderModelCard(card);
  const exported = exportFigure(rendered.reliability, outDir, "reliability", prov);
  const files = [...exported.files, exported.manifest];
  const write = (name: string, text: string) => {
    writeTextAtomic(join(outDir, name), text);
    files.push(join(outDir, name));
  };
  write("card.md", rendered.markdown);
  write("card.html", rendered.html);
  writeJsonAtomic(join(outDir, "card.json"), { provenance: prov, card });
  files.push(join(outDir, "card.json"));
  return files;
}
