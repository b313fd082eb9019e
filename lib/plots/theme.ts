/**
 * Shared figure layout: font sizes and paper widths. Colours live in palette.ts, the font and its
 * metrics in fonts.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PAPER_WIDTHS, PX_PER_INCH } from "./theme.ts";
 * assert.equal(PAPER_WIDTHS.twoColumn * PX_PER_INCH, 672);
 * ```
 *
 * @module
 */

/** Font sizes in CSS px (1 px = 0.75 pt at the export's 96 px per inch). */
export const FONT_SIZES: Readonly<{
  /** Axis tick labels. */
  tick: number;
  /** Axis labels. */
  label: number;
  /** Figure titles (bold). */
  title: number;
  /** Subtitles. */
  subtitle: number;
  /** Captions. */
  caption: number;
  /** Text inside charts (e.g. the values in matrix cells). */
  annotation: number;
  /** The SYNTHETIC mark inside exported images. */
  mark: number;
  /** Panel letters (a, b, ...) of multi-panel figures. */
  letter: number;
}> = Object.freeze({
  tick: 10,
  label: 11,
  title: 14,
  subtitle: 11,
  caption: 10,
  annotation: 9,
  /** The SYNTHETIC mark inside exported images. */
  mark: 8,
  /** Panel letters (a, b, ...) of multi-panel figures. */
  letter: 14,
});

/** Target widths for export, in inches: a single column and a full page width of a two-column journal. */
export const PAPER_WIDTHS: Readonly<{ oneColumn: number; twoColumn: number }> = Object.freeze({
  oneColumn: 3.5,
  twoColumn: 7.0,
});

/** CSS pixels per inch (SVG user units at export). */
export const PX_PER_INCH = 96;

/** The default on-screen width of a figure, in px. */
export const SCREEN_WIDTH = 672;
