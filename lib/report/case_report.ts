/**
 * A case report for one lesion (a case of a release, or a new case from image files): both images
 * with their Grad-CAM maps for the predicted diagnosis and management, every head's probabilities
 * (the seven criteria with the resulting seven-point score, the diagnosis, the management predicted
 * directly and inferred from the diagnosis through p(MGMT | DIAG)), which input drove each
 * decision (integrated gradients at the head input), and where the case sits against the training
 * distribution. Written as HTML (self-contained), SVG and 300-dpi PNGs with provenance, and JSON.
 *
 * A research second opinion for reviewers, not a diagnostic device.
 *
 * @example
 * ```ts ignore
 * import { buildCaseReport, caseFromRelease, writeCaseReport } from "./case_report.ts";
 * const report = await buildCaseReport(ex, await caseFromRelease(ex, release, 123), { reference, release });
 * await writeCaseReport(report, "outputs/cases", "case_123", prov);
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { join } from "node:path";
import { decodeImage, RgbImage } from "../data/images.ts";
import type { Release } from "../data/release.ts";
import {
  encodeMetadata,
  HeadName,
  HEADS,
  MetadataVariable,
  SEVEN_POINT_WEIGHTS,
  sevenPointScore,
} from "../data/vocabulary.ts";
import { inferManagement } from "../data/management.ts";
import { CamMap, gradCamAt } from "../explain/gradcam.ts";
import { integratedGradients } from "../explain/attribution.ts";
import {
  Explainable,
  HeadInput,
  headInputOf,
  headProbabilities,
  IMAGE_INPUTS,
  ImageInput,
} from "../explain/decompose.ts";
import { CasePosition, locateCase, TrainingReference } from "../explain/reference.ts";
import { predictCase } from "../model/predict.ts";
import type { RunConfig } from "../model/config.ts";
import { argmaxIndex } from "../stats/confusion.ts";
import { releaseImagePaths } from "../explain/inputs.ts";
import { CompositeBlock, compositeFigure } from "../plots/composite.ts";
import { Figure, figure, textWidth } from "../plots/figure.ts";
import { overlayMap, rgbToPng } from "../plots/overlay.ts";
import { svgToPng } from "../plots/png.ts";
import { exportFigure, SYNTHETIC_MARK } from "../plots/export.ts";
import { PALETTE } from "../plots/palette.ts";
import { PAPER_WIDTHS, PX_PER_INCH } from "../plots/theme.ts";
import { escapeXml as esc } from "../util/escape.ts";
import { writeBytesAtomic, writeJsonAtomic, writeTextAtomic } from "../util/fs.ts";
import type { Provenance } from "../util/provenance.ts";

/** One case as the report needs it. */
export interface CaseInput {
  /** Shown in titles: "case 123" or the image file names. */
  id: string;
  /** The release's case_num (null for a new case). */
  caseNum: number | null;
  /** The case's split in the release (null for a new case). */
  split: string | null;
  /** Release row index (to leave a training case out of its own neighbours). */
  index: number | null;
  /** Images at the run's input size, and at display size. */
  images: Partial<Record<ImageInput, RgbImage>>;
  /** The same images at display size (256 px). */
  display: Partial<Record<ImageInput, RgbImage>>;
  /** Sex, location and elevation (null unless all three are known). */
  metadata: Readonly<Record<MetadataVariable, string>> | null;
  /** Grouped labels when known. */
  truth: Partial<Record<HeadName, number>> | null;
  /** The image files (for the run's test-time-augmented prediction). */
  files: Partial<Record<ImageInput, string>>;
}

