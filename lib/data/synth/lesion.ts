/**
 * Renders a synthetic skin lesion whose appearance carries its labels, as a dermoscopic close-up
 * and as a clinical photograph (smaller on a wider skin field, blurrier, structures faint).
 *
 * What carries what (so that a model can learn, but not trivially):
 * - diagnosis group: lesion size, border asymmetry and sharpness, base colour and group-typical
 *   extras (BCC: blue-grey ovoid nests on pink; MEL: multiple colours; SK: milia-like dots and
 *   fissures; MISC: red tint with a pale centre), each with wide random variation so groups overlap;
 * - the seven-point criteria, as drawn structures: pigment network (regular mesh / thick broken
 *   eccentric mesh), streaks (evenly all around / clumped in a sector), pigmentation (diffuse central
 *   / eccentric dark blotches), regression (white scar and blue-grey peppering), dots and globules
 *   (even and uniform / clustered, varied), blue-whitish veil, vessels (branching / dotted and
 *   irregular);
 * - elevation, as shading and a specular highlight in the clinical view.
 * Confounders: skin tone, illumination, colour cast, hairs, the dermoscope's dark rim, noise, blur.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderCase } from "./lesion.ts";
 * import { Prng } from "../../util/prng.ts";
 * const spec = { diagnosis: 2, pigment_network: 2, streaks: 2, pigmentation: 2, regression_structures: 1 };
 * const img = renderCase(
 *   { ...spec, dots_and_globules: 2, blue_whitish_veil: 1, vascular_structures: 0, elevation: "palpable" },
 *   { size: 64, prng: new Prng(1) },
 * );
 * assert.equal(img.derm.length, 64 * 64 * 3);
 * assert.equal(img.clinical.length, 64 * 64 * 3);
 * ```
 *
 * @module
 */
import { Prng } from "../../util/prng.ts";
import { Canvas, clamp, mix, Rgb, valueNoise } from "./canvas.ts";

/** Grouped labels (see vocabulary.ts) and elevation of the lesion to draw. */
export interface LesionSpec {
  /** Diagnosis group: BCC 0, NEV 1, MEL 2, MISC 3, SK 4. */
  diagnosis: number;
  /** absent 0, typical 1, atypical 2. */
  pigment_network: number;
  /** absent 0, regular 1, irregular 2. */
  streaks: number;
  /** absent 0, regular 1, irregular 2. */
  pigmentation: number;
  /** absent 0, present 1. */
  regression_structures: number;
  /** absent 0, regular 1, irregular 2. */
  dots_and_globules: number;
  /** absent 0, present 1. */
  blue_whitish_veil: number;
  /** absent 0, regular 1, irregular 2. */
  vascular_structures: number;
  /** "flat", "palpable" or "nodular" (shading in the clinical view). */
  elevation: string;
}

interface Geometry {
  cx: number;
  cy: number;
  /** Mean radius in pixels. */
  R: number;
  radiusAt: (theta: number) => number;
  mask: Float32Array;
  /** Bounding box [x0, y0, x1, y1] (inclusive) outside which the mask is 0. */
  box: [number, number, number, number];
  base: Rgb;
}

// Group traits: mean radius (fraction of side), asymmetry, edge softness (px at 256), base colour.
const TRAITS: readonly { R: number; asym: number; edge: number; base: Rgb }[] = [
  { R: 0.22, asym: 0.10, edge: 4.0, base: [0.80, 0.56, 0.55] }, // BCC
  { R: 0.24, asym: 0.05, edge: 3.0, base: [0.55, 0.37, 0.24] }, // NEV
  { R: 0.31, asym: 0.20, edge: 1.5, base: [0.40, 0.25, 0.18] }, // MEL
  { R: 0.20, asym: 0.08, edge: 5.0, base: [0.72, 0.44, 0.40] }, // MISC
  { R: 0.27, asym: 0.12, edge: 1.5, base: [0.63, 0.50, 0.33] }, // SK
];

const WHITE: Rgb = [1, 1, 1], BLACK: Rgb = [0, 0, 0];
const SKIN: readonly Rgb[] = [[0.94, 0.80, 0.70], [0.87, 0.68, 0.55], [0.74, 0.54, 0.42]];

