/**
 * Benchmark: the study's full statistics battery at realistic sizes, timed in this library; the
 * same battery in SciPy/statsmodels/scikit-learn is bench/stats_battery.py (run both: see README).
 *
 * Battery (inputs generated with a fixed seed): 395 cases x 3 classes for two prediction sets
 * (infr, pred): class-wise metrics, ROC and PR curves per class, one-vs-rest AUROC; the 4 distances
 * to the one-hot targets for both; a two-sided Wilcoxon test per distance; 1000 subsamples of N/2
 * for the mean of each distance of each set, with Cohen's d; the 7 x 7 mid-p McNemar matrix of 7
 * label predictions; Fleiss' kappa of 157 raters x 100 images, with the model replacing each rater
 * in turn (157 kappas), and 1000 random draws of 9 raters + the model.
 *
 *   deno run -A bench/stats_battery.ts [--repeat 5] [--json]
 */
import * as S from "../lib/stats/mod.ts";
import { Prng } from "../lib/util/prng.ts";

export function makeInputs(seed = 7) {
  const prng = new Prng(seed);
  const n = 395, k = 3;
  const truth = Array.from({ length: n }, () => prng.categorical([40, 112, 243]));
  const probs = (sharp: number) =>
    truth.map((t) => {
      const raw = [0, 1, 2].map((c) => Math.exp((c === t ? sharp : 0) + prng.normal(0, 1)));
      const s = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / s);
    });
  const infr = probs(0.8), pred = probs(1.6);
  const labelSets = Array.from(
    { length: 7 },
    (_, j) => truth.map((t) => (prng.next() < 0.55 + 0.03 * j ? t : prng.int(k))),
  );
  const images = 100, raters = 157;
  const truthMel = Array.from({ length: images }, (_, i) => (i < 20 ? 1 : 0));
  const panel = truthMel.map((t) => Array.from({ length: raters }, () => (prng.next() < (t ? 0.75 : 0.3) ? 1 : 0)));
  const model = truthMel.map((t) => (prng.next() < (t ? 0.8 : 0.25) ? 1 : 0));
  return { truth, infr, pred, labelSets, panel, model, seed };
}

export function battery(inp: ReturnType<typeof makeInputs>): Record<string, unknown> {
  const { truth, infr, pred, labelSets, panel, model } = inp;
  const out: Record<string, unknown> = {};
  const distances: Record<string, Record<string, number[]>> = {};
  for (const [name, probs] of [["infr", infr], ["pred", pred]] as const) {
    const m = S.classwiseMetrics(truth, S.argmax(probs));
    const curves = [0, 1, 2].map((c) => {
      const y = truth.map((t) => (t === c ? 1 : 0)), s = probs.map((r) => r[c]);
      return { roc: S.rocCurve(y, s), pr: S.precisionRecallCurve(y, s), ap: S.averagePrecision(y, s) };
    });
    out[name] = { accuracy: m.accuracy, macro: m.macro, auroc: S.rocAucOvr(truth, probs), ap: curves.map((c) => c.ap) };
    const d = S.predictionDistances(probs, truth);
    distances[name] = {
      cosine: d.cosine,
      jensenShannon: d.jensenShannon,
      wasserstein: d.wasserstein,
      hellinger: d.hellinger,
    };
  }
  const prng = new Prng(1);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  out.distances = Object.fromEntries(
    Object.keys(distances.infr).map((key) => {
      const a = distances.infr[key], b = distances.pred[key];
      const w = S.wilcoxon(a, b, { method: "approx" });
      const ciA = S.bootstrap(a, mean, { ...S.studySubsampling(a.length), prng: prng.fork(`${key}-infr`) });
      const ciB = S.bootstrap(b, mean, { ...S.studySubsampling(b.length), prng: prng.fork(`${key}-pred`) });
      return [key, { wilcoxonP: w.pValue, ciInfr: ciA.ci, ciPred: ciB.ci, d: S.cohensD(a, b, { variant: "paired" }) }];
    }),
  );
  const preds = labelSets;
  const mat = preds.map((a) =>
    preds.map((b) => (a === b ? NaN : S.mcnemar(S.mcnemarTable(truth, a, b), { method: "midp" }).pValue))
  );
  out.mcnemar = S.holm(mat.flat());
  const counts = S.countsFromRatings(panel, 2);
  const all = S.fleissKappa(counts).kappa;
  const loo = panel[0].map((_, r) =>
    S.fleissKappa(S.countsFromRatings(panel.map((row, i) => row.map((v, j) => (j === r ? model[i] : v))), 2)).kappa
  );
  const draws = Array.from({ length: 1000 }, () => {
    const pick = prng.shuffle([...Array(panel[0].length).keys()]).slice(0, 9);
    return S.fleissKappa(S.countsFromRatings(panel.map((row, i) => [...pick.map((j) => row[j]), model[i]]), 2)).kappa;
  });
  out.fleiss = { all, loo: mean(loo), draws: mean(draws) };
  return out;
}

if (import.meta.main) {
  const repeat = Number(Deno.args[Deno.args.indexOf("--repeat") + 1] || 5);
  const inp = makeInputs();
  battery(inp); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    battery(inp);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const result = {
    tool: "derm7pt-mgmt lib/stats (Deno " + Deno.version.deno + ")",
    median_ms: times[Math.floor(times.length / 2)],
    min_ms: times[0],
    runs: repeat,
  };
  console.log(
    Deno.args.includes("--json")
      ? JSON.stringify(result)
      : `stats battery: median ${result.median_ms.toFixed(1)} ms, min ${
        result.min_ms.toFixed(1)
      } ms over ${repeat} runs (${result.tool})`,
  );
}
