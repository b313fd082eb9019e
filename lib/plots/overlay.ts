/**
 * Heat-map overlays of explanation maps on images: the inferno colour map (perceptually uniform,
 * readable in greyscale), blended with an opacity that grows with the map value so that cold
 * regions leave the image visible; and RGB arrays to PNG bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatColor, overlayMap } from "./overlay.ts";
 * assert.deepEqual(heatColor(0), [0, 0, 4]); // inferno's first colour
 * assert.deepEqual(heatColor(1), [252, 255, 164]); // and its last
 * const img = { height: 2, width: 2, data: new Uint8Array(12).fill(200) };
 * const out = overlayMap(img, { values: new Float32Array([0, 1, 0, 0]), height: 2, width: 2 });
 * assert.deepEqual([...out.data.subarray(0, 6)], [200, 200, 200, 236, 239, 175]); // cold pixel kept; hot: 0.3 image + 0.7 heat
 * ```
 *
 * @module
 */
import sharp from "sharp";
import type { RgbImage } from "../data/images.ts";
import { upsampleMap } from "../data/resample.ts";

// matplotlib's inferno at 0, 1/8, ..., 1
const INFERNO: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [31, 12, 72],
  [85, 15, 109],
  [136, 34, 106],
  [186, 54, 85],
  [227, 89, 51],
  [249, 140, 10],
  [249, 201, 50],
  [252, 255, 164],
];

/** The inferno colour of t in [0, 1] (clamped). */
export function heatColor(t: number): [number, number, number] {
  const x = Math.min(Math.max(Number.isFinite(t) ? t : 0, 0), 1) * (INFERNO.length - 1);
  const i = Math.min(Math.floor(x), INFERNO.length - 2), a = x - i;
  return [0, 1, 2].map((c) => Math.round(INFERNO[i][c] * (1 - a) + INFERNO[i + 1][c] * a)) as [number, number, number];
}

/** CSS stops of the colour map, for colour bars. */
export function heatStops(n = 9): { offset: number; color: string }[] {
  return Array.from({ length: n }, (_, i) => {
    const [r, g, b] = heatColor(i / (n - 1));
    return { offset: i / (n - 1), color: `rgb(${r},${g},${b})` };
  });
}

/** Options of {@linkcode overlayMap}. */
export interface OverlayOptions {
  /** The map value shown as full heat (default: the map's maximum; pass a shared one across images). */
  maxValue?: number;
  /** Opacity at full heat (default 0.7). */
  alpha?: number;
}

/** Blends a map (any resolution; upsampled bilinearly) over an image. */
export function overlayMap(
  img: RgbImage,
  map: { values: Float32Array; height: number; width: number },
  options: OverlayOptions = {},
): RgbImage {
  const up = upsampleMap(map, img);
  const max = options.maxValue ?? Math.max(...map.values);
  const alpha = options.alpha ?? 0.7;
  const out = new Uint8Array(img.data.length);
  for (let p = 0; p < up.length; p++) {
    const t = max > 0 ? up[p] / max : 0;
    const color = heatColor(t);
    const a = alpha * Math.min(Math.max(t, 0), 1);
    for (let c = 0; c < 3; c++) out[3 * p + c] = Math.round(img.data[3 * p + c] * (1 - a) + color[c] * a);
  }
  return { height: img.height, width: img.width, data: out };
}

/** PNG bytes of an RGB image. */
export async function rgbToPng(img: RgbImage): Promise<Uint8Array> {
  const b = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
