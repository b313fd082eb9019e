/**
 * The notebooks as a student opens them: tools/notebook.sh starts Debian's Jupyter Notebook server on
 * 127.0.0.1 with a token (quick profile), Debian's Chromium is driven headless through the DevTools
 * protocol by puppeteer-core (no browser download), and notebooks 00 and 01 are run through the UI
 * (Cell > Run All). On the rendered page: the title heading of the first markdown cell, at least one
 * figure and one table, the data note rendered as Markdown, no error or stderr output, every output
 * under the cell that produced it (tools/jupyter/custom.js), and no prose left as `// %%` comments
 * in code cells. A screenshot of each goes to outputs/browser-test/. The
 * committed notebooks must be unchanged afterwards (autosave is switched off in the page).
 *
 * Skipped, with the reason, only where Chromium or the notebook server is missing (tools/test.sh
 * installs both with apt-get).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { addPngText, pngTextChunks } from "../../lib/plots/png.ts";
import { PROJECT_ROOT, skipNote, tempDir } from "../_helpers.ts";

function which(cmd: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin").split(":")) {
    try {
      if (Deno.statSync(join(dir, cmd)).isFile) return join(dir, cmd);
    } catch { /* not here */ }
  }
  return null;
}

const chromium = which("chromium") ?? which("chromium-browser");
const hasServer = new Deno.Command("/usr/bin/python3", { args: ["-c", "import notebook"], stderr: "null" })
  .outputSync().success;
const missing = [!chromium && "Chromium (Debian package chromium)", !hasServer && "jupyter-notebook"].filter(Boolean);
const ignore = missing.length > 0;
if (ignore) {
  skipNote(
    `browser test: ${
      missing.join(" and ")
    } not installed and not installable here (tools/test.sh runs apt-get install chromium jupyter-notebook; log /tmp/derm7pt-apt.log)`,
  );
}

