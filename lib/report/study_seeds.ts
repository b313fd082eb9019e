/**
 * The whole study on a release with several training seeds: every run the study's analyses need, trained
 * (or reused) once per seed on the official split and in the 3-fold cross-validation; every published
 * number beside this run's mean ± SD over the seeds (over the folds for the cross-validation, each fold
 * averaged over the seeds); and the study's findings checked one by one, on the test split and over the
 * folds (direct vs inferred management, multi-task vs single-task, which inputs matter).
 *
 * Runs go to `<outDir>/seed-<s>/runs/`; a completed run with the same config is reused, so the command
 * resumes where it stopped and a second call only recomputes the tables.
 *
 * @example
 * ```ts ignore
 * import { notebookContext } from "./context.ts";
 * import { runStudy, studyMarkdown } from "./study_seeds.ts";
 * const result = await runStudy(await notebookContext("study"), { seeds: [1, 2, 3] });
 * console.log(studyMarkdown(result));
 * ```
 * @module
 */
import { join } from "node:path";
import { distanceComparison, PUBLISHED_SOURCE } from "../analysis/mod.ts";
import { formatMeanSd, type MetricTable } from "../analysis/metrics_tables.ts";
import { meanSd } from "../stats/descriptive.ts";
import { Prng } from "../util/prng.ts";
import { gitCommit } from "../util/provenance.ts";
import type { NotebookContext } from "./context.ts";
import { ensureRuns, studyRunNames } from "./experiments.ts";
import {
  abstractRecords,
  claimHolds,
  type CvComparison,
  cvComparisons,
  type FoldTables,
  foldTables,
  infrVsPred,
  loadStudyRuns,
  meanOverSeedsPerFold,
  signedPp,
  studyVsRunNote,
} from "./study.ts";
import { METRICS, metricsFrame, publishedNumbers, runNumbers } from "./study_frames.ts";

/** Options of {@linkcode runStudy}. */
export interface StudyOptions {
  /** Training seeds (each trains every official-split run once). */
  seeds: readonly number[];
  /**
   * Which seeds also train the 3-fold cross-validation: every seed (the default), the first one only
   * (as the study, which reports one model per fold), or none.
   */
  cv?: CvSeeds;
  /** Subsamples for the distances' CIs (only their means enter the table; default 200). */
  samples?: number;
  /** No progress lines. */
  quiet?: boolean;
}

/** The seeds that train the cross-validation (see {@linkcode StudyOptions.cv}). */
export type CvSeeds = "every" | "first" | "none";

/** One quantity of the study beside this run's values. */
export interface StudyRow {
  /** What is measured, e.g. "Table 2 pred accuracy". */
  quantity: string;
  /** The study's published value. */
  study: number | string;
  /** This run's value per seed (numbers), or for the cross-validation each seed's "mean ± SD" over folds. */
  values: (number | string)[];
  /** Mean and SD over seeds (null for the cross-validation's text values). */
  mean: number | null;
  /** The SD over seeds (sample SD; null as for `mean`). */
  sd: number | null;
  /** What the table shows: "mean ± SD" over seeds, or over folds for the cross-validation (see `cvSeeds`). */
  display: string;
}

/** One finding of the study, checked on this run. */
export interface Finding {
  /** The finding in words. */
  finding: string;
  /** The study's two numbers compared, e.g. "0.7 > 0.6". */
  study: string;
  /** This run's two means and for how many seeds the comparison holds. */
  thisRun: string;
  /** Whether it holds on the means over seeds. */
  holds: boolean;
}

/** The study run with several seeds (see {@linkcode runStudy}). */
export interface StudyResult {
  /** The training seeds. */
  seeds: number[];
  /** The release folder. */
  dataDir: string;
  /** Whether the release is synthetic. */
  synthetic: boolean;
  /** What the runs are (data and backbone), for captions. */
  note: string;
  /** Every published number beside this run's. */
  rows: StudyRow[];
  /** The study's findings checked on the rows. */
  findings: Finding[];
  /** The seeds whose runs made the cross-validation (empty without it). */
  cvSeeds: number[];
  /** The cross-validation comparisons of the abstract (over folds, each fold averaged over `cvSeeds`). */
  abstract: Record<string, string>[];
  /** The runs folder of each seed. */
  runsDirs: Record<number, string>;
  /** The commit the study ran at. */
  gitCommit: string;
  /** When it ran (ISO 8601). */
  created: string;
}

/**
 * Trains (or reuses) every run for every seed and compares all published numbers.
 * @throws {RangeError} for an empty or repeated seed list.
 */
