/**
 * Feeds: turning case indices into model inputs.
 *
 * - `FeatureFeed` (features preset): one vector per case = [clinical features | dermoscopic
 *   features | one-hot metadata] as the input set asks. In training with augmentation each image
 *   contributes a randomly chosen cached view (0..V); otherwise view 0 (the image itself).
 * - `ImageFeed` (paper preset): decoded, resized and (in training) augmented images and the
 *   metadata vector, in the end-to-end model's input order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FeatureFeed } from "./feeds.ts";
 * import { Prng } from "../util/prng.ts";
 * // two cases, each with a clinical and a dermoscopic image of 2 features and one cached view
 * const features = new Map([
 *   ["c1", [new Float32Array([1, 2])]], ["d1", [new Float32Array([3, 4])]],
 *   ["c2", [new Float32Array([5, 6])]], ["d2", [new Float32Array([7, 8])]],
 * ]);
 * const paths = [{ clinic: "c1", derm: "d1" }, { clinic: "c2", derm: "d2" }];
 * const metadata = [
 *   { sex: "female", location: "back", elevation: "flat" },
 *   { sex: "male", location: "acral", elevation: "nodular" },
 * ];
 * const feed = new FeatureFeed(metadata.map((m) => ({ metadata: m })), features, paths, "CDM");
 * assert.equal(feed.size, 2 + 2 + 14); // clinical | dermoscopic | one-hot metadata
 * assert.deepEqual([...feed.vector(1, false, new Prng(0)).slice(0, 4)], [5, 6, 7, 8]);
 * const [x] = feed.inputs([0, 1], { train: false, augment: false, prng: new Prng(0) });
 * assert.deepEqual(x.shape, [2, 18]);
 * x.dispose();
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Case, ImagePathResolver } from "../data/release.ts";
import { encodeMetadata } from "../data/vocabulary.ts";
import { AugmentationSpec, augmentImage } from "../data/augment.ts";
import { decodeImage, RgbImage } from "../data/images.ts";
import { Prng } from "../util/prng.ts";
import { Feed, FeedMode } from "./train.ts";
import { FeatureTransform, InputSet } from "./config.ts";
import type { Preprocessing } from "./weight_set.ts";
import { preprocess } from "./network.ts";

/** Absolute image paths of a case (resolving case-insensitively). */
export function casePaths(c: Case, resolver: ImagePathResolver): { clinic: string; derm: string } {
  return {
    clinic: resolver.resolve(c.clinic, `case_num ${c.caseNum}, column "clinic"`),
    derm: resolver.resolve(c.derm, `case_num ${c.caseNum}, column "derm"`),
  };
}

/**
 * Applies a feature transform to pooled image features (a new array): "sqrt" = square root of the
 * non-negative part (pools of ReLU maps are >= 0), "none" = a copy.
 */
export function transformFeatures(v: Float32Array, transform: FeatureTransform): Float32Array {
  if (transform === "none") return Float32Array.from(v);
  return v.map((x) => Math.sqrt(Math.max(x, 0)));
}

/** Transformed views already made in this process, by source array (feature arrays are never mutated). */
const transformedViews = new WeakMap<Float32Array, Float32Array>();

/** `transformFeatures` of a cached feature array, made once per array. */
function transformedView(v: Float32Array, transform: FeatureTransform): Float32Array {
  if (transform === "none") return v;
  let t = transformedViews.get(v);
  if (!t) {
    t = transformFeatures(v, transform);
    transformedViews.set(v, t);
  }
  return t;
}

