/**
 * Content hashes (SHA-256, hex) for cache keys and data fingerprints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex } from "./hash.ts";
 * assert.equal(sha256Hex("abc").slice(0, 8), "ba7816bf"); // FIPS 180-2, appendix B.1
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";

/** SHA-256 of bytes or a string (UTF-8), as lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 of several parts, each length-prefixed so that ("ab","c") and ("a","bc") differ. */
export function sha256Parts(parts: readonly (Uint8Array | string)[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    const bytes = typeof p === "string" ? new TextEncoder().encode(p) : p;
    h.update(String(bytes.length) + ":");
    h.update(bytes);
  }
  return h.digest("hex");
}
