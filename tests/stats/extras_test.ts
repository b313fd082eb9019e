/**
 * Statistics beyond the study, checked against values computed with Debian's Python stack
 * (statsmodels 0.13.5, SciPy 1.10.1, scikit-learn 1.2.1, NumPy 1.24.2) at the time the test was
 * written, and against hand computations.
 */
import assert from "node:assert/strict";
import * as S from "../../lib/stats/mod.ts";
import { Prng } from "../../lib/util/prng.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const allClose = (a: number[], b: number[], tol = 1e-9) => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => close(v, b[i], tol));
};

Deno.test("holm and Benjamini-Hochberg equal statsmodels multipletests (0.13.5)", () => {
  const p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049];
  allClose(S.holm(p), [0.06, 0.16, 0.15, 0.035, 0.4, 0.5, 0.16]);
  allClose(S.benjaminiHochberg(p), [0.035, 0.0686, 0.0686, 0.035, 0.23333333333333336, 0.5, 0.0686]);
  const withNaN = S.holm([NaN, 0.01, 0.04]);
  assert.ok(Number.isNaN(withNaN[0]));
  allClose(withNaN.slice(1), [0.02, 0.04]);
  assert.throws(() => S.holm([1.2]), /expected p-values in \[0, 1\], found 1\.2/);
});

const X = [0.1, 0.4, 0.35, 0.8, 0.9, 0.15, 0.62, 0.55];
Deno.test("kernel density equals SciPy gaussian_kde (scott, silverman)", () => {
  const scott = S.kernelDensity(X);
  close(scott.bandwidth, 0.18987483371892494);
  allClose([0, 0.3, 0.5, 1].map(scott.at), [
    0.5027118777832916,
    1.0091897499009517,
    1.0701555333696926,
    0.43326775162795744,
  ]);
  allClose([0, 0.3, 0.5, 1].map(S.kernelDensity(X, { bandwidth: "silverman" }).at), [
    0.5038587332795472,
    0.9971104514230146,
    1.0594660810877117,
    0.43651987566871114,
  ]);
  const grid = scott.evaluate(2001, [-3, 4]);
  const area = grid.density.reduce((s, d) => s + d, 0) * (7 / 2000);
  close(area, 1, 1e-4);
});

const Y = [
  1,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  0,
  0,
  0,
  0,
  1,
  0,
  0,
  0,
  1,
  1,
  0,
  0,
  0,
  0,
  1,
  1,
  0,
  0,
  1,
  1,
  0,
  1,
  1,
  1,
  1,
  0,
  0,
  1,
  1,
  1,
  1,
  0,
];
const SA = [
  0.301,
  0.681,
  0.209,
  0.22,
  0.624,
  0.71,
  0.63,
  0.841,
  0.021,
  0.495,
  0.262,
  0.064,
  0.762,
  0.652,
  0.145,
  0.441,
  0.509,
  0.819,
  0.506,
  0.153,
  0.581,
  0.46,
  0.778,
  0.874,
  0.3,
  0.531,
  0.915,
  0.372,
  0.595,
  0.576,
  0.636,
  0.402,
  0.789,
  0.204,
  0.61,
  0.493,
  0.693,
  0.58,
  0.729,
  0.138,
];
const SB = [
  0.303,
  0.635,
  0.639,
  0.482,
  0.783,
  0.325,
  0.873,
  0.294,
  0.82,
  0.53,
  0.516,
  0.825,
  0.819,
  0.671,
  0.046,
  0.314,
  0.222,
  0.314,
  0.182,
  0.73,
  0.108,
  0.252,
  0.569,
  0.872,
  0.82,
  0.602,
  0.332,
  0.613,
  0.6,
  0.194,
  0.728,
  0.463,
  0.651,
  0.569,
  0.569,
  0.595,
  0.622,
  0.318,
  0.571,
  0.107,
];

Deno.test("calibration: reliability bins equal scikit-learn calibration_curve; Brier equals brier_score_loss", () => {
  const u = S.reliabilityCurve(Y, SA, { bins: 5 });
  allClose(u.map((b) => b.fractionPositive), [0.0, 0.2857142857142857, 0.4166666666666667, 0.6666666666666666, 1.0]);
  allClose(u.map((b) => b.meanScore), [0.1042, 0.26685714285714285, 0.5140833333333333, 0.6911666666666666, 0.86225]);
  const q = S.reliabilityCurve(Y, SA, { bins: 4, strategy: "quantile" });
  allClose(q.map((b) => b.fractionPositive), [0.0, 0.5, 0.4, 1.0]);
  allClose(q.map((b) => b.meanScore), [0.17160000000000003, 0.45099999999999996, 0.6165, 0.7909999999999999]);
  assert.equal(u.reduce((s, b) => s + b.count, 0), 40);
  close(S.brierScore(Y, SA), 0.16847647500000001);
  // multi-class Brier of two columns is twice the binary one
  close(S.brierScore(Y, SA.map((s) => [1 - s, s])), 2 * 0.16847647500000001);
});

