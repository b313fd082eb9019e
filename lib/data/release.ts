/**
 * Loading and validating a Derm7pt release folder (`release_v0` layout):
 *
 * ```
 * DIR/meta/meta.csv
 * DIR/meta/train_indexes.csv, valid_indexes.csv, test_indexes.csv
 * DIR/images/<dir>/<file>       (may be absent for commands that need no pixels)
 * ```
 *
 * Every problem is reported with the file, line and column it comes from and what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { casesOf, isInsideImages, loadRelease } from "./release.ts";
 * import { writeSyntheticRelease } from "./synth/generate.ts";
 * const dir = Deno.makeTempDirSync();
 * await writeSyntheticRelease(dir, { cases: 20, seed: 1, imageSize: 16, progress: false, workers: 0 });
 * const release = loadRelease(dir, { requireImages: true, quiet: true });
 * assert.equal(release.cases.length, 20);
 * assert.ok(release.synthetic);
 * const sizes = (["train", "valid", "test"] as const).map((s) => casesOf(release, s).length);
 * assert.deepEqual(sizes, [8, 4, 8]); // 413:203:395 of 20
 * assert.ok(!isInsideImages("../../etc/passwd"));
 * ```
 *
 * @module
 */
import { join, sep as SEP } from "node:path";
import { CsvRecord, parseCsv } from "../util/csv.ts";
import { sha256Parts } from "../util/hash.ts";
import { exists, isDirectory, readTextFile } from "../util/fs.ts";
import {
  DIFFICULTY_LEVELS,
  encodeMetadata,
  groupLabel,
  HeadName,
  MANAGEMENT,
  METADATA_ORDER,
  METADATA_VARIABLES,
  MetadataVariable,
  sevenPointScore,
  TASKS,
} from "./vocabulary.ts";

/** The 19 columns of meta.csv, in the release's order. */
export const META_COLUMNS: readonly string[] = Object.freeze([
  "case_num",
  "diagnosis",
  "seven_point_score",
  "pigment_network",
  "streaks",
  "pigmentation",
  "regression_structures",
  "dots_and_globules",
  "blue_whitish_veil",
  "vascular_structures",
  "level_of_diagnostic_difficulty",
  "elevation",
  "location",
  "sex",
  "management",
  "clinic",
  "derm",
  "case_id",
  "notes",
]);

/** An official split of the release. */
export type SplitName = "train" | "valid" | "test";
/** The official splits, in the order tables show them. */
export const SPLIT_NAMES: readonly SplitName[] = Object.freeze(["train", "valid", "test"]);

/** One lesion: its raw strings, its grouped labels and its image paths (relative to images/). */
export interface Case {
  /** 0-based row index into meta.csv (what the index files refer to). */
  index: number;
  /** The case_num column (1-based in the real release). */
  caseNum: number;
  /** The raw meta.csv strings of every column. */
  raw: Readonly<Record<string, string>>;
  /** Grouped numeric label of every head (8 tasks + management). */
  labels: Readonly<Record<HeadName, number>>;
  /** The seven_point_score column (checked against the criteria). */
  sevenPointScore: number;
  /** Sex, location and elevation strings. */
  metadata: Readonly<Record<MetadataVariable, string>>;
  /** level_of_diagnostic_difficulty: "low", "medium" or "high". */
  difficulty: string;
  /** Path of the clinical image, relative to images/. */
  clinic: string;
  /** Path of the dermoscopic image, relative to images/. */
  derm: string;
  /** True when the release reuses the dermoscopic image as the clinical one (9 real cases). */
  clinicIsDerm: boolean;
  /** Which official split the case belongs to. */
  split: SplitName;
}

/** File at the root of a synthetic release (written by synth/generate.ts). */
export const SYNTHETIC_MARKER = "SYNTHETIC.json";

/** A loaded release. */
export interface Release {
  /** The release folder, as given. */
  dir: string;
  /** True for a release written by the synthetic generator (it has a SYNTHETIC.json marker). */
  synthetic: boolean;
  /** Path of meta/meta.csv. */
  metaFile: string;
  /** The images/ folder, or null when it is absent. */
  imagesDir: string | null;
  /** Every case, in meta.csv order. */
  cases: Case[];
  /** Row indexes of each official split, in the order of the index files. */
  splits: Record<SplitName, number[]>;
  /** Non-fatal observations (each printed once by the loader unless `quiet`). */
  warnings: string[];
}

/** Settings of `loadRelease`. */
export interface LoadReleaseOptions {
  /** Require `images/` and check that every referenced image exists (default false). */
  requireImages?: boolean;
  /** Do not print warnings (they are still returned in `release.warnings`). */
  quiet?: boolean;
}

