/**
 * `study`: the whole study on a release with several seeds, every published number beside this run's.
 * `tune`: the validation evidence behind the features preset (the preset and one-change alternatives).
 *
 * @module
 */
import { join } from "node:path";
import { exists, readJsonFile, writeJsonAtomic, writeTextAtomic } from "../../util/fs.ts";
import { notebookContext } from "../../report/context.ts";
import { runStudy, studyMarkdown } from "../../report/study_seeds.ts";
import {
  mergeTuneRows,
  TUNE_CANDIDATES,
  TUNE_KINDS,
  tunePreset,
  tunePresetKey,
  tuneRecords,
  type TuneRow,
} from "../../report/tune.ts";
import { exportTable } from "../../report/export_table.ts";
import { cacheDirectory } from "../../data/location.ts";
import { MODEL_KINDS, ModelKind } from "../../model/config.ts";
import { formatRecords } from "../../util/table_format.ts";
import type { Command } from "../command.ts";
import { choiceOption, QUIET_OPTION, RELEASE_OPTION, SEEDS_OPTIONS, seedsOption, UsageError } from "../options.ts";

/** `deno task cli study`: the whole study with several seeds beside the published numbers. */
export const studyCommand: Command = {
  name: "study",
  summary: "Run the whole study on a release with several seeds; print every published number beside this run's.",
  description: [
    "Trains (or reuses) diag-CDM, mgmt-CDM, multi-CDM and the input ablation (multi-C ... multi-M) once per seed on the",
    "official split and in the 3-fold cross-validation (--cv-seeds first: the first seed only, as the study); then",
    "writes study.md and study.json into --out (default outputs/<real|synthetic>/study): the study's findings",
    "checked one by one (test split and folds), the abstract's cross-validation comparisons, and every number of",
    "Tables 2-4 with this run's mean ± SD over seeds (over folds, each fold averaged over the seeds, for the CV).",
    "On the real release (2 cores, 2026-11-30): 34 minutes for 3 seeds and their folds (54 runs) with an empty feature",
    "cache, of which 9 minutes the features; a second call reuses every run and takes seconds.",
  ].join("\n"),
  options: {
    data: RELEASE_OPTION,
    ...SEEDS_OPTIONS,
    "no-cv": { type: "boolean", help: "skip the 3-fold cross-validation" },
    "cv-seeds": {
      type: "string",
      arg: "every|first",
      default: "every",
      help: "which seeds train the cross-validation (first: one model per fold, as the study)",
    },
    out: { type: "string", arg: "DIR", help: "output folder" },
    format: { type: "string", arg: "md|json", default: "md", help: "what to print" },
    quiet: QUIET_OPTION,
  },
  async run(values) {
    const seeds = seedsOption("study", values);
    const format = choiceOption("study", values, "format", ["md", "json"], "md");
    const cvSeeds = choiceOption("study", values, "cv-seeds", ["every", "first"], "every");
    const cv = values["no-cv"] ? "none" : cvSeeds;
    const ctx = await notebookContext("study", { dataDir: values.data as string | undefined });
    if (values.out) ctx.outDir = String(values.out);
    const result = await runStudy(ctx, { seeds, cv, quiet: Boolean(values.quiet) });
    const md = studyMarkdown(result);
    writeTextAtomic(join(ctx.outDir, "study.md"), md);
    writeJsonAtomic(join(ctx.outDir, "study.json"), result);
    Deno.stdout.writeSync(new TextEncoder().encode(format === "json" ? JSON.stringify(result, null, 2) + "\n" : md));
    console.error(`wrote ${join(ctx.outDir, "study.md")} and study.json`);
  },
};

