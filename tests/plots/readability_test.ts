/**
 * Readability of every figure the library can make (tests/plots/_catalogue.ts: the lib/plots
 * figures and the report layer's, on fixtures and a synthetic fixture release): at one- and
 * two-column widths, full and paper variants with the SYNTHETIC mark, no text box overlaps another,
 * leaves the canvas or is clipped by its chart. And the paper layouts fit a page.
 */
import assert from "node:assert/strict";
import * as P from "../../lib/plots/mod.ts";
import { PLOT_FIGURES, reportFigures } from "./_catalogue.ts";

const report = await reportFigures();
const ALL = { ...PLOT_FIGURES, ...report };

for (const [name, build] of Object.entries(ALL)) {
  Deno.test(`readability ${name}: no text overlaps, leaves the canvas or is clipped`, () => {
    const fig = build();
    const problems: string[] = [];
    for (const width of [336, 672]) {
      for (const variant of ["full", "paper"] as const) {
        for (const p of P.textProblems(fig.svg(width, { variant, mark: P.SYNTHETIC_MARK }))) {
          problems.push(`${width} px ${variant}: ${p}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
}

Deno.test("readability check fails on a real collision (Plot tick labels squeezed into a narrow chart)", () => {
  const squeezed = P.figure({
    plot: (width) => ({
      width,
      height: 80,
      x: { domain: ["no further examination", "clinical follow up", "excision"] },
      marks: [],
    }),
  });
  assert.ok(P.textProblems(squeezed.svg(200)).some((p) => p.includes("overlaps")));
});

const heightIn = (svg: string) => Number(svg.match(/height="(\d+)"/)![1]) / 96;

Deno.test("paper layouts: Fig. 2, 3 and 5 fill two columns and fit a page; a case report fits a page", () => {
  for (const name of ["fig2", "fig3", "fig5"]) {
    const svg = report[name]().svg(672, { variant: "paper", mark: P.SYNTHETIC_MARK });
    assert.ok(heightIn(svg) <= 9.5, `${name}: ${heightIn(svg).toFixed(2)} in tall`);
    // panels letters a.. drawn, and the panels reach across the width
    const boxes = P.svgTextBoxes(svg).boxes;
    const letters = boxes.filter((b) => /^[a-e]$/.test(b.text) && b.bold).map((b) => b.text);
    assert.ok(letters.length >= 2, `${name}: letters ${letters}`);
    assert.ok(
      Math.max(...boxes.map((b) => b.x1)) > 600,
      `${name}: text ends at ${Math.max(...boxes.map((b) => b.x1))}`,
    );
  }
  assert.deepEqual(
    P.svgTextBoxes(report.fig2().svg(672)).boxes.filter((b) => /^[a-e]$/.test(b.text) && b.bold).map((b) => b.text),
    ["a", "b", "c", "d", "e"],
  );
  const caseReport = report.case_report().svg(672, { mark: P.SYNTHETIC_MARK });
  assert.ok(heightIn(caseReport) <= 9, `case report: ${heightIn(caseReport).toFixed(2)} in tall at 7 in wide`);
});

Deno.test("MClass-D: dermatologists on every ROC, the majority named as such", () => {
  for (const name of ["fig5", "fig5a_roc_melanoma", "fig5b_roc_majority"]) {
    const svg = report[name]().svg(672);
    assert.match(svg, /dermatologists/);
    assert.match(svg, /<circle[^>]*fill="#000000"/); // reader points
  }
  assert.match(report.fig5b_roc_majority().svg(672), /the dermatologists&#39;? majority|the dermatologists' majority/);
  assert.doesNotMatch(report.fig5b_roc_majority().svg(672), />true</);
});

Deno.test("Fig. 2a says which Jensen-Shannon and Wasserstein reading it shows and which matches the study's scale", () => {
  const svg = report.fig2a_distances().svg(672);
  assert.match(svg, /Jensen-Shannon shown: the distance/);
  assert.match(svg, /Wasserstein shown: classes as ordered positions/);
  assert.match(svg, /study(&#39;|')s scale/);
});

Deno.test("Grad-CAM overlay: title with case, head, class and image; colour bar; SYNTHETIC", () => {
  const svg = report.gradcam_overlay().svg(1400);
  assert.match(svg, /case 123: Grad-CAM for management EXC/);
  assert.match(svg, /SYNTHETIC DATA/);
  assert.match(svg, /linearGradient/);
});
