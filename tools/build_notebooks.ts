/**
 * Builds notebooks/NAME.ipynb (without outputs) from its source notebooks/src/NAME.ts, where cells
 * are separated by `// %% [markdown]` and `// %% code [tags]` lines (see tools/ipynb.py).
 *
 *   deno run -A tools/build_notebooks.ts [--check]
 * With --check nothing is written; it fails when a committed .ipynb differs from its source.
 * Both fail when a notebook is not well formed (tools/notebook_structure.ts: prose markers that
 * yield no markdown cell, no opening title, no closing "what it shows and what it does not").
 */
import { join } from "node:path";
import { structureProblems } from "./notebook_structure.ts";

const root = new URL("../", import.meta.url).pathname;
const check = Deno.args.includes("--check");
let stale = 0;
for (
  const e of [...Deno.readDirSync(join(root, "notebooks", "src"))].filter((e) => e.name.endsWith(".ts")).sort((a, b) =>
    a.name.localeCompare(b.name)
  )
) {
  const src = join(root, "notebooks", "src", e.name);
  const dst = join(root, "notebooks", e.name.replace(/\.ts$/, ".ipynb"));
  const tmp = `${dst}.tmp-build`;
  const out = await new Deno.Command("/usr/bin/python3", { args: [join(root, "tools", "ipynb.py"), src, tmp] })
    .output();
  if (!out.success) throw new Error(`Cannot build ${dst}: ${new TextDecoder().decode(out.stderr)}`);
  const fresh = Deno.readTextFileSync(tmp);
  const problems = structureProblems(e.name, Deno.readTextFileSync(src), JSON.parse(fresh));
  for (const p of problems) console.log(`MALFORMED ${p}`);
  if (problems.length) stale++;
  let old = "";
  try {
    old = Deno.readTextFileSync(dst);
  } catch { /* new notebook */ }
  if (check) {
    Deno.removeSync(tmp);
    if (fresh !== old) {
      console.log(`STALE ${dst}: rebuild with "deno task notebooks:build"`);
      stale++;
    }
  } else if (problems.length) {
    Deno.removeSync(tmp);
  } else {
    Deno.renameSync(tmp, dst);
    console.log(`built ${dst}`);
  }
}
Deno.exit(stale ? 1 : 0);