/** Everything a case report shows (see {@linkcode buildCaseReport}). */
export interface CaseReport {
  /** As {@linkcode CaseInput}. */
  id: string;
  /** As {@linkcode CaseInput}. */
  caseNum: number | null;
  /** As {@linkcode CaseInput}. */
  split: string | null;
  /** As {@linkcode CaseInput}. */
  metadata: CaseInput["metadata"];
  /** As {@linkcode CaseInput}. */
  truth: CaseInput["truth"];
  /** The run explained. */
  run: {
    /** Its folder. */
    dir: string;
    /** Model kind: diag, mgmt or multi. */
    kind: string;
    /** Input set, e.g. "CDM". */
    inputs: string;
    /** Training preset. */
    preset: string;
    /** Backbone in words: source, input size in px, feature layers. */
    backbone: string;
    /** Whether the report's data is synthetic. */
    synthetic: boolean;
    /** Augmented views the probabilities average beside the image (0: the image alone). */
    ttaViews: number;
  };
  /** Each head's class probabilities. */
  probabilities: Partial<Record<HeadName, number[]>>;
  /**
   * The seven-point checklist from the criteria heads: each criterion's probability and whether it is
   * the arg-max, the score of the arg-max criteria, the expected score (sum of weight x probability) and
   * the true score when known; null unless the run has all seven criteria heads.
   */
  sevenPoint: {
    criteria: { column: string; finding: string; weight: number; probability: number; present: boolean }[];
    score: number;
    expectedScore: number;
    trueScore: number | null;
  } | null;
  /** Management probabilities: from the management head, and inferred from the diagnosis via p(MGMT | DIAG). */
  management: { predicted: number[] | null; inferred: number[] | null };
  /** Grad-CAM maps of the predicted class of the diagnosis and management heads (runs with image inputs). */
  explanations: { head: HeadName; className: string; probability: number; maps: Partial<Record<ImageInput, CamMap>> }[];
  /**
   * Integrated gradients from the training mean: each input's contribution to the predicted class's
   * logit, and how far their sum misses the logit's change (completeness error).
   */
  attributions: { head: HeadName; className: string; byInput: Record<string, number>; completenessError: number }[];
  /** Where the case sits against the training cases, with its nearest training cases' labels. */
  position: CasePosition & {
    neighbourLabels: { caseNum: number; diagnosis: string; management: string; distance: number }[];
  };
  /** PNG bytes: the display images and the overlays (head -> image -> PNG). */
  png: {
    images: Partial<Record<ImageInput, Uint8Array>>;
    overlays: { head: HeadName; image: ImageInput; png: Uint8Array }[];
  };
}

const DISPLAY = 256;
const IMAGE_NAMES: Record<ImageInput, string> = { clinical: "clinical", derm: "dermoscopic" };

/**
 * A case of a release (by case_num), with its images (decoded at the run's input size and at 256 px)
 * and labels.
 * @throws {RangeError} when the release has no case with that case_num.
 */
export async function caseFromRelease(ex: Explainable, release: Release, caseNum: number): Promise<CaseInput> {
  const c = release.cases.find((x) => x.caseNum === caseNum);
  if (!c) throw new RangeError(`Cannot report case ${caseNum}: expected a case_num of ${release.metaFile}, found none`);
  const needsImages = Object.keys(ex.spatial).length > 0;
  const paths = needsImages ? releaseImagePaths(release, [c])[0] : null;
  const images: CaseInput["images"] = {}, display: CaseInput["display"] = {};
  for (const which of IMAGE_INPUTS) {
    if (!paths) break;
    const path = which === "clinical" ? paths.clinic : paths.derm;
    images[which] = await decodeImage(path, { size: ex.size });
    display[which] = await decodeImage(path, { size: DISPLAY });
  }
  return {
    id: `case ${caseNum}`,
    caseNum,
    split: c.split,
    index: c.index,
    images,
    display,
    metadata: c.metadata,
    truth: { ...c.labels },
    files: paths ? { clinical: paths.clinic, derm: paths.derm } : {},
  };
}

/** A new case from image files and metadata (as `predict` takes them). */
export async function caseFromFiles(
  ex: Explainable,
  files: { clinical?: string; derm?: string; metadata?: Partial<Record<MetadataVariable, string>> },
): Promise<CaseInput> {
  const images: CaseInput["images"] = {}, display: CaseInput["display"] = {};
  for (const which of IMAGE_INPUTS) {
    const path = files[which];
    if (!path) continue;
    images[which] = await decodeImage(path, { size: ex.size });
    display[which] = await decodeImage(path, { size: DISPLAY });
  }
  const m = files.metadata;
  const metadata = m?.sex && m.location && m.elevation
    ? { sex: m.sex, location: m.location, elevation: m.elevation }
    : null;
  const id = [files.clinical, files.derm].filter(Boolean).map((p) => p!.split("/").at(-1)).join(" + ") ||
    "metadata only";
  return {
    id,
    caseNum: null,
    split: null,
    index: null,
    images,
    display,
    metadata,
    truth: null,
    files: { clinical: files.clinical, derm: files.derm },
  };
}

