/**
 * House rules: `deno lint` finds nothing and `deno fmt --check` passes in the library, tests, tools,
 * benchmarks and notebook sources; the benchmarks and tools, which no test imports, type-check
 * (`deno check`; lib/ and tests/ are checked by `deno test` itself, the notebooks by their own test).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../_helpers.ts";

Deno.test("deno lint: no problems in lib/, tests/, tools/, bench/, notebooks/src/", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["lint", "lib", "tests", "tools", "bench", "notebooks/src"],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout));
});

Deno.test("deno fmt: every source file is formatted with the settings of deno.json (deno fmt --check)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--check"],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  assert.ok(out.success, `run "deno fmt" to fix:\n${text.slice(0, 4000)}`);
});

Deno.test("deno check: every bench/*.ts and tools/*.ts type-checks", async () => {
  const files = ["bench", "tools"].flatMap((dir) =>
    [...Deno.readDirSync(join(PROJECT_ROOT, dir))]
      .filter((f) => f.isFile && f.name.endsWith(".ts"))
      .map((f) => `${dir}/${f.name}`)
  ).sort();
  assert.ok(files.includes("bench/gpu_check.ts") && files.includes("tools/build_notebooks.ts"), files.join(" "));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", ...files],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout));
});