/** Size and randomness of a rendering. */
export interface RenderOptions {
  /** Image side in pixels (square images). */
  size: number;
  /** Every random choice of the drawing; the same seed gives the same images. */
  prng: Prng;
}

/** Draws both views of one lesion; returns 8-bit RGB pixel arrays. */
export function renderCase(spec: LesionSpec, options: RenderOptions): { derm: Uint8Array; clinical: Uint8Array } {
  const { size, prng } = options;
  const traits = TRAITS[spec.diagnosis];
  if (!traits) {
    throw new RangeError(`Cannot render lesion: expected a diagnosis group in 0..4, found ${spec.diagnosis}`);
  }
  const skin = mix(SKIN[prng.int(SKIN.length)], SKIN[prng.int(SKIN.length)], prng.next());
  const base: Rgb = jitter(traits.base, 0.06, prng);
  const R = traits.R * prng.uniform(0.7, 1.3);
  const asym = traits.asym * prng.uniform(0.4, 1.6);
  const harmonics = [2, 3, 4, 5].map((k) => ({
    k,
    a: asym * prng.uniform(0.3, 1) / (k - 1),
    phase: prng.uniform(0, 2 * Math.PI),
  }));
  const elong = prng.uniform(0.8, 1.0), tilt = prng.uniform(0, Math.PI);
  const shape = (theta: number) => {
    let r = 1;
    for (const h of harmonics) r += h.a * Math.cos(h.k * theta + h.phase);
    const t = theta - tilt;
    return r / Math.sqrt(Math.cos(t) ** 2 + (Math.sin(t) / elong) ** 2) * elong;
  };
  const structureSeed = prng.fork("structures");

  // Dermoscopic close-up.
  const derm = new Canvas(size, size, skin);
  skinTexture(derm, skin, prng);
  const gD = geometry(
    size,
    size / 2 + prng.normal(0, size * 0.03),
    size / 2 + prng.normal(0, size * 0.03),
    R * size,
    shape,
    traits.edge * size / 256,
    base,
  );
  drawLesion(derm, gD, spec, 1, new Prng(String(structureSeed.seed) + "/d"));
  if (prng.bernoulli(0.35)) hairs(derm, prng);
  if (prng.bernoulli(0.6)) dermoscopeRim(derm, prng);
  finish(derm, prng, 0.5);

  // Clinical photograph: the same lesion, smaller, rotated, less detail, elevation shading.
  const clinical = new Canvas(size, size, skin);
  skinTexture(clinical, mix(skin, [0.9, 0.75, 0.65], prng.uniform(0, 0.3)), prng);
  const rot = prng.uniform(0, 2 * Math.PI);
  const scale = prng.uniform(0.35, 0.5);
  const gC = geometry(
    size,
    size / 2 + prng.normal(0, size * 0.08),
    size / 2 + prng.normal(0, size * 0.08),
    R * size * scale,
    (t) => shape(t - rot),
    traits.edge * size / 256 * scale + 0.8,
    base,
  );
  drawLesion(clinical, gC, spec, 0.55, new Prng(String(structureSeed.seed) + "/c"));
  elevationShading(clinical, gC, spec.elevation, prng);
  if (prng.bernoulli(0.2)) hairs(clinical, prng);
  clinical.blur(size / 256 * 0.9);
  illumination(clinical, prng, 0.12);
  finish(clinical, prng, 0.3);
  return { derm: derm.toBytes(), clinical: clinical.toBytes() };
}

function jitter(c: Rgb, sd: number, prng: Prng): Rgb {
  return [
    clamp(c[0] + prng.normal(0, sd), 0, 1),
    clamp(c[1] + prng.normal(0, sd), 0, 1),
    clamp(c[2] + prng.normal(0, sd), 0, 1),
  ];
}