/** Options of {@linkcode buildCaseReport}. */
export interface CaseReportOptions {
  /** The training cases' head inputs (mean, spread, leave-one-out distances) to place the case against. */
  reference: TrainingReference;
  /** The release, to label the nearest training cases. */
  release?: Release;
  /** Whether the data is synthetic (marked on every output). */
  synthetic: boolean;
}

/**
 * The run's probabilities for a case: with test-time augmentation (features preset), the average over the
 * image and its views, exactly as the run predicts (`predictCase`); else the head input's own.
 */
/** The views a run averages its predictions over (test-time augmentation; the features preset only). */
function ttaViewsOf(cfg: RunConfig): number {
  return cfg.training.preset === "features" ? cfg.training.ttaViews : 0;
}

async function caseProbabilities(
  ex: Explainable,
  input: CaseInput,
  vector: Float32Array,
): Promise<CaseReport["probabilities"]> {
  if (ttaViewsOf(ex.run.config) > 0) {
    const p = await predictCase(ex.run, {
      clinical: input.files.clinical,
      derm: input.files.derm,
      metadata: input.metadata ?? undefined,
    });
    return p.heads;
  }
  const probs = headProbabilities(ex, [vector]);
  return Object.fromEntries(ex.headNames.map((h) => [h, probs[h]![0]]));
}

/**
 * Computes everything the report shows: probabilities, seven-point score, management, Grad-CAM and
 * integrated gradients, position against the training cases, and the images as PNG. One backbone pass of
 * the images serves the explanations (and the probabilities, without test-time augmentation); a run with
 * test-time augmentation gives its probabilities through its own prediction path (`predictCase`: the image
 * and its views, from the feature cache where they are cached).
 */
export async function buildCaseReport(
  ex: Explainable,
  input: CaseInput,
  options: CaseReportOptions,
): Promise<CaseReport> {
  const needs = ex.blocks.map((b) => b.name);
  const caseInputs = {
    ...Object.fromEntries(IMAGE_INPUTS.filter((k) => needs.includes(k)).map((k) => [k, input.images[k]])),
    metadata: needs.includes("metadata") ? (input.metadata ? encodeMetadata(input.metadata) : undefined) : undefined,
  };
  // one backbone pass serves every head's Grad-CAM (and the probabilities without test-time augmentation)
  const head = await headInputOf(ex, caseInputs);
  try {
    return await reportFromHeadInput(ex, input, head, options);
  } finally {
    for (const m of Object.values(head.maps)) m.forEach((t) => t.dispose());
  }
}

/** The report's steps from the backbone's output: probabilities, seven-point score, management, explanations, position, images. */
async function reportFromHeadInput(
  ex: Explainable,
  input: CaseInput,
  head: HeadInput,
  options: CaseReportOptions,
): Promise<CaseReport> {
  const probabilities = await caseProbabilities(ex, input, head.vector);
  const explained = explainHeads(ex, head, probabilities, options.reference);
  return {
    id: input.id,
    caseNum: input.caseNum,
    split: input.split,
    metadata: input.metadata,
    truth: input.truth,
    run: runOfReport(ex, options.synthetic),
    probabilities,
    sevenPoint: sevenPointOf(probabilities, input.truth),
    management: {
      predicted: probabilities.management ?? null,
      inferred: probabilities.diagnosis && ex.run.priors
        ? inferManagement([probabilities.diagnosis], ex.run.priors)[0]
        : null,
    },
    ...explained,
    position: positionOf(head.vector, input, options),
    png: await reportImages(ex, input, explained.explanations),
  };
}

/**
 * The seven-point checklist from the criteria heads: each criterion's probability and whether it is the
 * arg-max, the score of the arg-max criteria, the expected score, and the true score when the truth
 * has every criterion; null unless the run has all seven criteria heads.
 */
