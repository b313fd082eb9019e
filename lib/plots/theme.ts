/**
 * Shared figure styling: a colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design"),
 * the bundled font, and paper widths.
 *
 * @example
 * ```ts
 * import { PALETTE, PAPER_WIDTHS } from "./theme.ts";
 * PALETTE.length; // 8
 * PAPER_WIDTHS.twoColumn; // 7.0 (inches)
 * ```
 */

/** Okabe-Ito colours, black last. */
export const PALETTE: readonly string[] = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#D55E00", // vermillion
  "#F0E442", // yellow
  "#000000",
];

/** Fixed colours of the study's two approaches, so that every figure agrees. */
export const APPROACH_COLORS = Object.freeze({ infr: "#E69F00", pred: "#0072B2" });

/** The font every exported figure names and bundles (DejaVu Sans from the npm package dejavu-fonts-ttf). */
export const FONT_FAMILY = "DejaVu Sans";

/** Font sizes in CSS px (1 px = 0.75 pt at the export's 96 px per inch). */
export const FONT_SIZES = Object.freeze({ tick: 10, label: 11, title: 14, subtitle: 11, caption: 10, annotation: 9 });

/** Target widths for export, in inches: a single column and a full page width of a two-column journal. */
export const PAPER_WIDTHS = Object.freeze({ oneColumn: 3.5, twoColumn: 7.0 });

/** CSS pixels per inch (SVG user units at export). */
export const PX_PER_INCH = 96;

/** The default on-screen width of a figure, in px. */
export const SCREEN_WIDTH = 672;
