/**
 * Type-checks every notebook's code cells: the code cells of notebooks/NAME.ipynb are concatenated
 * (in order) into notebooks/.check_NAME.ts (so relative imports resolve as in the kernel), checked
 * with `deno check`, and the file is removed. Exits non-zero on the first type error.
 *
 *   deno run -A tools/check_notebooks.ts [notebooks/NAME.ipynb ...]
 */
import { basename, dirname, join } from "node:path";

export function notebookCode(path: string): string {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  return nb.cells
    .filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { source: string[] | string }, i: number) =>
      `// --- cell ${i} ---\n${Array.isArray(c.source) ? c.source.join("") : c.source}`
    )
    .join("\n\n") + "\nexport {};\n";
}

export async function checkNotebook(path: string): Promise<{ ok: boolean; output: string }> {
  const tmp = join(dirname(path), `.check_${basename(path, ".ipynb")}.ts`);
  Deno.writeTextFileSync(tmp, notebookCode(path));
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", tmp],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    })
      .output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { ok: out.success, output: text.replaceAll(tmp, `${path} (code cells)`) };
  } finally {
    Deno.removeSync(tmp);
  }
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url).pathname;
  const paths = Deno.args.length
    ? Deno.args
    : [...Deno.readDirSync(join(root, "notebooks"))].filter((e) => e.name.endsWith(".ipynb")).map((e) =>
      join(root, "notebooks", e.name)
    ).sort();
  let failed = 0;
  for (const p of paths) {
    const r = await checkNotebook(p);
    console.log(`${r.ok ? "ok" : "FAILED"} deno check ${p}`);
    if (!r.ok) {
      console.log(r.output);
      failed++;
    }
  }
  Deno.exit(failed ? 1 : 0);
}
