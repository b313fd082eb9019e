/**
 * Jobs run in module workers, one protocol for all of them: the main thread posts one job; the
 * worker posts `{ done: n }` as it progresses, then `{ finished: true }` or `{ error, stack }`.
 * `runWorker` is the main thread's side, `serveWorker` the worker's. Errors raised inside a worker
 * reach the main thread as one line (the worker's message with its line breaks folded), the worker's
 * stack kept for `DEBUG=1` (the CLI prints `stack` only then).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workerError } from "./worker.ts";
 * const e = workerError("Cannot decode image a.jpg: expected a JPEG\nVipsJpeg: premature end", "Error: ...\n    at x");
 * assert.equal(e.message, "Cannot decode image a.jpg: expected a JPEG; VipsJpeg: premature end");
 * assert.match(e.stack!, /at x/);
 * ```
 *
 * @module
 */
import { InterruptedError } from "./interrupt.ts";

/** A message from a worker: progress, the end, or the error that ended it. */
export type WorkerMessage = { done: number } | { finished: true } | { error: string; stack?: string; name?: string };

/**
 * An error of a worker as the main thread throws it: one line, the worker's stack kept; an interruption
 * (an error named "InterruptedError") stays an {@linkcode InterruptedError}, so Ctrl-C during work in
 * workers ends a command as it does in the main thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workerError } from "./worker.ts";
 * assert.equal(workerError("").message, "a worker failed without a message");
 * assert.equal(workerError("Interrupted: resume with the same command", undefined, "InterruptedError").name, "InterruptedError");
 * ```
 */
export function workerError(message: string, stack?: string, name?: string): Error {
  const line = String(message).split(/\r?\n/).map((l) => l.trim()).filter(Boolean).join("; ");
  const text = line || "a worker failed without a message";
  const err = name === "InterruptedError" ? new InterruptedError(text) : new Error(text);
  if (stack) err.stack = `${err.message}\n(worker stack)\n${stack}`;
  return err;
}

/** Options of {@linkcode runWorker}. */
export interface RunWorkerOptions {
  /** Called with the count of each `{ done: n }` message (progress). */
  onDone?: (n: number) => void;
  /** Put before the worker's message in the error, e.g. "Cannot render synthetic images" (default none). */
  context?: string;
}

/**
 * Runs `job` in a new module worker loaded from `url` (which answers with {@linkcode serveWorker}) and
 * resolves when it posts `{ finished: true }`; the worker is terminated either way.
 * @throws {Error} (rejects) with the worker's message on one line when it posts an error or fails to load;
 * an error of a worker that died without posting one (an uncaught error, a failed load) has `crashed: true`.
 */
export function runWorker<J>(url: URL, job: J, options: RunWorkerOptions = {}): Promise<void> {
  const fail = (message: string, stack?: string, name?: string) =>
    workerError(options.context ? `${options.context}: ${message}` : message, stack, name);
  return new Promise((resolve, reject) => {
    const w = new Worker(url, { type: "module" });
    w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if ("done" in m) options.onDone?.(m.done);
      else if ("finished" in m) {
        w.terminate();
        resolve();
      } else if ("error" in m) {
        w.terminate();
        reject(fail(m.error, m.stack, m.name));
      }
    };
    w.onerror = (e) => {
      e.preventDefault();
      w.terminate();
      // the worker died without posting its error (no `finally` of its job ran): callers may clean up
      reject(Object.assign(fail(e.message), { crashed: true }));
    };
    w.postMessage(job);
  });
}

/**
 * The worker's side of {@linkcode runWorker}: runs `work` on the job it receives, posting `{ done: n }`
 * for each `onDone(n)`, then `{ finished: true }`, or `{ error, stack }` when `work` throws.
 */
export function serveWorker<J>(work: (job: J, onDone: (n: number) => void) => Promise<void>): void {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent<J>) => void) | null;
    postMessage(message: WorkerMessage): void;
  };
  scope.onmessage = async (e) => {
    try {
      await work(e.data, (n) => scope.postMessage({ done: n }));
      scope.postMessage({ finished: true });
    } catch (err) {
      const e = err as Error;
      scope.postMessage({ error: e?.message ?? String(err), stack: e?.stack, name: e?.name });
    }
  };
}
