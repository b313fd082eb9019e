/**
 * House rules: `deno lint` finds nothing and `deno fmt --check` passes in the library, tests, tools,
 * benchmarks and notebook sources; the benchmarks and tools, which no test imports, type-check
 * (`deno check`; lib/ and tests/ are checked by `deno test` itself, the notebooks by their own test).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../_helpers.ts";

/** Runs `deno <args>` in the project root: whether it succeeded, and what it wrote (stderr, then stdout). */
async function deno(args: string[]): Promise<{ success: boolean; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { success: out.success, text: new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout) };
}

Deno.test("deno lint: no problems in lib/, tests/, tools/, bench/, notebooks/src/", async () => {
  const { success, text } = await deno(["lint", "lib", "tests", "tools", "bench", "notebooks/src"]);
  assert.ok(success, text);
});

Deno.test("deno fmt: every source file is formatted with the settings of deno.json (deno fmt --check)", async () => {
  const { success, text } = await deno(["fmt", "--check"]);
  assert.ok(success, `run "deno fmt" to fix:\n${text.slice(0, 4000)}`);
});

Deno.test("deno check: every bench/*.ts and tools/*.ts type-checks", async () => {
  const files = ["bench", "tools"].flatMap((dir) =>
    [...Deno.readDirSync(join(PROJECT_ROOT, dir))]
      .filter((f) => f.isFile && f.name.endsWith(".ts"))
      .map((f) => `${dir}/${f.name}`)
  ).sort();
  assert.ok(files.includes("bench/gpu_check.ts") && files.includes("tools/build_notebooks.ts"), files.join(" "));
  const { success, text } = await deno(["check", ...files]);
  assert.ok(success, text);
});
