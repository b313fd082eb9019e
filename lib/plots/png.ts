/**
 * SVG to PNG with text rendered (resvg with the bundled DejaVu fonts), at a chosen resolution, and
 * PNG text chunks (tEXt) for provenance.
 *
 * @example
 * ```ts ignore
 * import { svgToPng, pngTextChunks } from "./png.ts";
 * const png = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', { widthPx: 20, text: { Source: "x" } });
 * pngTextChunks(png).Source; // "x"
 * ```
 */
import { Resvg } from "@resvg/resvg-js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { FONT_FAMILY } from "./theme.ts";

let fontFiles: string[] | null = null;

/** Paths of the bundled DejaVu TTF files (npm package dejavu-fonts-ttf). */
export function bundledFontFiles(): string[] {
  if (fontFiles) return fontFiles;
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const dir = join(root, "node_modules", "dejavu-fonts-ttf", "ttf");
  const files = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"].map((
    f,
  ) => join(dir, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(
      `Cannot render text to PNG: expected the font files of npm:dejavu-fonts-ttf, found none at ${
        missing[0]
      } (run "deno install")`,
    );
  }
  return (fontFiles = files);
}

export interface PngOptions {
  /** Output width in pixels (height follows the aspect ratio). */
  widthPx: number;
  /** tEXt chunks to embed (keyword -> Latin-1 text). */
  text?: Record<string, string>;
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

/**
 * Inserts a tEXt chunk (keyword, Latin-1 text; other characters are written as \uXXXX) after IHDR.
 * @throws {RangeError} when `png` is not a PNG or the keyword is not 1-79 Latin-1 characters.
 */
export function addPngText(png: Uint8Array, keyword: string, text: string): Uint8Array {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (png.length < 33 || sig.some((b, i) => png[i] !== b)) {
    throw new RangeError("Cannot add PNG text: expected PNG bytes, found something else");
  }
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword)) {
    throw new RangeError(`Cannot add PNG text: expected a 1-79 character keyword, found "${keyword}"`);
  }
  // deno-lint-ignore no-control-regex -- newline (\x0a) is the one control character PNG tEXt allows
  const safe = text.replace(/[^\x0a\x20-\x7e\xa1-\xff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const data = new Uint8Array(keyword.length + 1 + safe.length);
  for (let i = 0; i < keyword.length; i++) data[i] = keyword.charCodeAt(i);
  for (let i = 0; i < safe.length; i++) data[keyword.length + 1 + i] = safe.charCodeAt(i);
  const chunk = new Uint8Array(12 + data.length);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, data.length);
  chunk.set([0x74, 0x45, 0x58, 0x74], 4); // "tEXt"
  chunk.set(data, 8);
  dv.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  const ihdrEnd = 8 + 12 + new DataView(png.buffer, png.byteOffset).getUint32(8);
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, ihdrEnd));
  out.set(chunk, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + chunk.length);
  return out;
}

/** Reads all tEXt chunks of a PNG. */
export function pngTextChunks(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let p = 8;
  while (p + 12 <= png.length) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    if (type === "tEXt") {
      const data = png.subarray(p + 8, p + 8 + len);
      const z = data.indexOf(0);
      out[String.fromCharCode(...data.subarray(0, z))] = Array.from(data.subarray(z + 1), (b) => String.fromCharCode(b))
        .join("");
    }
    p += 12 + len;
  }
  return out;
}
