/**
 * Golden tests of every figure on fixed inputs: the standalone SVG, normalised (Plot's random class
 * names removed, numbers rounded to 2 decimals), must equal tests/plots/__snapshots__/<name>.svg.
 * Regenerate after an intended change with UPDATE_SNAPSHOTS=1. Each figure's 300-dpi PNG must have
 * rendered text in its title band (dark pixels where the title is).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import * as P from "../../lib/plots/mod.ts";
import { PROJECT_ROOT } from "../_helpers.ts";

const dir = join(PROJECT_ROOT, "tests", "plots", "__snapshots__");
const update = Deno.env.get("UPDATE_SNAPSHOTS") === "1";

function normalise(svg: string): string {
  return svg
    .replace(/plot-[0-9a-f]{6}(-\w+)?/g, "plot-X")
    .replace(/-?\d+\.\d+/g, (m) => String(Math.round(Number(m) * 100) / 100))
    .replace(/></g, ">\n<");
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const wave = (i: number) => (Math.sin(i * 1.7) + 1) / 2;

const FIGURES: Record<string, () => P.Figure> = {
  management_by_group: () =>
    P.managementByGroupFigure([{ split: "train", group: "MEL", management: "excision", count: 10 }, {
      split: "train",
      group: "NEV",
      management: "clinical follow up",
      count: 7,
    }, { split: "test", group: "NEV", management: "no further examination", count: 3 }], {
      groups: ["BCC", "NEV", "MEL", "MISC", "SK"],
      caption: "fixture",
    }),
  label_distribution: () =>
    P.labelDistributionFigure([
      { head: "streaks", label: "ABS", count: 9 },
      { head: "streaks", label: "REG", count: 2 },
      { head: "management", label: "EXC", count: 5 },
    ]),
  seven_point: () =>
    P.sevenPointScoreFigure([{ score: 0, group: "NEV", count: 4 }, { score: 3, group: "MEL", count: 5 }], {
      groups: ["NEV", "MEL"],
    }),
  roc: () =>
    P.rocFigure([{ label: "EXC", fpr: [0, 0.2, 1], tpr: [0, 0.7, 1], area: 0.75 }, {
      label: "NONE",
      fpr: [0, 0.5, 1],
      tpr: [0, 0.5, 1],
      area: 0.5,
      dashed: true,
    }]),
  pr: () =>
    P.precisionRecallFigure([{
      label: "EXC",
      recall: [1, 0.5, 0],
      precision: [0.6, 0.8, 1],
      area: 0.7,
      prevalence: 0.6,
    }]),
  training_curves: () =>
    P.trainingCurvesFigure(
      seq(10, (i) => i).map((i) => ({
        epoch: i + 1,
        trainLoss: 2 / (i + 1),
        validLoss: 1.5 / (i + 1) + 0.1,
        validAuroc: 0.5 + 0.03 * i,
        best: i === 7,
      })),
    ),
  distances: () =>
    P.distanceViolinFigure(["1 - cosine similarity", "Hellinger"].map((name, k) => ({
      name,
      p: 0.0123,
      d: 0.45 + k,
      groups: [
        { label: "inferred", values: seq(40, (i) => 0.3 + 0.4 * wave(i + k)), mean: 0.5, ci: [0.45, 0.55] },
        { label: "predicted", values: seq(40, (i) => 0.1 + 0.4 * wave(2 * i + k)), mean: 0.3, ci: [0.25, 0.35] },
      ],
    }))),
  confusion_breakdown: () =>
    P.confusionFigure({
      labels: ["NONE", "CLNC", "EXC"],
      truth: seq(30, (i) => i % 3),
      pred: seq(30, (i) => (i * 7) % 3),
      breakdown: seq(30, (i) => (i * 5) % 5),
      breakdownLabels: ["BCC", "NEV", "MEL", "MISC", "SK"],
      title: "Fixture confusion",
    }),
  pvalues: () => P.pValueMatrixFigure(["C", "CM", "D"], [[NaN, 0.02, 0.0004], [0.02, NaN, 0.3], [0.0004, 0.3, NaN]]),
  reliability: () =>
    P.reliabilityFigure([{
      head: "management",
      ece: 0.08,
      bins: [{ meanScore: 0.35, fractionPositive: 0.3, count: 4 }, { meanScore: 0.8, fractionPositive: 0.7, count: 9 }],
    }]),
  decision_curve: () =>
    P.decisionCurveFigure([{
      label: "model",
      points: seq(9, (i) => i).map((i) => ({ threshold: 0.1 * (i + 1), netBenefit: 0.5 - 0.05 * i })),
    }], seq(9, (i) => i).map((i) => ({ threshold: 0.1 * (i + 1), netBenefit: 0.6 - 0.1 * i }))),
};

for (const [name, build] of Object.entries(FIGURES)) {
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
  for (const [name, build] of Object.entries(FIGURES)) {
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

Deno.test("exported figure: SVG names its font and carries provenance; PNGs carry it in a text chunk", () => {
  const out = Deno.makeTempDirSync();
  const prov = {
    run_id: "t",
    git_commit: "x",
    data_fingerprint: "fp",
    synthetic_data: true,
    seed: 1,
    backbone: "nsfwjs",
    backend: "wasm",
    created: "now",
    tool: "test",
  };
  const e = P.exportFigure(FIGURES.roc(), out, "roc", prov);
  assert.deepEqual(e.files.map((f) => f.slice(out.length + 1)), ["roc.svg", "roc.1col.png", "roc.2col.png"]);
  const svg = Deno.readTextFileSync(join(out, "roc.svg"));
  assert.match(svg, /font-family="DejaVu Sans/);
  assert.match(svg, /<metadata id="provenance">.*data_fingerprint.*fp/);
  const chunks = P.pngTextChunks(Deno.readFileSync(join(out, "roc.1col.png")));
  assert.equal(JSON.parse(chunks.Provenance).data_fingerprint, "fp");
  const manifest = JSON.parse(Deno.readTextFileSync(e.manifest));
  assert.equal(manifest.png_dpi, 300);
  assert.equal(manifest.synthetic_data, true);
});
