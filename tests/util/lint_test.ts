/**
 * House rules: `deno lint` finds nothing and `deno fmt --check` passes in the library, tests, tools,
 * benchmarks and notebook sources; the benchmarks and tools, which no test imports, type-check
 * (`deno check`; lib/ and tests/ are checked by `deno test` itself, the notebooks by their own test).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT, runDeno } from "../_helpers.ts";

Deno.test("deno lint: no problems in lib/, tests/, tools/, bench/, notebooks/src/", async () => {
  const { success, text } = await runDeno(["lint", "lib", "tests", "tools", "bench", "notebooks/src"]);
  assert.ok(success, text);
});

Deno.test("deno fmt: every source file is formatted with the settings of deno.json (deno fmt --check)", async () => {
  const { success, text } = await runDeno(["fmt", "--check"]);
  assert.ok(success, `run "deno fmt" to fix:\n${text.slice(0, 4000)}`);
});

Deno.test("deno check: every bench/*.ts and tools/*.ts type-checks", async () => {
  const files = ["bench", "tools"].flatMap((dir) =>
    [...Deno.readDirSync(join(PROJECT_ROOT, dir))]
      .filter((f) => f.isFile && f.name.endsWith(".ts"))
      .map((f) => `${dir}/${f.name}`)
  ).sort();
  assert.ok(files.includes("bench/gpu_check.ts") && files.includes("tools/build_notebooks.ts"), files.join(" "));
  const { success, text } = await runDeno(["check", ...files]);
  assert.ok(success, text);
});

/**
 * Types of tfjs and Observable Plot that lib's signatures name. `deno doc --lint` calls them private because
 * lib does not re-export them; re-exporting them would pull the packages' own undocumented internals into the
 * lint (tried: +63 errors for two tfjs types), so they are the one kind of finding allowed.
 */
const THIRD_PARTY_TYPES = new Set([
  // @tensorflow/tfjs
  "ConfigDict",
  "DataId",
  "DataType",
  "Layer",
  "LayerVariable",
  "LayersModel",
  "NamedTensorMap",
  "Shape",
  "Tensor",
  "Tensor2D",
  "Tensor4D",
  "TensorInfo",
  "Variable",
  "WeightsManifestConfig",
  // @observablehq/plot
  "Markish",
  "PlotOptions",
]);

/** Each finding of `deno doc --lint`: its kind, the line that explains it and where it is. */
function docLintFindings(text: string): { kind: string; message: string; at: string }[] {
  const lines = text.split("\n");
  const findings = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^error\[([a-z-]+)\]: (.*)$/.exec(lines[i]);
    if (!m) continue;
    const at = (lines[i + 1] ?? "").replace(/^\s*-->\s*/, "").replace(`${PROJECT_ROOT}/`, "");
    findings.push({ kind: m[1], message: m[2], at });
  }
  return findings;
}

Deno.test("deno doc --lint: every public module of lib/ has @module docs, every export a doc and explicit types", async () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(join(PROJECT_ROOT, dir))) {
      if (e.isDirectory) walk(`${dir}/${e.name}`);
      else if (e.name.endsWith(".ts") && !e.name.startsWith("_")) files.push(`${dir}/${e.name}`);
    }
  };
  walk("lib");
  assert.ok(files.length > 100, `found only ${files.length} public modules in lib/`);
  const { success, text } = await runDeno(["doc", "--lint", ...files.sort()]);
  const findings = docLintFindings(text);
  // it exits non-zero for the allowed findings too; a failure of deno doc itself has none of them
  assert.ok(success || findings.length > 0, text.slice(0, 2000));
  assert.doesNotMatch(text, /^error: (?!Found \d+ documentation lint errors?\.)/m);
  const unexplained = findings.filter((f) => {
    const ref = /references private type '([^']+)'/.exec(f.message);
    return !(f.kind === "private-type-ref" && ref && THIRD_PARTY_TYPES.has(ref[1]));
  });
  assert.deepEqual(unexplained.map((f) => `${f.kind}: ${f.message} ${f.at}`), []);
  const headless = files.filter((f) =>
    !/^(?:\/\/[^\n]*\n)*\/\*\*(?:(?!\*\/)[\s\S])*@module/.test(Deno.readTextFileSync(join(PROJECT_ROOT, f)))
  );
  assert.deepEqual(headless, [], "modules whose first comment has no @module");
});

Deno.test("doc lint findings are parsed: a missing doc is found, an allowed tfjs type is told apart", () => {
  const text = [
    "error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
    "  --> /x/lib/a.ts:3:1",
    "error[private-type-ref]: public type 'f' references private type 'LayersModel'",
    " --> /x/lib/b.ts:9:1",
  ].join("\n");
  const found = docLintFindings(text);
  assert.deepEqual(found.map((f) => f.kind), ["missing-jsdoc", "private-type-ref"]);
  assert.equal(found[0].at, "/x/lib/a.ts:3:1");
  assert.ok(THIRD_PARTY_TYPES.has(/'([^']+)'$/.exec(found[1].message)![1]));
});
