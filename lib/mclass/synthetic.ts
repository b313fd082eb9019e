/**
 * A synthetic MClass-like benchmark (labelled SYNTHETIC everywhere): 100 dermoscopic images from the
 * synthetic lesion generator (20 melanomas, 80 nevi, with criteria drawn from the real release's
 * statistics for those groups) and a simulated panel of 157 dermatologists (panel.ts), written in the
 * layout of a user's MClass-D download: `MClassD.csv` (image_name,target), `images/`,
 * `answers.csv` (rater matrix) and a `SYNTHETIC.json` marker. Deterministic for a seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSyntheticMclass } from "./synthetic.ts";
 * import { loadAnswers, loadMclassList } from "./data.ts";
 * const settings = { seed: 1, melanomas: 2, nevi: 3, raters: 4, imageSize: 16 };
 * const dir = await writeSyntheticMclass(Deno.makeTempDirSync(), settings);
 * const list = loadMclassList(`${dir}/MClassD.csv`);
 * assert.equal(list.images.filter((im) => im.melanoma).length, 2);
 * assert.equal(loadAnswers(`${dir}/answers.csv`, list).answers.length, 4);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { Prng } from "../util/prng.ts";
import { toCsv } from "../util/csv.ts";
import { exists, writeBytesAtomic, writeJsonAtomic, writeTextAtomic } from "../util/fs.ts";
import { renderCase } from "../data/synth/lesion.ts";
import { sampleCriteria } from "../data/synth/generate.ts";
import { DIAGNOSIS, groupLabel, HeadName } from "../data/vocabulary.ts";
import { simulatePanel } from "./panel.ts";

/** Settings of the synthetic benchmark. */
export interface SyntheticMclassOptions {
  /** Seed of the images, their order and the panel. */
  seed: number;
  /** Melanoma images (default 20). */
  melanomas?: number;
  /** Nevus images (default 80). */
  nevi?: number;
  /** Simulated dermatologists (default 157). */
  raters?: number;
  /** Side of the square images in pixels (default 256). */
  imageSize?: number;
}

/** The marker file at the root of a synthetic benchmark. */
export const MCLASS_SYNTHETIC_MARKER: string = "SYNTHETIC.json";

/** Writes the benchmark unless the same settings are already there; returns the folder. */
export async function writeSyntheticMclass(dir: string, options: SyntheticMclassOptions): Promise<string> {
  const s = {
    seed: options.seed,
    melanomas: options.melanomas ?? 20,
    nevi: options.nevi ?? 80,
    raters: options.raters ?? 157,
    imageSize: options.imageSize ?? 256,
  };
  const marker = join(dir, MCLASS_SYNTHETIC_MARKER);
  if (exists(marker) && JSON.stringify(JSON.parse(Deno.readTextFileSync(marker)).settings) === JSON.stringify(s)) {
    return dir;
  }
  const prng = new Prng(s.seed);
  const targets = prng.fork("order").shuffle([...Array(s.melanomas).fill(1), ...Array(s.nevi).fill(0)]);
  const names = targets.map((_, i) => `SYN_${String(i + 1).padStart(4, "0")}.jpg`);
  for (let i = 0; i < targets.length; i++) {
    const group = targets[i] ? "MEL" : "NEV";
    const raw = sampleCriteria(group, prng.fork(`criteria-${i}`));
    const spec = {
      ...Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, groupLabel(k as HeadName, v)])),
      diagnosis: DIAGNOSIS.codes.indexOf(group),
      elevation: "flat",
    } as Parameters<typeof renderCase>[0];
    const { derm } = renderCase(spec, { size: s.imageSize, prng: prng.fork(`image-${i}`) });
    const jpeg = await sharp(derm, { raw: { width: s.imageSize, height: s.imageSize, channels: 3 } }).jpeg({
      quality: 90,
    }).toBuffer();
    writeBytesAtomic(join(dir, "images", names[i]), new Uint8Array(jpeg));
  }
  writeTextAtomic(join(dir, "MClassD.csv"), toCsv(["image_name", "target"], names.map((n, i) => [n, targets[i]])));
  const panel = simulatePanel(targets, { raters: s.raters, prng: prng.fork("panel") });
  writeTextAtomic(
    join(dir, "answers.csv"),
    toCsv(["rater", ...names], panel.answers.map((row, r) => [`synthetic dermatologist ${r + 1}`, ...row])),
  );
  writeJsonAtomic(marker, {
    synthetic: true,
    settings: s,
    note:
      "SYNTHETIC MClass-like benchmark: drawn lesions and a simulated panel of dermatologists, not the MClass-D images or answers.",
    panel: panel.settings,
  });
  return dir;
}
