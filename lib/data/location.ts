/**
 * Where the data is: one place that every CLI command, notebook and test asks.
 *
 * Precedence: an explicit folder (a `--data` option) > the `DERM7PT_DIR` environment variable >
 * the default synthetic release under `data/synthetic/` (written on first use, see
 * `ensureSyntheticRelease`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SYNTHETIC_DIR, releaseLocation } from "./location.ts";
 * assert.deepEqual(releaseLocation("/data/derm7pt"), { dir: "/data/derm7pt", source: "option" });
 * if (!Deno.env.get("DERM7PT_DIR")) {
 *   assert.deepEqual(releaseLocation(), { dir: DEFAULT_SYNTHETIC_DIR, source: "default-synthetic" });
 * }
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { exists, readJsonFile } from "../util/fs.ts";
import { SYNTHETIC_MARKER } from "./release.ts";
import { writeSyntheticRelease } from "./synth/generate.ts";

/** The project's root folder (the one holding deno.json). */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/** The environment variable that points everything at a real Derm7pt release. */
export const DATA_ENV = "DERM7PT_DIR";

/** The cache folder (decoded images, features, downloaded weights): $DERM7PT_CACHE, else .cache/ at the project root. */
export function cacheDirectory(): string {
  return Deno.env.get("DERM7PT_CACHE") ?? join(PROJECT_ROOT, ".cache");
}

/** The default synthetic release's folder. */
export const DEFAULT_SYNTHETIC_DIR: string = join(PROJECT_ROOT, "data", "synthetic");

/** A release folder and where the choice came from. */
export interface ReleaseLocation {
  /** The release folder. */
  dir: string;
  /** An explicit option, the DERM7PT_DIR environment variable, or the default synthetic release. */
  source: "option" | "environment" | "default-synthetic";
}

/** Resolves the release folder (see module doc). Does not check the folder. */
export function releaseLocation(explicit?: string | null): ReleaseLocation {
  if (explicit) return { dir: explicit, source: "option" };
  const env = Deno.env.get(DATA_ENV);
  if (env) return { dir: env, source: "environment" };
  return { dir: DEFAULT_SYNTHETIC_DIR, source: "default-synthetic" };
}

/** Settings of the default synthetic release. */
export const DEFAULT_SYNTHETIC: Readonly<{ cases: number; seed: number; imageSize: number }> = Object.freeze({
  cases: 1011,
  seed: 20210407,
  imageSize: 256,
});

/**
 * Writes the synthetic release at `dir` unless one with the same settings is already there.
 * Returns true when it was (re)generated.
 */
export async function ensureSyntheticRelease(
  dir: string = DEFAULT_SYNTHETIC_DIR,
  settings: { cases: number; seed: number; imageSize: number } = DEFAULT_SYNTHETIC,
  options: { progress?: boolean } = {},
): Promise<boolean> {
  const marker = join(dir, SYNTHETIC_MARKER);
  if (exists(marker) && exists(join(dir, "meta", "meta.csv"))) {
    const m = readJsonFile<{ cases?: number; seed?: number; imageSize?: number }>(
      marker,
      "a synthetic release's marker",
    );
    if (m.cases === settings.cases && m.seed === settings.seed && m.imageSize === settings.imageSize) return false;
  }
  await writeSyntheticRelease(dir, { ...settings, progress: options.progress });
  return true;
}
