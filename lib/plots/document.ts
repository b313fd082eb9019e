/**
 * A headless DOM document for Observable Plot (linkedom), shared by all figures.
 *
 * @example
 * ```ts
 * import { headlessDocument } from "./document.ts";
 * headlessDocument().createElement("svg").tagName; // "svg"
 * ```
 */
import { parseHTML } from "linkedom";

let cached: Document | null = null;

/** A document to pass to `Plot.plot({ document })`. */
export function headlessDocument(): Document {
  cached ??= parseHTML("<!DOCTYPE html><html><head></head><body></body></html>").document as unknown as Document;
  return cached;
}
