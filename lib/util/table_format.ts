/**
 * Formatting tables (column names + rows of plain values) as Markdown, LaTeX (booktabs), CSV or
 * JSON, so that every table the toolkit produces can be exported in each format.
 *
 * For readers (Markdown, LaTeX, notebook displays) a NaN number is shown as "n/a" and a footnote
 * under the table says why (`naNote`); p-value columns show two significant digits and "< 0.0001" below that. CSV and
 * JSON keep every value as computed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPValue, formatTable } from "./table_format.ts";
 * assert.equal(formatTable(["a", "b"], [[1, "x"]], "md"), "| a | b |\n|---|---|\n| 1 | x |\n");
 * assert.equal(formatPValue(0.01667385), "0.017");
 * assert.equal(formatPValue(0.00002), "< 0.0001");
 * ```
 *
 * @module
 */
import { toCsv } from "./csv.ts";

/** A table format: CSV, Markdown, JSON (records) or LaTeX (booktabs). */
export type TableFormat = "csv" | "md" | "json" | "tex";
/** Every {@linkcode TableFormat}, in the order the CLI lists them. */
export const TABLE_FORMATS: readonly TableFormat[] = ["csv", "md", "json", "tex"];

/** Options of {@linkcode formatTable} and {@linkcode formatRecords}. */
export interface FormatOptions {
  /** LaTeX caption / Markdown heading (optional). */
  caption?: string;
  /** Digits after the decimal point for non-integer numbers in md/tex (default: as given). */
  digits?: number;
  /** Columns holding p-values: shown with 2 significant digits, "< 0.0001" below (md/tex). */
  pValueColumns?: readonly string[];
  /** Why values are "n/a" in this table: the footnote under it when it shows any (default NOT_APPLICABLE_NOTE). */
  naNote?: string;
}

/** The default footnote of a table showing "n/a". */
export const NOT_APPLICABLE_NOTE = "n/a: does not apply here.";

/**
 * A p-value for reading: 2 significant digits, "< 0.0001" below 0.0001, "n/a" when missing.
 * @throws {RangeError} on a number outside [0, 1].
 */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return "n/a";
  if (p < 0 || p > 1) throw new RangeError(`Cannot format p-value: expected a number in [0, 1], found ${p}`);
  if (p < 0.0001) return "< 0.0001";
  return String(Number(p.toPrecision(2)));
}

/** One value as a reader sees it: "n/a" for a missing or NaN number, fixed digits for non-integers. */
export function formatCell(v: unknown, options: { digits?: number; pValue?: boolean } = {}): string {
  if (options.pValue && (typeof v === "number" || v === null || v === undefined)) return formatPValue(v);
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "n/a";
    return options.digits !== undefined && !Number.isInteger(v) ? v.toFixed(options.digits) : String(v);
  }
  return v === null || v === undefined ? "" : String(v);
}

/** True when some number of the table is NaN, which the table shows as "n/a". */
export function showsNotApplicable(rows: readonly (readonly unknown[])[]): boolean {
  return rows.some((r) => r.some((v) => typeof v === "number" && Number.isNaN(v)));
}

/** The footnote under a table: `naNote` (or the default) when the table shows n/a, else null. */
export function tableFootnote(rows: readonly (readonly unknown[])[], naNote?: string): string | null {
  return showsNotApplicable(rows) ? naNote ?? NOT_APPLICABLE_NOTE : null;
}

/** Escapes the characters LaTeX treats specially (\\ & % $ # _ { } ~ ^). */
export function latexEscape(s: string): string {
  return s.replace(
    /[\\&%$#_{}~^]/g,
    (
      c,
    ) => (c === "\\"
      ? "\\textbackslash{}"
      : c === "~"
      ? "\\textasciitilde{}"
      : c === "^"
      ? "\\textasciicircum{}"
      : `\\${c}`),
  );
}

/**
 * Formats a table.
 * @throws {RangeError} on an unknown format or a row whose length differs from the header's.
 */
export function formatTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  format: TableFormat,
  options: FormatOptions = {},
): string {
  rows.forEach((r, i) => {
    if (r.length !== columns.length) {
      throw new RangeError(`Cannot format table: expected ${columns.length} values in row ${i}, found ${r.length}`);
    }
  });
  const p = new Set(options.pValueColumns ?? []);
  const cell = (v: unknown, i: number) => formatCell(v, { digits: options.digits, pValue: p.has(columns[i]) });
  const caption = options.caption;
  const footnote = tableFootnote(rows, options.naNote);
  switch (format) {
    case "csv":
      return toCsv(columns, rows);
    case "json":
      return JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]]))), null, 2) + "\n";
    case "md": {
      const esc = (s: string) => s.replaceAll("|", "\\|");
      const lines = [
        `| ${columns.map(esc).join(" | ")} |`,
        `|${columns.map(() => "---").join("|")}|`,
        ...rows.map((r) => `| ${r.map((v, i) => esc(cell(v, i))).join(" | ")} |`),
      ];
      return (caption ? `**${caption}**\n\n` : "") + lines.join("\n") + "\n" + (footnote ? `\n_${footnote}_\n` : "");
    }
    case "tex": {
      const align = columns.map((_, i) => (rows.every((r) => typeof r[i] === "number") ? "r" : "l")).join("");
      const lines = [
        "\\begin{table}[ht]",
        "\\centering",
        ...(caption ? [`\\caption{${latexEscape(caption)}}`] : []),
        `\\begin{tabular}{${align}}`,
        "\\toprule",
        columns.map(latexEscape).join(" & ") + " \\\\",
        "\\midrule",
        ...rows.map((r) => r.map((v, i) => latexEscape(cell(v, i))).join(" & ") + " \\\\"),
        "\\bottomrule",
        "\\end{tabular}",
        ...(footnote ? [`\\par\\smallskip{\\footnotesize ${latexEscape(footnote)}}`] : []),
        "\\end{table}",
      ];
      return lines.join("\n") + "\n";
    }
    default:
      throw new RangeError(
        `Cannot format table: expected a format among ${TABLE_FORMATS.join(", ")}, found "${format}"`,
      );
  }
}

/** Every key of the records, in order of first appearance (a later record may add columns). */
export function recordColumns<T extends object>(records: readonly T[]): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Formats records (objects) as a table, columns from all records (first appearance) unless given. */
export function formatRecords<T extends object>(
  records: readonly T[],
  format: TableFormat,
  options: FormatOptions & { columns?: readonly string[] } = {},
): string {
  const columns = options.columns ?? recordColumns(records);
  return formatTable(
    columns,
    records.map((r) => columns.map((c) => (r as Record<string, unknown>)[c])),
    format,
    options,
  );
}
