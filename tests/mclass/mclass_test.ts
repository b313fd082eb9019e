/**
 * MClass-D: the agreement analysis on small hand-computable panels and against lib/stats, the
 * leave-one-out and random-draw procedures on a fixed panel with a known answer, the loaders (a
 * spreadsheet written by the test, a CSV rater matrix) and their errors, the ISIC download against a
 * local fixture server, and the synthetic panel's agreement levels.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import XLSX from "xlsx";
import {
  agreementAnalysis,
  binaryFleiss,
  binaryKappa,
  downloadIsicImages,
  loadAnswers,
  loadMclassList,
  majorityVote,
  mclassImagePaths,
  simulatePanel,
} from "../../lib/mclass/mod.ts";
import { cohenKappa, countsFromRatings, fleissKappa } from "../../lib/stats/mod.ts";
import { Prng } from "../../lib/util/prng.ts";
import { sharedDataDir, tempDir } from "../_helpers.ts";

Deno.test("binary kappas equal lib/stats' Cohen and Fleiss kappas", () => {
  const prng = new Prng(3);
  const R = Array.from({ length: 6 }, () => Array.from({ length: 25 }, () => (prng.next() < 0.4 ? 1 : 0)));
  assert.ok(Math.abs(binaryKappa(R[0], R[1]) - cohenKappa(R[0], R[1], { labels: 2 }).kappa) < 1e-12);
  const ones = R[0].map((_, i) => R.reduce((s, r) => s + r[i], 0));
  assert.ok(
    Math.abs(binaryFleiss(ones, 6) - fleissKappa(countsFromRatings(R[0].map((_, i) => R.map((r) => r[i])), 2)).kappa) <
      1e-12,
  );
  // weights: repeating an image twice equals weight 2
  const w = R[0].map((_, i) => (i === 0 ? 2 : 1));
  const dup = (v: number[]) => [v[0], ...v];
  assert.ok(Math.abs(binaryKappa(R[0], R[1], w) - binaryKappa(dup(R[0]), dup(R[1]))) < 1e-12);
});

Deno.test("agreement on a hand-computable panel: majority with ties, pairs, leave-one-out, model replacing, draws", () => {
  // 4 images, 3 raters (rater 3 disagrees on image 2), model = truth
  const answers = [[1, 0, 1, 0], [1, 0, 1, 0], [1, 0, 0, 0]];
  assert.deepEqual(majorityVote(answers), [1, 0, 1, 0]);
  assert.deepEqual(majorityVote([[1, 0], [0, 0]]), [1, 0], "a tie counts as excise");
  const r = agreementAnalysis(answers, {
    truthMelanoma: [1, 0, 1, 0],
    model: [1, 0, 1, 0],
    prng: new Prng(1),
    draws: 20,
    drawSize: 2,
    bootstrap: 0,
  });
  assert.equal(r.kappaModelVsAggregate, 1);
  // pairs: (1,2) kappa 1; (1,3) and (2,3): po 3/4, pe = (2*1 + 2*3)/16 = 1/2 -> kappa 0.5
  assert.ok(Math.abs(r.kappaPairs.mean - 2 / 3) < 1e-12);
  // leave-one-out: rater 3 vs majority of 1,2 = [1,0,1,0] -> 0.5; raters 1,2 vs majority of the other two ([1,0,1,0] with the tie on image 2 -> excise) -> 1
  assert.deepEqual(r.kappaEachVsOthers.values.map((v) => Number(v.toFixed(12))), [1, 1, 0.5]);
  // Fleiss with the model replacing rater 3 = all agree = 1; replacing rater 1 or 2 = the same as all three
  assert.ok(Math.abs(r.fleissModelReplacing.mean - (2 * r.fleissAll + 1) / 3) < 1e-12);
  assert.equal(r.raterPoints[2].sensitivity, 0.5);
  assert.equal(r.raterPoints[0].specificity, 1);
  assert.equal(r.ci, null);
  assert.throws(
    () => agreementAnalysis([[1, 0], [1]], { truthMelanoma: [1, 0], model: [1, 0], prng: new Prng(1) }),
    /expected 2 answers for every rater, found 1 for rater 2/,
  );
  assert.throws(
    () => agreementAnalysis([[1, 0], [1, 0]], { truthMelanoma: [1], model: [1, 0], prng: new Prng(1) }),
    /expected 2 values in truthMelanoma/,
  );
});

Deno.test("random draws: fewer raters than 9 draw them all; a draw larger than the panel is an error", () => {
  const answers = [[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]];
  const opts = { truthMelanoma: [1, 0, 1, 0], model: [1, 0, 1, 1], prng: new Prng(3), draws: 20, bootstrap: 0 };
  const r = agreementAnalysis(answers, opts);
  assert.equal(r.settings.drawSize, 3);
  // every draw is the whole panel plus the model: the same kappa as all raters with the model
  const ones = [0, 1, 2, 3].map((i) => answers.reduce((s, a) => s + a[i], 0) + opts.model[i]);
  const whole = fleissKappa(ones.map((o) => [4 - o, o])).kappa;
  assert.ok(Math.abs(r.fleissDrawsWithModel.mean - whole) < 1e-12, `${r.fleissDrawsWithModel.mean} vs ${whole}`);
  assert.throws(
    () => agreementAnalysis(answers, { ...opts, drawSize: 4 }),
    /expected drawSize to be an integer from 1 to the 3 raters, found 4/,
  );
});

Deno.test("random draws: with identical raters and a model that agrees, every draw has Fleiss' kappa 1", () => {
  const row = [1, 1, 0, 0, 0, 1, 0, 0];
  const r = agreementAnalysis(Array.from({ length: 12 }, () => row), {
    truthMelanoma: row,
    model: row,
    prng: new Prng(2),
    draws: 50,
    bootstrap: 50,
  });
  assert.ok(Math.abs(r.fleissDrawsWithModel.mean - 1) < 1e-12);
  assert.ok(r.fleissDrawsWithModel.sd < 1e-12);
  assert.ok(r.ci!.fleissAll.every((v) => Math.abs(v - 1) < 1e-12));
  const again = agreementAnalysis(Array.from({ length: 12 }, () => row), {
    truthMelanoma: row,
    model: row.map((v) => 1 - v),
    prng: new Prng(2),
    draws: 50,
    bootstrap: 0,
  });
  assert.ok(again.kappaModelVsAggregate < 0);
});

Deno.test("loaders: the image list, a spreadsheet written here, a CSV rater matrix, and their errors", () => {
  const d = tempDir();
  Deno.writeTextFileSync(
    join(d, "list.csv"),
    "image_name,target\nISIC_0000001.jpg,1\nISIC_0000002.jpg,0\nISIC_0000003.jpg,0\n",
  );
  const list = loadMclassList(join(d, "list.csv"));
  assert.deepEqual(list.images.map((i) => i.melanoma), [true, false, false]);
  Deno.writeTextFileSync(join(d, "bad.csv"), "image_name,target\nISIC_0000001.jpg,2\n");
  assert.throws(
    () => loadMclassList(join(d, "bad.csv")),
    /bad\.csv line 2, column "target": expected 0 \(nevus\) or 1 \(melanoma\), found "2"/,
  );
  // the benchmark's spreadsheet layout: one row per dermatologist, Answer 1..Answer n
  const rows = [
    {
      Dermatologist: "a",
      "Answer 1": "biopsy/further treatment",
      "Answer 2": "reassure the patient",
      "Answer 3": "Biopsy",
    },
    {
      Dermatologist: "b",
      "Answer 1": "biopsy/further treatment",
      "Answer 2": "biopsy/further treatment",
      "Answer 3": "reassure the patient",
    },
  ];
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.json_to_sheet(rows), "Results");
  Deno.writeFileSync(join(d, "answers.xlsx"), new Uint8Array(XLSX.write(wb, { type: "array", bookType: "xlsx" })));
  const panel = loadAnswers(join(d, "answers.xlsx"), list);
  assert.deepEqual(panel.answers, [[1, 0, 1], [1, 1, 0]]);
  rows[1]["Answer 2"] = "not sure";
  const wb2 = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb2, XLSX.utils.json_to_sheet(rows), "Results");
  Deno.writeFileSync(join(d, "answers2.xlsx"), new Uint8Array(XLSX.write(wb2, { type: "array", bookType: "xlsx" })));
  assert.throws(
    () => loadAnswers(join(d, "answers2.xlsx"), list),
    /answers2\.xlsx sheet "Results" row 3, column "Answer 2": expected an answer the MClass vocabulary decides .*found "not sure"/,
  );
  Deno.writeTextFileSync(
    join(d, "m.csv"),
    "rater,ISIC_0000001.jpg,ISIC_0000002.jpg,ISIC_0000003.jpg\nr1,1,0,EXC\nr2,NOEXC,1,0\n",
  );
  assert.deepEqual(loadAnswers(join(d, "m.csv"), list).answers, [[1, 0, 1], [0, 1, 0]]);
  Deno.writeTextFileSync(join(d, "short.csv"), "rater,ISIC_0000001.jpg\nr1,1\n");
  assert.throws(() => loadAnswers(join(d, "short.csv"), list), /expected 3 image columns .*found 1/);
  assert.throws(() => mclassImagePaths(list, d), /Cannot find MClass-D image "ISIC_0000001\.jpg": expected a file in/);
});

Deno.test({
  name: "the real MClass-D list (../shared/data/mclass) loads: 100 images, 20 melanomas",
  ignore: sharedDataDir() === null,
}, () => {
  const list = loadMclassList(join(sharedDataDir()!, "mclass", "MClassD.csv"));
  assert.equal(list.images.length, 100);
  assert.equal(list.images.filter((i) => i.melanoma).length, 20);
});

Deno.test("ISIC download by id from a local fixture server, cached; bad ids and failures are named", async () => {
  const dir = tempDir();
  let hits = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    hits++;
    const url = new URL(req.url);
    const m = url.pathname.match(/^\/api\/v2\/images\/(ISIC_\d{7})\/$/);
    if (m && m[1] !== "ISIC_0000009") {
      return Response.json({ isic_id: m[1], files: { full: { url: `${url.origin}/files/${m[1]}.jpg` } } });
    }
    if (url.pathname.startsWith("/files/")) return new Response(new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]));
    return new Response("not found", { status: 404 });
  });
  const api = `http://127.0.0.1:${server.addr.port}/api/v2`;
  try {
    const paths = await downloadIsicImages(["ISIC_0000003.jpg", "ISIC_0000037"], { cacheDir: dir, api, quiet: true });
    assert.deepEqual(paths.map((p) => p.split("/").pop()), ["ISIC_0000003.jpg", "ISIC_0000037.jpg"]);
    assert.equal(hits, 4);
    await downloadIsicImages(["ISIC_0000003"], { cacheDir: dir, api, quiet: true });
    assert.equal(hits, 4, "cached");
    await assert.rejects(
      () => downloadIsicImages(["ISIC_0000009"], { cacheDir: dir, api, quiet: true }),
      /Cannot download ISIC_0000009: the ISIC API answered HTTP 404/,
    );
    await assert.rejects(
      () => downloadIsicImages(["nope"], { cacheDir: dir, api, quiet: true }),
      /expected an id like ISIC_0000003, found "nope"/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("synthetic panel: 157 raters whose agreement lands near the published levels; the analysis runs in well under a second", () => {
  const truth = Array.from({ length: 100 }, (_, i) => (i < 20 ? 1 : 0));
  const fleiss: number[] = [];
  for (const seed of [1, 2, 3, 4, 5]) {
    const p = simulatePanel(truth, { prng: new Prng(seed) });
    fleiss.push(binaryFleiss(truth.map((_, i) => p.answers.reduce((s, r) => s + r[i], 0)), 157));
  }
  const mean = fleiss.reduce((a, b) => a + b, 0) / fleiss.length;
  assert.ok(Math.abs(mean - 0.41) < 0.06, `mean Fleiss ${mean}`);
  const p = simulatePanel(truth, { prng: new Prng(1) });
  const t = performance.now();
  const r = agreementAnalysis(p.answers, { truthMelanoma: truth, model: truth, prng: new Prng(9) });
  const ms = performance.now() - t;
  console.log(`agreement analysis (157 x 100, 1000 draws, 1000 bootstrap resamples): ${ms.toFixed(0)} ms`);
  assert.ok(r.kappaPairs.sd > 0.05 && r.kappaPairs.sd < 0.16);
  assert.ok(ms < 3000, `${ms} ms`);
});
