/**
 * The notebook builder (tools/ipynb.py) and the structure checks (tools/notebook_structure.ts): prose
 * markers become markdown cells, a mistyped marker is refused with its line, and the checks catch what
 * the old builder produced (prose dropped, prose as comments at the end of a code cell, no title, no
 * closing section). Every committed notebook passes them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CLOSING_HEADING, structureProblems } from "../../tools/notebook_structure.ts";
import { PROJECT_ROOT, tempDir } from "../_helpers.ts";

async function build(
  source: string,
): Promise<{ ok: boolean; nb: { cells: { cell_type: string; source: string[] }[] } | null; stderr: string }> {
  const dir = tempDir("derm7pt-ipynb-");
  Deno.writeTextFileSync(join(dir, "src.ts"), source);
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [join(PROJECT_ROOT, "tools", "ipynb.py"), join(dir, "src.ts"), join(dir, "out.ipynb")],
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  return {
    ok: out.success,
    nb: out.success ? JSON.parse(Deno.readTextFileSync(join(dir, "out.ipynb"))) : null,
    stderr,
  };
}

const GOOD = [
  "// %% [markdown]",
  "// # 99 · A title",
  "//",
  "// What it shows.",
  "// %% code [expect-table]",
  "const x = 1;",
  "// %% [markdown]",
  "// ## A section",
  "// %% code",
  "x;",
  "// %% [markdown]",
  `// ${CLOSING_HEADING}`,
  "//",
  "// It shows x; it does not show y.",
  "",
].join("\n");

Deno.test("ipynb.py: every `// %% [markdown]` marker becomes a markdown cell without comment marks; tags are kept", async () => {
  const r = await build(GOOD);
  assert.ok(r.ok, r.stderr);
  assert.deepEqual(r.nb!.cells.map((c) => c.cell_type), ["markdown", "code", "markdown", "code", "markdown"]);
  assert.equal(r.nb!.cells[0].source.join(""), "# 99 · A title\n\nWhat it shows.");
  assert.deepEqual((r.nb!.cells[1] as unknown as { metadata: { tags: string[] } }).metadata.tags, ["expect-table"]);
  assert.equal(r.nb!.cells[1].source.join(""), "const x = 1;");
  assert.deepEqual(structureProblems("good", GOOD, r.nb!), []);
});

Deno.test("ipynb.py: a mistyped marker or a prose line that is not a comment is refused with its line", async () => {
  const typo = await build(GOOD.replace("// %% [markdown]\n// ## A section", "// %% markdown\n// ## A section"));
  assert.equal(typo.ok, false);
  assert.match(
    typo.stderr,
    /src\.ts:7: expected `\/\/ %% \[markdown\]` or `\/\/ %% code \[tags\]`, found '\/\/ %% markdown'/,
  );
  const bare = await build(GOOD.replace("// What it shows.", "What it shows."));
  assert.equal(bare.ok, false);
  assert.match(bare.stderr, /src\.ts:4: expected a `\/\/ ` prose line in a markdown cell, found 'What it shows\.'/);
});

Deno.test("structure checks: prose dropped or left as comments, no title, no closing section are each reported", () => {
  // what the old builder made of GOOD: the first marker unmatched (prose dropped), the others as comments
  const md = (s: string) => ({ cell_type: "markdown", source: [s] });
  const code = (s: string) => ({ cell_type: "code", source: [s] });
  const old = { cells: [code("const x = 1;\n// ## A section"), code(`x;\n// ${CLOSING_HEADING}\n//\n// It shows x.`)] };
  const problems = structureProblems("old", GOOD, old);
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.match(problems[0], /expected 3 markdown cells .* found 0/);
  assert.match(problems[1], /expected the first cell to be markdown opening with a "# " title/);
  assert.match(problems[2], /expected the last cell to be markdown starting "## What this notebook shows/);
  assert.match(problems[3], /code cell 0 to end in code, found a comment-only block/);
  assert.match(problems[4], /code cell 1 to end in code/);
  const titleOnly = { cells: [md("# T"), code("1;"), md(`${CLOSING_HEADING}\n\nIt shows x.`)] };
  const p2 = structureProblems("t", "// %% [markdown]\n// %% [markdown]\n", titleOnly);
  assert.deepEqual(p2.map((p) => p.replace(/:.*/, "")), ["t", "t"]);
  assert.match(p2[0], /say what the notebook shows, found only the title/);
  assert.match(p2[1], /say what the notebook does not show/);
});

const names = [...Deno.readDirSync(join(PROJECT_ROOT, "notebooks", "src"))].map((e) => e.name).filter((n) =>
  n.endsWith(".ts")
).sort();
for (const name of names) {
  Deno.test(`notebook ${name}: opens with a title and what it shows, ends with what it shows and does not, all prose as markdown`, () => {
    const src = Deno.readTextFileSync(join(PROJECT_ROOT, "notebooks", "src", name));
    const nb = JSON.parse(Deno.readTextFileSync(join(PROJECT_ROOT, "notebooks", name.replace(/\.ts$/, ".ipynb"))));
    assert.deepEqual(structureProblems(name, src, nb), []);
    assert.ok(nb.cells.filter((c: { cell_type: string }) => c.cell_type === "markdown").length >= 3, name);
  });
}
