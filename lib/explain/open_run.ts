/**
 * A run opened for explaining: loaded, split at its head input, with the release it was trained on
 * (checked against the run's data fingerprint) and its training reference. Case reports and model
 * cards start here.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { openExplainedRun } from "./open_run.ts";
 * const opened = await openExplainedRun("outputs/runs/multi-CDM-features", { cacheDir: ".cache" });
 * assert.equal(opened.ex.camLayer, "mixed10"); // InceptionV3's last block, in both presets
 * ```
 * (Not run: it needs a trained run, its release and the backbone's weights.)
 *
 * @module
 */
import { loadRelease, Release } from "../data/release.ts";
import type { BackendName } from "../model/backend.ts";
import type { EngineChoice } from "../model/engine.ts";
import { loadRun } from "../model/predict.ts";
import { checkRunData, runProvenance } from "../model/run.ts";
import type { Provenance } from "../util/provenance.ts";
import { Explainable, explainable } from "./decompose.ts";
import { TrainingReference, trainingReference } from "./reference.ts";

/** A run opened for explaining: its decomposition, its release and its training reference. */
export interface ExplainedRun {
  /** The run split at its head input. */
  ex: Explainable;
  /** The release it was trained on (or `dataDir`), checked against the run's data fingerprint. */
  release: Release;
  /** Its training cases in head-input space. */
  reference: TrainingReference;
  /** Provenance of what is made from it (run id "case-report:<runDir>"). */
  prov: Provenance;
}

/**
 * Loads a run, splits it for explaining, opens the release it was trained on (or `dataDir`) and
 * builds (or reads) its training reference.
 * @throws {Error} when the data differs from the run's (fingerprint) — reports would mislabel cases.
 */
export async function openExplainedRun(
  runDir: string,
  options: { cacheDir: string; dataDir?: string; backend?: BackendName; engine?: EngineChoice; quiet?: boolean },
): Promise<ExplainedRun> {
  const run = await loadRun(runDir, { cacheDir: options.cacheDir, backend: options.backend, engine: options.engine });
  const ex = await explainable(run);
  const release = loadRelease(options.dataDir ?? run.config.data.dir, { quiet: true });
  const record = run.record;
  checkRunData(runDir, release, record);
  const reference = await trainingReference(ex, release, { cacheDir: options.cacheDir, quiet: options.quiet });
  return { ex, release, reference, prov: runProvenance(`case-report:${runDir}`, record, run.config.seed) };
}
