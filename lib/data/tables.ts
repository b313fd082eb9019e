/**
 * Descriptive tables of a release: Table 1 (management x diagnosis counts per split, raw and
 * grouped) and the per-case labels table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelsTable, splitSummary, table1 } from "./tables.ts";
 * import { loadRelease } from "./release.ts";
 * import { writeSyntheticRelease } from "./synth/generate.ts";
 * const dir = Deno.makeTempDirSync();
 * await writeSyntheticRelease(dir, { cases: 20, seed: 1, imageSize: 16, progress: false, workers: 0 });
 * const release = loadRelease(dir, { quiet: true });
 * const rows = table1(release);
 * assert.equal(rows.length, 4 * (20 + 5) * 3); // splits x (raw diagnoses + group totals) x managements
 * const all = rows.filter((r) => r.split === "all" && r.diagnosis === "all");
 * assert.equal(all.reduce((n, r) => n + r.count, 0), 20);
 * assert.deepEqual(splitSummary(release).map((s) => s.cases), [8, 4, 8, 20]);
 * assert.equal(labelsTable(release).length, 20);
 * ```
 *
 * @module
 */
import { Case, casesOf, Release, SPLIT_NAMES, SplitName } from "./release.ts";
import { DIAGNOSIS, HeadName, MANAGEMENT, METADATA_ORDER, TASKS } from "./vocabulary.ts";

/** One Table 1 count. `diagnosis` is the raw string, or "all" for a group's total row. */
export interface Table1Row {
  /** The split, or "all" cases. */
  split: SplitName | "all";
  /** The diagnosis group's code, e.g. "MEL". */
  diagnosis_group: string;
  /** The raw diagnosis string, or "all" for the group's total. */
  diagnosis: string;
  /** The raw management string, e.g. "excision". */
  management: string;
  /** Number of cases. */
  count: number;
}

/** Splits in Table 1 order. */
export const TABLE1_SPLITS: readonly (SplitName | "all")[] = [...SPLIT_NAMES, "all"];

/**
 * Management x diagnosis counts for each split (train, valid, test, all): one row per raw diagnosis
 * (the 20 strings, with their group) and one row per group (`diagnosis` = "all"), for every
 * management string, zeros included. Raw diagnoses are listed in vocabulary order.
 */
export function table1(release: Release): Table1Row[] {
  const rows: Table1Row[] = [];
  const raws = Object.keys(DIAGNOSIS.groups);
  for (const split of TABLE1_SPLITS) {
    const cases = casesOf(release, split);
    for (let g = 0; g < DIAGNOSIS.codes.length; g++) {
      const inGroup = raws.filter((r) => DIAGNOSIS.groups[r] === g);
      for (const diagnosis of [...inGroup, "all"]) {
        for (const management of MANAGEMENT.names) {
          const count = cases.filter((c) =>
            (diagnosis === "all" ? c.labels.diagnosis === g : c.raw.diagnosis === diagnosis) &&
            c.raw.management === management
          ).length;
          rows.push({ split, diagnosis_group: DIAGNOSIS.codes[g], diagnosis, management, count });
        }
      }
    }
  }
  return rows;
}

/** Split sizes and management counts per split (the study's Table 1 header line). */
export function splitSummary(
  release: Release,
): { split: string; cases: number; EXC: number; CLNC: number; NONE: number }[] {
  return TABLE1_SPLITS.map((split) => {
    const cases = casesOf(release, split);
    const count = (m: number) => cases.filter((c) => c.labels.management === m).length;
    return { split, cases: cases.length, EXC: count(2), CLNC: count(1), NONE: count(0) };
  });
}

/** The labels table: one row per case (meta.csv order). */
export interface LabelsRow {
  /** The case_num column. */
  case_num: number;
  /** The case's official split. */
  split: SplitName;
  /** Grouped labels (numbers) and metadata (strings), by the names in `LABELS_COLUMNS`. */
  [column: string]: string | number;
}

/** Columns of the labels table, in order. */
export const LABELS_COLUMNS: readonly string[] = [
  "case_num",
  "split",
  ...TASKS.map((t) => t.column),
  "management",
  "seven_point_score",
  ...METADATA_ORDER,
  "level_of_diagnostic_difficulty",
  "clinic",
  "derm",
];

/**
 * One row per case with `case_num`, `split`, the grouped numeric label of the 8 tasks and of
 * management (0 = no further examination, 1 = clinical follow up, 2 = excision), the seven-point
 * score, and the metadata columns (raw strings).
 */
export function labelsTable(release: Release): LabelsRow[] {
  return release.cases.map((c: Case) => {
    const row: LabelsRow = { case_num: c.caseNum, split: c.split };
    for (const h of [...TASKS.map((t) => t.column as HeadName), "management" as HeadName]) row[h] = c.labels[h];
    row.seven_point_score = c.sevenPointScore;
    for (const v of METADATA_ORDER) row[v] = c.metadata[v];
    row.level_of_diagnostic_difficulty = c.difficulty;
    row.clinic = c.clinic;
    row.derm = c.derm;
    return row;
  });
}

/** Counts of each grouped label of `head` among `cases`. */
export function labelCounts(cases: readonly Case[], head: HeadName, nClasses: number): number[] {
  const out = new Array(nClasses).fill(0);
  for (const c of cases) out[c.labels[head]]++;
  return out;
}
