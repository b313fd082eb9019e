/**
 * Test helpers: where the real reference data is (skipped with a message when absent), temporary
 * folders, and small release fixtures written by the tests themselves.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Prng } from "../lib/util/prng.ts";
import { sha256Hex } from "../lib/util/hash.ts";
import { toCsv } from "../lib/util/csv.ts";
import { META_COLUMNS } from "../lib/data/release.ts";
import { sampleSyntheticRows, syntheticSplits } from "../lib/data/synth/generate.ts";
import { defaultRunConfig, RunConfig } from "../lib/model/config.ts";

export const PROJECT_ROOT = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");

function isDir(p: string): boolean {
  try {
    return Deno.statSync(p).isDirectory;
  } catch {
    return false;
  }
}

/**
 * The shared real data folder: $DERM7PT_SHARED_DATA, else ../shared/data next to the project.
 * Null when absent.
 */
export function sharedDataDir(): string | null {
  const p = Deno.env.get("DERM7PT_SHARED_DATA") ?? join(PROJECT_ROOT, "..", "shared", "data");
  return isDir(p) ? p : null;
}

/** The real Derm7pt metadata release: $DERM7PT_DIR, else <shared>/derm7pt. Null when absent. */
export function realReleaseDir(): string | null {
  const env = Deno.env.get("DERM7PT_DIR");
  if (env && isDir(env)) return env;
  const shared = sharedDataDir();
  return shared && isDir(join(shared, "derm7pt")) ? join(shared, "derm7pt") : null;
}

/** The statistics reference vectors file, or null. */
export function statsVectorsFile(): string | null {
  const p = Deno.env.get("DERM7PT_STATS_VECTORS") ??
    join(PROJECT_ROOT, "..", "shared", "reference", "stats_vectors.json");
  try {
    Deno.statSync(p);
    return p;
  } catch {
    return null;
  }
}

/** Prints a skip message once per reason. */
const said = new Set<string>();
export function skipNote(reason: string): void {
  if (!said.has(reason)) {
    said.add(reason);
    console.log(`SKIPPED (${reason})`);
  }
}

/** A fresh temporary folder. */
export function tempDir(prefix = "derm7pt-test-"): string {
  return Deno.makeTempDirSync({ prefix });
}

/** A new temporary cache folder that shares the project's weights (`.cache/models`, downloaded once). */
export function tempCacheWithModels(): string {
  const dir = tempDir();
  Deno.symlinkSync(join(PROJECT_ROOT, ".cache", "models"), join(dir, "models"));
  return dir;
}

/** Writes a small valid release (labels only, no images) and returns its folder and rows. */
export function writeFixtureRelease(
  dir: string,
  options: {
    cases?: number;
    seed?: number;
    edit?: (rows: string[][]) => void;
    splits?: Record<string, (number | string)[]>;
  } = {},
): { dir: string; rows: string[][] } {
  const prng = new Prng(options.seed ?? 3);
  const n = options.cases ?? 30;
  const rows = sampleSyntheticRows(n, prng.fork("labels")).map((r) => META_COLUMNS.map((c) => r[c]));
  options.edit?.(rows);
  const splits: Record<string, (number | string)[]> = options.splits ?? syntheticSplits(n, prng.fork("splits"));
  Deno.mkdirSync(join(dir, "meta"), { recursive: true });
  Deno.writeTextFileSync(join(dir, "meta", "meta.csv"), toCsv(META_COLUMNS, rows));
  for (const s of ["train", "valid", "test"]) {
    Deno.writeTextFileSync(
      join(dir, "meta", `${s}_indexes.csv`),
      toCsv(["indexes"], (splits[s] ?? []).map((i) => [i])),
    );
  }
  return { dir, rows };
}

/** Column index in meta.csv. */
export function col(name: string): number {
  const i = (META_COLUMNS as readonly string[]).indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return i;
}

/** Runs the CLI in a subprocess; returns status, stdout and stderr. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "lib", "cli", "main.ts"), ...args],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

/**
 * Runs the CLI's `main` in this process (no start-up cost); returns the exit status and what it
 * printed to stdout and stderr (console and Deno.stdout captured).
 */
