/**
 * House rules: imports inside lib/ go one way, in the order README's "Layers" block states, and no two
 * files of lib/ import each other through any chain (std's circular-import lint). The module graph is
 * Deno's own (`deno info --json` over every file of lib/): static, type-only and dynamic imports count.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_ROOT, runDeno, tempDir } from "../_helpers.ts";

/** File -> the files it imports (project-relative paths), for every file of lib/. */
type Graph = Map<string, string[]>;

/** The folder of lib/ a file belongs to ("model" for lib/model/x.ts, "data" for lib/data/synth/y.ts). */
function folderOf(path: string): string | null {
  const m = /^lib\/([^/]+)\//.exec(path);
  return m ? m[1] : null;
}

/** Every .ts file below lib/, project-relative. */
function libFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(join(PROJECT_ROOT, dir))) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.name.endsWith(".ts")) out.push(p);
    }
  };
  walk("lib");
  return out.sort();
}

/** The import graph of lib/ as Deno resolves it: one `deno info --json` over a file importing every lib file. */
async function libGraph(): Promise<Graph> {
  const files = libFiles();
  const root = join(tempDir("derm7pt-layers-"), "all.ts");
  Deno.writeTextFileSync(
    root,
    files.map((f) => `import ${JSON.stringify(new URL(`file://${join(PROJECT_ROOT, f)}`).href)};`).join("\n"),
  );
  const out = await runDeno(["info", "--json", root]);
  assert.ok(out.success, out.text);
  const info = JSON.parse(out.stdout) as {
    modules: { specifier: string; dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[] }[];
  };
  const local = (url: string) => relative(PROJECT_ROOT, fileURLToPath(url));
  const graph: Graph = new Map();
  for (const m of info.modules) {
    if (!m.specifier.startsWith("file://")) continue;
    const from = local(m.specifier);
    if (!from.startsWith("lib/")) continue;
    const to = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => typeof s === "string" && s.startsWith("file://"))
      .map(local)
      // a package, resolved to its files in node_modules (deno.json's nodeModulesDir "manual")
      .filter((f) => !f.startsWith("node_modules/"));
    graph.set(from, [...new Set(to)]);
  }
  for (const f of files) assert.ok(graph.has(f), `deno info did not list ${f}`);
  return graph;
}

/**
 * The layers of README's "Layers" block: the first fenced block after the heading, one layer a line,
 * top layer first, folders on a line separated by spaces. Returns folder -> level (0 = the bottom).
 */
function readmeLayers(): Map<string, number> {
  const readme = Deno.readTextFileSync(join(PROJECT_ROOT, "README.md"));
  const m = /^### Layers\b[^\n]*\n[\s\S]*?```\n([\s\S]*?)```/m.exec(readme);
  assert.ok(m, 'README.md: expected a "### Layers" section with a fenced block of lib folders, found none');
  const lines = m[1].split("\n").map((l) => l.trim()).filter(Boolean).reverse();
  const level = new Map<string, number>();
  lines.forEach((line, i) => line.split(/\s+/).forEach((folder) => level.set(folder, i)));
  return level;
}

/** The imports that break the layers: into another folder on the same or a higher line, or out of lib/. */
function layerViolations(graph: Graph, level: Map<string, number>): string[] {
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    const a = folderOf(from)!;
    for (const to of targets) {
      const b = folderOf(to);
      if (b === null) bad.push(`${from} -> ${to} (lib/ imports only lib/ and packages)`);
      else if (a !== b && !(level.get(b)! < level.get(a)!)) {
        bad.push(`${from} -> ${to} (${a} may not import ${b})`);
      } else if (a !== b && /\/_[^/]*$/.test(to)) bad.push(`${from} -> ${to} (a _file is private to its folder)`);
    }
  }
  return bad;
}

/** Import cycles between files (Tarjan's strongly connected components of more than one file, or a self-import). */
function importCycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next), low.set(v, next), next++;
    stack.push(v), onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do (w = stack.pop()!), onStack.delete(w), scc.push(w); while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

Deno.test("layers: the checks find an upward import, an import out of lib/, a private file used elsewhere and a cycle in a made-up graph", () => {
  const level = new Map([["util", 0], ["data", 1], ["stats", 1], ["model", 2]]);
  const graph: Graph = new Map([
    ["lib/model/a.ts", ["lib/data/b.ts", "lib/model/c.ts", "lib/stats/_f.ts"]],
    ["lib/model/c.ts", ["lib/model/a.ts"]],
    ["lib/data/b.ts", ["lib/stats/d.ts", "tests/_helpers.ts"]],
    ["lib/stats/d.ts", ["lib/util/e.ts"]],
    ["lib/util/e.ts", []],
  ]);
  assert.deepEqual(layerViolations(graph, level), [
    "lib/model/a.ts -> lib/stats/_f.ts (a _file is private to its folder)",
    "lib/data/b.ts -> lib/stats/d.ts (data may not import stats)",
    "lib/data/b.ts -> tests/_helpers.ts (lib/ imports only lib/ and packages)",
  ]);
  assert.deepEqual(importCycles(graph), [["lib/model/a.ts", "lib/model/c.ts"]]);
});

Deno.test("layers: every import of lib/ follows README's Layers block, and no files of lib/ import each other in a cycle", async () => {
  const level = readmeLayers();
  const graph = await libGraph();
  const folders = [...new Set([...graph.keys()].map((f) => folderOf(f)!))].sort();
  const unplaced = folders.filter((f) => !level.has(f));
  assert.deepEqual(unplaced, [], `README's Layers block places no line for lib/${unplaced[0]}: add it`);
  const bad = layerViolations(graph, level);
  assert.deepEqual(bad, [], `imports against the layers (move the code, not the test):\n${bad.join("\n")}`);
  const cycles = importCycles(graph);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => c.join(" <-> ")).join("\n")}`);
});
