/**
 * Resampling a single-channel map (an explanation map, a mask) to an image's size, as image resizing
 * does: bilinear, align-corners off.
 *
 * @module
 */

/** A single-channel map: `height` x `width` values, row-major. */
export interface ScalarMap {
  /** The values, row-major; length height x width. */
  readonly values: Float32Array;
  /** Rows. */
  readonly height: number;
  /** Columns. */
  readonly width: number;
}

/**
 * Bilinear upsampling of a map to `size.height` x `size.width` (align-corners off, as image resizing
 * does: output pixel centres map to (y + 0.5) h / height - 0.5 in the map, clamped to its edges).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upsampleMap } from "./resample.ts";
 * const ramp = upsampleMap({ values: new Float32Array([0, 1]), height: 1, width: 2 }, { height: 1, width: 4 });
 * assert.deepEqual(Array.from(ramp), [0, 0.25, 0.75, 1]);
 * ```
 */
export function upsampleMap(map: ScalarMap, size: Readonly<{ height: number; width: number }>): Float32Array {
  const { values, height: h, width: w } = map;
  const { height, width } = size;
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) * (h / height) - 0.5, 0), h - 1);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, h - 1), ay = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max((x + 0.5) * (w / width) - 0.5, 0), w - 1);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, w - 1), ax = sx - x0;
      out[y * width + x] = (1 - ay) * ((1 - ax) * values[y0 * w + x0] + ax * values[y0 * w + x1]) +
        ay * ((1 - ax) * values[y1 * w + x0] + ax * values[y1 * w + x1]);
    }
  }
  return out;
}