/**
 * Loads and validates a Derm7pt release folder: meta.csv (every case's labels, metadata and image
 * paths), the three index files, the images when asked; warnings are collected, and printed unless
 * `quiet`.
 * @throws {Error} naming the file, line, column and expectation for: a missing file or column, an
 * unknown label string, a non-integer, duplicate, overlapping or out-of-range index, an inconsistent
 * seven-point score, and (with `requireImages`) a missing image.
 */
export function loadRelease(dir: string, options: LoadReleaseOptions = {}): Release {
  checkReleaseFolder(dir);
  const metaFile = join(dir, "meta", "meta.csv");
  const meta = readMetaTable(metaFile);
  const cases = meta.rows.map((row, index) => parseCase(row, index, meta.columns, metaFile));
  checkCaseNumbers(cases, metaFile);
  const splits = readSplits(dir, cases.length);
  for (const s of SPLIT_NAMES) for (const i of splits[s]) cases[i].split = s;
  const warnings = releaseWarnings(dir, cases, splits);
  const imagesDir = imagesFolder(dir, options.requireImages ?? false);
  const release: Release = {
    dir,
    synthetic: exists(join(dir, SYNTHETIC_MARKER)),
    metaFile,
    imagesDir,
    cases,
    splits,
    warnings,
  };
  if (options.requireImages) warnings.push(...checkImages(release));
  if (!options.quiet) { for (const w of warnings) console.warn(`warning: ${w}`); }
  return release;
}

/** @throws {Error} when `dir` is missing or a file. */
function checkReleaseFolder(dir: string): void {
  if (!exists(dir)) throw new Error(`Cannot load Derm7pt release: expected a folder at ${dir}, found none`);
  if (!isDirectory(dir)) throw new Error(`Cannot load Derm7pt release: expected a folder at ${dir}, found a file`);
}

/**
 * meta.csv's rows and the position of each of {@linkcode META_COLUMNS} in them.
 * @throws {Error} when the file is missing, not CSV, or lacks a column.
 */
function readMetaTable(metaFile: string): { rows: CsvRecord[]; columns: Record<string, number> } {
  const table = parseCsv(readTextFile(metaFile, "the release's meta.csv"), { file: metaFile });
  const columns: Record<string, number> = {};
  for (const name of META_COLUMNS) {
    const i = table.header.indexOf(name);
    if (i < 0) {
      throw new Error(
        `Cannot load ${metaFile}: expected a column "${name}" (columns: ${META_COLUMNS.join(",")}), found ${
          table.header.join(",")
        }`,
      );
    }
    columns[name] = i;
  }
  if (!table.rows.length) throw new Error(`Cannot load ${metaFile}: expected at least one case, found only the header`);
  return { rows: table.rows, columns };
}

/**
 * One row of meta.csv as a case: grouped labels, metadata, difficulty, case number, the seven-point
 * score checked against the criteria, image paths inside images/ (split set later).
 * @throws {Error} naming the line and column of the first bad value.
 */
function parseCase(row: CsvRecord, index: number, columns: Record<string, number>, metaFile: string): Case {
  const raw: Record<string, string> = {};
  for (const name of META_COLUMNS) raw[name] = row.values[columns[name]];
  const where = (column: string) => `${metaFile} line ${row.line}, column "${column}"`;
  const labels = {} as Record<HeadName, number>;
  for (const t of [...TASKS, MANAGEMENT]) {
    try {
      labels[t.column as HeadName] = groupLabel(t.column as HeadName, raw[t.column]);
    } catch (e) {
      throw new Error(`Cannot load ${where(t.column)}: ${(e as Error).message.replace(/^Cannot group [^:]*: /, "")}`);
    }
  }
  const metadata = {} as Record<MetadataVariable, string>;
  for (const v of METADATA_ORDER) {
    const cats = METADATA_VARIABLES[v] as readonly string[];
    if (!cats.includes(raw[v])) {
      throw new Error(
        `Cannot load ${where(v)}: expected one of ${cats.map((c) => `"${c}"`).join(", ")}, found "${raw[v]}"`,
      );
    }
    metadata[v] = raw[v];
  }
  if (!DIFFICULTY_LEVELS.includes(raw.level_of_diagnostic_difficulty)) {
    throw new Error(
      `Cannot load ${where("level_of_diagnostic_difficulty")}: expected one of ${
        DIFFICULTY_LEVELS.map((c) => `"${c}"`).join(", ")
      }, found "${raw.level_of_diagnostic_difficulty}"`,
    );
  }
  const caseNum = parseInteger(raw.case_num, () => where("case_num"));
  const fileScore = parseInteger(raw.seven_point_score, () => where("seven_point_score"));
  const score = sevenPointScore(labels);
  if (score !== fileScore) {
    throw new Error(
      `Cannot load ${
        where("seven_point_score")
      }: expected ${score} (the seven-point score of this row's criteria), found ${fileScore}`,
    );
  }
  for (const c of ["clinic", "derm"]) {
    if (!raw[c]) {
      throw new Error(`Cannot load ${where(c)}: expected an image path like "NEL/Nel026.jpg", found an empty field`);
    }
    if (!isInsideImages(raw[c])) {
      throw new Error(
        `Cannot load ${where(c)}: expected an image path inside images/ (like "NEL/Nel026.jpg"), found "${raw[c]}"`,
      );
    }
  }
  return {
    index,
    caseNum,
    raw,
    labels,
    sevenPointScore: score,
    metadata,
    difficulty: raw.level_of_diagnostic_difficulty,
    clinic: raw.clinic,
    derm: raw.derm,
    clinicIsDerm: raw.clinic === raw.derm,
    split: "train" as SplitName,
  };
}

