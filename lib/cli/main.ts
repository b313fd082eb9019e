/**
 * The toolkit's command line: `deno task cli <command> [options]`, `--help` on every command.
 *
 * @example
 * ```sh
 * deno task cli table1 --data /path/to/release_v0 --format md
 * deno task cli synth --out /tmp/synth --cases 100 --seed 1
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMMANDS, usage } from "./main.ts";
 * assert.ok(COMMANDS.some((c) => c.name === "train"));
 * assert.match(usage(), /^Usage: deno task cli <command> \[options\]/);
 * ```
 *
 * @module
 */
import { Command, parseCommandArgs } from "./command.ts";
import { UsageError } from "./options.ts";
import { INTERRUPTED_EXIT_CODE, InterruptedError } from "../util/interrupt.ts";
import { foldsCommand, labelsCommand, synthCommand, table1Command } from "./commands/data.ts";
import { compareCommand } from "./commands/compare.ts";
import { predictCommand, trainCommand } from "./commands/model.ts";
import { reportCommand } from "./commands/report.ts";
import { mclassCommand } from "./commands/mclass.ts";
import { cardCommand, caseCommand } from "./commands/explain.ts";
import { extractCommand } from "./commands/features.ts";
import { studyCommand, tuneCommand } from "./commands/study.ts";

/** Every command, in the order the usage text lists them. */
export const COMMANDS: Command[] = [
  table1Command,
  labelsCommand,
  foldsCommand,
  synthCommand,
  extractCommand,
  compareCommand,
  trainCommand,
  predictCommand,
  reportCommand,
  studyCommand,
  tuneCommand,
  mclassCommand,
  caseCommand,
  cardCommand,
];

/** The usage text: every command with its summary, and where the data is taken from. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Usage: deno task cli <command> [options]   (each command has --help)",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Data location: --data DIR, else $DERM7PT_DIR, else the synthetic release in data/synthetic.",
  ].join("\n") + "\n";
}

/** A message on one line (a library's multi-line message folded). */
function oneLine(message: string): string {
  return message.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).join("; ");
}

/** An argument as the shell needs it typed. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * Runs the CLI on `argv`; returns the exit status: 0, 1 (an error: one line naming the file or
 * option and what was expected; `DEBUG=1` adds the stack), 2 (a usage error) or 130 (interrupted,
 * with the command that resumes).
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(
      `Cannot run "${name}": expected a command among ${COMMANDS.map((c) => c.name).join(", ")}.\n\n${usage()}`,
    );
    return 2;
  }
  try {
    const parsed = parseCommandArgs(cmd, rest);
    if (!parsed) return 0;
    await cmd.run(parsed.values, parsed.positionals);
    return 0;
  } catch (e) {
    const line = oneLine((e as Error)?.message ?? String(e));
    if (e instanceof UsageError) {
      console.error(`${line} (see "deno task cli ${cmd.name} --help")`);
      return 2;
    }
    if (e instanceof InterruptedError) {
      console.error(`interrupted: ${line}`);
      console.error(`resume with: deno task cli ${argv.map(shellQuote).join(" ")}`);
      return INTERRUPTED_EXIT_CODE;
    }
    console.error(`error: ${line}`);
    if (Deno.env.get("DEBUG")) console.error((e as Error).stack);
    else if (!(e as Error).message?.startsWith("Cannot ")) console.error("(DEBUG=1 prints the details)");
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
