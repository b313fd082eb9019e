/**
 * Formatting tables (column names + rows of plain values) as Markdown, LaTeX (booktabs), CSV or
 * JSON, so that every table the toolkit produces can be exported in each format.
 *
 * @example
 * ```ts
 * import { formatTable } from "./table_format.ts";
 * formatTable(["a", "b"], [[1, "x"]], "md"); // "| a | b |\n|---|---|\n| 1 | x |\n"
 * ```
 */
import { toCsv } from "./csv.ts";

export type TableFormat = "csv" | "md" | "json" | "tex";
export const TABLE_FORMATS: readonly TableFormat[] = ["csv", "md", "json", "tex"];

export interface FormatOptions {
  /** LaTeX caption / Markdown heading (optional). */
  caption?: string;
  /** Digits after the decimal point for non-integer numbers in md/tex (default: as given). */
  digits?: number;
}

function cell(v: unknown, digits?: number): string {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    return digits !== undefined && !Number.isInteger(v) ? v.toFixed(digits) : String(v);
  }
  return v === null || v === undefined ? "" : String(v);
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
        ...rows.map((r) => `| ${r.map((v) => esc(cell(v, options.digits))).join(" | ")} |`),
      ];
      return (options.caption ? `**${options.caption}**\n\n` : "") + lines.join("\n") + "\n";
    }
    case "tex": {
      const align = columns.map((_, i) => (rows.every((r) => typeof r[i] === "number") ? "r" : "l")).join("");
      const lines = [
        "\\begin{table}[ht]",
        "\\centering",
        ...(options.caption ? [`\\caption{${latexEscape(options.caption)}}`] : []),
        `\\begin{tabular}{${align}}`,
        "\\toprule",
        columns.map(latexEscape).join(" & ") + " \\\\",
        "\\midrule",
        ...rows.map((r) => r.map((v) => latexEscape(cell(v, options.digits))).join(" & ") + " \\\\"),
        "\\bottomrule",
        "\\end{tabular}",
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

/** Formats records (objects) as a table, columns from the first record unless given. */
export function formatRecords<T extends object>(
  records: readonly T[],
  format: TableFormat,
  options: FormatOptions & { columns?: readonly string[] } = {},
): string {
  const columns = options.columns ?? (records.length ? Object.keys(records[0]) : []);
  return formatTable(
    columns,
    records.map((r) => columns.map((c) => (r as Record<string, unknown>)[c])),
    format,
    options,
  );
}
