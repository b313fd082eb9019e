/**
 * Where the study's released test-set predictions are: the copy shipped in
 * third_party/McNemar-mid-p/ (MIT, from the first author's repository; see its SOURCE.md), or the
 * `released_predictions/` folder under `DERM7PT_PAPER_DIR` when that variable is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { releasedPredictions } from "./released_predictions.ts";
 * const r = releasedPredictions({ paperDir: null });
 * assert.match(r.C, /third_party\/McNemar-mid-p\/sample_predictions\/model_1_predictions\.csv$/);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "../data/mod.ts";
import { exists } from "../util/fs.ts";

/** The paths of the study's released test-set predictions (files of one label per line). */
export interface ReleasedPredictions {
  /** The test split's management truth. */
  truth: string;
  /** The predictions of row C of Table 4 (clinical image only). */
  C: string;
  /** The predictions of row CM of Table 4 (clinical image and metadata). */
  CM: string;
  /** Where they come from, in words. */
  source: string;
}

/** The shipped copy of the first author's `sample_predictions/`. */
export const SHIPPED_PREDICTIONS_DIR: string = join(PROJECT_ROOT, "third_party", "McNemar-mid-p");

/**
 * The released predictions: `<paperDir>/released_predictions/` (default: $DERM7PT_PAPER_DIR) when
 * given, else the shipped copy.
 * @throws {Error} when the chosen folder lacks one of the three files.
 */
export function releasedPredictions(
  options: { paperDir?: string | null } = {},
): ReleasedPredictions {
  const paperDir = options.paperDir === undefined ? Deno.env.get("DERM7PT_PAPER_DIR") ?? null : options.paperDir;
  const r: ReleasedPredictions = paperDir
    ? {
      truth: join(paperDir, "released_predictions", "ground_truth_labels.csv"),
      C: join(paperDir, "released_predictions", "model_C_predictions.csv"),
      CM: join(paperDir, "released_predictions", "model_CM_predictions.csv"),
      source: `${join(paperDir, "released_predictions")} (DERM7PT_PAPER_DIR)`,
    }
    : {
      truth: join(SHIPPED_PREDICTIONS_DIR, "sample_predictions", "ground_truth_labels.csv"),
      C: join(SHIPPED_PREDICTIONS_DIR, "sample_predictions", "model_1_predictions.csv"),
      CM: join(SHIPPED_PREDICTIONS_DIR, "sample_predictions", "model_2_predictions.csv"),
      source:
        "kakumarabhishek/McNemar-mid-p (MIT), sample_predictions/ at commit 34b6f99, shipped in third_party/McNemar-mid-p",
    };
  for (const f of [r.truth, r.C, r.CM]) {
    if (!exists(f)) throw new Error(`Cannot read the released predictions: expected a label file at ${f}, found none`);
  }
  return r;
}
