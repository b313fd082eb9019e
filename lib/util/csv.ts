/**
 * Reading and writing CSV (RFC 4180: comma-separated, double-quoted fields, "" escapes a quote).
 *
 * Parsing keeps each record's 1-based line number so that errors can name the file, line and
 * column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsv, toCsv } from "./csv.ts";
 * const t = parseCsv('a,b\n1,"x, y"\n', { file: "demo.csv" });
 * assert.deepEqual(t.header, ["a", "b"]);
 * assert.deepEqual(t.rows[0], { line: 2, values: ["1", "x, y"] });
 * assert.equal(toCsv(["a", "b"], [[1, "x, y"]]), 'a,b\n1,"x, y"\n');
 * ```
 *
 * @module
 */

/** One parsed record and the line of the file it starts on (1-based; the header is line 1). */
export interface CsvRecord {
  /** Line of the file the record starts on (1-based; the header is line 1). */
  line: number;
  /** The fields, unquoted. */
  values: string[];
}

/** A parsed CSV file. */
export interface CsvTable {
  /** The file named in error messages ("<csv>" when none was given). */
  file: string;
  /** Column names, trimmed (a leading byte-order mark removed). */
  header: string[];
  /** The records after the header, each with as many fields as the header. */
  rows: CsvRecord[];
}

/**
 * Parses CSV text with a header row.
 * @throws {SyntaxError} on an unterminated quote, a column name used twice in the header, or a record
 * with the wrong number of fields, naming the file and line.
 */
export function parseCsv(text: string, options: { file?: string } = {}): CsvTable {
  const file = options.file ?? "<csv>";
  const records = parseRecords(text, file);
  if (records.length === 0) throw new SyntaxError(`Cannot read ${file}: expected a header line, found an empty file`);
  const [head, ...rows] = records;
  const header = head.values.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, "") : h).trim());
  const first = new Map<string, number>();
  header.forEach((h, i) => {
    if (h !== "" && first.has(h)) {
      throw new SyntaxError(
        `Cannot read ${file} line ${head.line}, column ${
          i + 1
        }: expected unique column names, found "${h}" again (first in column ${first.get(h)! + 1})`,
      );
    }
    first.set(h, i);
  });
  for (const r of rows) {
    if (r.values.length !== header.length) {
      throw new SyntaxError(
        `Cannot read ${file} line ${r.line}: expected ${header.length} fields (${
          header.join(",")
        }), found ${r.values.length}`,
      );
    }
  }
  return { file, header, rows };
}

function parseRecords(text: string, file: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const values: string[] = [];
    let field = "";
    let endOfRecord = false;
    while (!endOfRecord) {
      if (i < n && text[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
            } else {
              i++;
              closed = true;
              break;
            }
          } else {
            if (c === "\n") line++;
            field += c;
            i++;
          }
        }
        if (!closed) throw new SyntaxError(`Cannot read ${file} line ${startLine}: unterminated quoted field`);
      }
      while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
      values.push(field);
      field = "";
      if (i >= n) endOfRecord = true;
      else if (text[i] === ",") i++;
      else {
        if (text[i] === "\r") i++;
        if (text[i] === "\n") i++;
        line++;
        endOfRecord = true;
      }
    }
    if (!(values.length === 1 && values[0] === "")) out.push({ line: startLine, values });
  }
  return out;
}

/** Formats one CSV field, quoting when needed. Numbers are written with full precision. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? (Number.isNaN(v) ? "NaN" : String(v)) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Formats a header and rows as CSV text with a trailing newline. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [header.map(csvField).join(",")];
  for (const r of rows) lines.push(r.map(csvField).join(","));
  return lines.join("\n") + "\n";
}
