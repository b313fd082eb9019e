/**
 * A minimal float RGB canvas with the drawing primitives the synthetic lesion renderer needs:
 * alpha-blended soft discs, thick polylines, Gaussian blur and value noise. Values are in [0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Canvas } from "./canvas.ts";
 * const c = new Canvas(8, 8, [1, 1, 1]);
 * c.disc(4, 4, 2, [0, 0, 0], 1);
 * const bytes = c.toBytes();
 * assert.deepEqual([...bytes.slice((4 * 8 + 4) * 3, (4 * 8 + 4) * 3 + 3)], [0, 0, 0]); // black at the centre
 * assert.deepEqual([...bytes.slice(0, 3)], [255, 255, 255]); // white in the corner
 * ```
 *
 * @module
 */
import { Prng } from "../../util/prng.ts";

/** A colour as red, green, blue in [0, 1]. */
export type Rgb = readonly [number, number, number];

/** A float RGB image that the drawing primitives modify in place. */
export class Canvas {
  /** Columns, in pixels. */
  readonly width: number;
  /** Rows, in pixels. */
  readonly height: number;
  /** width x height x 3 floats, row-major, RGB, nominally in [0, 1]. */
  readonly data: Float32Array;

  /** A `width` x `height` canvas filled with `fill` (default black). */
  constructor(width: number, height: number, fill: Rgb = [0, 0, 0]) {
    this.width = width;
    this.height = height;
    this.data = new Float32Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      this.data[3 * i] = fill[0];
      this.data[3 * i + 1] = fill[1];
      this.data[3 * i + 2] = fill[2];
    }
  }

  /** Blends `color` into pixel (x, y) with opacity `a`. */
  blend(x: number, y: number, color: Rgb, a: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || a <= 0) return;
    const i = 3 * (y * this.width + x);
    const d = this.data;
    const t = a > 1 ? 1 : a;
    d[i] += (color[0] - d[i]) * t;
    d[i + 1] += (color[1] - d[i + 1]) * t;
    d[i + 2] += (color[2] - d[i + 2]) * t;
  }

  /** A filled disc with a soft (anti-aliased) rim, opacity `a`, clipped by an optional mask. */
  disc(cx: number, cy: number, r: number, color: Rgb, a: number, mask?: Float32Array): void {
    const x0 = Math.max(0, Math.floor(cx - r - 1)), x1 = Math.min(this.width - 1, Math.ceil(cx + r + 1));
    const y0 = Math.max(0, Math.floor(cy - r - 1)), y1 = Math.min(this.height - 1, Math.ceil(cy + r + 1));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const ddx = x + 0.5 - cx, ddy = y + 0.5 - cy;
        const d = Math.sqrt(ddx * ddx + ddy * ddy);
        const cover = Math.min(1, Math.max(0, r - d + 0.5));
        if (cover > 0) this.blend(x, y, color, a * cover * (mask ? mask[y * this.width + x] : 1));
      }
    }
  }

  /** A thick line from (x0, y0) to (x1, y1) stamped with discs of radius `r`. */
  line(x0: number, y0: number, x1: number, y1: number, r: number, color: Rgb, a: number, mask?: Float32Array): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(len / Math.max(0.5, r * 0.7)));
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      this.disc(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, r, color, a * 0.6, mask);
    }
  }

  /** A polyline through `points` (x, y pairs). */
  polyline(
    points: readonly (readonly [number, number])[],
    r: number,
    color: Rgb,
    a: number,
    mask?: Float32Array,
  ): void {
    for (let i = 1; i < points.length; i++) {
      this.line(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1], r, color, a, mask);
    }
  }

  /**
   * Blends a whole layer: per-pixel colour from `colorAt` with opacity from `alpha`, optionally
   * only inside a bounding box [x0, y0, x1, y1] (inclusive) where alpha can be non-zero.
   */
  blendLayer(
    alpha: Float32Array,
    colorAt: (x: number, y: number) => Rgb,
    box?: readonly [number, number, number, number],
  ): void {
    const [x0, y0, x1, y1] = box ?? [0, 0, this.width - 1, this.height - 1];
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const a = alpha[y * this.width + x];
        if (a > 0) this.blend(x, y, colorAt(x, y), a);
      }
    }
  }

  /** In-place separable Gaussian blur with standard deviation `sigma` pixels (edges clamped). */
  blur(sigma: number): void {
    if (sigma <= 0) return;
    const r = Math.ceil(sigma * 2.5);
    const k = new Float32Array(2 * r + 1);
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
    for (let i = 0; i < k.length; i++) k[i] /= sum;
    const { width: w, height: h } = this;
    const tmp = new Float32Array(this.data.length);
    blurPass(this.data, tmp, w, h, 3, 3 * w, k, r); // along rows
    blurPass(tmp, this.data, h, w, 3 * w, 3, k, r); // along columns
  }

  /** Adds independent near-Gaussian noise (sum of three uniforms) of standard deviation `sd`. */
  noise(sd: number, prng: Prng): void {
    // one 32-bit draw gives three 10-bit uniforms; their centred sum has sd 0.5 * 1024
    const f = (sd * 2) / 1024;
    for (let i = 0; i < this.data.length; i++) {
      const u = prng.nextUint32();
      this.data[i] += f * ((u & 1023) + ((u >>> 10) & 1023) + ((u >>> 20) & 1023) - 1534.5);
    }
  }

  /** 8-bit RGB bytes (clamped). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.round(clamp(this.data[i], 0, 1) * 255);
    return out;
  }
}

/** `v` limited to [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Smooth 2-D value noise in [0, 1] on a `cells` x `cells` lattice, sampled at (x, y) in [0, 1]^2.
 */
export function valueNoise(cells: number, prng: Prng): (x: number, y: number) => number {
  const n = cells + 1;
  const lattice = new Float32Array(n * n);
  for (let i = 0; i < lattice.length; i++) lattice[i] = prng.next();
  const smooth = (t: number) => t * t * (3 - 2 * t);
  return (x, y) => {
    const fx = clamp(x, 0, 1) * cells, fy = clamp(y, 0, 1) * cells;
    const ix = Math.min(cells - 1, Math.floor(fx)), iy = Math.min(cells - 1, Math.floor(fy));
    const tx = smooth(fx - ix), ty = smooth(fy - iy);
    const a = lattice[iy * n + ix], b = lattice[iy * n + ix + 1];
    const c = lattice[(iy + 1) * n + ix], d = lattice[(iy + 1) * n + ix + 1];
    return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
  };
}

/** Linear mix of two colours. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/**
 * One 1-D convolution pass over `lines` lines of `len` pixels: pixel j of line i is at
 * i * lineStride + j * step (+ channel), edges clamped.
 */
function blurPass(
  src: Float32Array,
  dst: Float32Array,
  len: number,
  lines: number,
  step: number,
  lineStride: number,
  k: Float32Array,
  r: number,
): void {
  for (let line = 0; line < lines; line++) {
    const base = line * lineStride;
    for (let j = 0; j < len; j++) {
      let a0 = 0, a1 = 0, a2 = 0;
      for (let t = -r; t <= r; t++) {
        let jj = j + t;
        if (jj < 0) jj = 0;
        else if (jj >= len) jj = len - 1;
        const o = base + jj * step, kk = k[t + r];
        a0 += kk * src[o];
        a1 += kk * src[o + 1];
        a2 += kk * src[o + 2];
      }
      const o = base + j * step;
      dst[o] = a0;
      dst[o + 1] = a1;
      dst[o + 2] = a2;
    }
  }
}
