/**
 * A release and run folders as nodejs-polars DataFrames a student can query (filter, sort, group,
 * join) in the next notebook cell:
 *
 * - `casesFrame(release)`: one row per case, its labels (grouped codes) and metadata;
 * - `predictionsFrame(runDirs)`: every run's predictions, one row per case and run (a `run` column),
 *   with each head's arg-max class and the case's labels and metadata joined;
 * - `historyFrame(runDirs)`: every run's training history;
 * - (study_frames.ts) `metricsFrame(runs)`: the study's metric table of every run's management.
 *
 * Several runs give one frame each (the CV folds, the ablation), told apart by `run`.
 *
 * @example
 * ```ts ignore
 * import pl from "nodejs-polars";
 * import { predictionsFrame } from "./run_frames.ts";
 * const p = predictionsFrame(["outputs/synthetic/runs/multi-CDM", "outputs/synthetic/runs/mgmt-CDM"]);
 * p.filter(pl.col("split").eq(pl.lit("test")))
 *   .groupBy(["run", "diagnosis_group"])
 *   .agg(pl.col("management_pred").eq(pl.col("management_true")).mean().alias("accuracy"));
 * ```
 *
 * @module
 */
import { basename, join } from "node:path";
import pl from "nodejs-polars";
import { DIAGNOSIS, HeadName, HEADS, MANAGEMENT, METADATA_ORDER, MULTI_TASK_HEADS } from "../data/vocabulary.ts";
import { loadRelease, Release } from "../data/release.ts";
import { headColumns, readPredictions } from "../model/predictions.ts";
import { readRunHistory } from "../model/run_files.ts";
import { argmaxIndex } from "../stats/confusion.ts";
import { readJsonFile } from "../util/fs.ts";
import { DataFrame, frameOf } from "./frames.ts";

/**
 * One row per case of a release: `case_num`, `split` (official), `diagnosis` (the raw string),
 * `diagnosis_group` and every other head's grouped code (`management`: NONE, CLNC or EXC), the
 * seven-point score, the level of diagnostic difficulty and the metadata (sex, location, elevation).
 */
export function casesFrame(release: Release): DataFrame {
  return frameOf(release.cases.map((c) => ({
    case_num: c.caseNum,
    split: c.split,
    diagnosis: c.raw.diagnosis,
    diagnosis_group: DIAGNOSIS.codes[c.labels.diagnosis],
    management: MANAGEMENT.codes[c.labels.management],
    seven_point_score: c.sevenPointScore,
    ...Object.fromEntries(
      MULTI_TASK_HEADS.filter((h) => h !== "diagnosis").map((h) => [h, HEADS[h].codes[c.labels[h]]]),
    ),
    difficulty: c.difficulty,
    ...Object.fromEntries(METADATA_ORDER.map((v) => [v, c.metadata[v]])),
  })));
}

const RELEASES = new Map<string, Release>();

function releaseOfRun(dir: string): Release {
  // only the release folder is needed: a run's full config is checked where its model is rebuilt
  const dataDir = readJsonFile<{ data: { dir: string } }>(join(dir, "config.json"), "a run's config.json").data.dir;
  if (!RELEASES.has(dataDir)) RELEASES.set(dataDir, loadRelease(dataDir, { quiet: true }));
  return RELEASES.get(dataDir)!;
}

/**
 * The predictions of one or more run folders as one frame: `run` (the folder's name), then the
 * predictions table's columns (`case_num, split, fold`, each head's class probabilities
 * `<head>_<CODE>` and `<head>_true`), each head's arg-max class `<head>_pred` (0..k-1), and the case's
 * labels and metadata from the release the run was trained on (`casesFrame`; its official split as
 * `release_split`).
 * @throws {Error} naming a folder without predictions.
 */
export function predictionsFrame(runDirs: string | readonly string[], options: { release?: Release } = {}): DataFrame {
  const dirs = typeof runDirs === "string" ? [runDirs] : runDirs;
  const frames = dirs.map((dir) => {
    const t = readPredictions(dir);
    const rows = t.rows.map((r) => {
      const out: Record<string, unknown> = { run: basename(dir), ...r };
      for (const h of t.heads as HeadName[]) {
        const p = headColumns(h).map((c) => r[c] as number);
        out[`${h}_pred`] = argmaxIndex(p);
      }
      return out;
    });
    const cases = casesFrame(options.release ?? releaseOfRun(dir)).rename({ split: "release_split" });
    return frameOf(rows).join(cases, { on: "case_num", how: "left" });
  });
  return frames.length === 1 ? frames[0] : pl.concat(frames, { how: "diagonal" });
}

/** The training history (one row per epoch) of one or more run folders, with a `run` column. */
export function historyFrame(runDirs: string | readonly string[]): DataFrame {
  const dirs = typeof runDirs === "string" ? [runDirs] : runDirs;
  return frameOf(
    dirs.flatMap((dir) => readRunHistory(dir).map((row) => ({ run: basename(dir), ...row }))),
  );
}