function geometry(
  size: number,
  cx: number,
  cy: number,
  R: number,
  shape: (t: number) => number,
  edge: number,
  base: Rgb,
): Geometry {
  const mask = new Float32Array(size * size);
  let rMax = 0;
  for (let i = 0; i < 64; i++) rMax = Math.max(rMax, R * shape((2 * Math.PI * i) / 64));
  const reach = rMax * 1.05 + edge + 2;
  const box: [number, number, number, number] = [
    Math.max(0, Math.floor(cx - reach)),
    Math.max(0, Math.floor(cy - reach)),
    Math.min(size - 1, Math.ceil(cx + reach)),
    Math.min(size - 1, Math.ceil(cy + reach)),
  ];
  for (let y = box[1]; y <= box[3]; y++) {
    for (let x = box[0]; x <= box[2]; x++) {
      const dx = x + 0.5 - cx, dy = y + 0.5 - cy;
      const r = R * shape(Math.atan2(dy, dx));
      mask[y * size + x] = clamp((r - Math.sqrt(dx * dx + dy * dy)) / edge + 0.5, 0, 1);
    }
  }
  return { cx, cy, R, radiusAt: (t) => R * shape(t), mask, box, base };
}

/** A random point inside the lesion (mask > 0.8), optionally restricted to a sector. */
function pointIn(
  g: Geometry,
  prng: Prng,
  sector?: { centre: number; width: number },
  maxFrac = 0.95,
): [number, number] {
  for (let tries = 0; tries < 200; tries++) {
    const theta = sector
      ? sector.centre + prng.uniform(-sector.width / 2, sector.width / 2)
      : prng.uniform(0, 2 * Math.PI);
    const rr = Math.sqrt(prng.next()) * maxFrac * g.radiusAt(theta);
    const x = g.cx + rr * Math.cos(theta), y = g.cy + rr * Math.sin(theta);
    const w = Math.round(Math.sqrt(g.mask.length));
    const xi = Math.floor(x), yi = Math.floor(y);
    if (xi >= 0 && yi >= 0 && xi < w && yi < w && g.mask[yi * w + xi] > 0.8) return [x, y];
  }
  return [g.cx, g.cy];
}

function drawLesion(c: Canvas, g: Geometry, spec: LesionSpec, strength: number, prng: Prng): void {
  const n = valueNoise(6, prng);
  const dark = prng.uniform(0.7, 1.0);
  c.blendLayer(g.mask, (x, y) => {
    const v = 0.8 + 0.4 * n(x / c.width, y / c.height);
    const d = Math.sqrt((x - g.cx) ** 2 + (y - g.cy) ** 2) / g.R;
    const centre = 1 - 0.25 * Math.max(0, 1 - d) * dark;
    return [g.base[0] * v * centre, g.base[1] * v * centre, g.base[2] * v * centre];
  }, g.box);
  const s = strength;
  const unit = g.R / 60; // structure scale follows the lesion size
  groupExtras(c, g, spec.diagnosis, s, unit, prng);
  if (spec.pigmentation === 1) {
    const m = radialMask(c, g, 0.65, 0.4);
    const col = mul(g.base, 0.55);
    c.blendLayer(m, () => col, g.box);
  } else if (spec.pigmentation === 2) {
    for (let i = 0, k = 2 + prng.int(3); i < k; i++) {
      blotch(c, g, pointIn(g, prng, undefined, 0.8), g.R * prng.uniform(0.15, 0.35), mul(g.base, 0.25), 0.8 * s, prng);
    }
  }
  if (spec.pigment_network > 0) network(c, g, spec.pigment_network === 2, s, unit, prng);
  if (spec.dots_and_globules > 0) dots(c, g, spec.dots_and_globules === 2, s, unit, prng);
  if (spec.streaks > 0) streaks(c, g, spec.streaks === 2, s, unit, prng);
  if (spec.regression_structures === 1) {
    const p = pointIn(g, prng, undefined, 0.6);
    blotch(c, g, p, g.R * prng.uniform(0.2, 0.35), [0.93, 0.9, 0.88], 0.7 * s, prng);
    for (let i = 0; i < 60; i++) {
      const q = [p[0] + prng.normal(0, g.R * 0.25), p[1] + prng.normal(0, g.R * 0.25)] as const;
      c.disc(q[0], q[1], unit * 0.9, [0.42, 0.47, 0.58], 0.7 * s, g.mask);
    }
  }
  if (spec.blue_whitish_veil === 1) {
    blotch(c, g, pointIn(g, prng, undefined, 0.5), g.R * prng.uniform(0.3, 0.5), [0.56, 0.62, 0.78], 0.65 * s, prng, 4);
  }
  if (spec.vascular_structures > 0) vessels(c, g, spec.vascular_structures === 2, s, unit, prng);
}

