/**
 * Escaping text for XML, SVG and HTML.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "./escape.ts";
 * assert.equal(escapeXml('a < b & "c"'), "a &lt; b &amp; &quot;c&quot;");
 * ```
 *
 * @module
 */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
