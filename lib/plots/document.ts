/**
 * A headless DOM document for Observable Plot (linkedom), shared by all figures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headlessDocument } from "./document.ts";
 * assert.equal(headlessDocument(), headlessDocument()); // one shared document
 * assert.equal(headlessDocument().createElement("svg").tagName, "SVG"); // an HTML document: tag names in upper case
 * ```
 *
 * @module
 */
import { parseHTML } from "linkedom";

let cached: Document | null = null;

/** A document to pass to `Plot.plot({ document })`. */
export function headlessDocument(): Document {
  cached ??= parseHTML("<!DOCTYPE html><html><head></head><body></body></html>").document as unknown as Document;
  return cached;
}
