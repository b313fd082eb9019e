/**
 * A grid of image pairs (clinical above dermoscopic) with captions, as PNG bytes, for showing cases.
 * Takes plain RGB arrays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imagePairMontage } from "./montage.ts";
 * const image = { height: 2, width: 2, data: new Uint8Array(12).fill(200) }; // RGB, row-major
 * const png = await imagePairMontage([{ clinical: image, derm: image, label: "MEL / EXC" }], { tile: 16 });
 * const ihdr = new DataView(png.buffer, png.byteOffset + 16, 8);
 * assert.deepEqual([ihdr.getUint32(0), ihdr.getUint32(4)], [6 + 16 + 6, 6 + 2 * 16 + 40 + 6]); // width, height
 * ```
 *
 * @module
 */
import sharp from "sharp";
import { svgToPng } from "./png.ts";
import { FONT_FAMILY } from "./fonts.ts";
import { escapeXml as esc } from "../util/escape.ts";

/** One case's two images (8-bit RGB, row-major, 3 bytes per pixel) and its caption. */
export interface ImagePair {
  /** The clinical image, drawn on top (stretched to a square tile). */
  clinical: { height: number; width: number; data: Uint8Array };
  /** The dermoscopic image, drawn below it. */
  derm: { height: number; width: number; data: Uint8Array };
  /** Caption lines under the pair. */
  label: string | string[];
}

/** Composes pairs into one PNG: `columns` pairs per row, each image `tile` px square. */
export async function imagePairMontage(
  pairs: readonly ImagePair[],
  options: { tile?: number; columns?: number; title?: string } = {},
): Promise<Uint8Array> {
  const tile = options.tile ?? 160;
  const columns = options.columns ?? Math.min(6, pairs.length);
  const labelH = 40, gap = 6, titleH = options.title ? 28 : 0;
  const rows = Math.ceil(pairs.length / columns);
  const W = columns * (tile + gap) + gap, H = titleH + rows * (2 * tile + labelH + gap) + gap;
  const comps: sharp.OverlayOptions[] = [];
  const texts: string[] = [];
  for (let k = 0; k < pairs.length; k++) {
    const x = gap + (k % columns) * (tile + gap),
      y = titleH + gap + Math.floor(k / columns) * (2 * tile + labelH + gap);
    for (const [img, dy] of [[pairs[k].clinical, 0], [pairs[k].derm, tile]] as const) {
      const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(
        tile,
        tile,
        { fit: "fill" },
      ).png().toBuffer();
      comps.push({ input: buf, left: x, top: y + dy });
    }
    const lines = Array.isArray(pairs[k].label) ? pairs[k].label as string[] : [pairs[k].label as string];
    lines.slice(0, 3).forEach((l, i) =>
      texts.push(`<text x="${x + 2}" y="${y + 2 * tile + 12 + i * 12}" font-size="10">${esc(l)}</text>`)
    );
  }
  if (options.title) {
    texts.push(`<text x="${gap}" y="19" font-size="14" font-weight="bold">${esc(options.title)}</text>`);
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="${FONT_FAMILY}"><rect width="100%" height="100%" fill="white"/>${
      texts.join("")
    }</svg>`;
  const background = svgToPng(svg, { widthPx: W });
  const out = await sharp(background).composite(comps).png().toBuffer();
  return new Uint8Array(out);
}
