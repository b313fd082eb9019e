/**
 * Data commands: table1, labels, folds, synth.
 *
 * @module
 */
import {
  crossValidationFolds,
  foldProportions,
  LABELS_COLUMNS,
  labelsTable,
  loadRelease,
  maxProportionDeviation,
  releaseLocation,
  table1,
  writeSyntheticRelease,
} from "../../data/mod.ts";
import { formatRecords, TABLE_FORMATS } from "../../util/table_format.ts";
import { claimOutputFolder } from "../../util/output_folder.ts";
import { type Command, emit } from "../command.ts";
import { choiceOption, intOption, OUT_FILE_OPTION, RELEASE_OPTION, requireOption } from "../options.ts";

function openRelease(values: Record<string, unknown>) {
  const where = releaseLocation(values.data as string | undefined);
  return loadRelease(where.dir);
}

/** `deno task cli table1`: Table 1, management x diagnosis counts per split. */
export const table1Command: Command = {
  name: "table1",
  summary: "Management x diagnosis counts per split (train/valid/test/all), for the 20 raw diagnoses and the 5 groups.",
  description: 'CSV columns: split,diagnosis_group,diagnosis,management,count. Group totals have diagnosis "all".',
  options: {
    data: RELEASE_OPTION,
    format: { type: "string", arg: "csv|md|json|tex", default: "csv", help: "output format" },
    out: OUT_FILE_OPTION,
  },
  run(values) {
    const format = choiceOption("table1", values, "format", TABLE_FORMATS, "csv");
    const release = openRelease(values);
    const caption = `Table 1: management x diagnosis counts per split${release.synthetic ? " (SYNTHETIC data)" : ""}`;
    emit(formatRecords(table1(release), format, { caption: format === "csv" ? undefined : caption }), values.out);
  },
};

/** `deno task cli labels`: one row per case with its grouped labels and metadata. */
export const labelsCommand: Command = {
  name: "labels",
  summary: "One row per case: case_num, split, the grouped label of every task and management, and the metadata.",
  description: "Management: 0 = no further examination, 1 = clinical follow up, 2 = excision.\n" +
    "Diagnosis: BCC 0, NEV 1, MEL 2, MISC 3, SK 4. Criteria: absent 0, then regular/typical/present 1, irregular/atypical 2.",
  options: {
    data: RELEASE_OPTION,
    format: { type: "string", arg: "csv|json", default: "csv", help: "output format" },
    out: OUT_FILE_OPTION,
  },
  run(values) {
    const format = choiceOption("labels", values, "format", ["csv", "json"] as const, "csv");
    emit(formatRecords(labelsTable(openRelease(values)), format, { columns: LABELS_COLUMNS }), values.out);
  },
};

/** `deno task cli folds`: the stratified k-fold partition and its label proportions. */
export const foldsCommand: Command = {
  name: "folds",
  summary:
    "The seeded, multi-label stratified k-fold partition (fold, case_num, part) and its per-fold label proportions.",
  options: {
    data: RELEASE_OPTION,
    k: { type: "string", arg: "K", default: "3", help: "number of folds" },
    seed: { type: "string", arg: "S", default: "0", help: "seed of the partition" },
    proportions: { type: "boolean", help: "print the per-fold label proportions instead of the partition" },
    format: { type: "string", arg: "csv|md|json|tex", default: "csv", help: "output format" },
    out: OUT_FILE_OPTION,
  },
  run(values) {
    const k = intOption("folds", values, "k", 3, 2, 100);
    const seed = intOption("folds", values, "seed", 0);
    const format = choiceOption("folds", values, "format", TABLE_FORMATS, "csv");
    const release = openRelease(values);
    const folds = crossValidationFolds(release, { k, seed });
    if (values.proportions) {
      emit(formatRecords(foldProportions(release, folds), format, { digits: 4 }), values.out);
    } else {
      const rows = folds.flatMap((f) =>
        (["train", "valid", "test"] as const).flatMap((part) =>
          f[part].map((i) => ({ fold: f.fold, part, case_num: release.cases[i].caseNum }))
        )
      );
      emit(formatRecords(rows, format), values.out);
    }
    console.error(
      `largest deviation of a class share in a test fold from the whole release: ${
        maxProportionDeviation(release, folds).toFixed(4)
      }`,
    );
  },
};

/** `deno task cli synth`: writes a synthetic Derm7pt-format release. */
export const synthCommand: Command = {
  name: "synth",
  summary: "Write a synthetic Derm7pt-format release (meta.csv, index files, clinical + dermoscopic JPEGs).",
  description:
    "Labels follow the real release's aggregate statistics; images draw the labels. SYNTHETIC: not patients.",
  options: {
    out: { type: "string", arg: "DIR", help: "output folder (required; new or empty)" },
    cases: { type: "string", arg: "N", default: "1011", help: "number of cases" },
    seed: { type: "string", arg: "S", default: "0", help: "seed" },
    size: { type: "string", arg: "PX", default: "256", help: "image side in pixels" },
    workers: { type: "string", arg: "W", default: "2", help: "parallel render workers" },
  },
  async run(values) {
    const out = requireOption("synth", values, "out", "DIR (the folder to write)");
    const cases = intOption("synth", values, "cases", 1011, 1, 1_000_000);
    const seed = intOption("synth", values, "seed", 0);
    const imageSize = intOption("synth", values, "size", 256, 16, 4096);
    const workers = intOption("synth", values, "workers", 2, 0, 64);
    // a new or empty folder only: never replace labels or mix images into an existing folder
    claimOutputFolder(out, { owners: [], action: "write a synthetic release to" });
    await writeSyntheticRelease(out, { cases, seed, imageSize, workers });
    console.error(`wrote a SYNTHETIC release of ${cases} cases to ${out}`);
  },
};
