/**
 * The shape of a CLI command and the shared option parsing (node:util parseArgs, strict), with
 * `--help` for every command and errors that name the option and what was expected (checks.ts: no
 * positional arguments, folder/file options of the right kind, options that need another).
 */
import { parseArgs } from "node:util";
import { writeTextAtomic } from "../util/fs.ts";
import { type EngineChoice, ENGINES } from "../model/engine.ts";
import { parseErrorLine, pathOptionLine, positionalLine, requiresLine } from "./checks.ts";

export type OptionSpec = {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
  default?: string | boolean;
  /** One line for --help. */
  help: string;
  /** Placeholder shown in --help (e.g. DIR). */
  arg?: string;
};

export interface Command {
  name: string;
  summary: string;
  /** Extra text for --help (examples, notes). */
  description?: string;
  options: Record<string, OptionSpec>;
  /** Options that apply only with another option (e.g. `{ k: "fold" }`): given alone, a usage error. */
  requires?: Record<string, string>;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<void> | void;
}

/** Thrown for a bad command line; main prints the message and exits with status 2. */
export class UsageError extends Error {}

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

/** Parses argv for a command; returns null when --help was asked (and printed). */
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

/** A required string option, or a UsageError naming it. */
export function requireOption(cmd: string, values: Record<string, unknown>, name: string, what: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") {
    throw new UsageError(`Cannot run "${cmd}": expected --${name} ${what}, found none`);
  }
  return v;
}

/** An option that must be one of `choices`. */
export function choiceOption<T extends string>(
  cmd: string,
  values: Record<string, unknown>,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = (values[name] as string | undefined) ?? fallback;
  if (!choices.includes(v as T)) {
    throw new UsageError(`Cannot run "${cmd}": expected --${name} to be one of ${choices.join("|")}, found "${v}"`);
  }
  return v as T;
}

/** An integer option within [min, max]. */
export function intOption(
  cmd: string,
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  min = -Infinity,
  max = Infinity,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const v = /^\s*-?\d+\s*$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(
      `Cannot run "${cmd}": expected --${name} to be an integer${
        min === -Infinity && max === Infinity
          ? ""
          : max === Infinity
          ? ` >= ${min}`
          : min === -Infinity
          ? ` <= ${max}`
          : ` in [${min}, ${max}]`
      }, found "${raw}"`,
    );
  }
  return v;
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

/** The `--engine` option of every command that runs the frozen backbone. */
export const ENGINE_OPTION: OptionSpec = {
  type: "string",
  arg: ENGINES.join("|"),
  default: "auto",
  help: "engine of the frozen backbone: onnx (ONNX Runtime, every core), tfjs, auto = onnx where it loads",
};

/** The value of `--engine`. */
export function engineOption(cmd: string, values: Record<string, unknown>): EngineChoice {
  return choiceOption(cmd, values, "engine", ENGINES, "auto");
}
