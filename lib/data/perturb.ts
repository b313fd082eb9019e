/**
 * Fixed image perturbations for robustness checks: brightness scaling, Gaussian blur and rotation,
 * applied to a decoded RGB image at the model's input size. Unlike augmentation they are
 * deterministic: a spec names one transform exactly, so its features can be cached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perturbationLabel, perturbImage } from "./perturb.ts";
 * const img = { height: 2, width: 2, data: new Uint8Array(12).fill(100) };
 * assert.deepEqual(perturbImage(img, { kind: "brightness", factor: 1.5 }).data, new Uint8Array(12).fill(150));
 * assert.equal(perturbImage(img, { kind: "brightness", factor: 3 }).data[0], 255); // clamped
 * assert.equal(perturbationLabel({ kind: "blur", sigma: 2 }), "blur σ=2 px");
 * ```
 *
 * @module
 */
import type { RgbImage } from "./images.ts";
import { reflectIndex, warpAffine } from "./augment.ts";

/** One fixed image perturbation (or none). */
export type Perturbation =
  | { kind: "none" }
  /** Multiplies every channel (clamped to 0..255). */
  | { kind: "brightness"; factor: number }
  /** Gaussian blur with standard deviation `sigma` pixels (kernel radius 3 sigma, mirrored borders). */
  | { kind: "blur"; sigma: number }
  /** Rotation about the centre by `degrees` (mirrored borders). */
  | { kind: "rotation"; degrees: number };

/** The perturbations the model card reports by default. */
export const DEFAULT_PERTURBATIONS: readonly Perturbation[] = Object.freeze([
  { kind: "brightness", factor: 0.7 },
  { kind: "brightness", factor: 1.3 },
  { kind: "blur", sigma: 2 },
  { kind: "rotation", degrees: 30 },
]);

/** A short human-readable name ("brightness x0.7", "rotation 30°"). */
export function perturbationLabel(p: Perturbation): string {
  switch (p.kind) {
    case "none":
      return "none";
    case "brightness":
      return `brightness x${p.factor}`;
    case "blur":
      return `blur σ=${p.sigma} px`;
    case "rotation":
      return `rotation ${p.degrees}°`;
  }
}

/**
 * Checks a perturbation spec.
 * @throws {RangeError} naming the field and what was expected.
 */
export function validatePerturbation(p: Perturbation): Perturbation {
  const bad = (what: string, v: unknown) =>
    new RangeError(`Cannot perturb images: expected ${what}, found ${JSON.stringify(v)}`);
  switch (p?.kind) {
    case "none":
      return p;
    case "brightness":
      if (!(Number.isFinite(p.factor) && p.factor >= 0)) throw bad("a brightness factor >= 0", p.factor);
      return p;
    case "blur":
      if (!(Number.isFinite(p.sigma) && p.sigma > 0 && p.sigma <= 50)) {
        throw bad("a blur sigma in (0, 50] pixels", p.sigma);
      }
      return p;
    case "rotation":
      if (!Number.isFinite(p.degrees)) throw bad("rotation degrees as a finite number", p.degrees);
      return p;
    default:
      throw bad('a perturbation kind among "none", "brightness", "blur", "rotation"', (p as { kind?: unknown })?.kind);
  }
}

/**
 * Applies one perturbation (a new image; the input is not modified).
 * @throws {RangeError} on an invalid perturbation (see `validatePerturbation`).
 */
export function perturbImage(img: RgbImage, p: Perturbation): RgbImage {
  validatePerturbation(p);
  switch (p.kind) {
    case "none":
      return img;
    case "brightness":
      return { ...img, data: img.data.map((v) => Math.min(255, Math.round(v * p.factor))) };
    case "blur":
      return gaussianBlur(img, p.sigma);
    case "rotation":
      return warpAffine(img, { degrees: p.degrees, zoom: 1, flipX: 1, flipY: 1, shiftX: 0, shiftY: 0 });
  }
}

function gaussianBlur(img: RgbImage, sigma: number): RgbImage {
  const r = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const k = kernel.map((v) => v / total);
  const { height: h, width: w } = img;
  const pass = (src: Float32Array, horizontal: boolean) => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let t = -r; t <= r; t++) {
            const xx = horizontal ? reflectIndex(x + t, w) : x, yy = horizontal ? y : reflectIndex(y + t, h);
            s += k[t + r] * src[3 * (yy * w + xx) + c];
          }
          out[3 * (y * w + x) + c] = s;
        }
      }
    }
    return out;
  };
  const blurred = pass(pass(Float32Array.from(img.data), true), false);
  return { height: h, width: w, data: Uint8Array.from(blurred, (v) => Math.min(255, Math.max(0, Math.round(v)))) };
}
