/**
 * Progress for long work: a reporter with count, rate and ETA (`Progress`), and the status line it
 * writes to. A status line updates in place wherever it is shown:
 *
 * - inside a Jupyter notebook (the Deno kernel): one display per step, updated with Jupyter's
 *   `update_display_data` (never stderr, which notebooks show as red error boxes);
 * - on a terminal: one line redrawn with a carriage return;
 * - elsewhere (CI logs, a piped stderr): one line per update (`Progress` sends one every 2 s at most).
 *
 * A long step that runs several jobs (e.g. training many runs) opens one status line and runs the
 * jobs inside `withStatusLine`, so that their own progress lands in that one line, prefixed.
 * Displays carry a `display_id` starting with `derm7pt-progress-`, which tools/nbrun.py relays to
 * the terminal of the main job.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Progress, statusLine, withStatusLine } from "./progress.ts";
 * const seen: string[] = [];
 * const step = statusLine({ write: (text) => seen.push(text) });
 * await withStatusLine(step.prefixed("run 1/2 · "), () => {
 *   const bar = new Progress("features", 10, { intervalMs: 0 });
 *   for (let i = 0; i < 10; i++) bar.tick();
 *   bar.done();
 *   return Promise.resolve();
 * });
 * assert.match(seen[seen.length - 1], /^run 1\/2 · features 10\/10 \(100%\)/);
 * ```
 *
 * @module
 */

/** Prefix of the Jupyter display ids of status lines. */
export const PROGRESS_DISPLAY_PREFIX = "derm7pt-progress-";

/** A line of status that is replaced by each update. */
export interface StatusLine {
  /** Shows `text` in place of the previous update. */
  update(text: string): void;
  /** Shows `text` (if given) as the final state. */
  done(text?: string): void;
  /** A view of this line whose updates start with `prefix`. */
  prefixed(prefix: string): StatusLine;
}

/** Options of {@linkcode statusLine}. */
export interface StatusLineOptions {
  /** Where updates go instead of the default (Jupyter display, terminal or stderr lines). */
  write?: (text: string, final: boolean) => void;
}

/** True inside the Deno Jupyter kernel (where `Deno.jupyter` exists). */
export function inJupyterKernel(): boolean {
  try {
    return typeof (Deno as unknown as { jupyter?: { broadcast?: unknown } }).jupyter?.broadcast === "function";
  } catch {
    return false; // Deno.jupyter throws outside `deno jupyter`
  }
}

type Broadcast = (type: string, content: Record<string, unknown>) => Promise<void> | void;

let displays = 0;

function jupyterWriter(): (text: string, final: boolean) => void {
  const broadcast = (Deno as unknown as { jupyter: { broadcast: Broadcast } }).jupyter.broadcast;
  const id = `${PROGRESS_DISPLAY_PREFIX}${Date.now().toString(36)}-${++displays}`;
  let shown = false;
  return (text) => {
    const type = shown ? "update_display_data" : "display_data";
    shown = true;
    const sent = broadcast(type, { data: { "text/plain": text }, metadata: {}, transient: { display_id: id } });
    Promise.resolve(sent).catch(() => {}); // a lost progress update is not worth failing the cell
  };
}

function streamWriter(): (text: string, final: boolean) => void {
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  return (text, final) => {
    Deno.stderr.writeSync(encoder.encode(tty ? `\r${text}\x1b[K${final ? "\n" : ""}` : `${text}\n`));
  };
}

function makeLine(write: (text: string, final: boolean) => void, prefix = ""): StatusLine {
  let latest = "";
  return {
    update(text) {
      latest = text;
      write(prefix + text, false);
    },
    done(text) {
      write(prefix + (text ?? latest), true);
    },
    prefixed(more) {
      return makeLine(write, prefix + more);
    },
  };
}

/**
 * A new status line: a Jupyter display inside a notebook, else a redrawn terminal line, else lines
 * on stderr (unless `write` is given).
 */
export function statusLine(options: StatusLineOptions = {}): StatusLine {
  const write = options.write ??
    (inJupyterKernel() ? jupyterWriter() : streamWriter());
  return makeLine(write);
}

let active: StatusLine | null = null;

/** Runs `fn` with `line` as the active status line: progress inside it updates that line. */
export async function withStatusLine<T>(line: StatusLine, fn: () => Promise<T>): Promise<T> {
  const previous = active;
  active = line;
  try {
    return await fn();
  } finally {
    active = previous;
  }
}

/**
 * Where a reporter's updates go: the active status line, else (inside a notebook) a display of its
 * own; null when neither, so that the caller keeps its plain output.
 */
export function notebookStatusLine(): StatusLine | null {
  return active ?? (inJupyterKernel() ? statusLine() : null);
}

/** Options of a {@linkcode Progress} reporter. */
export interface ProgressOptions {
  /** Minimum time between printed updates, in ms (default 2000). */
  intervalMs?: number;
  /** Unit shown in the rate (default "it"). */
  unit?: string;
  /** Print nothing (the summary is still returned by done()). */
  quiet?: boolean;
  /** Where lines go (default: the active status line, a notebook display, or stderr). */
  write?: (line: string) => void;
}

/** Counts finished items and reports count, rate and ETA. */
export class Progress {
  /** What is counted, e.g. "features". */
  readonly label: string;
  /** How many items there are in all. */
  readonly total: number;
  #count = 0;
  #start = performance.now();
  #last = -Infinity;
  #opts: { intervalMs: number; unit: string; quiet: boolean };
  #line: StatusLine | null;

  /** A reporter of `total` items labelled `label` (nothing is printed until the first `tick`). */
  constructor(label: string, total: number, options: ProgressOptions = {}) {
    this.label = label;
    this.total = total;
    this.#opts = {
      intervalMs: options.intervalMs ?? 2000,
      unit: options.unit ?? "it",
      quiet: options.quiet ?? false,
    };
    const write = options.write;
    this.#line = this.#opts.quiet
      ? null
      : write
      ? statusLine({ write: (text) => write(text + "\n") })
      : notebookStatusLine() ?? statusLine();
  }

  /** Seconds since the reporter was created. */
  get elapsed(): number {
    return (performance.now() - this.#start) / 1000;
  }

  /** Adds `n` finished items and prints an update when one is due. */
  tick(n = 1): void {
    this.#count += n;
    const now = performance.now();
    if (now - this.#last >= this.#opts.intervalMs) {
      this.#last = now;
      this.#line?.update(this.line());
    }
  }

  /** The current one-line summary. */
  line(): string {
    const t = this.elapsed;
    const rate = t > 0 ? this.#count / t : 0;
    const eta = rate > 0 ? (this.total - this.#count) / rate : NaN;
    const pct = this.total > 0 ? ((100 * this.#count) / this.total).toFixed(0) : "100";
    return `${this.label} ${this.#count}/${this.total} (${pct}%) ${rate.toFixed(2)} ${this.#opts.unit}/s, ` +
      `elapsed ${formatSeconds(t)}, ETA ${Number.isFinite(eta) ? formatSeconds(eta) : "?"}`;
  }

  /** Prints the final line and returns it. */
  done(): string {
    const l = this.line();
    this.#line?.done(l);
    return l;
  }
}

/** Formats seconds as "1h02m03s", "2m05s" or "4.2s". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s`
    : `${m}m${String(sec).padStart(2, "0")}s`;
}
