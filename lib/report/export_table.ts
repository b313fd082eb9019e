/**
 * Exporting a table for papers: CSV, Markdown, LaTeX, JSON and Parquet side by side, all from one
 * DataFrame (the one a notebook shows), with a manifest that records provenance; every file written
 * atomically. CSV, JSON and Parquet keep full precision; Markdown and LaTeX round to `digits`.
 *
 * @example
 * ```ts ignore
 * import { exportTable } from "./export_table.ts";
 * exportTable("outputs/01_dataset", "table1", table1Frame, prov, { caption: "Table 1" });
 * ```
 */
import { join } from "node:path";
import { writeJsonAtomic, writeTextAtomic } from "../util/fs.ts";
import type { Provenance } from "../util/provenance.ts";
import { formatRecords, TABLE_FORMATS } from "../util/table_format.ts";
import { DataFrame, frameOf, recordsOf } from "./frames.ts";

export interface ExportTableOptions {
  columns?: readonly string[];
  caption?: string;
  /** Decimal digits in Markdown/LaTeX (CSV/JSON keep full precision). */
  digits?: number;
  /** Columns holding p-values (Markdown/LaTeX: 2 significant digits, "< 0.0001" below). */
  pValueColumns?: readonly string[];
  /** Why values are "n/a" (Markdown/LaTeX footnote when the table shows any). */
  naNote?: string;
}

/**
 * Writes a table (a DataFrame, or records made into one) as name.{csv,md,tex,json,parquet} and
 * name.manifest.json into `dir`; returns the paths.
 * @throws {RangeError} on a name that is not a plain file name.
 */
export function exportTable<T extends object>(
  dir: string,
  name: string,
  table: DataFrame | readonly T[],
  prov: Provenance,
  options: ExportTableOptions = {},
): string[] {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new RangeError(
      `Cannot export table: expected a file name of letters, digits, '.', '_' or '-', found "${name}"`,
    );
  }
  const frame = isFrame(table)
    ? (options.columns ? table.select(...options.columns) : table)
    : frameOf(table, { columns: options.columns });
  const records = recordsOf(frame);
  const caption = options.caption && prov.synthetic_data ? `${options.caption} (SYNTHETIC data)` : options.caption;
  const files = TABLE_FORMATS.map((format) => {
    const p = join(dir, `${name}.${format}`);
    const precise = format === "csv" || format === "json";
    writeTextAtomic(
      p,
      formatRecords(records, format, {
        columns: options.columns,
        caption: format === "md" || format === "tex" ? caption : undefined,
        digits: precise ? undefined : options.digits,
        pValueColumns: precise ? undefined : options.pValueColumns,
        naNote: options.naNote,
      }),
    );
    return p;
  });
  const parquet = join(dir, `${name}.parquet`);
  const tmp = `${parquet}.tmp-${Deno.pid}`;
  frame.writeParquet(tmp);
  Deno.renameSync(tmp, parquet);
  files.push(parquet);
  const manifest = join(dir, `${name}.manifest.json`);
  writeJsonAtomic(manifest, {
    ...prov,
    table: name,
    caption: caption ?? null,
    files: files.map((f) => f.slice(dir.length + 1)),
  });
  return [...files, manifest];
}

function isFrame<T>(t: DataFrame | readonly T[]): t is DataFrame {
  return !Array.isArray(t);
}