/** The features preset's feed: one vector per case from cached pooled features and the metadata. */
export class FeatureFeed implements Feed {
  /** Length of a case's vector: the clinical and dermoscopic features and 14 metadata values, as the inputs ask. */
  readonly size: number;
  /** Each image's transformed views, by path (the given map is shared with other feeds, never mutated). */
  #views = new Map<string, Float32Array[]>();
  #rows: { clinic: string | null; derm: string | null; meta: Float32Array }[];
  #inputs: InputSet;
  /** Per-dimension mean and standard deviation applied to every vector (see `standardize`). */
  #norm: { mean: Float32Array; sd: Float32Array } | null = null;
  /** Standardised views per block ("clinic"/"derm") and image, made once per image when first fed. */
  #standardized = new Map<string, Float32Array[]>();
  #blockOffset: { clinic: number; derm: number; meta: number };

  /**
   * A feed of `cases`: `paths[i]` names case i's images in `features` (each image's cached views, every
   * image with the same length), `inputs` the blocks used; `transform` applies to the image features.
   */
  constructor(
    cases: readonly Pick<Case, "metadata">[],
    features: Map<string, Float32Array[]>,
    paths: readonly { clinic: string; derm: string }[],
    inputs: InputSet,
    transform: FeatureTransform = "none",
  ) {
    this.#inputs = inputs;
    const use = (path: string) => {
      if (!this.#views.has(path)) {
        this.#views.set(
          path,
          features.get(path)!.map((v) => transformedView(v, transform)),
        );
      }
      return path;
    };
    this.#rows = cases.map((c, i) => ({
      clinic: inputs.includes("C") ? use(paths[i].clinic) : null,
      derm: inputs.includes("D") ? use(paths[i].derm) : null,
      meta: inputs.includes("M") ? encodeMetadata(c.metadata) : new Float32Array(0),
    }));
    const r = this.#rows[0];
    const width = (key: string | null) => (key ? this.#views.get(key)![0].length : 0);
    this.#blockOffset = { clinic: 0, derm: width(r.clinic), meta: width(r.clinic) + width(r.derm) };
    this.size = this.#blockOffset.meta + r.meta.length;
  }

  /**
   * Standardises every dimension with the mean and standard deviation of the given cases' view-0
   * vectors (the training split): SGD on the heads converges much better on unit-scale features.
   * Returns the constants (saved with the run so that predictions apply the same).
   */
  standardize(cases: readonly number[]): { mean: Float32Array; sd: Float32Array } {
    this.setStandardization(null);
    const prng = new Prng(0);
    const mean = new Float32Array(this.size), sq = new Float32Array(this.size);
    for (const i of cases) {
      const v = this.vector(i, false, prng);
      for (let d = 0; d < v.length; d++) {
        mean[d] += v[d] / cases.length;
        sq[d] += (v[d] * v[d]) / cases.length;
      }
    }
    const sd = mean.map((m, d) => Math.sqrt(Math.max(sq[d] - m * m, 0)) || 1);
    this.setStandardization({ mean, sd });
    return this.#norm!;
  }

  /** Uses saved standardisation constants. */
  setStandardization(norm: { mean: Float32Array; sd: Float32Array } | null): void {
    this.#norm = norm;
    this.#standardized.clear();
  }

  /**
   * The feature vector of one case, standardised if set: in training with augmentation each image
   * contributes a random one of its views, else view `view` (0 = the image itself).
   */
  vector(i: number, augment: boolean, prng: Prng, view = 0): Float32Array {
    const out = new Float32Array(this.size);
    this.#write(out, 0, i, augment, prng, view);
    return out;
  }

  /** The views of one image in one block, standardised with that block's constants when set. */
  #blockViews(block: "clinic" | "derm", path: string): Float32Array[] {
    const views = this.#views.get(path)!;
    if (!this.#norm) return views;
    const key = `${block}\u0000${path}`;
    let std = this.#standardized.get(key);
    if (!std) {
      const o = this.#blockOffset[block], { mean, sd } = this.#norm;
      std = views.map((v) => v.map((x, d) => (x - mean[o + d]) / sd[o + d]));
      this.#standardized.set(key, std);
    }
    return std;
  }

  #write(out: Float32Array, at: number, i: number, augment: boolean, prng: Prng, view: number): void {
    const r = this.#rows[i];
    for (const block of ["clinic", "derm"] as const) {
      const path = r[block];
      if (path === null) continue;
      const views = this.#blockViews(block, path);
      if (!augment && view >= views.length) {
        throw new RangeError(
          `Cannot feed case ${i}: expected a view ${view} of its features, found ${views.length} views`,
        );
      }
      out.set(augment ? views[prng.int(views.length)] : views[view], at + this.#blockOffset[block]);
    }
    if (r.meta.length) {
      const o = this.#blockOffset.meta;
      for (let d = 0; d < r.meta.length; d++) {
        out[at + o + d] = this.#norm ? (r.meta[d] - this.#norm.mean[o + d]) / this.#norm.sd[o + d] : r.meta[d];
      }
    }
  }

  /** The vectors of cases `indices` as one `[indices.length, size]` float32 tensor (the caller disposes it). */
  inputs(indices: readonly number[], mode: FeedMode): tf.Tensor[] {
    const x = new Float32Array(indices.length * this.size);
    indices.forEach((ci, j) =>
      this.#write(x, j * this.size, ci, mode.train && mode.augment, mode.prng, mode.view ?? 0)
    );
    return [tf.tensor2d(x, [indices.length, this.size])];
  }
}