function mul(c: Rgb, f: number): Rgb {
  return [c[0] * f, c[1] * f, c[2] * f];
}

function radialMask(c: Canvas, g: Geometry, frac: number, a: number): Float32Array {
  const m = new Float32Array(g.mask.length);
  for (let y = g.box[1]; y <= g.box[3]; y++) {
    for (let x = g.box[0]; x <= g.box[2]; x++) {
      const d = Math.sqrt((x - g.cx) ** 2 + (y - g.cy) ** 2) / (g.R * frac);
      m[y * c.width + x] = a * clamp(1 - d * d, 0, 1) * g.mask[y * c.width + x];
    }
  }
  return m;
}

function blotch(
  c: Canvas,
  g: Geometry,
  p: readonly [number, number],
  r: number,
  color: Rgb,
  a: number,
  prng: Prng,
  blobs = 7,
): void {
  for (let i = 0; i < blobs; i++) {
    c.disc(
      p[0] + prng.normal(0, r * 0.4),
      p[1] + prng.normal(0, r * 0.4),
      r * prng.uniform(0.4, 0.8),
      color,
      a * 0.5,
      g.mask,
    );
  }
}

function groupExtras(c: Canvas, g: Geometry, diagnosis: number, s: number, unit: number, prng: Prng): void {
  switch (diagnosis) {
    case 0: // BCC: blue-grey ovoid nests
      for (let i = 0, k = 2 + prng.int(5); i < k; i++) {
        const p = pointIn(g, prng, undefined, 0.8);
        c.disc(p[0], p[1], unit * prng.uniform(3, 7), [0.42, 0.47, 0.58], 0.6 * s, g.mask);
      }
      break;
    case 2: // MEL: several colours
      for (let i = 0, k = 2 + prng.int(3); i < k; i++) {
        const color: Rgb = ([[0.12, 0.08, 0.07], [0.55, 0.30, 0.22], [0.62, 0.45, 0.35]] as const)[prng.int(3)];
        blotch(c, g, pointIn(g, prng), g.R * prng.uniform(0.15, 0.3), color, 0.5 * s, prng);
      }
      break;
    case 3: // MISC: pale centre or red lacunae
      if (prng.bernoulli(0.5)) blotch(c, g, [g.cx, g.cy], g.R * 0.35, [0.9, 0.85, 0.8], 0.6 * s, prng);
      else {
        for (let i = 0; i < 8; i++) {
          const p = pointIn(g, prng, undefined, 0.8);
          c.disc(p[0], p[1], unit * prng.uniform(2, 4), [0.6, 0.15, 0.25], 0.6 * s, g.mask);
        }
      }
      break;
    case 4: // SK: milia-like dots and fissures
      for (let i = 0; i < 10; i++) {
        const p = pointIn(g, prng, undefined, 0.85);
        c.disc(p[0], p[1], unit * prng.uniform(1.2, 2.2), [0.95, 0.93, 0.85], 0.8 * s, g.mask);
      }
      for (let i = 0; i < 6; i++) {
        const p = pointIn(g, prng, undefined, 0.8);
        const t = prng.uniform(0, Math.PI);
        const l = unit * prng.uniform(6, 14);
        c.line(
          p[0],
          p[1],
          p[0] + l * Math.cos(t),
          p[1] + l * Math.sin(t),
          unit * 0.8,
          mul(g.base, 0.5),
          0.7 * s,
          g.mask,
        );
      }
      break;
  }
}

