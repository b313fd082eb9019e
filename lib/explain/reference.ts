/**
 * Where a case sits against the training distribution, in the space the heads see (the head input:
 * pooled image features and one-hot metadata). Each dimension is standardised by the training
 * cases; a case's atypicality is the mean RMS distance to its k nearest training cases, reported as
 * a percentile of the same quantity for every training case against the others (leave-one-out).
 * A percentile above 95 means the case is further from the training data than 95% of the training
 * cases are from each other; the nearest training cases and their labels are listed. Per input
 * block (clinical, dermoscopic, metadata) the same is computed on that block alone.
 *
 * The training vectors are cached in the run folder (reference/), keyed by the run and the data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locateCase, referenceFromVectors } from "./reference.ts";
 * // five training cases (release indices 0-4, case numbers 10-14) in a 2-dimensional head input
 * const vectors = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]].map((v) => Float32Array.from(v));
 * const blocks = [{ name: "clinical" as const, start: 0, length: 1 }, { name: "metadata" as const, start: 1, length: 1 }];
 * const ref = referenceFromVectors([0, 1, 2, 3, 4], [10, 11, 12, 13, 14], vectors, blocks, 2);
 * const far = locateCase(ref, Float32Array.from([5, 5]));
 * assert.equal(far.percentile, 100); // further than every training case is from the others
 * assert.equal(far.neighbours[0].caseNum, 13); // nearest: (1, 1)
 * assert.equal(locateCase(ref, Float32Array.from([0.5, 0.5])).neighbours[0].distance, 0);
 * ```
 * With a run: `locateCase(await trainingReference(ex, release, { cacheDir: ".cache" }), vector)`.
 *
 * @module
 */
import { join } from "node:path";
import { Release, releaseFingerprint } from "../data/release.ts";
import { exists, readTextFile, writeBytesAtomic, writeJsonAtomic } from "../util/fs.ts";
import { concatFloat32 } from "../util/arrays.ts";
import { sha256Parts } from "../util/hash.ts";
import { splitOf } from "../model/run.ts";
import { Explainable, InputBlock } from "./decompose.ts";
import { caseHeadInputs } from "./inputs.ts";

/** The training cases in head-input space, standardised, with their leave-one-out k-NN distances. */
export interface TrainingReference {
  /** Indices (into the release) of the training cases. */
  indices: number[];
  /** Their case numbers. */
  caseNums: number[];
  /** Their head-input vectors (as the run computes them). */
  vectors: Float32Array[];
  /** Per-dimension mean over the training cases. */
  mean: Float32Array;
  /** Per-dimension SD over the training cases. */
  sd: Float32Array;
  /** The vectors standardised with them (what distances are measured on). */
  standardized: Float32Array[];
  /** The input blocks of the head input (clinical, dermoscopic, metadata), each also measured alone. */
  blocks: InputBlock[];
  /** Neighbours averaged in a distance. */
  k: number;
  /** Leave-one-out k-NN distances of the training cases, sorted, overall and per block. */
  loo: Record<string, number[]>;
}

/** Where one case sits against a {@linkcode TrainingReference}. */
export interface CasePosition {
  /** Mean RMS distance to the k nearest training cases (standardised space). */
  distance: number;
  /** Percent of training cases whose own leave-one-out distance is <= this one. */
  percentile: number;
  /** The nearest training cases. */
  neighbours: { index: number; caseNum: number; distance: number }[];
  /** The same per input block. */
  blocks: Record<string, { distance: number; percentile: number }>;
  /** Neighbours averaged in the distance. */
  k: number;
}

function standardized(ref: Pick<TrainingReference, "mean" | "sd">, v: Float32Array): Float32Array {
  return v.map((x, d) => (x - ref.mean[d]) / ref.sd[d]);
}

function rms(a: Float32Array, b: Float32Array, start: number, end: number): number {
  let s = 0;
  for (let d = start; d < end; d++) s += (a[d] - b[d]) ** 2;
  return Math.sqrt(s / Math.max(end - start, 1));
}

function knn(
  z: Float32Array,
  zs: readonly Float32Array[],
  k: number,
  start: number,
  end: number,
  skip = -1,
): { j: number; d: number }[] {
  return zs.map((t, j) => ({ j, d: j === skip ? Infinity : rms(z, t, start, end) })).sort((a, b) => a.d - b.d).slice(
    0,
    k,
  );
}

const meanOf = (xs: readonly { d: number }[]) => xs.reduce((s, x) => s + x.d, 0) / xs.length;

function percentileOf(sorted: readonly number[], x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return (100 * lo) / sorted.length;
}

