/**
 * Export an author can use: every variant and width as SVG and 300-dpi PNG (pHYs), the paper
 * variant as a PDF with embedded fonts that renders (poppler's pdftoppm) like the PNG, a LaTeX
 * caption, a manifest with provenance, and the SYNTHETIC mark inside every image of synthetic data.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import * as P from "../../lib/plots/mod.ts";
import { PLOT_FIGURES } from "./_catalogue.ts";

const prov = (synthetic: boolean) => ({
  run_id: "t",
  git_commit: "x",
  data_fingerprint: "fp",
  synthetic_data: synthetic,
  seed: 1,
  backbone: "nsfwjs",
  backend: "wasm",
  created: "now",
  tool: "test",
});

function run(cmd: string, args: string[]): string {
  let out;
  try {
    out = new Deno.Command(cmd, { args }).outputSync();
  } catch {
    throw new Error(`Cannot run ${cmd}: expected poppler-utils (run tools/setup.sh), found no ${cmd} on PATH`);
  }
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** Mean absolute grey difference (0-255) of two images at a quarter of the resolution, and the share of pixels off by > 64. */
async function difference(a: string, b: string): Promise<{ mean: number; big: number; sizes: string }> {
  const load = async (f: string) => await sharp(f).greyscale().raw().toBuffer({ resolveWithObject: true });
  const x = await load(a), y = await load(b);
  const w = Math.min(x.info.width, y.info.width), h = Math.min(x.info.height, y.info.height);
  const small = (z: typeof x) =>
    sharp(z.data, { raw: { width: z.info.width, height: z.info.height, channels: 1 } })
      .extract({ left: 0, top: 0, width: w, height: h }).resize(Math.round(w / 4), Math.round(h / 4)).raw().toBuffer();
  const sx = await small(x), sy = await small(y);
  let sum = 0, big = 0;
  for (let i = 0; i < sx.length; i++) {
    const d = Math.abs(sx[i] - sy[i]);
    sum += d;
    if (d > 64) big++;
  }
  return {
    mean: sum / sx.length,
    big: big / sx.length,
    sizes: `${x.info.width}x${x.info.height} vs ${y.info.width}x${y.info.height}`,
  };
}