function sevenPointOf(
  probabilities: CaseReport["probabilities"],
  truth: CaseInput["truth"],
): CaseReport["sevenPoint"] {
  if (!SEVEN_POINT_WEIGHTS.every((w) => probabilities[w.column as HeadName])) return null;
  const criteria = SEVEN_POINT_WEIGHTS.map((w) => {
    const p = probabilities[w.column as HeadName]!;
    return {
      column: w.column,
      finding: w.name,
      weight: w.weight,
      probability: p[w.group],
      present: argmaxIndex(p) === w.group,
    };
  });
  const grouped = Object.fromEntries(
    SEVEN_POINT_WEIGHTS.map((w) => [w.column, argmaxIndex(probabilities[w.column as HeadName]!)]),
  );
  const trueScore = truth && SEVEN_POINT_WEIGHTS.every((w) => truth[w.column as HeadName] !== undefined)
    ? sevenPointScore(truth as Record<string, number>)
    : null;
  return {
    criteria,
    score: sevenPointScore(grouped),
    expectedScore: criteria.reduce((s, c) => s + c.weight * c.probability, 0),
    trueScore,
  };
}

/**
 * Grad-CAM maps (when the run has image inputs) and integrated gradients from the training mean, for
 * the predicted class of the diagnosis and management heads.
 */
function explainHeads(
  ex: Explainable,
  head: HeadInput,
  probabilities: CaseReport["probabilities"],
  reference: TrainingReference,
): Pick<CaseReport, "explanations" | "attributions"> {
  const explanations: CaseReport["explanations"] = [];
  const attributions: CaseReport["attributions"] = [];
  for (const h of (["diagnosis", "management"] as HeadName[]).filter((h) => probabilities[h])) {
    const p = probabilities[h]!;
    const classIndex = argmaxIndex(p);
    if (Object.keys(ex.spatial).length) {
      const cam = gradCamAt(ex, head, { head: h, classIndex });
      explanations.push({ head: h, className: cam.className, probability: p[classIndex], maps: cam.maps });
    }
    const ig = integratedGradients(ex, head.vector, { head: h, classIndex, baseline: reference.mean });
    attributions.push({
      head: h,
      className: HEADS[h].codes[classIndex],
      byInput: ig.byInput,
      completenessError: ig.completenessError,
    });
  }
  return { explanations, attributions };
}

/** Where the case sits against the training reference, its nearest training cases labelled from the release. */
function positionOf(vector: Float32Array, input: CaseInput, options: CaseReportOptions): CaseReport["position"] {
  const position = locateCase(options.reference, vector, { excludeIndex: input.index ?? undefined });
  const labelOf = (index: number, head: HeadName) =>
    options.release ? HEADS[head].codes[options.release.cases[index].labels[head]] : "?";
  const neighbourLabels = position.neighbours.map((n) => ({
    caseNum: n.caseNum,
    diagnosis: labelOf(n.index, "diagnosis"),
    management: labelOf(n.index, "management"),
    distance: n.distance,
  }));
  return { ...position, neighbourLabels };
}

/**
 * The report's images as PNG bytes: each display image the run uses, and each Grad-CAM overlay (one
 * colour scale for both images of a head, so their heat can be compared).
 */
async function reportImages(
  ex: Explainable,
  input: CaseInput,
  explanations: CaseReport["explanations"],
): Promise<CaseReport["png"]> {
  const needs = ex.blocks.map((b) => b.name);
  const png: CaseReport["png"] = { images: {}, overlays: [] };
  for (const which of IMAGE_INPUTS) {
    if (input.display[which] && needs.includes(which)) png.images[which] = await rgbToPng(input.display[which]!);
  }
  for (const e of explanations) {
    const max = Math.max(...Object.values(e.maps).map((m) => Math.max(...m!.values)));
    for (const [which, map] of Object.entries(e.maps) as [ImageInput, CamMap][]) {
      png.overlays.push({
        head: e.head,
        image: which,
        png: await rgbToPng(overlayMap(input.display[which]!, map, { maxValue: max })),
      });
    }
  }
  return png;
}

/** The run as the report names it: folder, kind, inputs, preset, backbone, data, test-time views. */
function runOfReport(ex: Explainable, synthetic: boolean): CaseReport["run"] {
  const cfg = ex.run.config;
  return {
    dir: ex.run.dir,
    kind: cfg.model.kind,
    inputs: cfg.model.inputs,
    preset: cfg.training.preset,
    backbone: `${cfg.model.backbone.source} ${cfg.model.backbone.size} px (${
      cfg.model.backbone.featureLayers.join("+")
    })`,
    synthetic,
    ttaViews: ttaViewsOf(cfg),
  };
}

