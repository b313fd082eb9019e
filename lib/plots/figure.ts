/**
 * Standalone figures built from Observable Plot: the chart plus a title, subtitle, legend and
 * caption drawn inside one SVG (Plot would put them in HTML), with the font named, so that the SVG
 * is complete on its own and can be rendered to PNG. A figure re-renders at any width, so that
 * export at one- and two-column widths lays out the text at the size it will be printed.
 *
 * In Jupyter (Deno kernel) a Figure displays itself as SVG.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { figure } from "./figure.ts";
 * const fig = figure({
 *   title: "Counts",
 *   plot: (width) => ({ width, height: 200, marks: [Plot.barY([{ x: "a", y: 2 }], { x: "x", y: "y" })] }),
 * });
 * fig.svg().startsWith("<svg"); // true
 * ```
 */
import * as Plot from "@observablehq/plot";
import { headlessDocument } from "./document.ts";
import { FONT_FAMILY, FONT_SIZES, SCREEN_WIDTH } from "./theme.ts";
import { escapeXml as esc } from "../util/escape.ts";

/** One legend entry drawn inside the figure. */
export interface LegendItem {
  label: string;
  color: string;
  /** "square" (default), "line" or "dot". */
  shape?: "square" | "line" | "dot";
}

export interface FigureOptions {
  title?: string;
  subtitle?: string;
  /** Wrapped under the chart. Say here when the data is synthetic. */
  caption?: string;
  legend?: readonly LegendItem[];
  /** Plot options for a given total width in px (the `document` is supplied). Or use `panels`. */
  plot?: (width: number) => Plot.PlotOptions;
  /**
   * Several charts with independent scales laid out in a grid (small multiples), each with an
   * optional title; `plot` receives the panel's width.
   */
  panels?: readonly { title?: string; plot: (width: number) => Plot.PlotOptions }[];
  /** Panels per row for a total width (default: 1 below 300 px, 2 below 560 px, else 3). */
  columns?: (width: number) => number;
  /** Default width in px (default 672). */
  width?: number;
}

/** A figure that can render itself as standalone SVG at any width. */
export interface Figure {
  readonly options: FigureOptions;
  /** Standalone SVG text at `width` px (default: the figure's width), with optional metadata. */
  svg(width?: number, metadata?: Record<string, unknown>): string;
}

/**
 * Approximate advance width of DejaVu Sans text (px) for wrapping and legend layout; a little
 * generous (DejaVu is wide), more so for bold.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let w = 0;
  for (const ch of text) {
    w += /[iIl.,:;'|!]/.test(ch)
      ? 0.34
      : /[mwMW@]/.test(ch)
      ? 0.95
      : /[A-Z]/.test(ch)
      ? 0.74
      : /\s/.test(ch)
      ? 0.33
      : 0.63;
  }
  return w * fontSize * (bold ? 1.12 : 1);
}

/** Greedy word wrap to `width` px. */
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

/** Builds a figure (see module doc). */
export function figure(options: FigureOptions): Figure {
  const fig: Figure & { [k: symbol]: unknown } = {
    options,
    svg(width = options.width ?? SCREEN_WIDTH, metadata?: Record<string, unknown>) {
      return composeSvg(options, width, metadata);
    },
    [Symbol.for("Jupyter.display")]() {
      return { "image/svg+xml": composeSvg(options, options.width ?? SCREEN_WIDTH) };
    },
  };
  return fig;
}

function plotSvg(
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

/** Lays out the chart or the panels; returns SVG fragments and their height. */
function chartBlock(options: FigureOptions, width: number, top: number): { parts: string[]; height: number } {
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
    const titled = row.some((p) => p.title);
    const titleH = titled ? FONT_SIZES.label * 1.5 : 0;
    let rowH = 0;
    row.forEach((p, c) => {
      const x = c * (pw + gap);
      if (p.title) {
        parts.push(
          `<text x="${x + 6}" y="${
            y + FONT_SIZES.label * 1.1
          }" font-size="${FONT_SIZES.label}" font-weight="bold" fill="#222">${esc(p.title)}</text>`,
        );
      }
      const chart = plotSvg(p.plot, pw);
      parts.push(chart.svg.replace(/^<svg/, `<svg x="${x}" y="${y + titleH}"`));
      rowH = Math.max(rowH, chart.height);
    });
    y += titleH + rowH + gap;
  }
  return { parts, height: y - top - gap };
}

function composeSvg(options: FigureOptions, width: number, metadata?: Record<string, unknown>): string {
  return frameSvg(options, width, (top) => chartBlock(options, width, top), metadata);
}

/** The frame of a figure: what `frameSvg` draws around a body. */
export type FrameOptions = Pick<FigureOptions, "title" | "subtitle" | "caption" | "legend">;

/**
 * Draws the title, subtitle and legend, then the body (SVG fragments laid out from `top`), then the
 * wrapped caption, as one standalone SVG with optional provenance metadata. Used by every figure.
 */
export function frameSvg(
  options: FrameOptions,
  width: number,
  body: (top: number) => { parts: string[]; height: number },
  metadata?: Record<string, unknown>,
): string {
  const pad = 8;
  const parts: string[] = [];
  let y = pad;
  if (options.title) {
    for (const line of wrapText(options.title, width - 2 * pad, FONT_SIZES.title, true)) {
      y += FONT_SIZES.title * 1.25;
      parts.push(
        `<text x="${pad}" y="${y}" font-size="${FONT_SIZES.title}" font-weight="bold" fill="#111">${esc(line)}</text>`,
      );
    }
  }
  if (options.subtitle) {
    for (const line of wrapText(options.subtitle, width - 2 * pad, FONT_SIZES.subtitle)) {
      y += FONT_SIZES.subtitle * 1.3;
      parts.push(`<text x="${pad}" y="${y}" font-size="${FONT_SIZES.subtitle}" fill="#444">${esc(line)}</text>`);
    }
  }
  if (options.legend?.length) {
    y += 6;
    let x = pad;
    const fs = FONT_SIZES.label;
    y += fs * 1.3;
    for (const item of options.legend) {
      const w = 14 + 4 + textWidth(item.label, fs) + 14;
      if (x + w > width - pad && x > pad) {
        x = pad;
        y += fs * 1.5;
      }
      const cy = y - fs * 0.35;
      if (item.shape === "line") {
        parts.push(`<line x1="${x}" x2="${x + 14}" y1="${cy}" y2="${cy}" stroke="${item.color}" stroke-width="2.5"/>`);
      } else if (item.shape === "dot") parts.push(`<circle cx="${x + 7}" cy="${cy}" r="4.5" fill="${item.color}"/>`);
      else parts.push(`<rect x="${x}" y="${cy - 6}" width="12" height="12" fill="${item.color}"/>`);
      parts.push(`<text x="${x + 18}" y="${y}" font-size="${fs}" fill="#222">${esc(item.label)}</text>`);
      x += w;
    }
  }
  y += 6;
  const chart = body(y);
  y += chart.height;
  const captionParts: string[] = [];
  if (options.caption) {
    y += 4;
    for (const line of wrapText(options.caption, width - 2 * pad, FONT_SIZES.caption)) {
      y += FONT_SIZES.caption * 1.35;
      captionParts.push(`<text x="${pad}" y="${y}" font-size="${FONT_SIZES.caption}" fill="#444">${esc(line)}</text>`);
    }
  }
  const height = Math.ceil(y + pad);
  const meta = metadata ? `<metadata id="provenance">${esc(JSON.stringify(metadata))}</metadata>` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}, sans-serif">${meta}` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}${chart.parts.join("")}${
      captionParts.join("")
    }</svg>`;
}
