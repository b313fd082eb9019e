/**
 * A progress reporter for long work: count, rate and ETA, written to stderr at most every
 * `intervalMs` (and at the end). On a terminal it redraws one line; elsewhere (CI logs, Jupyter) it
 * prints a line per update, so that notebooks show progress too.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.ts";
 * const bar = new Progress("features", 100, { quiet: true });
 * for (let i = 0; i < 100; i++) bar.tick();
 * bar.done(); // "features 100/100 ..."
 * ```
 */
export interface ProgressOptions {
  /** Minimum time between printed updates, in ms (default 2000). */
  intervalMs?: number;
  /** Unit shown in the rate (default "it"). */
  unit?: string;
  /** Print nothing (the summary is still returned by done()). */
  quiet?: boolean;
  /** Where lines go (default: stderr). */
  write?: (line: string) => void;
}

export class Progress {
  readonly label: string;
  readonly total: number;
  #count = 0;
  #start = performance.now();
  #last = 0;
  #opts: Required<Omit<ProgressOptions, "write">> & { write: (line: string) => void };
  #tty: boolean;

  constructor(label: string, total: number, options: ProgressOptions = {}) {
    this.label = label;
    this.total = total;
    this.#tty = !options.write && Deno.stderr.isTerminal();
    this.#opts = {
      intervalMs: options.intervalMs ?? 2000,
      unit: options.unit ?? "it",
      quiet: options.quiet ?? false,
      write: options.write ?? ((line) => Deno.stderr.writeSync(new TextEncoder().encode(line))),
    };
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
      this.#print(false);
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
    if (!this.#opts.quiet) this.#print(true);
    return l;
  }

  #print(final: boolean): void {
    if (this.#opts.quiet) return;
    const l = this.line();
    if (this.#tty) this.#opts.write(`\r${l}\x1b[K${final ? "\n" : ""}`);
    else this.#opts.write(l + "\n");
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