const code = (head: HeadName, i: number) => HEADS[head].codes[i];

/** One line per head: predicted class, probability, and the truth when known. */
export function caseSummaryLines(r: CaseReport): string[] {
  const lines: string[] = [];
  for (const head of ["diagnosis", "management"] as HeadName[]) {
    const p = r.probabilities[head];
    if (!p) continue;
    const k = argmaxIndex(p);
    const t = r.truth?.[head];
    lines.push(
      `${head}: ${code(head, k)} (${p[k].toFixed(2)})${
        t === undefined ? "" : `, true ${code(head, t)} ${t === k ? "✓" : "✗"}`
      }`,
    );
  }
  if (r.management.inferred) {
    const k = argmaxIndex(r.management.inferred);
    const t = r.truth?.management;
    lines.push(
      `management inferred from the diagnosis: ${code("management", k)} (${r.management.inferred[k].toFixed(2)})${
        t === undefined ? "" : ` ${t === k ? "✓" : "✗"}`
      }`,
    );
  }
  if (r.sevenPoint) {
    lines.push(
      `seven-point score ${r.sevenPoint.score} (expected ${r.sevenPoint.expectedScore.toFixed(1)})${
        r.sevenPoint.trueScore === null ? "" : `, true ${r.sevenPoint.trueScore}`
      }`,
    );
  }
  return lines;
}

/** Bar charts of every head's probabilities (the true class marked). */
export function probabilityFigure(r: CaseReport): Figure {
  const panel = (title: string, rows: { label: string; p: number; highlight: boolean }[]) => ({
    title,
    plot: (width: number) => ({
      width,
      height: 32 + 18 * rows.length,
      marginTop: 6,
      marginBottom: 24,
      // room for the longest class label (tick labels at 10 px), then the bars
      marginLeft: Math.ceil(Math.max(...rows.map((d) => textWidth(d.label, 10))) + 14),
      marginRight: 30,
      x: { domain: [0, 1], label: null, ticks: 3 },
      y: { label: null, domain: rows.map((d) => d.label) },
      marks: [
        Plot.barX(rows, {
          y: "label",
          x: "p",
          fill: (d: { highlight: boolean }) => (d.highlight ? PALETTE[1] : "#bbb"),
        }),
        Plot.text(rows, {
          y: "label",
          x: "p",
          text: (d: { p: number }) => d.p.toFixed(2),
          dx: 4,
          textAnchor: "start",
          fontSize: 9,
        }),
        Plot.ruleX([0]),
      ],
    }),
  });
  const headRows = (head: HeadName, p: readonly number[]) =>
    p.map((v, i) => ({
      label: `${code(head, i)}${r.truth?.[head] === i ? " (true)" : ""}`,
      p: v,
      highlight: i === argmaxIndex(p),
    }));
  const panels = [];
  if (r.probabilities.diagnosis) panels.push(panel("diagnosis", headRows("diagnosis", r.probabilities.diagnosis)));
  if (r.management.predicted) {
    panels.push(panel("management (predicted)", headRows("management", r.management.predicted)));
  }
  if (r.management.inferred) {
    panels.push(panel("management (inferred from diagnosis)", headRows("management", r.management.inferred)));
  }
  if (r.sevenPoint) {
    panels.push(
      panel(
        `7-point criteria: score ${r.sevenPoint.score}${
          r.sevenPoint.trueScore === null ? "" : ` (true ${r.sevenPoint.trueScore})`
        }`,
        r.sevenPoint.criteria.map((c) => ({
          label: `${c.column.replaceAll("_", " ").replace(" structures", "")} (${c.weight})`,
          p: c.probability,
          highlight: c.present,
        })),
      ),
    );
  }
  return figure({ panels, columns: (w) => (w < 560 ? 1 : panels.length > 2 ? 3 : 2) });
}

/** The Grad-CAM colour bar's label: the layer, and that one scale serves both images of a head. */
function colorbarLabel(r: CaseReport): string {
  const e = r.explanations[0];
  return `Grad-CAM at ${e.maps.clinical?.layer ?? e.maps.derm?.layer}: 0 to the head's largest value over both images`;
}