export async function cliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import("../lib/cli/main.ts");
  const out: string[] = [], err: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info };
  const write = Deno.stdout.writeSync;
  const text = (xs: unknown[]) => xs.map((x) => (typeof x === "string" ? x : Deno.inspect(x))).join(" ") + "\n";
  console.log = (...xs: unknown[]) => out.push(text(xs));
  console.info = console.log;
  console.error = (...xs: unknown[]) => err.push(text(xs));
  console.warn = console.error;
  Deno.stdout.writeSync = (b: Uint8Array) => {
    out.push(new TextDecoder().decode(b));
    return b.length;
  };
  try {
    const code = await main(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    Object.assign(console, saved);
    Deno.stdout.writeSync = write;
  }
}

/** sha256 of every file under `dir` (relative path -> hash), to show that a refused command changed nothing. */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of [...Deno.readDirSync(d)].sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name), r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) walk(p, r);
      else out[r] = sha256Hex(Deno.readFileSync(p));
    }
  };
  walk(dir, "");
  return out;
}

/** Copies the folder tree `from` into `to` (made as needed) and returns `to`. */
export function copyTree(from: string, to: string): string {
  for (const rel of Object.keys(treeHashes(from))) {
    Deno.mkdirSync(join(to, rel, ".."), { recursive: true });
    Deno.copyFileSync(join(from, rel), join(to, rel));
  }
  return to;
}

/** Runs `deno <args>` in the project root without colour: whether it succeeded, stderr then stdout. */
export async function runDeno(args: string[]): Promise<{ success: boolean; stdout: string; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  return { success: out.success, stdout, text: new TextDecoder().decode(out.stderr) + stdout };
}

/** The error lines a command printed (stderr lines starting with "error:" or "Cannot"). */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /^(error: |Cannot |interrupted: )/.test(l));
}

/**
 * Writes a small JPEG (size x size, a fixed pattern that differs between cases) for the clinical and
 * dermoscopic image of every row of a fixture release made by `writeFixtureRelease`.
 */
export async function writeFixtureImages(dir: string, rows: string[][], size = 32): Promise<void> {
  const sharp = (await import("sharp")).default;
  for (const r of rows) {
    for (const col of [15, 16]) {
      const px = new Uint8Array(size * size * 3).map((_, i) => (i * 7 + r[0].length * 13) % 255);
      Deno.mkdirSync(join(dir, "images", r[col].split("/")[0]), { recursive: true });
      Deno.writeFileSync(
        join(dir, "images", r[col]),
        await sharp(px, { raw: { width: size, height: size, channels: 3 } }).jpeg().toBuffer(),
      );
    }
  }
}

/**
 * A fixture release of `cases` cases with images (`writeFixtureRelease` seeded `releaseSeed`, then
 * `writeFixtureImages`) and a paper-preset config on it: management, inputs C+D+M, the tiny backbone
 * at 32 px, seed `seed`. Callers set the backend and the schedule.
 */
export async function tinyPaperFixture(
  cases: number,
  options: { releaseSeed: number; seed: number },
): Promise<{ data: string; config: RunConfig }> {
  const data = tempDir();
  const { rows } = writeFixtureRelease(data, { cases, seed: options.releaseSeed });
  await writeFixtureImages(data, rows);
  const config = defaultRunConfig({
    kind: "mgmt",
    inputs: "CDM",
    preset: "paper",
    backbone: { source: "tiny", size: 32, featureLayers: ["mixed1"] },
    seed: options.seed,
  });
  config.data.dir = data;
  return { data, config };
}

/**
 * A fixture release of 120 cases without images (`writeFixtureRelease` seeded 4) and a features-preset
 * config on it: the multi-task model on metadata alone, `epochs` epochs, seed `seed`, on wasm.
 */
export function metadataRunFixture(options: { seed: number; epochs: number }): RunConfig {
  const data = tempDir();
  writeFixtureRelease(data, { cases: 120, seed: 4 });
  const c = defaultRunConfig({ kind: "multi", inputs: "M", preset: "features", seed: options.seed });
  c.data.dir = data;
  c.training.epochs = options.epochs;
  c.backend = "wasm";
  return c;
}