/** @throws {Error} naming both lines when two cases share a case number. */
function checkCaseNumbers(cases: readonly Case[], metaFile: string): void {
  const seen = new Map<number, number>();
  for (const c of cases) {
    const prev = seen.get(c.caseNum);
    if (prev !== undefined) {
      throw new Error(
        `Cannot load ${metaFile} line ${
          c.index + 2
        }, column "case_num": expected unique case numbers, found ${c.caseNum} again (first on line ${prev + 2})`,
      );
    }
    seen.set(c.caseNum, c.index);
  }
}

/** Non-fatal observations: an empty split, cases that reuse the dermoscopic image as the clinical one. */
function releaseWarnings(dir: string, cases: readonly Case[], splits: Record<SplitName, number[]>): string[] {
  const warnings: string[] = [];
  for (const s of SPLIT_NAMES) {
    if (!splits[s].length) {
      warnings.push(`the ${s} split is empty (${join(dir, "meta", `${s}_indexes.csv`)} lists no case)`);
    }
  }
  const reused = cases.filter((c) => c.clinicIsDerm);
  if (reused.length) {
    warnings.push(
      `${reused.length} case(s) reuse the dermoscopic image as the clinical one (case_num ${
        reused.map((c) => c.caseNum).join(", ")
      }); their "clinical" input carries no clinical photo.`,
    );
  }
  return warnings;
}

/**
 * The release's images/ folder, or null without one.
 * @throws {Error} when `required` and there is none.
 */
function imagesFolder(dir: string, required: boolean): string | null {
  const imagesDir = join(dir, "images");
  if (exists(imagesDir)) return imagesDir;
  if (required) throw new Error(`Cannot load images of ${dir}: expected a folder ${imagesDir}, found none`);
  return null;
}

/**
 * Resolves every case's two images inside images/; returns the resolver's warnings.
 * @throws {Error} naming the line and column of a missing image.
 */
function checkImages(release: Release): string[] {
  const resolver = new ImagePathResolver(release.imagesDir!);
  for (const c of release.cases) {
    for (const column of ["clinic", "derm"] as const) {
      resolver.resolve(c[column], `${release.metaFile} line ${c.index + 2}, column "${column}"`);
    }
  }
  return resolver.warnings;
}

function parseInteger(s: string, where: () => string): number {
  if (!/^-?\d+$/.test(s.trim())) throw new Error(`Cannot load ${where()}: expected an integer, found "${s}"`);
  return Number(s.trim());
}

/**
 * Reads the three index files. Each has a header `indexes` and one 0-based row index per line.
 * @throws {Error} on a missing file, a non-integer, an out-of-range, duplicate or overlapping index,
 * or (a warning-level problem made an error) cases in no split.
 */
export function readSplits(dir: string, nCases: number): Record<SplitName, number[]> {
  const owner = new Map<number, { split: SplitName; line: number }>();
  const splits = {} as Record<SplitName, number[]>;
  for (const s of SPLIT_NAMES) {
    const file = join(dir, "meta", `${s}_indexes.csv`);
    const t = parseCsv(readTextFile(file, `the ${s} index file`), { file });
    if (t.header.length !== 1 || t.header[0] !== "indexes") {
      throw new Error(`Cannot load ${file}: expected a single column "indexes", found ${t.header.join(",")}`);
    }
    splits[s] = t.rows.map((r) => {
      const v = r.values[0].trim();
      const where = `${file} line ${r.line}, column "indexes"`;
      if (!/^\d+$/.test(v)) {
        throw new Error(`Cannot load ${where}: expected a non-negative integer row index, found "${v}"`);
      }
      const i = Number(v);
      if (i >= nCases) {
        throw new Error(
          `Cannot load ${where}: expected a row index in 0..${nCases - 1} (meta.csv has ${nCases} rows), found ${i}`,
        );
      }
      const prev = owner.get(i);
      if (prev) {
        const kind = prev.split === s
          ? "duplicate"
          : `overlapping (also in ${prev.split}_indexes.csv line ${prev.line})`;
        throw new Error(
          `Cannot load ${where}: expected each row index once across the splits, found a ${kind} index ${i}`,
        );
      }
      owner.set(i, { split: s, line: r.line });
      return i;
    });
  }
  if (owner.size !== nCases) {
    const missing: number[] = [];
    for (let i = 0; i < nCases && missing.length < 10; i++) if (!owner.has(i)) missing.push(i);
    throw new Error(
      `Cannot load the splits of ${dir}: expected the three index files to cover all ${nCases} rows, found ${owner.size} (missing e.g. ${
        missing.join(", ")
      })`,
    );
  }
  return splits;
}

