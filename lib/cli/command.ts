/**
 * The shape of a CLI command and the shared option parsing (node:util parseArgs, strict), with
 * `--help` for every command and errors that name the option and what was expected (checks.ts: no
 * positional arguments, folder/file options of the right kind, options that need another).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Command, helpText, parseCommandArgs } from "./command.ts";
 * import { UsageError } from "./options.ts";
 * const demo: Command = {
 *   name: "demo",
 *   summary: "A demo.",
 *   options: { out: { type: "string", arg: "FILE", help: "output file" } },
 *   run() {},
 * };
 * assert.equal(parseCommandArgs(demo, ["--out", "x.csv"])?.values.out, "x.csv");
 * assert.throws(() => parseCommandArgs(demo, ["x.csv"]), (e) => e instanceof UsageError && /did you mean --out x\.csv\?/.test(e.message));
 * assert.equal(
 *   helpText(demo),
 *   "deno task cli demo [options]\n\nA demo.\n\nOptions:\n  --out FILE  output file\n  --help      show this help\n",
 * );
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeTextAtomic } from "../util/fs.ts";
import { parseErrorLine, pathOptionLine, positionalLine, requiresLine } from "./checks.ts";
import { type OptionSpec, UsageError } from "./options.ts";

/** One command of the CLI. */
export interface Command {
  /** Its name on the command line (`deno task cli <name>`). */
  name: string;
  /** One line for the list of commands and --help. */
  summary: string;
  /** Extra text for --help (examples, notes). */
  description?: string;
  /** Its options by name (`--<name>`); --help is added to every command. */
  options: Record<string, OptionSpec>;
  /** Options that apply only with another option (e.g. `{ k: "fold" }`): given alone, a usage error. */
  requires?: Record<string, string>;
  /** Runs the command on the parsed values; throws UsageError for a bad combination of options. */
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<void> | void;
}

/** The --help text of a command. */
export function helpText(cmd: Command): string {
  const lines = [`deno task cli ${cmd.name} [options]`, "", cmd.summary, "", "Options:"];
  const entries = Object.entries({ ...cmd.options, help: { type: "boolean", help: "show this help" } as OptionSpec });
  const width = Math.max(...entries.map(([k, o]) => `--${k}${o.arg ? " " + o.arg : ""}`.length));
  for (const [k, o] of entries) {
    const flag = `--${k}${o.arg ? " " + o.arg : ""}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${o.default})` : "";
    lines.push(`  ${flag.padEnd(width)}  ${o.help}${def}`);
  }
  if (cmd.description) lines.push("", cmd.description);
  return lines.join("\n") + "\n";
}

/**
 * Parses argv for a command; returns null when --help was asked (and printed).
 * @throws {UsageError} on an unknown option, a missing value, a positional argument, an option given
 * without the one it requires, or a folder/file option naming the wrong kind of path.
 */
export function parseCommandArgs(
  cmd: Command,
  argv: string[],
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } | null {
  const options: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string; default?: string | boolean }
  > = {
    help: { type: "boolean", short: "h" },
  };
  for (const [k, o] of Object.entries(cmd.options)) {
    options[k] = {
      type: o.type,
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(parseErrorLine(cmd.name, e as Error, Object.keys(cmd.options)));
  }
  if (parsed.values.help) {
    console.log(helpText(cmd));
    return null;
  }
  const given = new Set(parsed.tokens.flatMap((t) => (t.kind === "option" ? [t.name] : [])));
  if (parsed.positionals.length) {
    throw new UsageError(positionalLine(cmd.name, parsed.positionals, cmd.options, given));
  }
  const problem = requiresLine(cmd.name, given, cmd.requires ?? {}) ??
    pathOptionLine(cmd.name, parsed.values, cmd.options);
  if (problem) throw new UsageError(problem);
  return {
    values: parsed.values as Record<string, string | boolean | string[] | undefined>,
    positionals: parsed.positionals,
  };
}

/** Writes text to `--out FILE` (atomically) or to stdout. */
export function emit(text: string, out: unknown): void {
  if (typeof out === "string" && out) {
    writeTextAtomic(out, text);
    console.error(`wrote ${out}`);
  } else {
    Deno.stdout.writeSync(new TextEncoder().encode(text));
  }
}
