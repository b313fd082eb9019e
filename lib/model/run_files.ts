/**
 * The integrity of a run folder: its run.json lists the size and sha256 of every file the run
 * depends on (config, weights, feature standardisation, history, predictions) and the shape of its
 * predictions (row count and a hash of the case list). Loading a run verifies them, so random bytes
 * in `weights.bin`, a truncated `feature_norm.json` or a predictions table cut short are named
 * instead of being used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeRunFiles, verifyRunFiles } from "./run_files.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/config.json`, "{}");
 * const record = { files: describeRunFiles(dir) };
 * assert.deepEqual(Object.keys(record.files), ["config.json"]);
 * verifyRunFiles(dir, record); // unchanged: passes
 * Deno.writeTextFileSync(`${dir}/config.json`, "{ }");
 * assert.throws(() => verifyRunFiles(dir, record), /config\.json is damaged or was changed/);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { sha256Hex } from "../util/hash.ts";
import { exists, readJsonFile } from "../util/fs.ts";
import { PredictionsTable, readPredictions } from "./predictions.ts";
import type { HistoryRow } from "./train.ts";

/** Size and content hash of one file of a run. */
export interface RunFile {
  /** Size in bytes. */
  bytes: number;
  /** sha256 of the content, hex. */
  sha256: string;
}

/** Row count and a hash of the (case_num, split, fold) list of a run's predictions. */
export interface PredictionsShape {
  /** Rows of predictions.csv. */
  rows: number;
  /** sha256 (hex) of the rows' (case_num, split, fold) list. */
  cases: string;
}

/** What run.json records about the run's files. */
export interface RunIntegrity {
  /** Each file of {@linkcode RUN_FILES} present, by name. */
  files?: Record<string, RunFile>;
  /** The predictions table's shape. */
  predictions?: PredictionsShape;
}

/** The files of a run folder that loading depends on (those present are listed). */
export const RUN_FILES: readonly string[] = Object.freeze([
  "config.json",
  "weights/model.json",
  "weights/weights.bin",
  "weights/feature_norm.json",
  "history.json",
  "history.csv",
  "predictions.csv",
  "predictions.parquet",
]);

/** Size and sha256 of each of `files` (relative to `dir`) that exists. */
export function describeRunFiles(dir: string, files: readonly string[] = RUN_FILES): Record<string, RunFile> {
  const out: Record<string, RunFile> = {};
  for (const f of files) {
    const p = join(dir, f);
    if (!exists(p)) continue;
    const bytes = Deno.readFileSync(p);
    out[f] = { bytes: bytes.length, sha256: sha256Hex(bytes) };
  }
  return out;
}

/** The shape of a predictions table (see `PredictionsShape`). */
export function predictionsShape(
  rows: readonly { case_num: number; split: string; fold: number | null }[],
): PredictionsShape {
  return {
    rows: rows.length,
    cases: sha256Hex(rows.map((r) => `${r.case_num}|${r.split}|${r.fold ?? ""}`).join("\n")),
  };
}

const retrain = "retrain it (train --force with the same options and --out)";

/**
 * Checks every file listed in a run record against its size and sha256.
 * @throws {Error} naming the run folder and the first missing, damaged or changed file, or a record
 * without checksums (written before they were recorded).
 */
export function verifyRunFiles(dir: string, record: RunIntegrity): void {
  if (!record.files || !Object.keys(record.files).length) {
    throw new Error(
      `Cannot use the run in ${dir}: expected its run.json to list the checksums of its files, found none (runs written before 2026-11-29 have none); ${retrain}`,
    );
  }
  for (const [rel, want] of Object.entries(record.files)) {
    const p = join(dir, rel);
    if (!exists(p)) {
      throw new Error(`Cannot use the run in ${dir}: expected ${p} (listed in its run.json), found none; ${retrain}`);
    }
    const bytes = Deno.readFileSync(p);
    const sha = bytes.length === want.bytes ? sha256Hex(bytes) : "";
    if (sha !== want.sha256) {
      throw new Error(
        `Cannot use the run in ${dir}: ${p} is damaged or was changed (expected ${want.bytes} bytes with sha256 ${
          want.sha256.slice(0, 12)
        }..., found ${bytes.length} bytes${bytes.length === want.bytes ? " with another sha256" : ""}); ${retrain}`,
      );
    }
  }
}

/**
 * A run's predictions, checked against its run record (row count and case list, then every file's
 * checksum) and, when given, against the release the run was trained on (every case once, and each
 * case in its official split for runs on the official split).
 * @throws {Error} naming predictions.csv and what differs.
 */
export function readRunPredictions(
  dir: string,
  record: RunIntegrity,
  release?: { cases: readonly { caseNum: number; split: string }[]; dir: string },
  options: { fold?: number | null } = {},
): PredictionsTable {
  const table = readPredictions(dir);
  const file = join(dir, "predictions.csv");
  const want = record.predictions;
  if (want && table.rows.length !== want.rows) {
    throw new Error(
      `Cannot use ${file}: expected ${want.rows} rows (as its run.json records), found ${table.rows.length}; ${retrain}`,
    );
  }
  if (want && predictionsShape(table.rows).cases !== want.cases) {
    throw new Error(
      `Cannot use ${file}: expected the cases, splits and folds its run.json records, found others; ${retrain}`,
    );
  }
  verifyRunFiles(dir, record);
  if (release) {
    const split = new Map(release.cases.map((c) => [c.caseNum, c.split]));
    const seen = new Set<number>();
    for (const r of table.rows) {
      if (!split.has(r.case_num) || seen.has(r.case_num)) {
        throw new Error(
          `Cannot use ${file} with ${release.dir}: expected each case of the release once, found case_num ${r.case_num} ${
            seen.has(r.case_num) ? "twice" : "which the release does not have"
          }`,
        );
      }
      seen.add(r.case_num);
      if ((options.fold ?? null) === null && r.split !== split.get(r.case_num)) {
        throw new Error(
          `Cannot use ${file} with ${release.dir}: expected case_num ${r.case_num} in split "${
            split.get(r.case_num)
          }", found "${r.split}"`,
        );
      }
    }
    if (seen.size !== release.cases.length) {
      throw new Error(
        `Cannot use ${file} with ${release.dir}: expected all ${release.cases.length} cases of the release, found ${seen.size}`,
      );
    }
  }
  return table;
}

/** The training history of a run folder (history.json: one row per epoch). */
export function readRunHistory(dir: string): HistoryRow[] {
  return readJsonFile<HistoryRow[]>(join(dir, "history.json"), "a run's history.json");
}