export async function runStudy(ctx: NotebookContext, options: StudyOptions): Promise<StudyResult> {
  const seeds = [...options.seeds];
  if (!seeds.length || new Set(seeds).size !== seeds.length || !seeds.every(Number.isInteger)) {
    throw new RangeError(`Cannot run the study: expected distinct integer seeds, found ${JSON.stringify(seeds)}`);
  }
  const cv = options.cv ?? "every";
  const cvSeeds = cv === "every" ? seeds : cv === "first" ? seeds.slice(0, 1) : [];
  const perSeed: Record<number, Map<string, number | string>> = {};
  const foldsPerSeed: FoldTables[] = [];
  const runsDirs: Record<number, string> = {};
  let note = "";
  for (const [i, seed] of seeds.entries()) {
    const seedCtx: NotebookContext = {
      ...ctx,
      settings: { ...ctx.settings, training: { ...ctx.settings.training, seed } },
      outDir: join(ctx.outDir, `seed-${seed}`, "report"),
    };
    const names = [
      ...studyRunNames.main,
      ...studyRunNames.ablation,
      ...(cvSeeds.includes(seed) ? studyRunNames.cv : []),
    ];
    const dirs = await ensureRuns(seedCtx, names, { quiet: options.quiet });
    runsDirs[seed] = join(seedCtx.outDir, "..", "runs");
    const runs = Object.fromEntries(Object.entries(loadStudyRuns(runsDirs[seed])).filter(([name]) => name in dirs));
    const r = infrVsPred(runs);
    const distances = distanceComparison(r.truth, r.infrProbs, r.predProbs, {
      prng: new Prng(seed).fork("distances"),
      samples: options.samples ?? 200,
    });
    perSeed[seed] = new Map(runNumbers(runs, r, metricsFrame(runs), distances).map((x) => [x.quantity, x.this_run]));
    if (cvSeeds.includes(seed)) foldsPerSeed.push(foldTables(runs));
    if (i === 0) note = studyVsRunNote(runs);
  }
  const cvRows = cvMetricRows(foldsPerSeed);
  const rows: StudyRow[] = publishedNumbers().flatMap(({ quantity, study }): StudyRow[] => {
    const cvRow = cvRows.get(quantity);
    if (cvRow) return [{ quantity, study, values: cvRow.perSeed, mean: null, sd: null, display: cvRow.display }];
    const values = seeds.map((s) => perSeed[s].get(quantity)).filter((v) => v !== undefined) as (number | string)[];
    if (!values.length) return [];
    if (!values.every((v) => typeof v === "number")) {
      return [{ quantity, study, values, mean: null, sd: null, display: String(values[0]) }];
    }
    const m = meanSd(values as number[]);
    const display = values.length > 1 ? formatMeanSd(m) : m.mean.toFixed(4);
    return [{ quantity, study, values, mean: m.mean, sd: m.sd, display }];
  });
  return {
    seeds,
    dataDir: ctx.location?.dir ?? "",
    synthetic: ctx.synthetic,
    note,
    rows,
    findings: [
      ...studyFindings(rows),
      ...(foldsPerSeed.length ? cvFindings(cvComparisons(...foldsPerSeed)) : []),
    ],
    cvSeeds,
    abstract: foldsPerSeed.length ? abstractRecords(...foldsPerSeed) : [],
    runsDirs,
    gitCommit: gitCommit(),
    created: new Date().toISOString(),
  };
}

/**
 * The cross-validation rows of Tables 2-3 ("Table 2 pred 3-fold CV auroc", ...): for each approach and
 * measure, mean ± SD over the folds of each fold's value averaged over the seeds (`display`), and each
 * seed's own mean ± SD over its folds (`perSeed`).
 */
export function cvMetricRows(foldsPerSeed: readonly FoldTables[]): Map<string, { display: string; perSeed: string[] }> {
  const out = new Map<string, { display: string; perSeed: string[] }>();
  const prefixes = { infr: "Table 2 infr", pred: "Table 2 pred", multi: "Table 3" } as const;
  for (const [approach, prefix] of Object.entries(prefixes) as [keyof FoldTables, string][]) {
    if (!foldsPerSeed.length || !foldsPerSeed.every((f) => f[approach].length)) continue;
    const measures: [string, (t: MetricTable) => number][] = [
      ...METRICS.map((k): [string, (t: MetricTable) => number] => [k, (t) => t.average[k]]),
      ["accuracy", (t) => t.accuracy],
    ];
    for (const [k, of] of measures) {
      const values = foldsPerSeed.map((f) => f[approach].map(of));
      out.set(`${prefix} 3-fold CV ${k}`, {
        display: formatMeanSd(meanSd(meanOverSeedsPerFold(values))),
        perSeed: values.map((v) => formatMeanSd(meanSd(v))),
      });
    }
  }
  return out;
}

/**
 * The abstract's comparisons as findings over the folds: each holds when the mean over the folds (each
 * fold averaged over the seeds) of its difference is > 0 (direct vs inferred) or >= 0 (multi-task vs
 * single-task); and for how many seeds their own mean over the folds does.
 */
export function cvFindings(comparisons: readonly CvComparison[]): Finding[] {
  const pp = (x: number) => `${signedPp(x)} pp`;
  return comparisons.map((c) => {
    const mean = meanSd(meanOverSeedsPerFold(c.differences)).mean;
    const seedsHold = c.differences.filter((d) => claimHolds(c.claim, meanSd(d).mean)).length;
    return {
      finding: `over the 3 folds, ${c.comparison.replace(" vs ", c.claim === ">" ? " beats " : " >= ")}`,
      study: `${pp(c.study.mean)} ${c.claim} 0`,
      thisRun: `${pp(mean)} (mean over folds; holds for ${seedsHold} of ${c.differences.length} seeds)`,
      holds: claimHolds(c.claim, mean),
    };
  });
}

