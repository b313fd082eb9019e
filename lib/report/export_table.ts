/**
 * Exporting a table for papers: CSV, Markdown, LaTeX, JSON and Parquet side by side, all from one
 * DataFrame (the one a notebook shows), with a manifest that records provenance; every file written
 * atomically. CSV, JSON and Parquet keep full precision; Markdown and LaTeX round to `digits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { provenance } from "../util/provenance.ts";
 * import { exportTable } from "./export_table.ts";
 * const dir = Deno.makeTempDirSync();
 * const prov = provenance({ run_id: "demo", data_fingerprint: "abc", synthetic_data: true });
 * const files = exportTable(dir, "table1", [{ split: "test", n: 395 }], prov, { caption: "Table 1" });
 * assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), [
 *   "table1.csv",
 *   "table1.md",
 *   "table1.json",
 *   "table1.tex",
 *   "table1.parquet",
 *   "table1.manifest.json",
 * ]);
 * assert.equal(Deno.readTextFileSync(`${dir}/table1.csv`), "split,n\ntest,395\n");
 * assert.ok(Deno.readTextFileSync(`${dir}/table1.md`).startsWith("**Table 1 (SYNTHETIC data)**\n"));
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { writeJsonAtomic, writeTextAtomic } from "../util/fs.ts";
import type { Provenance } from "../util/provenance.ts";
import { formatRecords, TABLE_FORMATS } from "../util/table_format.ts";
import { DataFrame, frameOf, recordsOf } from "./frames.ts";

/** Options of {@linkcode exportTable}. */
export interface ExportTableOptions {
  /** The columns to write, in order (default: all the frame's). */
  columns?: readonly string[];
  /** The table's caption (Markdown/LaTeX, and the manifest). */
  caption?: string;
  /** Decimal digits in Markdown/LaTeX (CSV/JSON keep full precision). */
  digits?: number;
  /** Columns holding p-values (Markdown/LaTeX: 2 significant digits, "< 0.0001" below). */
  pValueColumns?: readonly string[];
  /** Why values are "n/a" (Markdown/LaTeX footnote when the table shows any). */
  naNote?: string;
}

/**
 * Writes a table (a DataFrame, or records made into one) as name.{csv,md,json,tex,parquet} and
 * name.manifest.json into `dir`, each atomically; returns the paths. On synthetic data (`prov`) the
 * caption says so.
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
