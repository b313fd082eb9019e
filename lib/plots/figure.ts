/**
 * Standalone figures built from Observable Plot: the chart plus a title, subtitle, legend and
 * caption drawn inside one SVG (Plot would put them in HTML), with the font named, so that the SVG
 * is complete on its own and can be rendered to PNG and PDF. A figure re-renders at any width, so
 * that export at one- and two-column widths lays out the text at the size it will be printed.
 *
 * Two variants: "full" (title, subtitle, legend, chart, caption: for notebooks and slides) and
 * "paper" (legend and chart only; the title and caption go into the manifest and a LaTeX
 * `\caption`). Either can carry a small mark inside the image (e.g. "SYNTHETIC DATA").
 * Text is measured with the bundled font's metrics (fonts.ts), so wrapping matches the rendering.
 *
 * In Jupyter (Deno kernel) a Figure displays itself as SVG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "@observablehq/plot";
 * import { figure } from "./figure.ts";
 * const fig = figure({
 *   title: "Counts",
 *   plot: (width) => ({ width, height: 200, marks: [Plot.barY([{ x: "a", y: 2 }], { x: "x", y: "y" })] }),
 * });
 * assert.ok(fig.svg().startsWith("<svg"));
 * assert.ok(fig.svg(336).includes(">Counts</text>"));
 * assert.ok(!fig.svg(336, { variant: "paper" }).includes(">Counts</text>"));
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { headlessDocument } from "./document.ts";
import { FONT_FAMILY, textAdvance } from "./fonts.ts";
import { FONT_SIZES, SCREEN_WIDTH } from "./theme.ts";
import { escapeXml as esc } from "../util/escape.ts";

/** One legend entry drawn inside the figure. */
export interface LegendItem {
  /** Text of the entry. */
  label: string;
  /** CSS colour of the swatch. */
  color: string;
  /**
   * "square" (default; a filled swatch), "line" (a line with `dash`), "dot" (a filled point),
   * "ring" (an open circle: operating points), "diamond" (a mean).
   */
  shape?: "square" | "line" | "dot" | "ring" | "diamond";
  /** SVG stroke-dasharray of a "line" item (default solid), so the legend shows each line's style. */
  dash?: string;
}

/** One chart of a small-multiples figure. */
export interface PanelSpec {
  /** Bold title over the panel, wrapped to the panel's width. */
  title?: string;
  /** Plot options for the panel's width in px. */
  plot: (width: number) => Plot.PlotOptions;
}

/** Options of {@linkcode figure}: the frame's texts and legend, and one chart (`plot`) or several (`panels`). */
export interface FigureOptions {
  /** Bold title at the top, wrapped (full variant only). */
  title?: string;
  /** Line(s) under the title (full variant only). */
  subtitle?: string;
  /** Wrapped under the chart. Say here when the data is synthetic. */
  caption?: string;
  /** Entries drawn between the subtitle and the chart, in rows that wrap. */
  legend?: readonly LegendItem[];
  /** Plot options for a given total width in px (the `document` is supplied). Or use `panels`. */
  plot?: (width: number) => Plot.PlotOptions;
  /**
   * Several charts with independent scales laid out in a grid (small multiples), each with an
   * optional title (wrapped to the panel's width); `plot` receives the panel's width.
   */
  panels?: readonly PanelSpec[];
  /** Panels per row for a total width (default: 1 below 300 px, 2 below 560 px, else 3). */
  columns?: (width: number) => number;
  /** Default width in px (default 672). */
  width?: number;
}

/** How to render a figure. */
export interface RenderOptions {
  /** Provenance written into `<metadata id="provenance">`. */
  metadata?: Record<string, unknown>;
  /** "full" (default): title, subtitle, legend, chart, caption. "paper": legend and chart only. */
  variant?: "full" | "paper";
  /** A small mark drawn inside the image at the bottom right, e.g. "SYNTHETIC DATA". */
  mark?: string;
}

/** SVG fragments laid out from a given top, and their height. */
export interface Block {
  /** SVG fragments (elements as text). */
  parts: string[];
  /** Height they take, in px. */
  height: number;
}

/** A figure that can render itself as standalone SVG at any width. */
export interface Figure {
  /** The frame (title, subtitle, caption, legend) and default width in px it was built with. */
  readonly options: Readonly<FrameOptions & { width?: number }>;
  /** Standalone SVG text at `width` px (default: the figure's width). */
  svg(width?: number, render?: RenderOptions): string;
  /** The chart(s) alone, without title, legend or caption, laid out from `top` at `width` px. */
  body(width: number, top: number): Block;
}

