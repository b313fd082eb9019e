/**
 * The one place notebooks and the main job take their settings from: where the data is, whether
 * it is synthetic, the run profile (full or quick), the output folder, and a provenance record.
 *
 * Environment: `DERM7PT_DIR` (a real release; default: the synthetic one in data/synthetic),
 * `DERM7PT_PAPER_DIR` (another copy of the study's released predictions; default: the shipped one,
 * see released_predictions.ts),
 * `DERM7PT_PROFILE` = `full` (default) or `quick` (small settings for tests),
 * `DERM7PT_OUTPUTS` (default: outputs/).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { join } from "node:path";
 * import { notebookContext, outputsRoot } from "./context.ts";
 * const ctx = await notebookContext("00_primer", { data: false }); // a notebook that reads no Derm7pt data
 * assert.equal(ctx.release, null);
 * assert.equal(ctx.outDir, join(outputsRoot(), "00_primer"));
 * assert.equal(ctx.provenance.synthetic_data, false);
 * ```
 *
 * `notebookContext("01_dataset")` opens the release of `DERM7PT_DIR` (writing the synthetic one when
 * none is set) and sends outputs to outputs/synthetic/01_dataset/ or outputs/real/01_dataset/.
 *
 * @module
 */
import { join } from "node:path";
import { defaultTrainJobs } from "../model/run_pool.ts";
import {
  cacheDirectory,
  DEFAULT_SYNTHETIC,
  ensureSyntheticRelease,
  loadRelease,
  PROJECT_ROOT,
  Release,
  releaseFingerprint,
  ReleaseLocation,
  releaseLocation,
} from "../data/mod.ts";
import { Provenance, provenance } from "../util/provenance.ts";

/** The run profile: `full` (the main job's settings) or `quick` (small settings for tests). */
export type Profile = "full" | "quick";

/** Settings that differ between the full main job and the quick test profile. */
export interface ProfileSettings {
  /** The synthetic release written when no real one is given: cases, seed, image size (px). */
  synthetic: { cases: number; seed: number; imageSize: number };
  /** Where that synthetic release is written. */
  syntheticDir: string;
  /**
   * Settings of the runs the notebooks train: on synthetic data the input size, views and epochs (smaller
   * than the preset's, for speed); the seed and bootstrap size everywhere. Real data uses the features
   * preset's defaults unchanged (299 px, its views and epochs).
   */
  training: {
    /** Input size (px) of the backbone on synthetic data. */
    syntheticSize: number;
    /** Augmented views per training image and views averaged at prediction, on synthetic data. */
    syntheticViews: number;
    /** Head-training epochs on synthetic data. */
    syntheticEpochs: number;
    /** Training seed. */
    seed: number;
    /** Bootstrap resamples of confidence intervals. */
    bootstrap: number;
  };
}

/** The settings of each profile. */
export const PROFILES: Readonly<Record<Profile, ProfileSettings>> = Object.freeze({
  full: {
    synthetic: { ...DEFAULT_SYNTHETIC },
    syntheticDir: join(PROJECT_ROOT, "data", "synthetic"),
    // 160 px keeps the whole main job under 10 minutes on 2 cores; the synthetic lesions carry their
    // labels at this size (see tests/model/training_test.ts)
    training: { syntheticSize: 160, syntheticViews: 1, syntheticEpochs: 40, seed: 2021, bootstrap: 1000 },
  },
  quick: {
    synthetic: { cases: 160, seed: 7, imageSize: 96 },
    syntheticDir: join(PROJECT_ROOT, "data", "synthetic-quick"),
    training: { syntheticSize: 96, syntheticViews: 1, syntheticEpochs: 8, seed: 2021, bootstrap: 200 },
  },
});