function regions(blocks: readonly InputBlock[], size: number): [string, number, number][] {
  return [["all", 0, size], ...blocks.map((b) => [b.name, b.start, b.start + b.length] as [string, number, number])];
}

/** Builds the reference from the head-input vectors of training cases. */
export function referenceFromVectors(
  indices: number[],
  caseNums: number[],
  vectors: Float32Array[],
  blocks: InputBlock[],
  k = 5,
): TrainingReference {
  if (vectors.length < k + 1) {
    throw new RangeError(
      `Cannot build a training reference: expected more than k = ${k} training cases, found ${vectors.length}`,
    );
  }
  const n = vectors.length, dim = vectors[0].length;
  const mean = new Float32Array(dim), sd = new Float32Array(dim);
  for (const v of vectors) for (let d = 0; d < dim; d++) mean[d] += v[d] / n;
  for (const v of vectors) for (let d = 0; d < dim; d++) sd[d] += (v[d] - mean[d]) ** 2 / n;
  for (let d = 0; d < dim; d++) sd[d] = Math.sqrt(sd[d]) || 1;
  const ref = { mean, sd };
  const zs = vectors.map((v) => standardized(ref, v));
  const loo: Record<string, number[]> = {};
  for (const [name, start, end] of regions(blocks, dim)) {
    loo[name] = zs.map((z, i) => meanOf(knn(z, zs, k, start, end, i))).sort((a, b) => a - b);
  }
  return { indices, caseNums, vectors, mean, sd, standardized: zs, blocks, k, loo };
}

/**
 * The training reference of a run (training split of its config, fold included), cached in
 * <run>/reference/.
 */
export async function trainingReference(
  ex: Explainable,
  release: Release,
  options: { cacheDir: string; workers?: number; quiet?: boolean; k?: number },
): Promise<TrainingReference> {
  const indices = splitOf(release, ex.run.config).train;
  const caseNums = indices.map((i) => release.cases[i].caseNum);
  // the run's config key, its weights and the data: a retrained or edited run gets a new reference
  const key = sha256Parts([
    ex.run.record.key,
    Deno.readFileSync(join(ex.run.dir, "weights", "weights.bin")),
    releaseFingerprint(release),
    "reference-v1",
  ]).slice(0, 16);
  const dir = join(ex.run.dir, "reference");
  let vectors: Float32Array[] | null = null;
  if (exists(join(dir, "reference.json"))) {
    const meta = JSON.parse(readTextFile(join(dir, "reference.json"), "training reference"));
    if (meta.key === key && meta.dim === ex.inputSize) {
      const b = Deno.readFileSync(join(dir, "train_head_inputs.f32"));
      const all = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      vectors = indices.map((_, j) => all.slice(j * meta.dim, (j + 1) * meta.dim));
    }
  }
  if (!vectors) {
    vectors = await caseHeadInputs(ex, release, indices, {
      cacheDir: options.cacheDir,
      workers: options.workers,
      quiet: options.quiet,
    });
    writeBytesAtomic(join(dir, "train_head_inputs.f32"), new Uint8Array(concatFloat32(vectors).buffer));
    writeJsonAtomic(join(dir, "reference.json"), {
      key,
      dim: ex.inputSize,
      cases: caseNums.length,
      data: release.dir,
      created: new Date().toISOString(),
    });
  }
  return referenceFromVectors(indices, caseNums, vectors, ex.blocks, options.k ?? 5);
}

/**
 * Where one head-input vector sits against the reference (`excludeIndex`: a training case's own
 * release index, left out of its neighbours).
 */
export function locateCase(
  ref: TrainingReference,
  v: Float32Array,
  options: { neighbours?: number; excludeIndex?: number } = {},
): CasePosition {
  if (v.length !== ref.mean.length) {
    throw new RangeError(`Cannot locate a case: expected a head input of length ${ref.mean.length}, found ${v.length}`);
  }
  const zs = ref.standardized;
  const z = standardized(ref, v);
  const skip = options.excludeIndex === undefined ? -1 : ref.indices.indexOf(options.excludeIndex);
  const blocks: CasePosition["blocks"] = {};
  let overall = { distance: NaN, percentile: NaN };
  for (const [name, start, end] of regions(ref.blocks, v.length)) {
    const distance = meanOf(knn(z, zs, ref.k, start, end, skip));
    const r = { distance, percentile: percentileOf(ref.loo[name], distance) };
    if (name === "all") overall = r;
    else blocks[name] = r;
  }
  const neighbours = knn(z, zs, options.neighbours ?? 3, 0, v.length, skip).map(({ j, d }) => ({
    index: ref.indices[j],
    caseNum: ref.caseNums[j],
    distance: d,
  }));
  return { ...overall, neighbours, blocks, k: ref.k };
}
