/**
 * SVG to PNG with text rendered (resvg with the bundled DejaVu fonts), at a chosen resolution that
 * the PNG states (a pHYs chunk: pixels per metre, so that 300 dpi reads as 300 dpi in a layout
 * program), and PNG text chunks (tEXt) for provenance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pngDpi, pngTextChunks, svgToPng } from "./png.ts";
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>';
 * const png = svgToPng(svg, { widthPx: 20, dpi: 300, text: { Source: "x" } });
 * assert.deepEqual(pngTextChunks(png), { Source: "x" });
 * assert.equal(pngDpi(png), 300); // stored as 11811 pixels per metre
 * assert.equal(new DataView(png.buffer, png.byteOffset).getUint32(16), 20); // IHDR width in px
 * ```
 *
 * @module
 */
import { Resvg } from "@resvg/resvg-js";
import { bundledFontFiles, FONT_FAMILY } from "./fonts.ts";

/** Options of {@linkcode svgToPng}. */
export interface PngOptions {
  /** Output width in pixels (height follows the aspect ratio). */
  widthPx: number;
  /** tEXt chunks to embed (keyword -> Latin-1 text). */
  text?: Record<string, string>;
  /** Resolution stated in a pHYs chunk (dots per inch); none when absent. */
  dpi?: number;
}

/** Renders standalone SVG text to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions): Uint8Array {
  const r = new Resvg(svg, {
    fitTo: { mode: "width", value: Math.round(options.widthPx) },
    font: {
      fontFiles: bundledFontFiles(),
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    background: "white",
  });
  let png: Uint8Array = new Uint8Array(r.render().asPng());
  for (const [k, v] of Object.entries(options.text ?? {})) png = addPngText(png, k, v);
  if (options.dpi !== undefined) png = setPngDpi(png, options.dpi);
  return png;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function checkPng(png: Uint8Array, what: string): void {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (png.length < 33 || sig.some((b, i) => png[i] !== b)) {
    throw new RangeError(`Cannot ${what}: expected PNG bytes, found something else`);
  }
}

/** The chunks of a PNG: type, data, and the offset of the chunk. */
function pngChunks(png: Uint8Array): { type: string; data: Uint8Array; offset: number }[] {
  const out = [];
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let p = 8;
  while (p + 12 <= png.length) {
    const len = dv.getUint32(p);
    out.push({
      type: String.fromCharCode(...png.subarray(p + 4, p + 8)),
      data: png.subarray(p + 8, p + 8 + len),
      offset: p,
    });
    p += 12 + len;
  }
  return out;
}

/** A chunk's bytes (length, type, data, CRC). */
function makeChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) chunk[4 + i] = type.charCodeAt(i);
  chunk.set(data, 8);
  dv.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/** Inserts `chunk` right after IHDR, leaving out every existing chunk of type `replace`. */
function insertAfterIhdr(png: Uint8Array, chunk: Uint8Array, replace?: string): Uint8Array {
  const chunks = pngChunks(png);
  const parts: Uint8Array[] = [png.subarray(0, 8)];
  for (const c of chunks) {
    if (c.type === replace) continue;
    parts.push(png.subarray(c.offset, c.offset + 12 + c.data.length));
    if (c.type === "IHDR") parts.push(chunk);
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/**
 * States the resolution of a PNG: a pHYs chunk with `dpi` converted to pixels per metre (unit 1),
 * replacing any earlier one.
 * @throws {RangeError} when `png` is not a PNG or `dpi` is not positive.
 */
export function setPngDpi(png: Uint8Array, dpi: number): Uint8Array {
  checkPng(png, "set the PNG resolution");
  if (!(dpi > 0) || !Number.isFinite(dpi)) {
    throw new RangeError(`Cannot set the PNG resolution: expected a positive dpi, found ${dpi}`);
  }
  const ppm = Math.round(dpi / 0.0254);
  const data = new Uint8Array(9);
  const dv = new DataView(data.buffer);
  dv.setUint32(0, ppm);
  dv.setUint32(4, ppm);
  data[8] = 1; // unit: metre
  return insertAfterIhdr(png, makeChunk("pHYs", data), "pHYs");
}

/** The resolution a PNG states in its pHYs chunk, in dots per inch (rounded); null when it states none. */
export function pngDpi(png: Uint8Array): number | null {
  const c = pngChunks(png).find((x) => x.type === "pHYs");
  if (!c || c.data[8] !== 1) return null;
  const dv = new DataView(c.data.buffer, c.data.byteOffset, 9);
  return Math.round(dv.getUint32(0) * 0.0254);
}

/**
 * Inserts a tEXt chunk (keyword, Latin-1 text; other characters are written as \uXXXX) after IHDR.
 * @throws {RangeError} when `png` is not a PNG or the keyword is not 1-79 Latin-1 characters.
 */
export function addPngText(png: Uint8Array, keyword: string, text: string): Uint8Array {
  checkPng(png, "add PNG text");
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword)) {
    throw new RangeError(`Cannot add PNG text: expected a 1-79 character keyword, found "${keyword}"`);
  }
  // deno-lint-ignore no-control-regex -- newline (\x0a) is the one control character PNG tEXt allows
  const safe = text.replace(/[^\x0a\x20-\x7e\xa1-\xff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const data = new Uint8Array(keyword.length + 1 + safe.length);
  for (let i = 0; i < keyword.length; i++) data[i] = keyword.charCodeAt(i);
  for (let i = 0; i < safe.length; i++) data[keyword.length + 1 + i] = safe.charCodeAt(i);
  return insertAfterIhdr(png, makeChunk("tEXt", data));
}

/** Reads all tEXt chunks of a PNG. */
export function pngTextChunks(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of pngChunks(png)) {
    if (c.type !== "tEXt") continue;
    const z = c.data.indexOf(0);
    out[String.fromCharCode(...c.data.subarray(0, z))] = Array.from(
      c.data.subarray(z + 1),
      (b) => String.fromCharCode(b),
    )
      .join("");
  }
  return out;
}
