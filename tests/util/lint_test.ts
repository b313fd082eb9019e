/** House rules: `deno lint` finds nothing in the library, tests, tools, benchmarks and notebook sources. */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../_helpers.ts";

Deno.test("deno lint: no problems in lib/, tests/, tools/, bench/, notebooks/src/", async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["lint", "lib", "tests", "tools", "bench", "notebooks/src"], cwd: PROJECT_ROOT, env: { NO_COLOR: "1" }, stdout: "piped", stderr: "piped" }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout));
});
