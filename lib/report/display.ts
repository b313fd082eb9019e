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
import { formatRecords } from "../util/table_format.ts";
import { escapeXml as esc } from "../util/escape.ts";

export interface DisplayTableOptions {
  caption?: string;
  digits?: number;
  columns?: readonly string[];
  /** Show at most this many rows (default 60); the rest are counted. */
  maxRows?: number;
}

/** A table that displays as HTML in Jupyter. */
export function displayTable<T extends object>(records: readonly T[], options: DisplayTableOptions = {}) {
  const columns = options.columns ?? (records.length ? Object.keys(records[0]) : []);
  const maxRows = options.maxRows ?? 60;
  const shown = records.slice(0, maxRows);
  const fmt = (v: unknown) =>
    typeof v === "number"
      ? (Number.isNaN(v)
        ? "NaN"
        : options.digits !== undefined && !Number.isInteger(v)
        ? v.toFixed(options.digits)
        : String(v))
      : v == null
      ? ""
      : String(v);
  const more = records.length > maxRows
    ? `<tr><td colspan="${columns.length}">… ${records.length - maxRows} more rows</td></tr>`
    : "";
  const html =
    `<table>${
      options.caption ? `<caption style="text-align:left;font-weight:bold">${esc(options.caption)}</caption>` : ""
    }` +
    `<thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>` +
    shown.map((r) => {
      const rec = r as Record<string, unknown>;
      return `<tr>${
        columns.map((c) =>
          `<td style="text-align:${typeof rec[c] === "number" ? "right" : "left"}">${esc(fmt(rec[c]))}</td>`
        ).join("")
      }</tr>`;
    }).join("") +
    `${more}</tbody></table>`;
  const markdown = formatRecords(shown, "md", { columns, digits: options.digits, caption: options.caption });
  return {
    html,
    markdown,
    records,
    [Symbol.for("Jupyter.display")]() {
      return { "text/html": html, "text/markdown": markdown, "text/plain": markdown };
    },
  };
}
