/**
 * A synthetic release in the Derm7pt `release_v0` layout: meta.csv with the same 19 columns and
 * the real label vocabulary, the three index files, and a clinical and a dermoscopic JPEG per case.
 *
 * Labels follow the real release's aggregate statistics (real_statistics.ts, counts only):
 * diagnosis frequencies; each criterion, sex, location, elevation and difficulty given the diagnosis
 * group (independently); management given the diagnosis group and whether the seven-point score is
 * at least 3 (so management depends on more than the diagnosis, as in the real data). About 1% of
 * cases reuse the dermoscopic image as the clinical one, as 9 real cases do. Images come from
 * lesion.ts. A `SYNTHETIC.json` file at the root records the generator and its seed; loaders use it
 * to label everything derived from this data as synthetic.
 *
 * Deterministic for a seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSyntheticRelease } from "./generate.ts";
 * const dir = Deno.makeTempDirSync();
 * const rows = await writeSyntheticRelease(dir, { cases: 12, seed: 1, imageSize: 16, progress: false, workers: 0 });
 * assert.equal(rows.length, 12);
 * assert.ok(Deno.statSync(`${dir}/images/${rows[0].derm}`).isFile);
 * assert.equal(Deno.readTextFileSync(`${dir}/meta/meta.csv`).trim().split("\n").length, 13); // header + 12 cases
 * ```
 *
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { Prng } from "../../util/prng.ts";
import { toCsv } from "../../util/csv.ts";
import { exists, readJsonFile, writeBytesAtomic, writeJsonAtomic, writeTextAtomic } from "../../util/fs.ts";
import { Progress } from "../../util/progress.ts";
import { runWorker } from "../../util/worker.ts";
import { claimOutputFolder } from "../../util/output_folder.ts";
import { META_COLUMNS, SYNTHETIC_MARKER } from "../release.ts";
import { CRITERIA, DIAGNOSIS, groupLabel, HeadName, sevenPointScore } from "../vocabulary.ts";
import { REAL_STATISTICS } from "./real_statistics.ts";
import { renderCase } from "./lesion.ts";

/** The generator named in a synthetic release's SYNTHETIC.json. */
const GENERATOR = "lib/data/synth/generate.ts";

/** One synthetic case's meta.csv fields (raw strings) before images are drawn. */
export type SyntheticRow = Record<(typeof META_COLUMNS)[number], string>;

type Counts = Readonly<Record<string, number>>;

function draw(counts: Counts, prng: Prng): string {
  const keys = Object.keys(counts);
  return keys[prng.categorical(keys.map((k) => counts[k]))];
}

/**
 * Samples the label rows of `n` synthetic cases (no images).
 * @throws {RangeError} when `n` is not a positive integer.
 */
