/**
 * Rich display of tables in notebooks: an object that the Deno Jupyter kernel shows as an HTML
 * table (with a Markdown and plain-text fallback).
 *
 * @example
 * ```ts
 * import { displayTable } from "./display.ts";
 * const t = displayTable([{ a: 1, b: 0.123456 }], { digits: 3 });
 * t.html.includes("0.123"); // true
 * ```
 */
import { formatCell, formatRecords, recordColumns, tableFootnote } from "../util/table_format.ts";
import { escapeXml as esc } from "../util/escape.ts";

export interface DisplayTableOptions {
  caption?: string;
  digits?: number;
  columns?: readonly string[];
  /** Show at most this many rows (default 60); the rest are counted. */
  maxRows?: number;
  /** Columns holding p-values (2 significant digits, "< 0.0001" below). */
  pValueColumns?: readonly string[];
  /** Why values are "n/a" (the footnote shown when the table has any). */
  naNote?: string;
}

/** A table that displays as HTML in Jupyter. */
export function displayTable<T extends object>(records: readonly T[], options: DisplayTableOptions = {}) {
  const columns = options.columns ?? recordColumns(records);
  const maxRows = options.maxRows ?? 60;
  const shown = records.slice(0, maxRows);
  const pColumns = new Set(options.pValueColumns ?? []);
  const fmt = (v: unknown, c: string) => formatCell(v, { digits: options.digits, pValue: pColumns.has(c) });
  const caption = options.caption;
  const footnote = tableFootnote(
    shown.map((r) => columns.map((c) => (r as Record<string, unknown>)[c])),
    options.naNote,
  );
  const more = records.length > maxRows
    ? `<tr><td colspan="${columns.length}">… ${records.length - maxRows} more rows</td></tr>`
    : "";
  const html =
    `<table>${caption ? `<caption style="text-align:left;font-weight:bold">${esc(caption)}</caption>` : ""}` +
    `<thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>` +
    shown.map((r) => {
      const rec = r as Record<string, unknown>;
      return `<tr>${
        columns.map((c) =>
          `<td style="text-align:${typeof rec[c] === "number" ? "right" : "left"}">${esc(fmt(rec[c], c))}</td>`
        ).join("")
      }</tr>`;
    }).join("") +
    `${more}</tbody>${
      footnote ? `<tfoot><tr><td colspan="${columns.length}"><em>${esc(footnote)}</em></td></tr></tfoot>` : ""
    }</table>`;
  const markdown = formatRecords(shown, "md", {
    columns,
    digits: options.digits,
    caption: options.caption,
    pValueColumns: options.pValueColumns,
    naNote: options.naNote,
  });
  return {
    html,
    markdown,
    records,
    [Symbol.for("Jupyter.display")]() {
      return { "text/html": html, "text/markdown": markdown, "text/plain": markdown };
    },
  };
}
