/**
 * The calibration of the int8 backbone (quantize.ts): which images measure the activations' ranges,
 * and the measurement itself.
 *
 * The images are synthetic lesions (lib/data/synth), 16 cases drawn with a fixed seed, each as a
 * dermoscopic and a clinical image: the int8 model then depends only on the backbone's weights and on
 * these images (fingerprinted by {@linkcode calibrationId}), never on a user's data, so one cached model and one feature cache serve every
 * release. On the real Derm7pt images, these ranges gave features as close to float32 as ranges measured
 * on 32 real training images (README, "The model", the int8 backbone).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { calibrationId, calibrationImages } from "./calibration.ts";
 * assert.match(calibrationId(), /^synthetic-16x2-[0-9a-f]{16}$/);
 * const images = calibrationImages(32);
 * assert.equal(images.length, 32); // 16 cases, both images
 * assert.equal(images[0].length, 32 * 32 * 3);
 * assert.deepEqual(calibrationImages(32)[5], images[5]); // always the same
 * ```
 *
 * @module
 */
import { lesionSpecOf, sampleSyntheticRows } from "../data/synth/generate.ts";
import { renderCase } from "../data/synth/lesion.ts";
import { Prng } from "../util/prng.ts";
import { sha256Parts } from "../util/hash.ts";
import { accumulateRanges, calibrationGraph, type TensorRange } from "./quantize.ts";
import type * as Ort from "onnxruntime-node";

const CASES = 16;

let id: string | null = null;

/**
 * Identifies the calibration images (part of the int8 model's and int8 features' cache keys): their
 * number and a fingerprint of the images drawn at 48 px, so that any change to the synthetic lesions'
 * drawing or statistics gives new keys (the input size is keyed apart).
 */
export function calibrationId(): string {
  id ??= `synthetic-${CASES}x2-${sha256Parts(calibrationImages(48)).slice(0, 16)}`;
  return id;
}

/** The calibration images at `size`: uint8 RGB, `size x size x 3` each, dermoscopic then clinical per case. */
export function calibrationImages(size: number): Uint8Array[] {
  const rows = sampleSyntheticRows(CASES, new Prng("int8-calibration"));
  const prng = new Prng("int8-calibration/images");
  return rows.flatMap((r, i) => {
    const img = renderCase(lesionSpecOf(r), { size, prng: prng.fork(`image-${i}`) });
    return [img.derm, img.clinical];
  });
}

/**
 * The range of every tensor the int8 graph needs, measured by running the float32 graph `model` over
 * `images` (min of minima, max of maxima), 8 images per pass.
 */
export async function measureRanges(
  ort: typeof Ort,
  model: Uint8Array,
  images: readonly Uint8Array[],
  size: number,
  sessionOptions: Record<string, unknown>,
): Promise<Record<string, TensorRange>> {
  const { bytes, tensors } = calibrationGraph(model);
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const ranges: Record<string, TensorRange> = {};
  const pixels = size * size * 3;
  try {
    for (let i = 0; i < images.length; i += 8) {
      const batch = images.slice(i, i + 8);
      const data = new Uint8Array(batch.length * pixels);
      batch.forEach((img, j) => data.set(img, j * pixels));
      const out = await session.run({ pixels: new ort.Tensor("uint8", data, [batch.length, size, size, 3]) });
      accumulateRanges(ranges, tensors, out);
    }
  } finally {
    await session.release();
  }
  return ranges;
}