/** Advance width (px) of text in the bundled font (DejaVu Sans, or its bold). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  return textAdvance(text, fontSize, { bold });
}

/** Greedy word wrap to `width` px (a word longer than the width stays on its own line). */
export function wrapText(text: string, width: number, fontSize: number, bold = false): string[] {
  const lines: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (line && textWidth(next, fontSize, bold) > width) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
  }
  return lines;
}

/** Wraps a figure's frame (title, subtitle, caption, legend, width) and body into a Figure (with Jupyter display). */
export function makeFigure(
  frame: FrameOptions & { width?: number },
  body: (width: number, top: number) => Block,
): Figure {
  const { title, subtitle, caption, legend, width } = frame;
  const options = { title, subtitle, caption, legend, width };
  const fig: Figure & { [k: symbol]: unknown } = {
    options,
    svg(width = options.width ?? SCREEN_WIDTH, render: RenderOptions = {}) {
      return frameSvg(options, width, (top) => body(width, top), render);
    },
    body,
    [Symbol.for("Jupyter.display")]() {
      return { "image/svg+xml": fig.svg() };
    },
  };
  return fig;
}

/** Builds a figure (see module doc). */
export function figure(options: FigureOptions): Figure {
  return makeFigure(options, (width, top) => chartBlock(options, width, top));
}

/** Renders Plot options headless as a standalone `<svg>` with the bundled font named. */
export function plotSvg(
  build: (width: number) => Plot.PlotOptions,
  width: number,
): { svg: string; width: number; height: number } {
  const po = build(width);
  const el = Plot.plot({
    ...po,
    width: po.width ?? width,
    document: headlessDocument(),
    style: {
      fontFamily: FONT_FAMILY,
      fontSize: `${FONT_SIZES.tick}px`,
      background: "white",
      color: "#222",
      ...(po.style as object ?? {}),
    },
  }) as unknown as Element;
  const svgEl = el.tagName.toLowerCase() === "svg"
    ? el
    : [...el.children].reverse().find((c) => c.tagName.toLowerCase() === "svg");
  if (!svgEl) throw new Error("Cannot build figure: Observable Plot returned no <svg> element");
  const w = Number(svgEl.getAttribute("width")), h = Number(svgEl.getAttribute("height"));
  let text = svgEl.outerHTML;
  // Standalone SVG: resolve currentColor and name the bundled font.
  text = text.replaceAll("currentColor", "#222").replace(
    /font-family="[^"]*"/,
    `font-family="${FONT_FAMILY}, sans-serif"`,
  );
  return { svg: text, width: w, height: h };
}

/** Bold panel titles wrapped to `width`, as `<text>` lines from `y`; returns the parts and the height. */
export function panelTitle(title: string, x: number, y: number, width: number): Block {
  const fs = FONT_SIZES.label;
  const lines = wrapText(title, width, fs, true);
  return {
    parts: lines.map((line, i) =>
      `<text x="${x}" y="${y + fs * (1.05 + 1.25 * i)}" font-size="${fs}" font-weight="bold" fill="#222">${
        esc(line)
      }</text>`
    ),
    height: fs * (0.45 + 1.25 * lines.length),
  };
}

/** Lays out the chart or the panels; returns SVG fragments and their height. */
function chartBlock(options: FigureOptions, width: number, top: number): Block {
  if (options.plot && !options.panels) {
    const chart = plotSvg(options.plot, width);
    return { parts: [chart.svg.replace(/^<svg/, `<svg x="0" y="${top}"`)], height: chart.height };
  }
  const panels = options.panels ?? [];
  if (!panels.length) throw new Error("Cannot build figure: expected `plot` or `panels`, found neither");
  const cols = Math.max(
    1,
    Math.min(panels.length, options.columns?.(width) ?? (width < 300 ? 1 : width < 560 ? 2 : 3)),
  );
  const gap = 10;
  const pw = Math.floor((width - (cols - 1) * gap) / cols);
  const parts: string[] = [];
  let y = top;
  for (let r = 0; r * cols < panels.length; r++) {
    const row = panels.slice(r * cols, r * cols + cols);
    const titles = row.map((p, c) => (p.title ? panelTitle(p.title, c * (pw + gap) + 6, y, pw - 8) : null));
    const titleH = Math.max(0, ...titles.map((t) => t?.height ?? 0));
    let rowH = 0;
    row.forEach((p, c) => {
      const x = c * (pw + gap);
      if (titles[c]) parts.push(...titles[c]!.parts);
      const chart = plotSvg(p.plot, pw);
      parts.push(chart.svg.replace(/^<svg/, `<svg x="${x}" y="${y + titleH}"`));
      rowH = Math.max(rowH, chart.height);
    });
    y += titleH + rowH + gap;
  }
  return { parts, height: y - top - gap };
}