/**
 * Resolves image paths under `images/`, falling back to a case-insensitive match (the real release
 * needs it: case 816 names `FCl/Fcl068.jpg`, the file is `FCL/Fcl068.jpg`). Each fallback is
 * recorded once in `warnings`.
 */
export class ImagePathResolver {
  /** The images/ folder. */
  readonly root: string;
  /** One line per path resolved only case-insensitively. */
  readonly warnings: string[] = [];
  #listing = new Map<string, Map<string, string>>();
  #realRoot: string | null = null;

  /** A resolver for paths under `root` (the images/ folder). */
  constructor(root: string) {
    this.root = root;
  }

  /**
   * The absolute path of `relative` (e.g. "NEL/Nel026.jpg").
   * @throws {Error} naming `where` and the path when no file matches, even case-insensitively.
   */
  resolve(relative: string, where = "image"): string {
    if (!isInsideImages(relative)) {
      throw new Error(`Cannot find the image of ${where}: expected a path inside ${this.root}, found "${relative}"`);
    }
    const exact = join(this.root, relative);
    if (exists(exact)) return this.#inside(exact, relative, where);
    const parts = relative.split("/");
    let dir = this.root;
    const actual: string[] = [];
    for (const part of parts) {
      const entries = this.#list(dir);
      const hit = entries?.get(part.toLowerCase());
      if (!hit) {
        throw new Error(
          `Cannot find the image of ${where}: expected a file ${exact} (also tried ignoring case), found none`,
        );
      }
      actual.push(hit);
      dir = join(dir, hit);
    }
    this.warnings.push(`image path "${relative}" resolved case-insensitively to "${actual.join("/")}" (${where})`);
    return this.#inside(dir, relative, where);
  }

  /** `path`, after checking that it does not lead out of the images folder through a link. */
  #inside(path: string, relative: string, where: string): string {
    this.#realRoot ??= Deno.realPathSync(this.root);
    const real = Deno.realPathSync(path);
    if (!real.startsWith(this.#realRoot + SEP)) {
      throw new Error(
        `Cannot use the image of ${where}: expected "${relative}" to stay inside ${this.root}, found a link to ${real}`,
      );
    }
    return path;
  }

  #list(dir: string): Map<string, string> | undefined {
    let m = this.#listing.get(dir);
    if (!m) {
      if (!exists(dir)) return undefined;
      m = new Map();
      for (const e of Deno.readDirSync(dir)) m.set(e.name.toLowerCase(), e.name);
      this.#listing.set(dir, m);
    }
    return m;
  }
}

/**
 * True when a meta.csv image path stays inside images/: relative, and no ".." leads out of it
 * (e.g. "../../other/images/x.jpg" or "/etc/passwd" do not). Backslashes count as separators.
 */
export function isInsideImages(relative: string): boolean {
  if (relative.startsWith("/") || relative.includes("\0") || /^[A-Za-z]:/.test(relative)) return false;
  let depth = 0;
  for (const part of relative.split(/[\\/]+/)) {
    if (part === "..") depth--;
    else if (part !== "." && part !== "") depth++;
    if (depth < 0) return false;
  }
  return depth > 0;
}

/** The one-hot metadata vector of a case (see `encodeMetadata`). */
export function caseMetadataVector(c: Case): Float32Array {
  return encodeMetadata(c.metadata);
}

/** Rows of the given split(s), in index-file order; "all" gives every case in meta.csv order. */
export function casesOf(release: Release, split: SplitName | "all"): Case[] {
  return split === "all" ? release.cases.slice() : release.splits[split].map((i) => release.cases[i]);
}

/** Grouped label of `task` for each case. */
export function labelsOf(cases: readonly Case[], task: HeadName): number[] {
  return cases.map((c) => c.labels[task]);
}

/**
 * A fingerprint of a release's label data: sha256 over meta.csv and the three index files (not the
 * images). Two folders with the same fingerprint hold the same labels and splits.
 */
export function releaseFingerprint(release: Release): string {
  const files = [release.metaFile, ...SPLIT_NAMES.map((s) => join(release.dir, "meta", `${s}_indexes.csv`))];
  return sha256Parts(files.map((f) => Deno.readFileSync(f)));
}