/**
 * One Grad-CAM overlay as a figure of its own: a title naming the case, head, class (with its
 * probability) and image, the overlay, the colour bar, and SYNTHETIC DATA where it applies.
 */
export function gradcamOverlayFigure(r: CaseReport, overlay: CaseReport["png"]["overlays"][number]): Figure {
  const e = r.explanations.find((x) => x.head === overlay.head)!;
  return compositeFigure({
    title: `${r.id}: Grad-CAM for ${e.head} ${e.className} (p = ${e.probability.toFixed(2)}), ${
      IMAGE_NAMES[overlay.image]
    } image${r.run.synthetic ? " — SYNTHETIC DATA" : ""}`,
    caption:
      `Model ${r.run.kind}-${r.run.inputs} (${r.run.backbone}). Where the ${e.head} head's evidence for ${e.className} ` +
      `lies in this image; a research second opinion, not a diagnostic device.`,
    blocks: [
      { kind: "images", tiles: [{ png: overlay.png }] },
      { kind: "colorbar", label: colorbarLabel(r), low: "0", high: "max" },
    ],
  });
}

/** The whole report as one figure: images and maps, probabilities, position. */
export function caseReportFigure(r: CaseReport): Figure {
  const blocks: CompositeBlock[] = [];
  // one row per image: the image, then its map for each explained head
  const tiles = IMAGE_INPUTS.filter((k) => r.png.images[k]).flatMap((k) => [
    { png: r.png.images[k]!, label: IMAGE_NAMES[k] },
    ...r.explanations.flatMap((e) =>
      r.png.overlays.filter((o) => o.head === e.head && o.image === k).map((o) => ({
        png: o.png,
        label: `Grad-CAM: ${e.head} ${e.className}`,
      }))
    ),
  ]);
  // both images and their maps in one row where they fit a page's width (at most 6 tiles)
  const perImage = 1 + r.explanations.length;
  const imagesShown = IMAGE_INPUTS.filter((k) => r.png.images[k]).length;
  if (tiles.length) {
    blocks.push({
      kind: "images",
      tiles,
      columns: (width) => (width >= 560 && imagesShown * perImage <= 6 ? imagesShown * perImage : perImage),
    });
  }
  if (r.explanations.length) blocks.push({ kind: "colorbar", label: colorbarLabel(r), low: "0", high: "max" });
  blocks.push({ kind: "figure", figure: probabilityFigure(r) });
  const pos = r.position;
  const where =
    `Against the ${r.run.inputs} training cases: ${pos.percentile.toFixed(0)}th percentile of typicality distance` +
    ` (${
      pos.percentile > 95
        ? "UNUSUAL: further from the training data than 95% of training cases"
        : "within the training distribution"
    })` +
    `; nearest training cases ${
      pos.neighbourLabels.map((n) => `${n.caseNum} (${n.diagnosis}/${n.management})`).join(", ")
    }.`;
  const drivers = r.attributions.map((a) =>
    `${a.head} ${a.className}: ${
      Object.entries(a.byInput).sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])).slice(0, 3).map(([k, v]) =>
        `${k} ${v >= 0 ? "+" : ""}${v.toFixed(2)}`
      ).join(", ")
    }`
  );
  return compositeFigure({
    title: `${r.id}${r.split ? ` (${r.split} split)` : ""}${r.run.synthetic ? " — SYNTHETIC DATA" : ""}`,
    subtitle: caseSummaryLines(r).join(" · "),
    caption: [
      where,
      `Inputs' contributions to the logit (integrated gradients from the training mean): ${drivers.join("; ")}.`,
      `Model: ${r.run.kind}-${r.run.inputs}, ${r.run.preset} preset, ${r.run.backbone}. ${
        ttaNote(r)
      }A research second opinion, not a diagnostic device.`,
    ].join(" "),
    blocks,
  });
}

/** What the probabilities and the explanations each describe, when the run averages augmented views. */
function ttaNote(r: CaseReport): string {
  return r.run.ttaViews > 0
    ? `Probabilities average the image and ${r.run.ttaViews} augmented views (the run's test-time augmentation); Grad-CAM maps and input contributions explain the image itself. `
    : "";
}