/** The frame of a figure: what `frameSvg` draws around a body. */
export type FrameOptions = Pick<FigureOptions, "title" | "subtitle" | "caption" | "legend">;

const PAD = 8;

/** Legend items laid out in rows that wrap at `width`, from `top`; returns the parts and the height. */
export function legendBlock(items: readonly LegendItem[], width: number, top: number): Block {
  const parts: string[] = [];
  const fs = FONT_SIZES.label, rowH = fs * 1.5, key = 22;
  let x = PAD, y = top + fs * 1.1;
  for (const item of items) {
    const w = key + 5 + textWidth(item.label, fs) + 14;
    if (x + w - 14 > width - PAD && x > PAD) {
      x = PAD;
      y += rowH;
    }
    const cy = y - fs * 0.35, cx = x + key / 2;
    if (item.shape === "line") {
      parts.push(
        `<line x1="${x}" x2="${x + key}" y1="${cy}" y2="${cy}" stroke="${item.color}" stroke-width="2.2"${
          item.dash ? ` stroke-dasharray="${item.dash}"` : ""
        }/>`,
      );
    } else if (item.shape === "dot") parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${item.color}"/>`);
    else if (item.shape === "ring") {
      parts.push(`<circle cx="${cx}" cy="${cy}" r="4" fill="white" stroke="${item.color}" stroke-width="1.6"/>`);
    } else if (item.shape === "diamond") {
      parts.push(`<path d="M${cx},${cy - 5}L${cx + 4},${cy}L${cx},${cy + 5}L${cx - 4},${cy}Z" fill="${item.color}"/>`);
    } else parts.push(`<rect x="${cx - 6}" y="${cy - 6}" width="12" height="12" fill="${item.color}"/>`);
    parts.push(`<text x="${x + key + 5}" y="${y}" font-size="${fs}" fill="#222">${esc(item.label)}</text>`);
    x += w;
  }
  return { parts, height: y - top + fs * 0.45 };
}

/**
 * Draws the title, subtitle and legend, then the body (SVG fragments laid out from `top`), then the
 * wrapped caption and the mark, as one standalone SVG with optional provenance metadata. Used by
 * every figure. The "paper" variant leaves out the title, subtitle and caption.
 */
export function frameSvg(
  options: FrameOptions,
  width: number,
  body: (top: number) => Block,
  render: RenderOptions = {},
): string {
  const full = (render.variant ?? "full") === "full";
  const parts: string[] = [];
  let y = PAD;
  if (full && options.title) {
    for (const line of wrapText(options.title, width - 2 * PAD, FONT_SIZES.title, true)) {
      y += FONT_SIZES.title * 1.25;
      parts.push(
        `<text x="${PAD}" y="${y}" font-size="${FONT_SIZES.title}" font-weight="bold" fill="#111">${esc(line)}</text>`,
      );
    }
    y += FONT_SIZES.title * 0.3;
  }
  if (full && options.subtitle) {
    for (const line of wrapText(options.subtitle, width - 2 * PAD, FONT_SIZES.subtitle)) {
      y += FONT_SIZES.subtitle * 1.3;
      parts.push(`<text x="${PAD}" y="${y}" font-size="${FONT_SIZES.subtitle}" fill="#444">${esc(line)}</text>`);
    }
    y += FONT_SIZES.subtitle * 0.3;
  }
  if (options.legend?.length) {
    const legend = legendBlock(options.legend, width, y + 4);
    parts.push(...legend.parts);
    y += 4 + legend.height;
  }
  y += 6;
  const chart = body(y);
  y += chart.height;
  const tail: string[] = [];
  if (full && options.caption) {
    y += 4;
    for (const line of wrapText(options.caption, width - 2 * PAD, FONT_SIZES.caption)) {
      y += FONT_SIZES.caption * 1.35;
      tail.push(`<text x="${PAD}" y="${y}" font-size="${FONT_SIZES.caption}" fill="#444">${esc(line)}</text>`);
    }
  }
  if (render.mark) {
    y += FONT_SIZES.mark * 1.4;
    tail.push(
      `<text x="${
        width - PAD
      }" y="${y}" font-size="${FONT_SIZES.mark}" font-weight="bold" fill="#b00020" text-anchor="end">${
        esc(render.mark)
      }</text>`,
    );
  }
  const height = Math.ceil(y + PAD);
  const meta = render.metadata ? `<metadata id="provenance">${esc(JSON.stringify(render.metadata))}</metadata>` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}, sans-serif">${meta}` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}${chart.parts.join("")}${tail.join("")}</svg>`;
}
