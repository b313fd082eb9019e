/**
 * A small release with images whose diagnosis is decided by one known region: every melanoma (MEL)
 * has a disc of dark-and-light checkerboard texture somewhere on its dermoscopic image; no other
 * case has one. Backgrounds are seeded skin-coloured noise. Used to check that explanation maps find the region.
 */
import { join } from "node:path";
import sharp from "sharp";
import { loadRelease } from "../../lib/data/release.ts";
import { Prng } from "../../lib/util/prng.ts";
import type { RgbImage } from "../../lib/data/images.ts";
import { defaultRunConfig, InputSet, ModelKind } from "../../lib/model/config.ts";
import { trainRun } from "../../lib/model/run.ts";
import { PROJECT_ROOT, tempDir, writeFixtureRelease } from "../_helpers.ts";

export const MEL = 2;

/** Skin-coloured noise, with a textured disc of `radius` at (cx, cy) when given. */
export function lesionImage(size: number, prng: Prng, disc?: { cx: number; cy: number; radius: number }): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const n = prng.uniform(-8, 8);
      const inDisc = disc && (x - disc.cx) ** 2 + (y - disc.cy) ** 2 <= disc.radius ** 2;
      // the disc: a dark-and-light checkerboard of 2-pixel squares (a texture no background has)
      const dark = ((x >> 1) + (y >> 1)) % 2 === 0;
      const rgb = inDisc
        ? (dark ? [45 + n, 30 + n, 25 + n] : [235 + n, 225 + n, 220 + n])
        : [205 + n, 160 + n, 140 + n];
      data.set(rgb.map((v) => Math.max(0, Math.min(255, Math.round(v)))), 3 * (y * size + x));
    }
  }
  return { height: size, width: size, data };
}

export async function writePng(path: string, img: RgbImage): Promise<void> {
  Deno.mkdirSync(join(path, ".."), { recursive: true });
  Deno.writeFileSync(
    path,
    await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer(),
  );
}

/** Writes the release (labels from the synthetic sampler, images as above) into `dir`. */
export async function writeRegionRelease(
  dir: string,
  options: { cases: number; seed: number; size: number },
): Promise<void> {
  writeFixtureRelease(dir, { cases: options.cases, seed: options.seed });
  const release = loadRelease(dir, { quiet: true });
  const prng = new Prng(options.seed);
  const s = options.size, r = Math.round(s / 8);
  for (const c of release.cases) {
    const disc = c.labels.diagnosis === MEL
      ? { cx: prng.int(s - 2 * r) + r, cy: prng.int(s - 2 * r) + r, radius: r }
      : undefined;
    await writePng(join(dir, "images", c.derm), lesionImage(s, prng, disc));
    await writePng(join(dir, "images", c.clinic), lesionImage(s, prng));
  }
}

/** Trains a features-preset run with the tiny random backbone on a region release written here. */
export async function trainTinyRun(
  options: {
    kind: ModelKind;
    inputs: InputSet;
    cases: number;
    seed: number;
    size: number;
    epochs: number;
    hidden?: number;
    runSeed?: number;
    /** Augmented views averaged at prediction (default 0). */
    ttaViews?: number;
    /** Ensemble members (default: the preset's; 1: one network). */
    members?: number;
  },
): Promise<{ data: string; out: string }> {
  const data = tempDir();
  await writeRegionRelease(data, { cases: options.cases, seed: options.seed, size: options.size });
  const c = defaultRunConfig({
    kind: options.kind,
    inputs: options.inputs,
    preset: "features",
    backbone: { source: "tiny", size: options.size, featureLayers: ["mixed1"] },
    seed: options.runSeed ?? options.seed,
  });
  c.data.dir = data;
  c.backend = "wasm";
  c.training.views = 0;
  c.training.ttaViews = options.ttaViews ?? 0;
  c.training.epochs = options.epochs;
  if (options.hidden !== undefined) c.model.head.hidden = options.hidden;
  if (options.members === 1) delete c.model.head.members;
  else if (options.members !== undefined) c.model.head.members = options.members;
  const out = tempDir();
  await trainRun({ config: c, outDir: out, cacheDir: join(PROJECT_ROOT, ".cache"), quiet: true });
  return { data, out };
}
