/**
 * Tables as nodejs-polars DataFrames: built from records (`frameOf`), shown in a notebook as the
 * Deno kernel displays a DataFrame — an HTML table plus `application/vnd.dataresource+json`, which
 * JupyterLab shows as a grid — with reader-friendly rounding (`view`, `show`), and exported from the
 * same frame (export_table.ts), so what is shown and what is written cannot differ.
 *
 * Numbers are Float64 columns; a column that mixes numbers and strings holds strings, the numbers
 * written as `String(v)` (as the CSV export writes them), so no number changes on the way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameOf, view } from "./frames.ts";
 * const df = frameOf([{ model: "a", auroc: 0.81234, p: 0.00002 }, { model: "b", auroc: NaN, p: 0.04 }]);
 * assert.deepEqual(df.columns, ["model", "auroc", "p"]);
 * assert.deepEqual(view(df, { digits: 2, pValueColumns: ["p"] }).toRecords(), [
 *   { model: "a", auroc: "0.81", p: "< 0.0001" },
 *   { model: "b", auroc: "n/a", p: "0.04" },
 * ]);
 * ```
 *
 * @module
 */
import pl from "nodejs-polars";
import { formatCell, recordColumns, tableFootnote } from "../util/table_format.ts";
import { inJupyterKernel } from "../util/progress.ts";

/** A nodejs-polars DataFrame (the type every table of this module is). */
export type DataFrame = pl.DataFrame;

/**
 * A DataFrame of `records`: columns from every record in order of first appearance (or `columns`),
 * numbers as Float64, strings as String, booleans as Boolean, missing values as null.
 */
export function frameOf<T extends object>(
  records: readonly T[],
  options: { columns?: readonly string[] } = {},
): DataFrame {
  const columns = options.columns ?? recordColumns(records);
  return pl.DataFrame(
    columns.map((c) => {
      const values = records.map((r) => (r as Record<string, unknown>)[c] ?? null);
      const present = values.filter((v) => v !== null);
      if (present.length && present.every((v) => typeof v === "number")) return pl.Series(c, values, pl.Float64);
      if (present.length && present.every((v) => typeof v === "boolean")) return pl.Series(c, values, pl.Bool);
      return pl.Series(c, values.map((v) => (v === null ? null : String(v))), pl.Utf8);
    }),
  );
}

/** The rows of a frame as plain records (numbers, strings, booleans, null). */
export function recordsOf(df: DataFrame): Record<string, unknown>[] {
  return df.toRecords() as Record<string, unknown>[];
}

/** Options of {@linkcode view}. */
export interface ViewOptions {
  /** Digits after the decimal point for non-integer numbers (default: as computed). */
  digits?: number;
  /** Columns holding p-values: 2 significant digits, "< 0.0001" below. */
  pValueColumns?: readonly string[];
}

/**
 * The frame as a reader sees it: numbers rounded to `digits`, p-values formatted, NaN as "n/a", a
 * missing value blank. Numeric columns stay numeric (so the grid sorts them as numbers) unless they
 * hold p-values, NaN or missing values, which become text. The frame itself is not changed.
 */
export function view(df: DataFrame, options: ViewOptions = {}): DataFrame {
  const p = new Set(options.pValueColumns ?? []);
  return pl.DataFrame(
    df.getColumns().map((s) => {
      if (!s.dtype.equals(pl.Float64)) return s;
      const values = [...s.toArray()] as (number | null)[];
      if (p.has(s.name) || values.some((v) => v === null || Number.isNaN(v))) {
        // text: "n/a" for NaN, blank for a value the row does not have (e.g. accuracy on a per-class row)
        return pl.Series(
          s.name,
          values.map((v) => (v === null ? "" : formatCell(v, { digits: options.digits, pValue: p.has(s.name) }))),
          pl.Utf8,
        );
      }
      return options.digits === undefined ? s : s.round(options.digits);
    }),
  );
}

/** Options of {@linkcode show}. */
export interface ShowOptions extends ViewOptions {
  /** Shown above the table (Markdown). */
  caption?: string;
  /** Why values are "n/a": added to the caption when the table shows any. */
  naNote?: string;
  /** Show the first rows only (the frame keeps all). */
  head?: number;
}

/**
 * Shows a frame in a notebook: its caption (and n/a note) as Markdown, then the `view` of the frame,
 * returned so that a cell ending in `await show(df)` displays it as the kernel displays DataFrames.
 * Outside a notebook the caption is not shown; the view is still returned.
 */
export async function show(df: DataFrame, options: ShowOptions = {}): Promise<DataFrame> {
  const shown = options.head !== undefined ? df.head(options.head) : df;
  const rows = recordsOf(shown).map((r) => Object.values(r));
  const na = tableFootnote(rows, options.naNote) ?? "";
  const more = options.head !== undefined && df.height > options.head
    ? `first ${options.head} of ${df.height} rows`
    : "";
  const markdown = [
    options.caption ? `**${options.caption}**` : "",
    more ? `(${more})` : "",
    na ? `\n\n_${na}_` : "",
  ].filter(Boolean).join(" ").replace(" \n\n", "\n\n");
  if (markdown && inJupyterKernel()) {
    const jupyter = (Deno as unknown as {
      jupyter: { broadcast(type: string, content: Record<string, unknown>): Promise<void> | void };
    }).jupyter;
    await jupyter.broadcast("display_data", {
      data: { "text/markdown": markdown, "text/plain": markdown.replaceAll("**", "").replaceAll("_", "") },
      metadata: {},
      transient: {},
    });
  }
  return view(shown, options);
}
