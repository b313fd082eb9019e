/**
 * Golden tests of every figure of lib/plots on fixed inputs: the standalone SVG, normalised (Plot's
 * random class names removed, numbers rounded to 2 decimals), must equal
 * tests/plots/__snapshots__/<name>.svg. Regenerate after an intended change with UPDATE_SNAPSHOTS=1
 * and review the PNGs by eye. Each figure's 300-dpi PNG must have rendered text in its title band.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import * as P from "../../lib/plots/mod.ts";
import { PROJECT_ROOT } from "../_helpers.ts";
import { PLOT_FIGURES } from "./_catalogue.ts";

const dir = join(PROJECT_ROOT, "tests", "plots", "__snapshots__");
const update = Deno.env.get("UPDATE_SNAPSHOTS") === "1";

function normalise(svg: string): string {
  return svg
    .replace(/plot-[0-9a-f]{6}(-\w+)?/g, "plot-X")
    .replace(/-?\d+\.\d+/g, (m) => String(Math.round(Number(m) * 100) / 100))
    .replace(/></g, ">\n<");
}

for (const [name, build] of Object.entries(PLOT_FIGURES)) {
  Deno.test(`figure ${name}: normalised SVG equals its golden snapshot`, () => {
    const svg = normalise(build().svg(672));
    const file = join(dir, `${name}.svg`);
    if (update) {
      Deno.writeTextFileSync(file, svg);
      return;
    }
    let golden: string;
    try {
      golden = Deno.readTextFileSync(file);
    } catch {
      throw new Error(`no snapshot ${file}: run the tests with UPDATE_SNAPSHOTS=1 once and review it`);
    }
    assert.equal(svg, golden);
  });
}

Deno.test("figure PNGs at 300 dpi have rendered text in the title band", async () => {
  for (const [name, build] of Object.entries(PLOT_FIGURES)) {
    const fig = build();
    const png = P.svgToPng(fig.svg(336), { widthPx: 1050 });
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    // title text sits in the first ~28 layout px (x 1050/336 at 300 dpi)
    const band = Math.round(28 * (1050 / 336));
    let dark = 0;
    for (let y = 0; y < band; y++) for (let x = 0; x < info.width; x++) if (data[y * info.width + x] < 128) dark++;
    assert.ok(dark > 200, `${name}: only ${dark} dark pixels in the title band`);
  }
});

Deno.test("one colour per class: the palette gives each class one colour, by code or long name", () => {
  const codes = Object.keys(P.CLASS_COLORS);
  assert.equal(new Set(Object.values(P.CLASS_COLORS)).size, codes.length);
  assert.equal(P.classColor("excision"), P.classColor("EXC"));
  assert.equal(P.classColor("nevus"), P.classColor("NEV"));
  // the approaches never share a class's colour
  for (const c of Object.values(P.APPROACH_COLORS)) assert.ok(!Object.values(P.CLASS_COLORS).includes(c as never));
  assert.throws(() => P.classColor("excise"), /expected one of NONE/);
  // the management figure and the confusion breakdown draw EXC and MEL in their class colours
  assert.ok(PLOT_FIGURES.management_by_group().svg().includes(`fill="${P.CLASS_COLORS.EXC}"`));
  assert.ok(PLOT_FIGURES.confusion_breakdown().svg().includes(`fill="${P.CLASS_COLORS.MEL}"`));
});

Deno.test("legends show each line's dash style, and ROC curves their operating point", () => {
  const svg = PLOT_FIGURES.roc().svg(672);
  assert.match(svg, /<line [^>]*stroke="#009E73"[^>]*stroke-dasharray="6,3"\/>/); // NONE's legend line is dashed
  assert.match(svg, /operating point \(P ≥ 0.5\)/);
  assert.match(svg, />readers<\/text>/);
});

Deno.test("violins are cut at the distance's possible range", () => {
  const fig = P.distanceViolinFigure([{
    name: "Hellinger",
    p: 0.5,
    d: 0.1,
    range: [0, 1],
    groups: [
      { label: "a", values: [0, 0, 0.01, 0.02, 0.5, 1, 1], mean: 0.36, ci: [0.1, 0.6] },
      { label: "b", values: [0, 0.1, 0.2, 0.9, 1, 1], mean: 0.5, ci: [0.2, 0.8] },
    ],
  }]);
  const box = P.svgTextBoxes(fig.svg(336));
  assert.match(box.boxes.map((b) => b.text).join(" "), /d > 0: a farther from the truth/);
  // the y axis (and the density drawn on it) stops at the range: no tick beyond [0, 1]
  const ticks = box.boxes.map((b) => Number(b.text)).filter((v) => Number.isFinite(v));
  assert.ok(ticks.length >= 3 && ticks.every((v) => v >= 0 && v <= 1), `${ticks}`);
});

Deno.test("reliability bins: Wilson intervals drawn, small bins left out and counted", () => {
  const svg = PLOT_FIGURES.reliability().svg(672);
  assert.match(svg, /management: ECE 0.080, 4 cases in small bins/);
  assert.throws(() => P.wilsonInterval(3, 2), /expected 0 <= k <= n/);
});

Deno.test("paper variant: no title or caption, legend kept, mark inside the image", () => {
  const fig = PLOT_FIGURES.roc();
  const paper = fig.svg(336, { variant: "paper", mark: P.SYNTHETIC_MARK });
  assert.ok(!paper.includes(">ROC curves</text>"));
  assert.ok(paper.includes("EXC (AUROC 0.750)"));
  const mark = P.svgTextBoxes(paper).boxes.find((b) => b.text === "SYNTHETIC DATA");
  assert.ok(mark && mark.x1 <= 336 && mark.y1 <= Number(paper.match(/height="(\d+)"/)![1]));
});
