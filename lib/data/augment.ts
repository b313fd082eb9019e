/**
 * Real-time image augmentation as in the study (Keras ImageDataGenerator-style): random rotation,
 * horizontal and vertical flips, zoom and height/width shifts, applied to a decoded RGB image by one
 * inverse affine warp with bilinear sampling and reflected borders. Seeded: the same seed gives the
 * same view.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { augmentImage, DEFAULT_AUGMENTATION } from "./augment.ts";
 * import { Prng } from "../util/prng.ts";
 * const img = { height: 4, width: 4, data: new Uint8Array(48).fill(100) };
 * const view = augmentImage(img, DEFAULT_AUGMENTATION, new Prng(1));
 * assert.deepEqual(view.data, img.data); // a flat image stays flat under any view
 * assert.deepEqual(augmentImage(img, DEFAULT_AUGMENTATION, new Prng(1)), view); // same seed, same view
 * ```
 *
 * @module
 */
import type { Prng } from "../util/prng.ts";
import type { RgbImage } from "./images.ts";

/** The random ranges of an augmentation. */
export interface AugmentationSpec {
  /** Maximum rotation in degrees (uniform in [-r, r]). */
  rotation: number;
  /** Mirror left-right with probability 1/2. */
  horizontalFlip: boolean;
  /** Mirror top-bottom with probability 1/2. */
  verticalFlip: boolean;
  /** Zoom factor range [lo, hi] (> 1 zooms in). */
  zoom: [number, number];
  /** Maximum shift as a fraction of the side (uniform in [-s, s]), per axis. */
  shift: number;
}

/** Flips, +-180 degree rotations, 1-1.25x zoom and +-10% shifts (lesions have no up or left). */
export const DEFAULT_AUGMENTATION: Readonly<AugmentationSpec> = Object.freeze({
  rotation: 180,
  horizontalFlip: true,
  verticalFlip: true,
  zoom: [1, 1.25] as [number, number],
  shift: 0.1,
});

/** Index `i` reflected into 0..n-1 (mirror without repeating the edge, as scipy "mirror"). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

/** The parameters of one affine view about the image centre (see `warpAffine`). */
export interface AffineView {
  /** Rotation in degrees. */
  degrees: number;
  /** Zoom factor (> 1 zooms in). */
  zoom: number;
  /** -1 mirrors the x axis. */
  flipX: 1 | -1;
  /** -1 mirrors the y axis. */
  flipY: 1 | -1;
  /** Shift along x in pixels. */
  shiftX: number;
  /** Shift along y in pixels. */
  shiftY: number;
}

/** One augmented view of `img` (same size), its parameters drawn from `spec` with `prng`. */
export function augmentImage(img: RgbImage, spec: AugmentationSpec, prng: Prng): RgbImage {
  const degrees = prng.uniform(-spec.rotation, spec.rotation);
  const zoom = prng.uniform(spec.zoom[0], spec.zoom[1]);
  const flipX = spec.horizontalFlip && prng.bernoulli(0.5) ? -1 : 1;
  const flipY = spec.verticalFlip && prng.bernoulli(0.5) ? -1 : 1;
  const shiftX = prng.uniform(-spec.shift, spec.shift) * img.width,
    shiftY = prng.uniform(-spec.shift, spec.shift) * img.height;
  return warpAffine(img, { degrees, zoom, flipX, flipY, shiftX, shiftY });
}

/**
 * Applies one affine view about the centre by an inverse warp with bilinear sampling and reflected
 * borders (same size out).
 */
export function warpAffine(img: RgbImage, view: AffineView): RgbImage {
  const { height: h, width: w, data } = img;
  const angle = (view.degrees * Math.PI) / 180;
  const { zoom, flipX: fx, flipY: fy, shiftX: tx, shiftY: ty } = view;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  const out = new Uint8Array(data.length);
  // output pixel -> source pixel: undo shift, zoom, rotation, flips about the centre
  const dxs = new Float64Array(w);
  for (let x = 0; x < w; x++) dxs[x] = (x - cx - tx) / zoom;
  for (let y = 0, o = 0; y < h; y++) {
    const dy = (y - cy - ty) / zoom;
    for (let x = 0; x < w; x++, o += 3) {
      const dx = dxs[x];
      const sx = (cos * dx + sin * dy) * fx + cx;
      const sy = (-sin * dx + cos * dy) * fy + cy;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const ax = sx - x0, ay = sy - y0;
      // inside the image (the common case) no index needs reflecting
      const inside = x0 >= 0 && x0 + 1 < w && y0 >= 0 && y0 + 1 < h;
      const xa = inside ? x0 : reflectIndex(x0, w),
        xb = inside ? x0 + 1 : reflectIndex(x0 + 1, w),
        ya = inside ? y0 : reflectIndex(y0, h),
        yb = inside ? y0 + 1 : reflectIndex(y0 + 1, h);
      const p00 = 3 * (ya * w + xa), p01 = 3 * (ya * w + xb), p10 = 3 * (yb * w + xa), p11 = 3 * (yb * w + xb);
      const bx = 1 - ax, by = 1 - ay;
      for (let c = 0; c < 3; c++) {
        const v = by * (bx * data[p00 + c] + ax * data[p01 + c]) + ay * (bx * data[p10 + c] + ax * data[p11 + c]);
        out[o + c] = Math.round(v);
      }
    }
  }
  return { height: h, width: w, data: out };
}
