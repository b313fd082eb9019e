/**
 * Where `predict --data` may write its predictions table: a new or empty folder, or one it wrote
 * before (holding its `predict.json`), never a run folder (whose predictions.csv is the run's own,
 * with its fold labels) nor a folder of the user's own files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimPredictionFolder } from "./predict_output.ts";
 * const run = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${run}/run.json`, "{}");
 * assert.throws(() => claimPredictionFolder(run, run), /it is a run folder/);
 * claimPredictionFolder(`${run}/predict`, run); // a new folder: fine
 * ```
 *
 * @module
 */
import { join, resolve } from "node:path";
import { exists, writeJsonAtomic } from "../util/fs.ts";
import { claimOutputFolder } from "../util/output_folder.ts";

/** The file that marks a folder written by `predict`. */
export const PREDICTION_RECORD = "predict.json";

/**
 * Checks that predictions may be written into `outDir`.
 * @throws {Error} for a run folder (the run's own or another), a file, or a non-empty folder that
 * `predict` did not write.
 */
export function claimPredictionFolder(outDir: string, runDir: string): void {
  if (resolve(outDir) === resolve(runDir) || exists(join(outDir, "run.json"))) {
    throw new Error(
      `Cannot write predictions to ${outDir}: it is a run folder, whose predictions.csv belongs to its run; expected --out to name another folder (default ${
        join(runDir, "predict")
      })`,
    );
  }
  claimOutputFolder(outDir, { owners: [PREDICTION_RECORD], action: "write predictions to" });
}

/** Writes `predict.json`: which run scored which data, and how many rows. */
export function writePredictionRecord(
  outDir: string,
  record: { run: string; runKey: string; data: string; rows: number },
): void {
  writeJsonAtomic(join(outDir, PREDICTION_RECORD), { ...record, created: new Date().toISOString() });
}
