/**
 * Figures that mix images and charts: a title, subtitle and caption (as every figure) around a
 * stack of blocks — rows of image tiles (PNG embedded as data URIs, with labels), a colour bar, or
 * another figure's chart. The result is a `Figure`, so it displays in Jupyter and exports to SVG and
 * 300-dpi PNGs with provenance like any other.
 *
 * @example
 * ```ts ignore
 * import { compositeFigure } from "./composite.ts";
 * const fig = compositeFigure({ title: "Case 12", blocks: [{ kind: "images", tiles: [{ png, label: "clinical" }] }] });
 * exportFigure(fig, dir, "case_12", prov);
 * ```
 */
import { Buffer } from "node:buffer";
import { escapeXml as esc } from "../util/escape.ts";
import { Figure, FrameOptions, frameSvg, wrapText } from "./figure.ts";
import { heatStops } from "./overlay.ts";
import { FONT_SIZES, SCREEN_WIDTH } from "./theme.ts";

export interface ImageTile {
  png: Uint8Array;
  /** Up to 3 lines under the tile. */
  label?: string;
}

export type CompositeBlock =
  /** A row (or rows) of square tiles; `columns` per row (default: all in one row). */
  | { kind: "images"; tiles: readonly ImageTile[]; columns?: number; heading?: string }
  /** A horizontal colour bar of the heat colour map with end labels. */
  | { kind: "colorbar"; low: string; high: string; label: string }
  /** The chart of another figure (its own title and caption are drawn too, if any). */
  | { kind: "figure"; figure: Figure };

export interface CompositeOptions extends FrameOptions {
  blocks: readonly CompositeBlock[];
  width?: number;
}

function blockSvg(block: CompositeBlock, width: number, top: number, id: string): { parts: string[]; height: number } {
  const pad = 8;
  if (block.kind === "images") {
    const cols = Math.max(1, Math.min(block.columns ?? block.tiles.length, block.tiles.length));
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
    const y = top + fs * 1.3;
    return {
      parts: [
        `<defs><linearGradient id="${id}" x1="0" x2="1" y1="0" y2="0">${stops}</linearGradient></defs>`,
        `<text x="${pad}" y="${y}" font-size="${fs}" fill="#222">${esc(block.label)}</text>`,
        `<rect x="${pad}" y="${y + 4}" width="${barW}" height="${barH}" fill="url(#${id})"/>`,
        `<text x="${pad}" y="${y + 4 + barH + fs * 1.2}" font-size="${fs}" fill="#444">${esc(block.low)}</text>`,
        `<text x="${pad + barW}" y="${y + 4 + barH + fs * 1.2}" font-size="${fs}" fill="#444" text-anchor="end">${
          esc(block.high)
        }</text>`,
      ],
      height: fs * 1.3 + 4 + barH + fs * 1.5,
    };
  }
  const svg = block.figure.svg(width);
  const h = Number(svg.match(/height="([\d.]+)"/)?.[1] ?? 0);
  return { parts: [svg.replace(/^<svg/, `<svg x="0" y="${top}"`)], height: h };
}

/** Builds a composite figure (see module doc). */
export function compositeFigure(options: CompositeOptions): Figure {
  const render = (width: number, metadata?: Record<string, unknown>) =>
    frameSvg(options, width, (top) => {
      const parts: string[] = [];
      let y = top;
      options.blocks.forEach((b, i) => {
        const r = blockSvg(b, width, y, `heat-${i}`);
        parts.push(...r.parts);
        y += r.height + 6;
      });
      return { parts, height: y - top };
    }, metadata);
  const fig: Figure & { [k: symbol]: unknown } = {
    options: { title: options.title, subtitle: options.subtitle, caption: options.caption, width: options.width },
    svg: (width = options.width ?? SCREEN_WIDTH, metadata?: Record<string, unknown>) => render(width, metadata),
    [Symbol.for("Jupyter.display")]() {
      return { "image/svg+xml": render(options.width ?? SCREEN_WIDTH) };
    },
  };
  return fig;
}