/** Chromium flags that work in a container without a display, a GPU or network. */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function startServer(tmp: string) {
  const port = freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const child = new Deno.Command("bash", {
    args: [join(PROJECT_ROOT, "tools", "notebook.sh"), "--port", String(port), "--no-browser"],
    env: {
      JUPYTER_TOKEN: token,
      JUPYTER_RUNTIME_DIR: join(tmp, "runtime"),
      DERM7PT_PROFILE: "quick",
      DERM7PT_OUTPUTS: join(tmp, "outputs"),
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  const log: string[] = [];
  const drain = async (s: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of s) log.push(decoder.decode(chunk, { stream: true }));
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/api/status?token=${token}`);
      await r.body?.cancel();
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`Cannot reach the notebook server at ${base}:\n${log.join("")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const unauthorised = await fetch(`${base}/api/status`);
  await unauthorised.body?.cancel();
  return { child, base, token, log, drained, unauthorisedStatus: unauthorised.status };
}

async function stopServer(s: Awaited<ReturnType<typeof startServer>>) {
  try {
    const kernels = await (await fetch(`${s.base}/api/kernels?token=${s.token}`)).json() as { id: string }[];
    for (const k of kernels) {
      await (await fetch(`${s.base}/api/kernels/${k.id}?token=${s.token}`, { method: "DELETE" })).body?.cancel();
    }
  } catch { /* the server is gone already */ }
  s.child.kill("SIGTERM");
  const timer = setTimeout(() => s.child.kill("SIGKILL"), 15_000);
  await s.child.status;
  clearTimeout(timer);
  await s.drained;
}

/**
 * A screenshot of the page, stamped like the exported figures (a Provenance text chunk): the notebook, the
 * quick profile and SYNTHETIC data, so that the one the README shows can be checked to be synthetic.
 */
async function screenshot(page: { screenshot(o: { type: "png" }): Promise<Uint8Array> }, path: string, nb: string) {
  const png = await page.screenshot({ type: "png" });
  const provenance = {
    synthetic_data: true,
    profile: "quick",
    notebook: nb,
    tool: "tests/notebooks/browser_test.ts (Jupyter Notebook in headless Chromium)",
    created: new Date().toISOString(),
  };
  Deno.writeFileSync(path, addPngText(new Uint8Array(png), "Provenance", JSON.stringify(provenance)));
}

interface Rendered {
  title: string;
  figures: number;
  tables: number;
  markdownOutputs: string[];
  errors: string[];
  prompts: string[];
  commentedProse: number;
  /** Outputs shown under another cell than the one that produced them ("Out[n]" under "In [m]"). */
  misplaced: string[];
}

Deno.test({
  name: "browser: notebooks 00 and 01 run through the Jupyter Notebook UI in headless Chromium and render",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tmp = tempDir("derm7pt-browser-");
    const shots = join(PROJECT_ROOT, "outputs", "browser-test");
    Deno.mkdirSync(shots, { recursive: true });
    const names = ["00_statistics_primer.ipynb", "01_dataset.ipynb"];
    const before = Object.fromEntries(names.map((n) => [n, Deno.readTextFileSync(join(PROJECT_ROOT, "notebooks", n))]));
    const server = await startServer(tmp);
    const changed: string[] = [];
    const browser = await puppeteer.launch({
      executablePath: chromium!,
      headless: true,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${join(tmp, "chromium")}`],
    });
    try {
      assert.equal(server.unauthorisedStatus, 403, "the server must refuse requests without the token");
      for (const name of names) {
        const page = await browser.newPage();
        await page.setViewport({ width: 1280, height: 1500 });
        await page.goto(`${server.base}/notebooks/${name}?token=${server.token}`, { waitUntil: "networkidle2" });
        await page.waitForFunction(
          () => {
            const nb = (globalThis as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } })
              .Jupyter?.notebook;
            return nb?.kernel?.is_connected() === true;
          },
          { timeout: 90_000 },
        );
        // tools/jupyter/custom.js: the Deno kernel's cells are sent one at a time (else late outputs land under
        // the next cell when Run All queues them)
        assert.ok(
          await page.evaluate(() =>
            (globalThis as unknown as { requirejs: { defined(m: string): boolean } }).requirejs.defined("custom/custom")
          ),
          `${name}: custom/custom.js was not loaded`,
        );
        // never write the executed notebook over the committed one
        await page.evaluate(() =>
          (globalThis as unknown as { Jupyter: { notebook: { set_autosave_interval(ms: number): void } } }).Jupyter
            .notebook.set_autosave_interval(0)
        );
        // Cell > Run All, as a student would
        await page.click("#celllink");
        await page.waitForSelector("#run_all_cells", { visible: true });
        await page.click("#run_all_cells");
        await page.waitForFunction(
          () => {
            const prompts = [...document.querySelectorAll(".code_cell .input_prompt")].map((e) => e.textContent ?? "");
            const busy = document.querySelector("#kernel_indicator_icon.kernel_busy_icon");
            return !busy && prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p));
          },
          { timeout: 300_000, polling: 1000 },
        ).catch(async (e) => {
          await page.screenshot({ path: join(shots, name.replace(".ipynb", ".timeout.png")) });
          throw new Error(
            `${name}: the cells did not all finish in the UI (${e}); server log:\n${server.log.join("")}`,
          );
        });
        await new Promise((r) => setTimeout(r, 1500)); // late outputs and Markdown rendering
        const seen: Rendered = await page.evaluate(() => ({
          title: document.querySelector(".text_cell_render h1")?.textContent ?? "",
          figures: document.querySelectorAll(".output_area svg, .output_area img").length,
          tables: document.querySelectorAll(".output_area table").length,
          markdownOutputs: [...document.querySelectorAll(".output_area .output_markdown")].map((e) =>
            e.textContent ?? ""
          ),
          errors: [...document.querySelectorAll(".output_area .output_error, .output_area .output_stderr")].map((e) =>
            (e.textContent ?? "").slice(0, 300)
          ),
          prompts: [...document.querySelectorAll(".code_cell .input_prompt")].map((e) => e.textContent ?? ""),
          commentedProse: [...document.querySelectorAll(".code_cell .CodeMirror-code")].filter((e) =>
            (e.textContent ?? "").includes("// %%")
          ).length,
          misplaced: [...document.querySelectorAll(".code_cell")].flatMap((cell) => {
            const n = (cell.querySelector(".input_prompt")?.textContent ?? "").match(/\[(\d+)\]/)?.[1];
            return [...cell.querySelectorAll(".output_prompt")].map((o) =>
              (o.textContent ?? "").match(/\[(\d+)\]/)?.[1]
            )
              .filter((m) =>
                m && m !== n
              ).map((m) => `Out[${m}] under In [${n}]`);
          }),
        }));
        await page.evaluate(() => {
          const nb =
            (globalThis as unknown as { Jupyter: { notebook: { select(i: number): void; scroll_to_top(): void } } })
              .Jupyter.notebook;
          nb.select(0);
          nb.scroll_to_top();
        });
        await new Promise((r) => setTimeout(r, 500));
        await screenshot(page, join(shots, name.replace(".ipynb", ".png")), name);
        // and the first rendered figure with the table above it
        await page.evaluate(() => {
          const figure = document.querySelector(".output_area svg, .output_area img")?.closest(".cell");
          (figure?.previousElementSibling ?? figure)?.scrollIntoView({ block: "start" });
        });
        await new Promise((r) => setTimeout(r, 500));
        await screenshot(page, join(shots, name.replace(".ipynb", ".figure.png")), name);
        const source = JSON.parse(before[name]);
        const heading = [source.cells[0].source].flat().join("").split("\n")[0].replace(/^# /, "");
        assert.ok(seen.title.startsWith(heading), `${name}: title "${seen.title}", expected "${heading}"`);
        assert.deepEqual(seen.errors, [], `${name}: error or stderr output in the page`);
        assert.ok(seen.figures >= 1, `${name}: no rendered figure`);
        assert.ok(seen.tables >= 1, `${name}: no rendered table`);
        const note = name.startsWith("00") ? "This notebook reads no Derm7pt data." : "SYNTHETIC DATA.";
        assert.ok(
          seen.markdownOutputs.some((t) => t.includes(note)),
          `${name}: the data note "${note}" is not rendered as Markdown (found ${
            JSON.stringify(seen.markdownOutputs)
          })`,
        );
        assert.equal(seen.commentedProse, 0, `${name}: prose left as // %% comments in code cells`);
        assert.deepEqual(seen.misplaced, [], `${name}: outputs shown under the wrong cell`);
        assert.equal(
          seen.prompts.length,
          source.cells.filter((c: { cell_type: string }) => c.cell_type === "code").length,
        );
        await page.close();
      }
    } finally {
      await browser.close();
      await stopServer(server);
      for (const n of names) {
        if (Deno.readTextFileSync(join(PROJECT_ROOT, "notebooks", n)) !== before[n]) {
          Deno.writeTextFileSync(join(PROJECT_ROOT, "notebooks", n), before[n]);
          changed.push(n);
        }
      }
    }
    assert.deepEqual(changed, [], "notebooks changed by the notebook server (restored)");
  },
});

Deno.test("notebook.sh: a bad option or port is refused with one line naming it, before anything is set up", async () => {
  for (
    const [args, message] of [
      [["--port", "abc"], /expected --port followed by a port number 1-65535, found 'abc'/],
      [["--port"], /expected --port followed by a port number 1-65535, found ''/],
      [["--bogus"], /unknown option '--bogus' \(expected --port P or --no-browser\)/],
    ] as const
  ) {
    const r = await new Deno.Command("bash", {
      args: [join(PROJECT_ROOT, "tools", "notebook.sh"), ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 2);
    assert.match(new TextDecoder().decode(r.stderr), message);
  }
});

Deno.test("the README's screenshot (docs/screenshots/) is of a notebook run on SYNTHETIC data", () => {
  const dir = join(PROJECT_ROOT, "docs", "screenshots");
  const pngs = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".png")).map((e) => e.name);
  assert.ok(pngs.length >= 1);
  for (const name of pngs) {
    const chunks = pngTextChunks(Deno.readFileSync(join(dir, name)));
    assert.ok(chunks.Provenance, `${name}: no Provenance text chunk (take it from outputs/browser-test/)`);
    assert.equal(JSON.parse(chunks.Provenance).synthetic_data, true, `${name} must be of SYNTHETIC data`);
  }
  assert.match(Deno.readTextFileSync(join(PROJECT_ROOT, "README.md")), /docs\/screenshots\/[\w-]+\.png/);
});