/** What a notebook (or the main job) works with: its data, settings, output folder and provenance. */
export interface NotebookContext {
  /** The notebook's name, e.g. "01_dataset" (names its output folder). */
  name: string;
  /** False for notebooks that read no Derm7pt data (then `release` is null). */
  usesData: boolean;
  /** The active profile. */
  profile: Profile;
  /** The active profile's settings. */
  settings: ProfileSettings;
  /** Where the release is and how it was chosen (null when `usesData` is false). */
  location: ReleaseLocation | null;
  /** The opened release. */
  release: Release;
  /** Whether the release is synthetic. */
  synthetic: boolean;
  /** outputs/synthetic/<name>/ or outputs/real/<name>/ (quick profile: outputs/quick-synthetic/...) */
  outDir: string;
  /** A provenance record for this notebook's exports (extend with seed/backbone/backend). */
  provenance: Provenance;
  /** A one-paragraph Markdown note saying what data this is. */
  dataNote: string;
  /** Cache folder for decoded images and features (.cache/ at the project root, or DERM7PT_CACHE). */
  cacheDir: string;
}

/** The active profile from DERM7PT_PROFILE (default "full"). */
export function activeProfile(): Profile {
  const p = Deno.env.get("DERM7PT_PROFILE") ?? "full";
  if (p !== "full" && p !== "quick") {
    throw new RangeError(`Cannot read DERM7PT_PROFILE: expected "full" or "quick", found "${p}"`);
  }
  return p;
}

/** The outputs folder (DERM7PT_OUTPUTS or outputs/). */
export function outputsRoot(): string {
  return Deno.env.get("DERM7PT_OUTPUTS") ?? join(PROJECT_ROOT, "outputs");
}

/**
 * Resolves the data (writing the synthetic release if needed), the output folder and provenance;
 * `dataDir` overrides `DERM7PT_DIR` (the CLI's --data).
 * @throws {RangeError} on an unknown DERM7PT_PROFILE; {Error} from loadRelease on a folder that is not a
 * valid release.
 */
export async function notebookContext(name: string, options?: { dataDir?: string }): Promise<NotebookContext>;
/** A context without data: no release is opened and outputs go to outputs/<name>/. */
export async function notebookContext(
  name: string,
  options: { data: false },
): Promise<Omit<NotebookContext, "release"> & { release: null }>;
export async function notebookContext(
  name: string,
  options: { data?: boolean; dataDir?: string } = {},
): Promise<NotebookContext | (Omit<NotebookContext, "release"> & { release: null })> {
  const profile = activeProfile();
  const settings = PROFILES[profile];
  const cacheDir = cacheDirectory();
  if (options.data === false) {
    return {
      name,
      usesData: false,
      profile,
      settings,
      location: null,
      release: null,
      synthetic: false,
      outDir: join(outputsRoot(), name),
      provenance: provenance({ run_id: name, data_fingerprint: "none", synthetic_data: false, profile }),
      dataNote: "This notebook reads no Derm7pt data.",
      cacheDir,
    };
  }
  defaultTrainJobs(); // a bad DERM7PT_TRAIN_JOBS is reported now, not after the first runs
  let location = releaseLocation(options.dataDir);
  if (location.source === "default-synthetic") {
    location = { ...location, dir: settings.syntheticDir };
    await ensureSyntheticRelease(settings.syntheticDir, settings.synthetic);
  }
  const release = loadRelease(location.dir, { quiet: true });
  const synthetic = release.synthetic;
  const outDir = join(outputsRoot(), `${profile === "quick" ? "quick-" : ""}${synthetic ? "synthetic" : "real"}`, name);
  const prov = provenance({
    run_id: `${name}${profile === "quick" ? "-quick" : ""}`,
    data_fingerprint: releaseFingerprint(release),
    synthetic_data: synthetic,
    data_dir: location.dir,
    profile,
  });
  const dataNote = synthetic
    ? `**SYNTHETIC DATA.** No \`DERM7PT_DIR\` is set, so this notebook runs on the synthetic Derm7pt-format release in ` +
      `\`${location.dir}\` (${release.cases.length} drawn lesions whose labels follow the real release's aggregate statistics). ` +
      `Every number and figure below describes that synthetic data, not patients. Set \`DERM7PT_DIR\` to a real \`release_v0\` folder to run on the real data.`
    : `Data: the Derm7pt release in \`${location.dir}\` (${release.cases.length} cases).`;
  return {
    name,
    usesData: true,
    profile,
    settings,
    location,
    release,
    synthetic,
    outDir,
    provenance: prov,
    dataNote,
    cacheDir,
  };
}