Deno.test("exported figure: files, provenance, 300 dpi PNGs, LaTeX caption, SYNTHETIC mark", () => {
  const out = Deno.makeTempDirSync();
  const e = P.exportFigure(PLOT_FIGURES.roc(), out, "roc", prov(true));
  assert.deepEqual(e.files.map((f) => f.slice(out.length + 1)).sort(), [
    "roc.1col.png",
    "roc.1col.svg",
    "roc.2col.png",
    "roc.2col.svg",
    "roc.caption.tex",
    "roc.paper.1col.pdf",
    "roc.paper.1col.png",
    "roc.paper.1col.svg",
    "roc.paper.2col.pdf",
    "roc.paper.2col.png",
    "roc.paper.2col.svg",
  ]);
  for (const tag of ["1col", "2col"]) {
    const svg = Deno.readTextFileSync(join(out, `roc.${tag}.svg`));
    assert.match(svg, /font-family="DejaVu Sans/);
    assert.match(svg, /<metadata id="provenance">.*data_fingerprint.*fp/);
    assert.match(svg, />ROC curves<\/text>/);
    assert.match(svg, />SYNTHETIC DATA<\/text>/);
    const paper = Deno.readTextFileSync(join(out, `roc.paper.${tag}.svg`));
    assert.doesNotMatch(paper, />ROC curves<\/text>/);
    assert.match(paper, />SYNTHETIC DATA<\/text>/);
    assert.equal(Number(svg.match(/width="(\d+)"/)![1]), tag === "1col" ? 336 : 672);
    for (const f of [`roc.${tag}.png`, `roc.paper.${tag}.png`]) {
      const png = Deno.readFileSync(join(out, f));
      assert.equal(P.pngDpi(png), 300, f);
      assert.equal(JSON.parse(P.pngTextChunks(png).Provenance).data_fingerprint, "fp");
      assert.equal(new DataView(png.buffer).getUint32(16), tag === "1col" ? 1050 : 2100); // IHDR width
    }
  }
  const tex = Deno.readTextFileSync(join(out, "roc.caption.tex"));
  assert.match(tex, /^\\caption\{\\textbf\{ROC curves\.\} SYNTHETIC data\./m);
  assert.match(tex, /\\label\{fig:roc\}/);
  const manifest = JSON.parse(Deno.readTextFileSync(e.manifest));
  assert.equal(manifest.png_dpi, 300);
  assert.equal(manifest.synthetic_data, true);
  assert.equal(manifest.synthetic_mark, "SYNTHETIC DATA");
  assert.match(manifest.caption, /^SYNTHETIC data\./);
  // real data: no mark
  const real = Deno.makeTempDirSync();
  P.exportFigure(PLOT_FIGURES.roc(), real, "roc", prov(false), { pdf: false });
  assert.doesNotMatch(Deno.readTextFileSync(join(real, "roc.paper.2col.svg")), /SYNTHETIC/);
  assert.throws(() => P.exportFigure(PLOT_FIGURES.roc(), real, "a b", prov(false)), /expected a file name/);
});

Deno.test("PNG resolution: pHYs written, replaced and read back", () => {
  const png = P.svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', { widthPx: 20 });
  assert.equal(P.pngDpi(png), null);
  const at300 = P.setPngDpi(png, 300);
  assert.equal(P.pngDpi(at300), 300);
  assert.equal(P.pngDpi(P.setPngDpi(at300, 600)), 600);
  assert.equal(at300.length - png.length, 21); // one pHYs chunk (12 + 9 bytes), the earlier one replaced
  assert.throws(() => P.setPngDpi(new Uint8Array(40), 300), /expected PNG bytes/);
  assert.throws(() => P.setPngDpi(png, 0), /expected a positive dpi/);
});

Deno.test("PDF export: fonts embedded, renders with pdftoppm like the PNG (and unlike another figure)", async () => {
  const out = Deno.makeTempDirSync();
  for (const name of ["distances", "confusion_breakdown"]) P.exportFigure(PLOT_FIGURES[name](), out, name, prov(true));
  for (const name of ["distances", "confusion_breakdown"]) {
    for (const tag of ["1col", "2col"]) {
      const pdf = join(out, `${name}.paper.${tag}.pdf`);
      const fonts = run("pdffonts", [pdf]).trim().split("\n").slice(2);
      assert.ok(fonts.length >= 1, `${pdf}: no fonts`);
      for (const line of fonts) {
        assert.match(line, /DejaVuSans/, line);
        assert.match(line, /\byes\s+yes\s+yes\b/, `${pdf}: a font not embedded as a subset: ${line}`);
      }
      const info = run("pdfinfo", [pdf]);
      const [w] = info.match(/Page size:\s+([\d.]+) x ([\d.]+) pts/)!.slice(1).map(Number);
      assert.ok(Math.abs(w - (tag === "1col" ? 252 : 504)) < 0.01, `page width ${w} pt`); // 3.5 in / 7 in
      run("pdftoppm", ["-r", "300", "-png", "-singlefile", pdf, join(out, `${name}.${tag}.pdfpage`)]);
      const d = await difference(join(out, `${name}.paper.${tag}.png`), join(out, `${name}.${tag}.pdfpage.png`));
      console.log(`PDF vs PNG ${name} ${tag}: ${d.mean.toFixed(2)} grey levels on average`);
      assert.ok(d.mean < 8 && d.big < 0.01, `${name} ${tag}: PDF page differs from the PNG (${JSON.stringify(d)})`);
    }
  }
  // the comparison can fail: another figure's PNG is far off
  const other = await difference(
    join(out, "confusion_breakdown.paper.1col.png"),
    join(out, "distances.1col.pdfpage.png"),
  );
  console.log(`PDF vs PNG: another figure differs by ${other.mean.toFixed(1)} grey levels on average`);
  assert.ok(other.mean > 15 || other.big > 0.05, JSON.stringify(other));
});

Deno.test("LaTeX captions: special characters escaped, symbols pdflatex lacks written as math", () => {
  assert.equal(
    P.latexCaptionText("p ≥ 0.5 & 95% CI; NONE < EXC; d_z ± 1"),
    "p $\\geq$ 0.5 \\& 95\\% CI; NONE $<$ EXC; d\\_z ± 1",
  );
});

Deno.test("the README's figure (docs/) is an exported figure of SYNTHETIC data at 300 dpi", () => {
  const dir = new URL("../../docs/", import.meta.url);
  const pngs = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".png"));
  assert.ok(pngs.length >= 1);
  for (const e of pngs) {
    const png = Deno.readFileSync(new URL(e.name, dir));
    assert.equal(P.pngDpi(png), 300, e.name);
    assert.equal(
      JSON.parse(P.pngTextChunks(png).Provenance).synthetic_data,
      true,
      `${e.name} must be of SYNTHETIC data`,
    );
  }
  assert.match(
    Deno.readTextFileSync(new URL("../../README.md", import.meta.url)),
    /docs\/fig2_synthetic\.paper\.2col\.png/,
  );
});
