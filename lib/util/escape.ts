/**
 * Escaping text for XML, SVG and HTML.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./escape.ts";
 * escapeXml('a < b & "c"'); // "a &lt; b &amp; &quot;c&quot;"
 * ```
 */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
