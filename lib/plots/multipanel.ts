/**
 * Paper layouts: several figures as the lettered panels (a, b, ...) of one figure with one shared
 * legend, filling the width. Each panel draws the body of its figure (its charts, without its own
 * title, legend or caption) at the width its row gives it; rows may differ between one- and
 * two-column widths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "@observablehq/plot";
 * import { figure } from "./figure.ts";
 * import { multiPanelFigure } from "./multipanel.ts";
 * const bars = (title: string) =>
 *   figure({ title, plot: (width) => ({ width, height: 120, marks: [Plot.barY([1, 2, 3])] }) });
 * const fig = multiPanelFigure({
 *   title: "Two panels",
 *   legend: [{ label: "counts", color: "#0072B2" }],
 *   rows: (width) => width < 500 ? [[{ figure: bars("x") }], [{ figure: bars("y") }]] : [[{ figure: bars("x") }, { figure: bars("y") }]],
 * });
 * assert.ok(fig.svg(672).includes(">b</text>"));
 * ```
 *
 * @module
 */
import { escapeXml as esc } from "../util/escape.ts";
import { Block, Figure, FrameOptions, makeFigure, panelTitle } from "./figure.ts";
import { textAdvance } from "./fonts.ts";
import { FONT_SIZES } from "./theme.ts";

/** One lettered panel of a multi-panel figure. */
export interface Panel {
  /** The figure whose body (charts only) the panel draws. */
  figure: Figure;
  /** The panel's letter (default: the next letter of the alphabet, row by row). */
  letter?: string;
  /** A bold heading after the letter (default: the figure's title). */
  title?: string;
  /** Width relative to the other panels of its row (default 1). */
  share?: number;
  /** Draw the figure at most this wide (px), centred in its panel (e.g. to keep a square chart short). */
  maxWidth?: number;
}

/** Options of {@linkcode multiPanelFigure}: the frame (title, subtitle, caption, shared legend) and the rows. */
export interface MultiPanelOptions extends FrameOptions {
  /** The rows of panels at a given total width in px. */
  rows: (width: number) => readonly (readonly Panel[])[];
  /** Default width in px (default 672). */
  width?: number;
}

const GAP_X = 14, GAP_Y = 12;

/** Builds a multi-panel figure (see module doc). */
export function multiPanelFigure(options: MultiPanelOptions): Figure {
  const body = (width: number, top: number): Block => {
    const parts: string[] = [];
    let y = top, index = 0;
    for (const row of options.rows(width)) {
      const shares = row.map((p) => p.share ?? 1);
      const total = shares.reduce((a, b) => a + b, 0);
      const usable = width - GAP_X * (row.length - 1);
      let x = 0, rowH = 0;
      const headers: Block[] = [], bodies: Block[] = [], xs: number[] = [], ws: number[] = [];
      row.forEach((p, i) => {
        const w = Math.floor((usable * shares[i]) / total);
        const letter = p.letter ?? String.fromCharCode(97 + index++);
        const lw = textAdvance(letter, FONT_SIZES.letter, { bold: true }) + 6;
        const title = p.title ?? p.figure.options.title;
        const t = title ? panelTitle(title, x + 4 + lw, y, w - lw - 8) : { parts: [], height: 0 };
        headers.push({
          parts: [
            `<text x="${x + 4}" y="${
              y + FONT_SIZES.letter * 0.95
            }" font-size="${FONT_SIZES.letter}" font-weight="bold" fill="#111">${esc(letter)}</text>`,
            ...t.parts,
          ],
          height: Math.max(FONT_SIZES.letter * 1.25, t.height),
        });
        xs.push(x);
        ws.push(w);
        x += w + GAP_X;
      });
      const headerH = Math.max(...headers.map((h) => h.height)) + 2;
      const inner = row.map((p, i) => Math.min(ws[i], p.maxWidth ?? Infinity));
      row.forEach((p, i) => {
        bodies.push(p.figure.body(inner[i], 0));
        rowH = Math.max(rowH, bodies[i].height);
      });
      row.forEach((_, i) => {
        parts.push(...headers[i].parts);
        const dx = xs[i] + Math.floor((ws[i] - inner[i]) / 2);
        parts.push(`<g transform="translate(${dx},${y + headerH})">${bodies[i].parts.join("")}</g>`);
      });
      y += headerH + rowH + GAP_Y;
    }
    return { parts, height: y - top - GAP_Y };
  };
  return makeFigure(options, body);
}