/** `deno task cli tune`: the features preset and its alternatives scored on the validation split. */
export const tuneCommand: Command = {
  name: "tune",
  summary:
    "Score the features preset and one-change alternatives on the validation split (the evidence for the preset).",
  description: [
    "Trains the preset and each alternative (layers, square root, views, test-time averaging, class weighting, prior",
    "correction, L2, linear heads or a hidden layer, label-balanced batches, the epoch's selection, the multi-task",
    "model's head weights, the learning-rate schedule, ensembles of 1-3 members, the previous defaults) with every seed,",
    "on the official split, and scores the validation split only: the test split is never read. An alternative equal",
    "to a kind's preset is skipped. Rows of an earlier call with the same data, seeds and preset stay in the table (a",
    "row scored again replaces its earlier one); rows and run folders made against an earlier preset are redone. Writes tune.csv/.md/.json into --out (default outputs/<real|synthetic>/tune). On",
    "the real release with warm feature caches (2026-11-30, one run alone): a run of the preset, 3 networks (an",
    "ensemble), trains in about 11 s with linear heads and 73 s with the hidden layer of 256;",
    "the features the runs need are computed first (on every core), then the runs train several at once",
    "(one per core, or DERM7PT_TRAIN_JOBS).",
  ].join("\n"),
  options: {
    data: RELEASE_OPTION,
    ...SEEDS_OPTIONS,
    kinds: { type: "string", arg: "K1,K2", default: TUNE_KINDS.join(","), help: "model kinds (diag, mgmt, multi)" },
    candidate: {
      type: "string",
      multiple: true,
      arg: "NAME",
      help: "only these settings (repeatable; default all)",
    },
    out: { type: "string", arg: "DIR", help: "output folder" },
    quiet: QUIET_OPTION,
  },
  async run(values) {
    const seeds = seedsOption("tune", values);
    const kinds = String(values.kinds ?? TUNE_KINDS.join(",")).split(",").map((k) => k.trim());
    const bad = kinds.find((k) => !MODEL_KINDS.includes(k as ModelKind));
    if (bad) throw new UsageError(`Cannot run "tune": expected --kinds among ${MODEL_KINDS.join(",")}, found "${bad}"`);
    const candidates = values.candidate as string[] | undefined;
    const unknown = candidates?.find((n) => !TUNE_CANDIDATES.some((c) => c.name === n));
    if (unknown) {
      throw new UsageError(
        `Cannot run "tune": expected --candidate among ${
          TUNE_CANDIDATES.map((c) => `"${c.name}"`).join(", ")
        }, found "${unknown}"`,
      );
    }
    const ctx = await notebookContext("tune", { dataDir: values.data as string | undefined });
    const outDir = values.out ? String(values.out) : ctx.outDir;
    const rows = await tunePreset(ctx.location!.dir, {
      outDir,
      cacheDir: cacheDirectory(),
      seeds,
      kinds: kinds as ModelKind[],
      candidates,
      quiet: Boolean(values.quiet),
    });
    // rows of an earlier call on the same data with the same seeds, against the same preset, stay in the table
    // (this call's replace theirs)
    const tuneJson = join(outDir, "tune.json");
    const earlier = exists(tuneJson)
      ? readJsonFile<{ seeds: number[]; data: string; rows: TuneRow[] }>(tuneJson)
      : null;
    const kept = earlier && earlier.data === ctx.location!.dir && earlier.seeds.join(",") === seeds.join(",")
      ? mergeTuneRows(
        earlier.rows,
        rows,
        Object.fromEntries(TUNE_KINDS.map((k) => [k, tunePresetKey(k, ctx.location!.dir)])),
      )
      : rows;
    const records = tuneRecords(kept);
    exportTable(outDir, "tune", records, { ...ctx.provenance, seed: seeds[0] }, {
      caption: `The features preset and one-change alternatives, scored on the validation split only (seeds ${
        seeds.join(", ")
      })${ctx.synthetic ? "; SYNTHETIC DATA" : ""}`,
    });
    writeJsonAtomic(tuneJson, { seeds, data: ctx.location!.dir, rows: kept });
    console.log(formatRecords(records, "md"));
  },
};