function network(c: Canvas, g: Geometry, atypical: boolean, s: number, unit: number, prng: Prng): void {
  const spacing = unit * (atypical ? prng.uniform(5, 9) : 5.5);
  const jit = atypical ? 0.35 : 0.1;
  const width = unit * (atypical ? prng.uniform(0.9, 1.4) : 0.5);
  const color = mul(g.base, atypical ? 0.3 : 0.6);
  const sector = atypical ? { centre: prng.uniform(0, 2 * Math.PI), width: Math.PI * 1.1 } : null;
  const n = Math.ceil((2.6 * g.R) / spacing);
  const pts: [number, number][][] = [];
  for (let i = 0; i <= n; i++) {
    pts.push([]);
    for (let j = 0; j <= n; j++) {
      pts[i].push([
        g.cx - 1.3 * g.R + j * spacing + prng.normal(0, jit * spacing),
        g.cy - 1.3 * g.R + i * spacing + prng.normal(0, jit * spacing),
      ]);
    }
  }
  const keep = (x: number, y: number) => {
    const xi = Math.floor(x), yi = Math.floor(y);
    if (xi < 0 || yi < 0 || xi >= c.width || yi >= c.height || g.mask[yi * c.width + xi] < 0.5) return false;
    if (!sector) return Math.hypot(x - g.cx, y - g.cy) < 0.92 * g.radiusAt(Math.atan2(y - g.cy, x - g.cx));
    const d = Math.atan2(y - g.cy, x - g.cx) - sector.centre;
    return Math.abs(Math.atan2(Math.sin(d), Math.cos(d))) < sector.width / 2;
  };
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      for (const [di, dj] of [[0, 1], [1, 0]]) {
        if (i + di > n || j + dj > n) continue;
        if (atypical && prng.bernoulli(0.3)) continue;
        const a = pts[i][j], b = pts[i + di][j + dj];
        if (keep((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)) c.line(a[0], a[1], b[0], b[1], width, color, 0.75 * s, g.mask);
      }
    }
  }
}

function dots(c: Canvas, g: Geometry, irregular: boolean, s: number, unit: number, prng: Prng): void {
  if (!irregular) {
    for (let i = 0, k = 15 + prng.int(15); i < k; i++) {
      const p = pointIn(g, prng, undefined, 0.7);
      c.disc(p[0], p[1], unit * 1.8, mul(g.base, 0.45), 0.85 * s, g.mask);
    }
    return;
  }
  for (let cl = 0, k = 1 + prng.int(2); cl < k; cl++) {
    const centre = prng.uniform(0, 2 * Math.PI);
    for (let i = 0, m = 12 + prng.int(20); i < m; i++) {
      const p = pointIn(g, prng, { centre, width: 1.2 }, 1.0);
      c.disc(p[0], p[1], unit * prng.uniform(0.8, 3.6), [0.1, 0.07, 0.06], 0.9 * s, g.mask);
    }
  }
}

function streaks(c: Canvas, g: Geometry, irregular: boolean, s: number, unit: number, prng: Prng): void {
  const color = mul(g.base, irregular ? 0.25 : 0.5);
  const k = irregular ? 5 + prng.int(6) : 16 + prng.int(8);
  const sectorCentre = prng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < k; i++) {
    const t = irregular ? sectorCentre + prng.normal(0, 0.45) : (2 * Math.PI * i) / k + prng.normal(0, 0.05);
    const r = g.radiusAt(t);
    const r0 = r * 0.82, r1 = r * (irregular ? prng.uniform(1.08, 1.2) : 1.1);
    const x0 = g.cx + r0 * Math.cos(t), y0 = g.cy + r0 * Math.sin(t);
    const x1 = g.cx + r1 * Math.cos(t), y1 = g.cy + r1 * Math.sin(t);
    c.line(x0, y0, x1, y1, unit * (irregular ? 1.4 : 0.8), color, 0.85 * s);
    if (irregular) c.disc(x1, y1, unit * 2.2, color, 0.85 * s);
  }
}

function vessels(c: Canvas, g: Geometry, irregular: boolean, s: number, unit: number, prng: Prng): void {
  const red: Rgb = [0.78, 0.16, 0.2];
  if (irregular) {
    for (let i = 0, k = 25 + prng.int(25); i < k; i++) {
      const p = pointIn(g, prng, undefined, 0.9);
      c.disc(p[0], p[1], unit * 1.1, red, 0.85 * s, g.mask);
    }
    for (let i = 0, k = 1 + prng.int(3); i < k; i++) {
      let p = pointIn(g, prng, undefined, 0.8);
      const pts: [number, number][] = [p];
      for (let j = 0; j < 6; j++) {
        p = [p[0] + prng.normal(0, unit * 6), p[1] + prng.normal(0, unit * 6)];
        pts.push(p);
      }
      c.polyline(pts, unit * 0.9, red, 0.8 * s, g.mask);
    }
    return;
  }
  const branch = (x: number, y: number, angle: number, len: number, width: number, depth: number) => {
    const x1 = x + len * Math.cos(angle), y1 = y + len * Math.sin(angle);
    c.line(x, y, x1, y1, width, red, 0.8 * s, g.mask);
    if (depth <= 0) return;
    branch(x1, y1, angle + prng.uniform(0.3, 0.7), len * 0.7, width * 0.7, depth - 1);
    branch(x1, y1, angle - prng.uniform(0.3, 0.7), len * 0.7, width * 0.7, depth - 1);
  };
  for (let i = 0, k = 2 + prng.int(2); i < k; i++) {
    const p = pointIn(g, prng, undefined, 0.6);
    branch(p[0], p[1], prng.uniform(0, 2 * Math.PI), unit * 12, unit * 1.4, 3);
  }
}

