/**
 * The augmentation warp: equal to a plain per-pixel bilinear warp with mirrored borders (the fast path
 * skips reflecting indexes only where none needs it), exact flips and half-turns, seeded views.
 */
import assert from "node:assert/strict";
import { AffineView, augmentImage, DEFAULT_AUGMENTATION, reflectIndex, warpAffine } from "../../lib/data/augment.ts";
import type { RgbImage } from "../../lib/data/images.ts";
import { Prng } from "../../lib/util/prng.ts";

/** The textbook warp: every index reflected, every pixel computed on its own. */
function referenceWarp(img: RgbImage, v: AffineView): RgbImage {
  const { height: h, width: w, data } = img;
  const a = (v.degrees * Math.PI) / 180, cos = Math.cos(a), sin = Math.sin(a);
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  const out = new Uint8Array(data.length);
  const at = (x: number, y: number, c: number) => data[3 * (reflectIndex(y, h) * w + reflectIndex(x, w)) + c];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = (x - cx - v.shiftX) / v.zoom, dy = (y - cy - v.shiftY) / v.zoom;
      const sx = (cos * dx + sin * dy) * v.flipX + cx, sy = (-sin * dx + cos * dy) * v.flipY + cy;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), ax = sx - x0, ay = sy - y0;
      for (let c = 0; c < 3; c++) {
        const top = (1 - ax) * at(x0, y0, c) + ax * at(x0 + 1, y0, c);
        const bottom = (1 - ax) * at(x0, y0 + 1, c) + ax * at(x0 + 1, y0 + 1, c);
        out[3 * (y * w + x) + c] = Math.round((1 - ay) * top + ay * bottom);
      }
    }
  }
  return { height: h, width: w, data: out };
}

function noise(h: number, w: number, seed: number): RgbImage {
  const rng = new Prng(seed);
  return { height: h, width: w, data: new Uint8Array(h * w * 3).map(() => Math.floor(rng.uniform(0, 256))) };
}

Deno.test("warpAffine equals the per-pixel reference, borders and tiny images included", () => {
  const wide = {
    rotation: 180,
    horizontalFlip: true,
    verticalFlip: true,
    zoom: [0.4, 2.5] as [number, number],
    shift: 0.8,
  };
  let views = 0, maxDiff = 0;
  for (const [h, w] of [[1, 1], [1, 6], [6, 1], [2, 2], [7, 3], [31, 45], [64, 64]]) {
    const img = noise(h, w, h * 100 + w);
    for (let i = 0; i < 40; i++) {
      const prng = new Prng(`view-${h}x${w}-${i}`);
      const v: AffineView = {
        degrees: prng.uniform(-180, 180),
        zoom: prng.uniform(wide.zoom[0], wide.zoom[1]),
        flipX: prng.bernoulli(0.5) ? -1 : 1,
        flipY: prng.bernoulli(0.5) ? -1 : 1,
        shiftX: prng.uniform(-wide.shift, wide.shift) * w,
        shiftY: prng.uniform(-wide.shift, wide.shift) * h,
      };
      const got = warpAffine(img, v).data, want = referenceWarp(img, v).data;
      for (let k = 0; k < got.length; k++) maxDiff = Math.max(maxDiff, Math.abs(got[k] - want[k]));
      views++;
    }
  }
  assert.equal(views, 280);
  assert.equal(maxDiff, 0); // the same arithmetic in the same order: byte for byte
});

Deno.test("warpAffine: the identity keeps the image, a half-turn flips both axes, a mirror reverses rows", () => {
  const img = noise(9, 13, 3);
  const id: AffineView = { degrees: 0, zoom: 1, flipX: 1, flipY: 1, shiftX: 0, shiftY: 0 };
  assert.deepEqual(warpAffine(img, id), img);
  assert.deepEqual(
    warpAffine(img, { ...id, degrees: 180 }).data,
    warpAffine(img, { ...id, flipX: -1, flipY: -1 }).data,
  );
  const mirrored = warpAffine(img, { ...id, flipX: -1 });
  for (let y = 0; y < 9; y++) {
    for (let x = 0; x < 13; x++) {
      for (let c = 0; c < 3; c++) {
        assert.equal(mirrored.data[3 * (y * 13 + x) + c], img.data[3 * (y * 13 + 12 - x) + c]);
      }
    }
  }
});

Deno.test("augmentImage: the same seed gives the same view, another seed another view", () => {
  const img = noise(40, 40, 5);
  const a = augmentImage(img, DEFAULT_AUGMENTATION, new Prng("x/view-1"));
  assert.deepEqual(augmentImage(img, DEFAULT_AUGMENTATION, new Prng("x/view-1")), a);
  assert.notDeepEqual(augmentImage(img, DEFAULT_AUGMENTATION, new Prng("x/view-2")).data, a.data);
});