/** The study's findings as comparisons of its numbers, checked on the rows (means over seeds). */
export function studyFindings(rows: readonly StudyRow[]): Finding[] {
  const get = (q: string) => rows.find((r) => r.quantity === q);
  const findings: Finding[] = [];
  const compare = (finding: string, a: string, b: string, strict: boolean) => {
    const ra = get(a), rb = get(b);
    if (!ra || !rb || ra.mean === null || rb.mean === null) return;
    const claim = strict ? ">" : ">=";
    const seedsHold = ra.values.filter((v, i) => claimHolds(claim, (v as number) - (rb.values[i] as number))).length;
    findings.push({
      finding,
      study: `${ra.study} ${claim} ${rb.study}`,
      thisRun: `${ra.mean.toFixed(4)} vs ${rb.mean.toFixed(4)} (holds for ${seedsHold} of ${ra.values.length} seeds)`,
      holds: claimHolds(claim, ra.mean - rb.mean),
    });
  };
  compare("direct management beats inferred: accuracy", "Table 2 pred accuracy", "Table 2 infr accuracy", true);
  compare(
    "direct management beats inferred: macro AUROC",
    "Table 2 pred average auroc",
    "Table 2 infr average auroc",
    true,
  );
  compare("multi-task >= single-task management: accuracy", "Table 3 accuracy", "Table 2 pred accuracy", false);
  compare(
    "multi-task >= single-task management: macro AUROC",
    "Table 3 average auroc",
    "Table 2 pred average auroc",
    false,
  );
  compare("dermoscopic beats clinical (Table 4 D vs C): macro AUROC", "Table 4 D auroc", "Table 4 C auroc", true);
  compare("dermoscopic beats clinical (Table 4 D vs C): accuracy", "Table 4 D accuracy", "Table 4 C accuracy", true);
  compare("metadata adds to dermoscopy (Table 4 DM vs D): macro AUROC", "Table 4 DM auroc", "Table 4 D auroc", false);
  compare(
    "metadata adds to dermoscopy (Table 4 DM vs D): accuracy",
    "Table 4 DM accuracy",
    "Table 4 D accuracy",
    false,
  );
  return findings;
}

function cvHeader(cvSeeds: readonly number[]): string {
  if (!cvSeeds.length) return "not run";
  if (cvSeeds.length === 1) return `seed ${cvSeeds[0]} (mean ± SD over folds)`;
  return `seeds ${cvSeeds.join(", ")} (mean ± SD over folds, each fold's number first averaged over the seeds; ` +
    "each seed's own in the per-seed columns)";
}

/** The result as Markdown: a header, the findings, the abstract's CV comparisons and every number. */
export function studyMarkdown(result: StudyResult): string {
  const esc = (s: unknown) => String(s).replaceAll("|", "\\|");
  const lines = [
    `# The study vs this run${result.synthetic ? " (SYNTHETIC DATA)" : ""}`,
    "",
    `Data: \`${result.dataDir}\`. Seeds: ${result.seeds.join(", ")} (official split: mean ± SD over seeds); ` +
    `3-fold cross-validation: ${cvHeader(result.cvSeeds)}. Commit ${
      result.gitCommit.replace(/^([0-9a-f]{10})[0-9a-f]*/, "$1") // "-dirty" kept: the tree had changes
    }, ${result.created.slice(0, 10)}.`,
    "",
    `${result.note}`,
    `Published numbers: ${PUBLISHED_SOURCE}.`,
    "",
    "## Findings",
    "",
    "| finding | study | this run | holds |",
    "|---|---|---|---|",
    ...result.findings.map((f) =>
      `| ${esc(f.finding)} | ${esc(f.study)} | ${esc(f.thisRun)} | ${f.holds ? "yes" : "no"} |`
    ),
    "",
    "## The abstract's cross-validation comparisons (percentage points)",
    "",
    ...(result.abstract.length
      ? [
        `| ${Object.keys(result.abstract[0]).map(esc).join(" | ")} |`,
        `|${Object.keys(result.abstract[0]).map(() => "---").join("|")}|`,
        ...result.abstract.map((r) => `| ${Object.values(r).map(esc).join(" | ")} |`),
      ]
      : ["(no cross-validation runs)"]),
    "",
    "## Every number",
    "",
    `| quantity | study | this run (${result.seeds.length > 1 ? "mean ± SD over seeds" : "one seed"}) | per seed |`,
    "|---|---|---|---|",
    ...result.rows.map((r) =>
      `| ${esc(r.quantity)} | ${esc(r.study)} | ${esc(r.display)} | ${
        r.mean === null
          ? (r.values.length > 1 ? esc(r.values.join("; ")) : "")
          : r.values.map((v) => (v as number).toFixed(4)).join(", ")
      } |`
    ),
  ];
  return lines.join("\n") + "\n";
}