function skinTexture(c: Canvas, skin: Rgb, prng: Prng): void {
  const n = valueNoise(5, prng);
  const m = valueNoise(23, prng);
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const v = 0.93 + 0.1 * n(x / c.width, y / c.height) + 0.04 * m(x / c.width, y / c.height);
      const i = 3 * (y * c.width + x);
      c.data[i] = skin[0] * v;
      c.data[i + 1] = skin[1] * v;
      c.data[i + 2] = skin[2] * v;
    }
  }
}

function hairs(c: Canvas, prng: Prng): void {
  for (let i = 0, k = 1 + prng.int(6); i < k; i++) {
    let x = prng.uniform(0, c.width), y = prng.uniform(0, c.height), t = prng.uniform(0, 2 * Math.PI);
    const pts: [number, number][] = [[x, y]];
    for (let j = 0; j < 12; j++) {
      t += prng.normal(0, 0.15);
      x += Math.cos(t) * c.width * 0.06;
      y += Math.sin(t) * c.width * 0.06;
      pts.push([x, y]);
    }
    c.polyline(pts, c.width / 256 * prng.uniform(0.6, 1.2), [0.15, 0.1, 0.08], 0.8);
  }
}

function dermoscopeRim(c: Canvas, prng: Prng): void {
  const r = c.width * prng.uniform(0.5, 0.62);
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const d = Math.sqrt((x + 0.5 - c.width / 2) ** 2 + (y + 0.5 - c.height / 2) ** 2);
      if (d < r) continue;
      const a = clamp((d - r) / (c.width * 0.02), 0, 1);
      if (a > 0) c.blend(x, y, [0.03, 0.03, 0.03], a);
    }
  }
}

function elevationShading(c: Canvas, g: Geometry, elevation: string, prng: Prng): void {
  if (elevation === "flat") return;
  const strength = elevation === "nodular" ? 0.55 : 0.25;
  const angle = prng.uniform(0, 2 * Math.PI);
  const hx = g.cx + 0.35 * g.R * Math.cos(angle), hy = g.cy + 0.35 * g.R * Math.sin(angle);
  c.disc(hx, hy, g.R * (elevation === "nodular" ? 0.3 : 0.2), [1, 1, 1], strength * 0.7, g.mask);
  // shadow on the opposite side, just outside the lesion
  c.disc(
    g.cx - 0.25 * g.R * Math.cos(angle),
    g.cy - 0.25 * g.R * Math.sin(angle),
    g.R * 1.15,
    [0.3, 0.22, 0.2],
    strength * 0.25,
  );
  const shade = g.mask.map((m) => m * strength * 0.2);
  c.blendLayer(shade, (x, y) => {
    const d = ((x - g.cx) * Math.cos(angle) + (y - g.cy) * Math.sin(angle)) / g.R;
    return d > 0 ? WHITE : BLACK;
  }, g.box);
}

function illumination(c: Canvas, prng: Prng, amount: number): void {
  const angle = prng.uniform(0, 2 * Math.PI);
  const cast: Rgb = [1 + prng.normal(0, 0.04), 1 + prng.normal(0, 0.04), 1 + prng.normal(0, 0.04)];
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const t = ((x / c.width - 0.5) * Math.cos(angle) + (y / c.height - 0.5) * Math.sin(angle)) * 2 * amount;
      const i = 3 * (y * c.width + x);
      for (let k = 0; k < 3; k++) c.data[i + k] *= (1 + t) * cast[k];
    }
  }
}

function finish(c: Canvas, prng: Prng, blur: number): void {
  c.blur(blur * c.width / 256);
  illumination(c, prng, 0.06);
  c.noise(0.012, prng);
}
