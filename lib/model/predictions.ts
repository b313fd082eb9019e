/**
 * The predictions table of a run: one row per case (and split or fold) with the probability of
 * every class of every head and the true labels. Later analyses read only these tables. Written as
 * CSV (always) and Parquet (nodejs-polars).
 *
 * Columns: `case_num, split, fold`, then for each head `<head>_<CODE>` (probabilities, in class
 * order, e.g. `management_NONE, management_CLNC, management_EXC`) and `<head>_true` (0..k-1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headColumns, readPredictions, writePredictions } from "./predictions.ts";
 * assert.deepEqual(headColumns("management"), ["management_NONE", "management_CLNC", "management_EXC"]);
 * const dir = Deno.makeTempDirSync(); // a run folder
 * const row = (case_num: number, split: string, p: number[], truth: number) => ({
 *   case_num, split, fold: null, management_NONE: p[0], management_CLNC: p[1], management_EXC: p[2], management_true: truth,
 * });
 * writePredictions(dir, [row(1, "test", [0.1, 0.3, 0.6], 2), row(2, "valid", [0.7, 0.2, 0.1], 0)], ["management"]);
 * const t = readPredictions(dir);
 * assert.deepEqual(t.heads, ["management"]);
 * assert.deepEqual(t.probs("management", "test"), [[0.1, 0.3, 0.6]]);
 * assert.deepEqual(t.truth("management"), [2, 0]); // every split
 * assert.deepEqual(t.caseNums("valid"), [2]);
 * ```
 *
 * @module
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import { parseCsv, toCsv } from "../util/csv.ts";
import { readTextFile, writeBytesAtomic, writeTextAtomic } from "../util/fs.ts";
import { type HeadName, HEADS } from "../data/vocabulary.ts";

/** One row of a predictions table; the head columns are `<head>_<CODE>` probabilities and `<head>_true`. */
export interface PredictionRow {
  /** The case's number (meta.csv's case_num). */
  case_num: number;
  /** The official split ("train", "valid", "test") the case belongs to. */
  split: string;
  /** The cross-validation fold the row was predicted in (null for the official split). */
  fold: number | null;
  /** A head's class probability or true label. */
  [column: string]: number | string | null;
}

/** Column names of one head. */
export function headColumns(head: HeadName): string[] {
  return HEADS[head].codes.map((c) => `${head}_${c}`);
}

/** Writes predictions.csv and predictions.parquet into `dir`. */
export function writePredictions(dir: string, rows: readonly PredictionRow[], heads: readonly HeadName[]): void {
  const columns = ["case_num", "split", "fold", ...heads.flatMap((h) => [...headColumns(h), `${h}_true`])];
  writeTextAtomic(join(dir, "predictions.csv"), toCsv(columns, rows.map((r) => columns.map((c) => r[c] ?? ""))));
  const df = pl.DataFrame(
    rows.map((r) => Object.fromEntries(columns.map((c) => [c, c === "fold" ? (r.fold ?? -1) : r[c]]))),
  );
  const tmp = join(dir, `predictions.parquet.tmp-${Deno.pid}`);
  df.writeParquet(tmp);
  const bytes = Deno.readFileSync(tmp);
  Deno.removeSync(tmp);
  writeBytesAtomic(join(dir, "predictions.parquet"), bytes);
}

/** A run's predictions, read back. */
export interface PredictionsTable {
  /** The run folder the table was read from. */
  dir: string;
  /** The heads that have columns in the table. */
  heads: HeadName[];
  /** Every row, in file order. */
  rows: PredictionRow[];
  /** Probability rows of a head for a split ("all" = every row). */
  probs(head: HeadName, split?: string): number[][];
  /** True labels of a head for a split. */
  truth(head: HeadName, split?: string): number[];
  /** Case numbers of a split ("all" or none = every row), in row order. */
  caseNums(split?: string): number[];
}

/**
 * Reads `<dir>/predictions.csv`.
 * @throws {Error} naming the file and column when a head's columns are incomplete or a value is
 * not a number.
 */
export function readPredictions(dir: string): PredictionsTable {
  const file = join(dir, "predictions.csv");
  const t = parseCsv(readTextFile(file, "a run's predictions table"), { file });
  for (const c of ["case_num", "split"]) {
    if (!t.header.includes(c)) {
      throw new Error(`Cannot read ${file}: expected a column "${c}", found ${t.header.join(",")}`);
    }
  }
  const heads = (Object.keys(HEADS) as HeadName[]).filter((h) => t.header.includes(`${h}_true`));
  for (const h of heads) {
    for (const c of headColumns(h)) {
      if (!t.header.includes(c)) {
        throw new Error(`Cannot read ${file}: expected a column "${c}" for head ${h}, found none`);
      }
    }
  }
  const rows: PredictionRow[] = t.rows.map((r) => {
    const o: PredictionRow = { case_num: 0, split: "", fold: null };
    t.header.forEach((c, j) => {
      const v = r.values[j];
      if (c === "split") o.split = v;
      else if (c === "fold") o.fold = v === "" || v === "-1" ? null : Number(v);
      else {
        const n = Number(v);
        if (v === "" || Number.isNaN(n)) {
          throw new Error(`Cannot read ${file} line ${r.line}, column "${c}": expected a number, found "${v}"`);
        }
        o[c] = n;
      }
    });
    return o;
  });
  const pick = (split?: string) => (split && split !== "all" ? rows.filter((r) => r.split === split) : rows);
  return {
    dir,
    heads,
    rows,
    probs: (head, split) => pick(split).map((r) => headColumns(head).map((c) => r[c] as number)),
    truth: (head, split) => pick(split).map((r) => r[`${head}_true`] as number),
    caseNums: (split) => pick(split).map((r) => r.case_num),
  };
}
