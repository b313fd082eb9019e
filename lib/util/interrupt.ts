/**
 * Interruption (Ctrl-C, SIGINT): long loops yield to the event loop now and then so that Deno can
 * run the SIGINT listener, and an interrupted job ends with an `InterruptedError` that says how to
 * resume; the CLI prints it and exits with status 130 (128 + SIGINT, as shells report).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InterruptedError, Yielder } from "./interrupt.ts";
 * const y = new Yielder(0);
 * await y.maybeYield(); // lets timers and signal listeners run
 * assert.ok(new InterruptedError("stopped") instanceof Error);
 * ```
 *
 * @module
 */

/** An interrupted job; its message says what was kept and how to resume. */
export class InterruptedError extends Error {
  /** The error's name, "InterruptedError". */
  override name = "InterruptedError";
}

/** The exit status of an interrupted command (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Yields to the event loop at most once per `everyMs` milliseconds (a macrotask, so signal
 * listeners and timers run; awaiting a resolved promise would not).
 */
export class Yielder {
  #last = performance.now();
  /** A yielder that lets the event loop run at most once per `everyMs` milliseconds (default 100). */
  constructor(readonly everyMs = 100) {}

  /** Yields to the event loop (a macrotask) when `everyMs` have passed since the last yield. */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#last < this.everyMs) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.#last = performance.now();
  }
}
