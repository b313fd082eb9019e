/**
 * SVG to vector PDF with embedded fonts, for pdflatex (which cannot include SVG): PDFKit
 * (npm pdfkit, maintained) draws the page and svg-to-pdfkit translates the SVG into PDFKit calls.
 * Text stays text, set in the bundled DejaVu Sans, which PDFKit embeds as a subset (CID TrueType,
 * Identity-H); the page is the figure's size at 96 px per inch (72 pt per inch), so a figure laid
 * out at 3.5 in is a 3.5 in page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svgToPdf } from "./pdf.ts";
 * const pdf = svgToPdf('<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48"><text x="4" y="20" font-size="12">Hi</text></svg>');
 * assert.equal(new TextDecoder().decode(pdf.subarray(0, 5)), "%PDF-");
 * ```
 *
 * @module
 */
import PDFDocument from "pdfkit";
import SVGtoPDF from "svg-to-pdfkit";
import { Buffer } from "node:buffer";
import { bundledFonts, FontStyle } from "./fonts.ts";

/** Options of {@linkcode svgToPdf}. */
export interface PdfOptions {
  /** Document information: title, subject (e.g. the caption), keywords. */
  info?: { Title?: string; Subject?: string; Keywords?: string };
  /** Extra information entries (e.g. Provenance as JSON). */
  extraInfo?: Record<string, string>;
}

interface PdfKitDoc {
  registerFont(name: string, path: string): void;
  info: Record<string, unknown>;
  end(): void;
  read(): Buffer | null;
}

const FONT_NAMES: Record<FontStyle, string> = {
  regular: "DejaVuSans",
  bold: "DejaVuSans-Bold",
  oblique: "DejaVuSans-Oblique",
  boldOblique: "DejaVuSans-BoldOblique",
};

/**
 * Renders standalone SVG (with `width` and `height` in px) to PDF bytes.
 * @throws {RangeError} when the SVG has no numeric width and height.
 */
export function svgToPdf(svg: string, options: PdfOptions = {}): Uint8Array {
  const head = svg.slice(0, svg.indexOf(">") + 1);
  const w = Number(head.match(/\swidth="([\d.]+)"/)?.[1]), h = Number(head.match(/\sheight="([\d.]+)"/)?.[1]);
  if (!(w > 0) || !(h > 0)) {
    throw new RangeError(`Cannot convert SVG to PDF: expected numeric width and height on <svg>, found "${head}"`);
  }
  const pt = 0.75; // 72 pt / 96 px
  const doc = new (PDFDocument as unknown as new (o: object) => PdfKitDoc)({
    size: [w * pt, h * pt],
    margin: 0,
    info: { Creator: "derm7pt-mgmt", Producer: "PDFKit + svg-to-pdfkit", ...options.info },
    compress: true,
  });
  for (const [k, v] of Object.entries(options.extraInfo ?? {})) doc.info[k] = v;
  const fonts = bundledFonts();
  for (const style of Object.keys(FONT_NAMES) as FontStyle[]) doc.registerFont(FONT_NAMES[style], fonts[style]);
  (SVGtoPDF as unknown as (doc: PdfKitDoc, svg: string, x: number, y: number, o: object) => void)(doc, svg, 0, 0, {
    width: w * pt,
    height: h * pt,
    preserveAspectRatio: "xMinYMin meet",
    // every family is drawn in the bundled font (the figures name only DejaVu Sans)
    fontCallback: (_family: string, bold: boolean, italic: boolean) =>
      FONT_NAMES[bold ? (italic ? "boldOblique" : "bold") : italic ? "oblique" : "regular"],
    imageCallback: (link: string) => link, // data URIs only: no file or network access
    warningCallback: (message: string) => {
      throw new Error(`Cannot convert SVG to PDF: ${message}`);
    },
  });
  doc.end();
  const chunks: Buffer[] = [];
  for (let c = doc.read(); c !== null; c = doc.read()) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}
