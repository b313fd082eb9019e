/**
 * Errors raised inside a worker, for the main thread: one line (the worker's message with its line
 * breaks folded), the worker's stack kept for `DEBUG=1` (the CLI prints `stack` only then).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workerError } from "./worker_error.ts";
 * const e = workerError("Cannot decode image a.jpg: expected a JPEG\nVipsJpeg: premature end", "Error: ...\n    at x");
 * assert.equal(e.message, "Cannot decode image a.jpg: expected a JPEG; VipsJpeg: premature end");
 * assert.match(e.stack!, /at x/);
 * ```
 */
export function workerError(message: string, stack?: string): Error {
  const line = String(message).split(/\r?\n/).map((l) => l.trim()).filter(Boolean).join("; ");
  const err = new Error(line || "a worker failed without a message");
  if (stack) err.stack = `${err.message}\n(worker stack)\n${stack}`;
  return err;
}
