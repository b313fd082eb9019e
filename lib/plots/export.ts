/**
 * Exporting figures for papers: a standalone SVG (fonts named, provenance in `<metadata>`), PNGs at
 * 300 dpi laid out at one- and two-column widths (text rendered with the bundled fonts; provenance
 * in a tEXt chunk), and a manifest JSON beside them listing the files and their provenance.
 *
 * @example
 * ```ts ignore
 * import { exportFigure } from "./export.ts";
 * exportFigure(fig, "outputs/figures", "table1_counts", provenanceRecord);
 * // -> table1_counts.svg, table1_counts.1col.png, table1_counts.2col.png, table1_counts.manifest.json
 * ```
 */
import { join } from "node:path";
import { writeBytesAtomic, writeJsonAtomic, writeTextAtomic } from "../util/fs.ts";
import type { Provenance } from "../util/provenance.ts";
import type { Figure } from "./figure.ts";
import { svgToPng } from "./png.ts";
import { PAPER_WIDTHS, PX_PER_INCH } from "./theme.ts";

export interface ExportOptions {
  /** Dots per inch of the PNGs (default 300). */
  dpi?: number;
  /** Also write a PNG of the on-screen layout (default false). */
  screenPng?: boolean;
}

/** What was written. */
export interface ExportedFigure {
  name: string;
  files: string[];
  manifest: string;
}

/** Writes `fig` as SVG + 1-column/2-column PNGs + manifest into `dir`, every file atomically. */
export function exportFigure(
  fig: Figure,
  dir: string,
  name: string,
  prov: Provenance,
  options: ExportOptions = {},
): ExportedFigure {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new RangeError(
      `Cannot export figure: expected a file name of letters, digits, '.', '_' or '-', found "${name}"`,
    );
  }
  const dpi = options.dpi ?? 300;
  const meta = { ...prov, figure: name, title: fig.options.title ?? null };
  const files: string[] = [];
  const svgPath = join(dir, `${name}.svg`);
  writeTextAtomic(svgPath, fig.svg(Math.round(PAPER_WIDTHS.twoColumn * PX_PER_INCH), meta));
  files.push(svgPath);
  for (const [tag, inches] of [["1col", PAPER_WIDTHS.oneColumn], ["2col", PAPER_WIDTHS.twoColumn]] as const) {
    const layoutWidth = Math.round(inches * PX_PER_INCH);
    const png = svgToPng(fig.svg(layoutWidth), {
      widthPx: Math.round(inches * dpi),
      text: { Title: fig.options.title ?? name, Software: "derm7pt-mgmt", Provenance: JSON.stringify(meta) },
    });
    const p = join(dir, `${name}.${tag}.png`);
    writeBytesAtomic(p, png);
    files.push(p);
  }
  const manifest = join(dir, `${name}.manifest.json`);
  writeJsonAtomic(manifest, {
    ...meta,
    files: files.map((f) => f.slice(dir.length + 1)),
    png_dpi: dpi,
    widths_in: PAPER_WIDTHS,
  });
  return { name, files, manifest };
}
