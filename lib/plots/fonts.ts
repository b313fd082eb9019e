/**
 * The bundled font (DejaVu Sans, npm package dejavu-fonts-ttf) and its metrics: text advance widths
 * read from the TrueType files with fontkit (with kerning), and the vertical extent of the glyphs
 * used for text boxes. Layout (wrapping, legends) and the readability check of exported SVGs both
 * measure text here, with the same font resvg and the PDF export draw it in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textAdvance } from "./fonts.ts";
 * const w = textAdvance("ROC", 10);
 * assert.ok(w > 20 && w < 23, `${w}`); // DejaVu Sans: R 0.695, O 0.787, C 0.698 em
 * ```
 *
 * @module
 */
import * as fontkit from "fontkit";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The font every figure names and bundles. */
export const FONT_FAMILY = "DejaVu Sans";

/**
 * Height of DejaVu Sans glyphs above the baseline, in em (ascender of "d", "l": 1556/2048), and
 * below it (descender of "g", "p": 483/2048). A text box spans [baseline - ascent, baseline +
 * descent] times the font size: 1 em, so lines set 1 em apart touch but do not overlap.
 */
export const TEXT_ASCENT = 0.76;
/** Depth of DejaVu Sans glyphs below the baseline, in em (see {@linkcode TEXT_ASCENT}). */
export const TEXT_DESCENT = 0.24;

/** The four faces of the bundled font. */
export type FontStyle = "regular" | "bold" | "oblique" | "boldOblique";

const FILES: Readonly<Record<FontStyle, string>> = {
  regular: "DejaVuSans.ttf",
  bold: "DejaVuSans-Bold.ttf",
  oblique: "DejaVuSans-Oblique.ttf",
  boldOblique: "DejaVuSans-BoldOblique.ttf",
};

let fontPaths: Record<FontStyle, string> | null = null;

/**
 * Paths of the bundled DejaVu TTF files by style.
 * @throws {Error} when the npm package is not installed.
 */
export function bundledFonts(): Record<FontStyle, string> {
  if (fontPaths) return fontPaths;
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const dir = join(root, "node_modules", "dejavu-fonts-ttf", "ttf");
  const out = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dir, f)])) as Record<
    FontStyle,
    string
  >;
  const missing = Object.values(out).find((f) => !existsSync(f));
  if (missing) {
    throw new Error(
      `Cannot use the bundled font: expected the font files of npm:dejavu-fonts-ttf, found none at ${missing} (run "deno install")`,
    );
  }
  return (fontPaths = out);
}

/** Paths of the bundled DejaVu TTF files (regular, bold, oblique, bold oblique). */
export function bundledFontFiles(): string[] {
  return Object.values(bundledFonts());
}

interface FontkitFont {
  unitsPerEm: number;
  layout(text: string): { advanceWidth: number };
}

const fonts = new Map<FontStyle, FontkitFont>();
const widths = new Map<string, number>();

function font(style: FontStyle): FontkitFont {
  let f = fonts.get(style);
  if (!f) {
    f = (fontkit as unknown as { openSync(path: string): FontkitFont }).openSync(bundledFonts()[style]);
    fonts.set(style, f);
  }
  return f;
}

/** Advance width in px of `text` set in DejaVu Sans at `fontSize` px (bold: DejaVu Sans Bold). */
export function textAdvance(text: string, fontSize: number, options: { bold?: boolean } = {}): number {
  const style: FontStyle = options.bold ? "bold" : "regular";
  const key = `${style}\u0000${text}`;
  let em = widths.get(key);
  if (em === undefined) {
    const f = font(style);
    em = f.layout(text).advanceWidth / f.unitsPerEm;
    if (widths.size > 50_000) widths.clear();
    widths.set(key, em);
  }
  return em * fontSize;
}
