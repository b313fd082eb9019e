/**
 * Command-line checks shared by every command, each giving one line that names the option and what
 * was expected: a stray positional argument (with the option it probably meant), parse errors of
 * node:util parseArgs folded into one line (with the `--lr=-1` hint for values starting with "-" and
 * the nearest option name for a typo), a folder option naming a file or a file option naming a
 * folder, and an option given without the option it depends on (`--k` without `--fold`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nearestOption, parseErrorLine } from "./checks.ts";
 * assert.equal(nearestOption("dta", ["data", "out", "format"]), "data");
 * assert.match(
 *   parseErrorLine("train", new Error("Option '--lr' argument is ambiguous.\nDid you forget ...")),
 *   /expected a value after --lr, found an option-like value; write --lr=-1/,
 * );
 * ```
 *
 * @module
 */
import type { OptionSpec } from "./options.ts";
import { exists, isDirectory } from "../util/fs.ts";

/** Edit distance (Levenshtein) between two short strings. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The option name closest to `name` (within 2 edits or a prefix), or null. */
export function nearestOption(name: string, options: readonly string[]): string | null {
  let best: string | null = null, bestD = 3;
  for (const o of options) {
    const dd = o.startsWith(name) && name.length >= 2 ? 1 : distance(name, o);
    if (dd < bestD) [best, bestD] = [o, dd];
  }
  return best;
}

/** A parseArgs error as one line, with the fix. */
export function parseErrorLine(cmd: string, e: Error, options: readonly string[] = []): string {
  const msg = e.message;
  const ambiguous = /Option '(--[\w-]+)' argument is ambiguous/.exec(msg);
  if (ambiguous) {
    const o = ambiguous[1];
    return `Cannot run "${cmd}": expected a value after ${o}, found an option-like value; write ${o}=-1 (with "=") to pass a value starting with "-"`;
  }
  const unknown = /Unknown option '([^']+)'/.exec(msg);
  if (unknown) {
    const near = nearestOption(unknown[1].replace(/^-+/, ""), options);
    return `Cannot run "${cmd}": expected one of its options, found unknown option "${unknown[1]}"${
      near ? `; did you mean --${near}?` : ""
    }`;
  }
  return `Cannot run "${cmd}": ${msg.split("\n").map((l) => l.trim()).filter(Boolean).join(" ")}`;
}

/**
 * The usage error for positional arguments (no command takes any), naming the option the value
 * probably belongs to: a folder goes with a DIR option, a file with a FILE option, anything else
 * with an option that takes a value.
 */
export function positionalLine(
  cmd: string,
  positionals: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
  given: ReadonlySet<string>,
): string {
  const value = positionals[0];
  const kind = isDirectory(value) ? "DIR" : exists(value) ? "FILE" : null;
  const takes = Object.entries(options).filter(([, o]) => o.type === "string");
  const fits = takes.filter(([name, o]) => !given.has(name) && (kind === null || (o.arg ?? "").includes(kind)));
  const guess = (fits[0] ?? takes.find(([name]) => !given.has(name)))?.[0];
  return `Cannot run "${cmd}": expected options only (--name value), found the argument "${value}"${
    positionals.length > 1 ? ` and ${positionals.length - 1} more` : ""
  }${guess ? `; did you mean --${guess} ${value}?` : ""}`;
}

/**
 * The first path option that names the wrong kind of thing: a DIR option naming an existing file,
 * or a FILE option naming an existing folder; null when all are fine.
 */
export function pathOptionLine(
  cmd: string,
  values: Readonly<Record<string, unknown>>,
  options: Readonly<Record<string, OptionSpec>>,
): string | null {
  for (const [name, o] of Object.entries(options)) {
    const arg = o.arg ?? "";
    const raw = values[name];
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (typeof v !== "string" || !v || !exists(v)) continue;
      if (arg === "DIR" && !isDirectory(v)) {
        return `Cannot run "${cmd}": expected --${name} to name a folder, found a file ${v}`;
      }
      if (arg === "FILE" && isDirectory(v)) {
        return `Cannot run "${cmd}": expected --${name} to name a file, found a folder ${v}`;
      }
    }
  }
  return null;
}

/** The first option given without the option it needs (e.g. --k without --fold); null when none. */
export function requiresLine(
  cmd: string,
  given: ReadonlySet<string>,
  requires: Readonly<Record<string, string>>,
): string | null {
  for (const [option, needed] of Object.entries(requires)) {
    if (given.has(option) && !given.has(needed)) {
      return `Cannot run "${cmd}": expected --${needed} with --${option} (it applies only to --${needed}), found --${option} alone`;
    }
  }
  return null;
}