/** Self-contained HTML of the report (figure inline, tables, provenance). */
export function caseReportHtml(r: CaseReport, fig: Figure, prov: Provenance): string {
  const table = (head: string[], rows: (string | number)[][]) =>
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${
      rows.map((row) =>
        `<tr>${
          row.map((v) =>
            `<td>${esc(typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v)}</td>`
          ).join("")
        }</tr>`
      ).join("")
    }</tbody></table>`;
  const headRows = Object.entries(r.probabilities).flatMap(([h, p]) =>
    p!.map((v, i) => [h, code(h as HeadName, i), v, r.truth?.[h as HeadName] === i ? "true class" : ""])
  );
  if (r.management.inferred) {
    headRows.push(
      ...r.management.inferred.map((
        v,
        i,
      ) => [
        "management (inferred from diagnosis)",
        code("management", i),
        v,
        r.truth?.management === i ? "true class" : "",
      ]),
    );
  }
  const sections = [
    `<h1>${esc(r.id)}</h1>`,
    r.run.synthetic
      ? `<p class="warn"><b>SYNTHETIC DATA.</b> This case and the model come from the synthetic Derm7pt-format release: it describes no patient.</p>`
      : "",
    `<p class="warn">A research second opinion for reviewers, not a diagnostic device.</p>`,
    `<ul>${caseSummaryLines(r).map((l) => `<li>${esc(l)}</li>`).join("")}</ul>`,
    fig.svg(900),
    `<h2>Every head</h2>`,
    ttaNote(r) ? `<p>${esc(ttaNote(r))}</p>` : "",
    table(["head", "class", "probability", ""], headRows),
    r.sevenPoint
      ? `<h2>Seven-point checklist</h2>${
        table(
          ["criterion", "weight", "p(finding)", "present (argmax)"],
          r.sevenPoint.criteria.map((c) => [c.finding, c.weight, c.probability, c.present ? "yes" : "no"]),
        )
      }<p>Score ${r.sevenPoint.score} (>= 3 suggests melanoma); expected score ${
        r.sevenPoint.expectedScore.toFixed(2)
      }${r.sevenPoint.trueScore === null ? "" : `; from the true criteria ${r.sevenPoint.trueScore}`}.</p>`
      : "",
    `<h2>Which input drove each decision</h2><p>Integrated gradients at the head input, from the training mean to this case (contribution to the class logit; completeness error in the last column).</p>`,
    table(
      ["head", "class", ...Object.keys(r.attributions[0]?.byInput ?? {}), "error"],
      r.attributions.map((a) => [a.head, a.className, ...Object.values(a.byInput), a.completenessError]),
    ),
    `<h2>Against the training distribution</h2><p>Mean RMS distance to the ${r.position.k} nearest training cases in the standardised head-input space: ${
      r.position.distance.toFixed(3)
    }, the ${r.position.percentile.toFixed(1)}th percentile of the training cases' own (leave-one-out) distances.</p>`,
    table(
      ["input", "distance", "percentile"],
      Object.entries(r.position.blocks).map(([k, v]) => [k, v.distance, v.percentile]),
    ),
    table(
      ["nearest training case", "diagnosis", "management", "distance"],
      r.position.neighbourLabels.map((n) => [n.caseNum, n.diagnosis, n.management, n.distance]),
    ),
    `<h2>Provenance</h2><pre>${esc(JSON.stringify({ ...prov, run: r.run }, null, 2))}</pre>`,
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(r.id)}</title><style>` +
    `body{font-family:"DejaVu Sans",sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0}` +
    `td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}.warn{background:#fff3cd;padding:.4em}</style></head><body>${
      sections.join("\n")
    }</body></html>\n`;
}

/** A case report without image bytes, its Grad-CAM maps as plain arrays (see {@linkcode caseReportRecord}). */
export interface CaseReportRecord extends Omit<CaseReport, "png" | "explanations"> {
  /** The Grad-CAM explanations, each map as its layer, size and values (row-major). */
  explanations: {
    head: HeadName;
    className: string;
    probability: number;
    maps: { [k: string]: { layer: string; height: number; width: number; values: number[] } };
  }[];
}

/** The report without image bytes (for JSON). */
export function caseReportRecord(r: CaseReport): CaseReportRecord {
  const { png: _png, explanations, ...rest } = r;
  return {
    ...rest,
    explanations: explanations.map((e) => ({
      head: e.head,
      className: e.className,
      probability: e.probability,
      maps: Object.fromEntries(
        Object.entries(e.maps).map((
          [k, m],
        ) => [k, { layer: m!.layer, height: m!.height, width: m!.width, values: Array.from(m!.values) }]),
      ),
    })),
  };
}

/** Each input's contribution to the explained class's logit, one row per case and explained head. */
export function attributionRows(reports: readonly CaseReport[]): Record<string, string | number>[] {
  return reports.flatMap((r) =>
    r.attributions.map((a) => ({
      case: r.id,
      head: a.head,
      class: a.className,
      ...a.byInput,
      "completeness error": a.completenessError,
    }))
  );
}

/** Where each case sits against the training cases: distance, percentiles (overall and per input), neighbours. */
export function positionRows(reports: readonly CaseReport[]): Record<string, string | number>[] {
  return reports.map((r) => ({
    case: r.id,
    "distance": r.position.distance,
    percentile: r.position.percentile,
    ...Object.fromEntries(Object.entries(r.position.blocks).map(([k, v]) => [`${k} percentile`, v.percentile])),
    "nearest training cases": r.position.neighbourLabels.map((n) => `${n.caseNum} ${n.diagnosis}/${n.management}`)
      .join(", "),
  }));
}

/** A case report rendered: the figure, each overlay as a 300-dpi PNG figure of its own, the HTML and the JSON record. */
export interface RenderedCaseReport {
  /** The whole report as one figure. */
  figure: Figure;
  /** File name suffix (e.g. "gradcam_management_derm") and PNG bytes of each overlay figure. */
  overlays: { suffix: string; png: Uint8Array }[];
  /** Self-contained HTML. */
  html: string;
  /** The JSON record: provenance and the report without image bytes. */
  json: { provenance: Provenance; report: CaseReportRecord };
}

/**
 * Renders a report (no files written): the whole figure, each Grad-CAM overlay as a one-column
 * 300-dpi PNG (title, colour bar, SYNTHETIC mark; provenance in a text chunk), the HTML and the JSON.
 */
export function renderCaseReport(r: CaseReport, prov: Provenance): RenderedCaseReport {
  const figure = caseReportFigure(r);
  const width = Math.round(PAPER_WIDTHS.oneColumn * PX_PER_INCH);
  const overlays = r.png.overlays.map((o) => {
    const svg = gradcamOverlayFigure(r, o).svg(width, { mark: prov.synthetic_data ? SYNTHETIC_MARK : undefined });
    const png = svgToPng(svg, {
      widthPx: Math.round(PAPER_WIDTHS.oneColumn * 300),
      dpi: 300,
      text: { Provenance: JSON.stringify({ ...prov, head: o.head, image: o.image, method: "Grad-CAM" }) },
    });
    return { suffix: `gradcam_${o.head}_${o.image}`, png };
  });
  return {
    figure,
    overlays,
    html: caseReportHtml(r, figure, prov),
    json: { provenance: prov, report: caseReportRecord(r) },
  };
}

/**
 * Writes <name>.html, <name>.json, the figure (every variant of `exportFigure`: <name>.2col.pdf,
 * <name>.paper.1col.png, ..., <name>.manifest.json) and each overlay as a 300-dpi PNG figure of
 * its own (<name>.gradcam_<head>_<image>.png), into `outDir`. Returns the files.
 */
export function writeCaseReport(r: CaseReport, outDir: string, name: string, prov: Provenance): string[] {
  const meta = { ...prov, case: r.id, run: r.run.dir };
  const rendered = renderCaseReport(r, meta);
  const exported = exportFigure(rendered.figure, outDir, name, meta);
  const files = [...exported.files, exported.manifest];
  for (const o of rendered.overlays) {
    const p = join(outDir, `${name}.${o.suffix}.png`);
    writeBytesAtomic(p, o.png);
    files.push(p);
  }
  const html = join(outDir, `${name}.html`);
  writeTextAtomic(html, rendered.html);
  const json = join(outDir, `${name}.json`);
  writeJsonAtomic(json, rendered.json);
  return [...files, html, json];
}
