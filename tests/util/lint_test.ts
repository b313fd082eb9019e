/** House rules: `deno lint` finds nothing and `deno fmt --check` passes in the library, tests, tools, benchmarks and notebook sources. */
import assert from "node:assert/strict";
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
