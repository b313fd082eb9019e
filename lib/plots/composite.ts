/**
 * Figures that mix images and charts: a title, subtitle and caption (as every figure) around a
 * stack of blocks — rows of image tiles (PNG embedded as data URIs, with labels), a colour bar, or
 * another figure's chart. The result is a `Figure`, so it displays in Jupyter and exports to SVG and
 * 300-dpi PNGs with provenance like any other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compositeFigure } from "./composite.ts";
 * import { svgToPng } from "./png.ts";
 * const png = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>', { widthPx: 8 });
 * const fig = compositeFigure({
 *   title: "Case 12",
 *   blocks: [
 *     { kind: "images", tiles: [{ png, label: "clinical" }, { png, label: "dermoscopic" }] },
 *     { kind: "colorbar", low: "low", high: "high", label: "Grad-CAM" },
 *   ],
 * });
 * const svg = fig.svg(336);
 * assert.equal(svg.match(/href="data:image\/png;base64,/g)?.length, 2);
 * assert.ok(svg.includes(">Case 12</text>") && svg.includes(">dermoscopic</text>"));
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { escapeXml as esc } from "../util/escape.ts";
import { Block, Figure, FrameOptions, makeFigure, wrapText } from "./figure.ts";
import { heatStops } from "./overlay.ts";
import { FONT_SIZES } from "./theme.ts";

/** One image of an "images" block. */
export interface ImageTile {
  /** The image as PNG bytes (embedded as a data URI, fitted into a square tile). */
  png: Uint8Array;
  /** Up to 3 lines under the tile. */
  label?: string;
}

/** One block of a composite figure, stacked top to bottom in the order given. */
export type CompositeBlock =
  /** A row (or rows) of square tiles; `columns` per row, or a function of the width (default: all in one row). */
  | { kind: "images"; tiles: readonly ImageTile[]; columns?: number | ((width: number) => number); heading?: string }
  /** A horizontal colour bar of the heat colour map with end labels. */
  | { kind: "colorbar"; low: string; high: string; label: string }
  /** The charts of another figure (its body: without its title, legend or caption). */
  | { kind: "figure"; figure: Figure };

/** Options of {@linkcode compositeFigure}: the frame (title, subtitle, caption, legend) and the blocks. */
export interface CompositeOptions extends FrameOptions {
  /** The blocks, top to bottom, 6 px apart. */
  blocks: readonly CompositeBlock[];
  /** Default width in px (default 672). */
  width?: number;
}

function blockSvg(block: CompositeBlock, width: number, top: number, id: string): Block {
  const pad = 8;
  if (block.kind === "images") {
    const wanted = typeof block.columns === "function" ? block.columns(width) : block.columns;
    const cols = Math.max(1, Math.min(wanted ?? block.tiles.length, block.tiles.length));
    const gap = 8;
    const tile = Math.floor((width - 2 * pad - (cols - 1) * gap) / cols);
    const parts: string[] = [];
    let y = top;
    if (block.heading) {
      y += FONT_SIZES.label * 1.3;
      parts.push(
        `<text x="${pad}" y="${y}" font-size="${FONT_SIZES.label}" font-weight="bold" fill="#222">${
          esc(block.heading)
        }</text>`,
      );
      y += 4;
    }
    const labelLines = Math.max(
      0,
      ...block.tiles.map((t) => (t.label ? Math.min(3, wrapText(t.label, tile, FONT_SIZES.caption).length) : 0)),
    );
    for (let r = 0; r * cols < block.tiles.length; r++) {
      block.tiles.slice(r * cols, r * cols + cols).forEach((t, c) => {
        const x = pad + c * (tile + gap);
        parts.push(
          `<image x="${x}" y="${y}" width="${tile}" height="${tile}" preserveAspectRatio="xMidYMid meet" href="data:image/png;base64,${
            Buffer.from(t.png).toString("base64")
          }"/>`,
        );
        (t.label ? wrapText(t.label, tile, FONT_SIZES.caption).slice(0, 3) : []).forEach((line, i) =>
          parts.push(
            `<text x="${x}" y="${
              y + tile + FONT_SIZES.caption * 1.3 * (i + 1)
            }" font-size="${FONT_SIZES.caption}" fill="#222">${esc(line)}</text>`,
          )
        );
      });
      y += tile + labelLines * FONT_SIZES.caption * 1.3 + gap;
    }
    return { parts, height: y - top };
  }
  if (block.kind === "colorbar") {
    const barW = Math.min(240, width - 2 * pad), barH = 10, fs = FONT_SIZES.caption;
    const stops = heatStops().map((s) => `<stop offset="${s.offset}" stop-color="${s.color}"/>`).join("");
    const lines = wrapText(block.label, width - 2 * pad, fs);
    const y = top + fs * 1.3 * lines.length;
    return {
      parts: [
        `<defs><linearGradient id="${id}" x1="0" x2="1" y1="0" y2="0">${stops}</linearGradient></defs>`,
        ...lines.map((line, i) =>
          `<text x="${pad}" y="${top + fs * 1.3 * (i + 1)}" font-size="${fs}" fill="#222">${esc(line)}</text>`
        ),
        `<rect x="${pad}" y="${y + 4}" width="${barW}" height="${barH}" fill="url(#${id})"/>`,
        `<text x="${pad}" y="${y + 4 + barH + fs * 1.2}" font-size="${fs}" fill="#444">${esc(block.low)}</text>`,
        `<text x="${pad + barW}" y="${y + 4 + barH + fs * 1.2}" font-size="${fs}" fill="#444" text-anchor="end">${
          esc(block.high)
        }</text>`,
      ],
      height: fs * 1.3 * lines.length + 4 + barH + fs * 1.5,
    };
  }
  return block.figure.body(width, top);
}

let gradients = 0;

/** Builds a composite figure (see module doc). */
export function compositeFigure(options: CompositeOptions): Figure {
  const id = `heat-${++gradients}`;
  return makeFigure(
    options,
    (width, top): Block => {
      const parts: string[] = [];
      let y = top;
      options.blocks.forEach((b, i) => {
        const r = blockSvg(b, width, y, `${id}-${i}`);
        parts.push(...r.parts);
        y += r.height + 6;
      });
      return { parts, height: y - top - 6 };
    },
  );
}