export function sampleSyntheticRows(n: number, prng: Prng): SyntheticRow[] {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot synthesise cases: expected a positive integer count, found ${n}`);
  }
  const S = REAL_STATISTICS;
  const rows: SyntheticRow[] = [];
  for (let i = 0; i < n; i++) {
    const diagnosis = draw(S.diagnosis, prng);
    const group = DIAGNOSIS.codes[groupLabel("diagnosis", diagnosis)];
    const row = { case_num: String(i + 1), diagnosis } as SyntheticRow;
    const grouped: Record<string, number> = {};
    for (const t of CRITERIA) {
      row[t.column as keyof SyntheticRow] = draw(
        (S.criteria as Record<string, Record<string, Counts>>)[t.column][group],
        prng,
      );
      grouped[t.column] = groupLabel(t.column as HeadName, row[t.column as keyof SyntheticRow]);
    }
    const score = sevenPointScore(grouped);
    row.seven_point_score = String(score);
    const meta = S.metadata as Record<string, Record<string, Counts>>;
    row.sex = draw(meta.sex[group], prng);
    row.location = draw(meta.location[group], prng);
    row.elevation = draw(meta.elevation[group], prng);
    row.level_of_diagnostic_difficulty = draw(meta.level_of_diagnostic_difficulty[group], prng);
    const mg = S.management as Record<string, Counts>;
    row.management = draw(mg[`${group}|${score >= 3 ? "7pt>=3" : "7pt<3"}`] ?? mg[`${group}|7pt<3`], prng);
    const id = String(i + 1).padStart(4, "0");
    const dir = `SYN${group}`;
    row.derm = `${dir}/Syn${id}d.jpg`;
    const reuse = prng.bernoulli(9 / 1011);
    row.clinic = reuse ? row.derm : `${dir}/Syn${id}c.jpg`;
    row.case_id = "";
    row.notes = reuse ? "Clinical missing and replaced with derm (synthetic)" : "";
    rows.push(row);
  }
  return rows;
}

/**
 * Raw criterion strings for one lesion of a diagnosis group (e.g. "MEL"), drawn from the real
 * release's criteria-given-group counts.
 * @throws {RangeError} on an unknown group.
 */
export function sampleCriteria(group: string, prng: Prng): Record<string, string> {
  const S = REAL_STATISTICS.criteria as Record<string, Record<string, Counts>>;
  if (!S.pigment_network[group]) {
    throw new RangeError(
      `Cannot sample criteria: expected a diagnosis group among ${DIAGNOSIS.codes.join(", ")}, found "${group}"`,
    );
  }
  return Object.fromEntries(CRITERIA.map((t) => [t.column, draw(S[t.column][group], prng)]));
}

/** Splits `n` cases into train/valid/test with the official proportions (413:203:395), shuffled. */
export function syntheticSplits(n: number, prng: Prng): { train: number[]; valid: number[]; test: number[] } {
  const order = prng.shuffle([...Array(n).keys()]);
  const { train, valid } = REAL_STATISTICS.splits;
  const total = REAL_STATISTICS.cases;
  const nTrain = Math.round((n * train) / total), nValid = Math.round((n * valid) / total);
  return {
    train: order.slice(0, nTrain),
    valid: order.slice(nTrain, nTrain + nValid),
    test: order.slice(nTrain + nValid),
  };
}

/** Settings of `writeSyntheticRelease`. */
export interface SyntheticReleaseOptions {
  /** Number of cases (default 1011, the real release's size). */
  cases?: number;
  /** Seed of every random choice: labels, splits and images. */
  seed: number;
  /** Side of the square images in pixels (default 256). */
  imageSize?: number;
  /** JPEG quality (default 90). */
  quality?: number;
  /** Print progress (default true). */
  progress?: boolean;
  /** Parallel render workers (default 2). */
  workers?: number;
}

/** What the renderer draws for a synthetic row: its diagnosis group, criteria and elevation. */
export function lesionSpecOf(r: SyntheticRow): Parameters<typeof renderCase>[0] {
  return {
    ...Object.fromEntries(
      CRITERIA.map((t) => [t.column, groupLabel(t.column as HeadName, r[t.column as keyof SyntheticRow])]),
    ),
    diagnosis: groupLabel("diagnosis", r.diagnosis),
    elevation: r.elevation,
  } as Parameters<typeof renderCase>[0];
}

/** One worker's share of image rendering. */
export interface RenderJob {
  /** The release folder being written. */
  outDir: string;
  /** Seed of this job's drawing. */
  seed: number;
  /** Side of the square images in pixels. */
  size: number;
  /** JPEG quality. */
  quality: number;
  /** Case positions to render, with their rows. */
  items: { i: number; row: SyntheticRow }[];
}

/** Renders and writes the clinical and dermoscopic JPEGs of `job.items`; `onCase` after each. */
export async function renderSyntheticImages(job: RenderJob, onCase: () => void): Promise<void> {
  const prng = new Prng(job.seed);
  const pending: Promise<void>[] = [];
  const write = async (rel: string, pixels: Uint8Array) => {
    const jpeg = await sharp(pixels, { raw: { width: job.size, height: job.size, channels: 3 } }).jpeg({
      quality: job.quality,
    })
      .toBuffer();
    writeBytesAtomic(join(job.outDir, "images", rel), new Uint8Array(jpeg));
  };
  for (const { i, row: r } of job.items) {
    const img = renderCase(lesionSpecOf(r), { size: job.size, prng: prng.fork(`image-${i}`) });
    pending.push(write(r.derm, img.derm));
    if (r.clinic !== r.derm) pending.push(write(r.clinic, img.clinical));
    if (pending.length >= 8) await Promise.all(pending.splice(0));
    onCase();
  }
  await Promise.all(pending);
}

/**
 * Writes a complete synthetic release to `outDir`: a new or empty folder, or an earlier synthetic
 * release (with its SYNTHETIC.json), whose images, labels and marker are removed first so that no
 * old image stays mixed in. Any other folder is refused.
 * Images are rendered by `workers` parallel workers (default 2; 0 renders on this thread); the result
 * does not depend on the number of workers. Returns the rows written.
 */
export async function writeSyntheticRelease(outDir: string, options: SyntheticReleaseOptions): Promise<SyntheticRow[]> {
  // only a new or empty folder, or an earlier synthetic release (whose images and labels are replaced whole)
  if (claimOutputFolder(outDir, { owners: [SYNTHETIC_MARKER], action: "write a synthetic release to" }) === "own") {
    const marker = readJsonFile<{ generator?: string }>(join(outDir, SYNTHETIC_MARKER), "a synthetic release's marker");
    if (marker?.generator !== GENERATOR) {
      throw new Error(
        `Cannot write a synthetic release to ${outDir}: its ${SYNTHETIC_MARKER} was not written by ${GENERATOR}; choose another folder`,
      );
    }
    for (const old of ["images", "meta", SYNTHETIC_MARKER]) {
      if (exists(join(outDir, old))) Deno.removeSync(join(outDir, old), { recursive: true });
    }
  }
  const n = options.cases ?? 1011;
  const size = options.imageSize ?? 256;
  const prng = new Prng(options.seed);
  const rows = sampleSyntheticRows(n, prng.fork("labels"));
  const splits = syntheticSplits(n, prng.fork("splits"));
  const bar = new Progress("synth images", n, { unit: "cases", quiet: options.progress === false });
  const workers = options.workers ?? 2;
  const items = rows.map((row, i) => ({ i, row }));
  const job = (part: typeof items): RenderJob => ({
    outDir,
    seed: options.seed,
    size,
    quality: options.quality ?? 90,
    items: part,
  });
  if (workers <= 0) await renderSyntheticImages(job(items), () => bar.tick());
  else {
    await Promise.all(
      [...Array(workers).keys()].map((w) =>
        runWorker(new URL("./_render_worker.ts", import.meta.url), job(items.filter((_, i) => i % workers === w)), {
          onDone: () => bar.tick(),
          context: "Cannot render synthetic images",
        })
      ),
    );
  }
  bar.done();
  writeTextAtomic(
    join(outDir, "meta", "meta.csv"),
    toCsv(META_COLUMNS, rows.map((r) => META_COLUMNS.map((c) => r[c]))),
  );
  for (const s of ["train", "valid", "test"] as const) {
    writeTextAtomic(join(outDir, "meta", `${s}_indexes.csv`), toCsv(["indexes"], splits[s].map((i) => [i])));
  }
  writeJsonAtomic(join(outDir, SYNTHETIC_MARKER), {
    synthetic: true,
    generator: GENERATOR,
    seed: options.seed,
    cases: n,
    imageSize: size,
    statisticsFrom: `aggregate counts of a real meta.csv (sha256 ${REAL_STATISTICS.source_sha256})`,
    note: "SYNTHETIC DATA: drawn lesions, not patients. Results on it say nothing about real lesions.",
  });
  return rows;
}
