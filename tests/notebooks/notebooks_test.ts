/**
 * The notebooks: committed without outputs and in sync with their sources, type-checked, and
 * executed headless through Jupyter with the Deno kernel (tools/nbrun.py) in the quick profile;
 * a failing cell or a missing expected output (cells tagged expect-figure / expect-table /
 * expect-output) fails the test.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkNotebook } from "../../tools/check_notebooks.ts";
import { PROJECT_ROOT, tempDir } from "../_helpers.ts";

const notebooks = [...Deno.readDirSync(join(PROJECT_ROOT, "notebooks"))]
  .filter((e) => e.name.endsWith(".ipynb"))
  .map((e) => e.name)
  .sort();

Deno.test("notebooks: committed without outputs, numbered, and in sync with notebooks/src", async () => {
  assert.ok(notebooks.length >= 1);
  for (const name of notebooks) {
    assert.match(name, /^\d\d_[a-z0-9_]+\.ipynb$/);
    const nb = JSON.parse(Deno.readTextFileSync(join(PROJECT_ROOT, "notebooks", name)));
    assert.equal(nb.metadata.kernelspec.name, "deno", name);
    for (const c of nb.cells) {
      if (c.cell_type === "code") {
        assert.deepEqual(c.outputs, [], `${name}: committed with outputs`);
        assert.equal(c.execution_count, null);
      }
    }
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "tools", "build_notebooks.ts"), "--check"],
    stdout: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stdout));
});

for (const name of notebooks) {
  Deno.test(`notebook ${name}: type-checks (deno check of its code cells)`, async () => {
    const r = await checkNotebook(join(PROJECT_ROOT, "notebooks", name));
    assert.ok(r.ok, r.output);
  });
}

const outputs = tempDir("derm7pt-nb-");
for (const name of notebooks) {
  Deno.test({
    name: `notebook ${name}: executes headless through Jupyter (quick profile), every expected output present`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const out = await new Deno.Command("/usr/bin/python3", {
        args: [
          join(PROJECT_ROOT, "tools", "nbrun.py"),
          join(PROJECT_ROOT, "notebooks", name),
          "--out",
          join(outputs, "notebooks", name),
          "--timeout",
          "900",
        ],
        env: { DERM7PT_PROFILE: "quick", DERM7PT_OUTPUTS: outputs, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
      assert.ok(out.success, log);
      const executed = JSON.parse(Deno.readTextFileSync(join(outputs, "notebooks", name)));
      const code = executed.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
      assert.ok(
        code.every((c: { outputs: { output_type: string }[] }) => c.outputs.every((o) => o.output_type !== "error")),
      );
    },
  });
}