/** The paper preset's feed: decoded, resized, preprocessed (and in training augmented) images and the metadata. */
export class ImageFeed implements Feed {
  #cases: readonly Case[];
  #paths: readonly { clinic: string; derm: string }[];
  #inputs: InputSet;
  #size: number;
  #pre: Preprocessing;
  #aug: AugmentationSpec;
  #cache = new Map<string, RgbImage>();

  /**
   * A feed of `cases` whose images are `paths[i]`; images are decoded at `size` x `size` pixels once and
   * kept in memory.
   */
  constructor(
    cases: readonly Case[],
    paths: readonly { clinic: string; derm: string }[],
    options: { inputs: InputSet; size: number; preprocessing: Preprocessing; augmentation: AugmentationSpec },
  ) {
    this.#cases = cases;
    this.#paths = paths;
    this.#inputs = options.inputs;
    this.#size = options.size;
    this.#pre = options.preprocessing;
    this.#aug = options.augmentation;
  }

  async #image(path: string): Promise<RgbImage> {
    let img = this.#cache.get(path);
    if (!img) {
      img = await decodeImage(path, { size: this.#size });
      this.#cache.set(path, img);
    }
    return img;
  }

  /**
   * The inputs of cases `indices`, in the end-to-end model's order: `[n, size, size, 3]` clinical and
   * dermoscopic images and `[n, 14]` metadata, each when the input set has it (the caller disposes them).
   * @throws {Error} naming an image that is missing or cannot be decoded.
   */
  async inputs(
    indices: readonly number[],
    mode: FeedMode,
  ): Promise<tf.Tensor[]> {
    const out: tf.Tensor[] = [];
    const s = this.#size;
    for (const which of ["clinic", "derm"] as const) {
      if (!this.#inputs.includes(which === "clinic" ? "C" : "D")) continue;
      const x = new Float32Array(indices.length * s * s * 3);
      for (let j = 0; j < indices.length; j++) {
        let img = await this.#image(this.#paths[indices[j]][which]);
        if (mode.train && mode.augment) img = augmentImage(img, this.#aug, mode.prng.fork(`${j}-${which}`));
        x.set(preprocess(img.data, this.#pre), j * s * s * 3);
      }
      out.push(tf.tensor4d(x, [indices.length, s, s, 3]));
    }
    if (this.#inputs.includes("M")) {
      const m = new Float32Array(indices.length * 14);
      indices.forEach((ci, j) => m.set(encodeMetadata(this.#cases[ci].metadata), j * 14));
      out.push(tf.tensor2d(m, [indices.length, 14]));
    }
    return out;
  }
}
