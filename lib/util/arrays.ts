/**
 * Concatenating typed arrays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes, concatFloat32 } from "./arrays.ts";
 * assert.deepEqual(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]), new Uint8Array([1, 2, 3]));
 * assert.deepEqual(concatFloat32([new Float32Array([1]), new Float32Array([2])]), new Float32Array([1, 2]));
 * ```
 *
 * @module
 */

/** One Uint8Array holding `parts` in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** One Float32Array holding `parts` in order. */
export function concatFloat32(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