Deno.test("expected calibration error: hand-computed top-label and class-wise", () => {
  // two cases, both right with confidence 0.9 and 0.8: |1 - 0.9| and |1 - 0.8| in separate bins -> 0.15
  close(S.expectedCalibrationError([0, 1], [[0.9, 0.1], [0.2, 0.8]], { bins: 10 }), 0.15);
  // a perfectly calibrated bin: 4 cases at confidence 0.75, 3 right
  close(
    S.expectedCalibrationError([0, 0, 0, 1], [[0.75, 0.25], [0.75, 0.25], [0.75, 0.25], [0.75, 0.25]], { bins: 10 }),
    0,
  );
  assert.ok(S.expectedCalibrationError([0, 1], [[0.9, 0.1], [0.2, 0.8]], { mode: "classwise" }) > 0);
});

Deno.test("DeLong's test equals an independent NumPy computation of the same formula", () => {
  const r = S.delongTest(Y, SA, SB);
  close(r.aucA, 0.8370927318295739);
  close(r.aucB, 0.4924812030075188);
  close(r.aucA, S.rocAuc(Y, SA));
  close(r.se, 0.10390923911452736);
  close(r.z, 3.3164666757133014);
  close(r.pValue, 0.0009116345881324956, 1e-7);
  const same = S.delongTest(Y, SA, SA);
  assert.equal(same.z, 0);
  assert.equal(same.pValue, 1);
});

Deno.test("DeLong's standard error agrees with a paired bootstrap of the AUC difference (within 15%)", () => {
  const prng = new Prng(11);
  const boot = S.pairedBootstrap(Y.length, (ix) => {
    const y = ix.map((i) => Y[i]);
    if (!y.includes(0) || !y.includes(1)) return NaN;
    return S.rocAuc(y, ix.map((i) => SA[i])) - S.rocAuc(y, ix.map((i) => SB[i]));
  }, { samples: 2000, prng });
  const ok = boot.draws.filter((d) => !Number.isNaN(d));
  const m = ok.reduce((a, b) => a + b, 0) / ok.length;
  const sd = Math.sqrt(ok.reduce((a, b) => a + (b - m) ** 2, 0) / (ok.length - 1));
  const r = S.delongTest(Y, SA, SB);
  assert.ok(Math.abs(sd - r.se) / r.se < 0.15, `bootstrap sd ${sd} vs DeLong se ${r.se}`);
});

Deno.test("net benefit: hand-computed (Vickers & Elkin 2006)", () => {
  const r = S.netBenefit([1, 1, 0, 0, 1], [0.9, 0.6, 0.7, 0.1, 0.2], [0.5, 0.25]);
  // t = 0.5: TP 2, FP 1, N 5 -> 2/5 - 1/5 * 1 = 0.2; treat all: 3/5 - 2/5 * 1 = 0.2
  close(r[0].model, 0.2);
  close(r[0].treatAll, 0.2);
  // t = 0.25: TP 2, FP 1 -> 0.4 - 0.2/3
  close(r[1].model, 0.4 - 0.2 / 3);
  assert.equal(r[1].treatNone, 0);
  assert.throws(() => S.netBenefit([1], [0.5], [1]), /thresholds in \(0, 1\), found 1/);
});

Deno.test("bootstrap: the study's subsampling (1000 x N/2 without replacement) is seeded and well-formed", () => {
  const values = Array.from({ length: 40 }, (_, i) => i / 40);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const a = S.bootstrap(values, mean, { ...S.studySubsampling(40), prng: new Prng(5) });
  const b = S.bootstrap(values, mean, { ...S.studySubsampling(40), prng: new Prng(5) });
  assert.deepEqual(a.draws, b.draws);
  assert.equal(a.draws.length, 1000);
  assert.deepEqual(a.settings, { samples: 1000, size: 20, replace: false });
  assert.ok(a.ci[0] < mean(values) && mean(values) < a.ci[1]);
  for (const ix of S.resampleIndices(10, { samples: 50, size: 5, replace: false, prng: new Prng(1) })) {
    assert.equal(new Set(ix).size, 5);
  }
  assert.throws(
    () => S.resampleIndices(10, { size: 11, replace: false, prng: new Prng(1) }),
    /expected a size in 1\.\.10, found 11/,
  );
});

Deno.test("wilcoxon: exact with ties and zeros is the exact sign-flip permutation distribution (brute force)", () => {
  const d = [-3, -1, 0, 1, 2, 2, 4, 5, -5, 6];
  for (const zeroMethod of ["wilcox", "pratt", "zsplit"] as const) {
    const r = S.wilcoxon(d, undefined, { method: "exact", zeroMethod, alternative: "greater" });
    // brute force over all 2^m sign patterns of the non-zero differences, ranks as the test ranks them
    const kept = zeroMethod === "wilcox" ? d.filter((v) => v !== 0) : d;
    const ranks = S.rankdata(kept.map(Math.abs));
    const zeroR = kept.reduce((s, v, i) => s + (v === 0 ? ranks[i] : 0), 0);
    const nz = kept.map((v, i) => [v, ranks[i]] as const).filter(([v]) => v !== 0);
    const observed = nz.reduce((s, [v, rk]) => s + (v > 0 ? rk : 0), 0);
    let ge = 0;
    for (let mask = 0; mask < 1 << nz.length; mask++) {
      const rp = nz.reduce((s, [, rk], i) => s + ((mask >> i) & 1 ? rk : 0), 0);
      if (rp >= observed - 1e-9) ge++;
    }
    close(r.pValue, ge / (1 << nz.length), 1e-12);
    close(r.statistic, observed + (zeroMethod === "zsplit" ? zeroR / 2 : 0));
  }
});
