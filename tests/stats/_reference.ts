/**
 * Maps the entries of ../shared/reference/stats_vectors.json (SciPy, statsmodels, scikit-learn,
 * PyCM, R, published examples) onto this project's statistics API, and compares with each entry's
 * stated tolerance (else 1e-9 relative).
 *
 * A mapper returns the comparisons it can make; keys it cannot check (quantities outside the API)
 * are listed in `skipped` with the reason, and an entry that maps onto nothing at all is reported
 * as out of scope.
 */
import * as S from "../../lib/stats/mod.ts";

export interface Entry {
  id: string;
  statistic: string;
  kind: string;
  params?: Record<string, unknown>;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
  tolerance?: Record<string, unknown>;
  notes?: string;
}

export interface Comparison {
  key: string;
  actual: unknown;
  expected: unknown;
}

export interface Mapped {
  comparisons: Comparison[];
  skipped: { key: string; why: string }[];
  /** Tolerance override per key (e.g. "6 (kappa), 5 (z)"). */
}

type Num = number;
const nums = (v: unknown) => v as Num[];
const rows = (v: unknown) => v as Num[][];

/** Relative/absolute tolerance check for one expected key, following the entry's tolerance. */
export function within(
  actual: number,
  expected: number | string,
  tol: Record<string, unknown> | undefined,
  key: string,
): boolean {
  if (expected === "NaN") return Number.isNaN(actual);
  if (typeof expected === "string") {
    const m = expected.match(/^(-?\d+)\.(\d+)\.\.\.$/);
    if (!m) throw new Error(`unreadable expected value "${expected}"`);
    const digits = m[2].length;
    const truncated = Math.trunc(actual * 10 ** digits + (actual >= 0 ? 1e-9 : -1e-9)) / 10 ** digits;
    return Math.abs(truncated - Number(expected.slice(0, -3))) < 10 ** -(digits + 3);
  }
  if (Number.isNaN(actual)) return false;
  const diff = Math.abs(actual - expected);
  // A value printed with d < 11 decimals (e.g. a docstring's 0.66666667, R's 17.65183) cannot be
  // checked more finely than its last printed digit.
  const decimals = (String(expected).split(".")[1] ?? "").length;
  const printed = decimals > 0 && decimals <= 10 ? 0.5 * 10 ** -decimals + 1e-15 : 0;
  if (diff <= printed) return true;
  // No stated tolerance: 1e-9 relative.
  if (!tol) return diff <= Math.max(1e-9 * Math.abs(expected), 1e-12);
  const t = tol;
  if ("rtol" in t) return diff <= (t.rtol as number) * Math.abs(expected) + 1e-300;
  if ("atol" in t) return diff <= (t.atol as number);
  if ("abs_tol" in t) return diff <= (t.abs_tol as number);
  if ("abs" in t) return diff <= (t.abs as number);
  if ("tolerance" in t) return diff <= (t.tolerance as number);
  if ("exact" in t) return diff === 0;
  if ("places" in t) return diff < 0.5 * 10 ** -(t.places as number);
  if ("decimal" in t) {
    let dec = t.decimal as number | string;
    if (typeof dec === "string") {
      // e.g. "6 (kappa), 5 (z), 6 (p)"
      const parts = Object.fromEntries([...dec.matchAll(/(\d+) \((\w+)\)/g)].map((x) => [x[2], Number(x[1])]));
      dec = parts[key] ?? parts[key.slice(0, 1)] ?? (key === "pvalue" ? parts.p : undefined) ??
        Math.min(...Object.values(parts));
    }
    return diff < 1.5 * 10 ** -(dec as number);
  }
  if ("printed" in t) {
    const fmts = String(t.printed).split("/").map((s) => s.trim());
    const pick = fmts.length > 1 && key === "Z" ? fmts[1] : fmts[0];
    const dp = Number(pick.match(/\.(\d+)f/)?.[1] ?? pick.match(/(\d+) d\.p\./)?.[1] ?? 6);
    return diff <= 0.5 * 10 ** -dp + 1e-12;
  }
  for (const [k, v] of Object.entries(t)) {
    const s = String(v);
    const rtol = Number(s.match(/rtol\s*([0-9.e-]+)/)?.[1] ?? s.match(/rel(?:_tol)?\s*([0-9.e-]+)/)?.[1] ?? NaN);
    const atol = Number(s.match(/atol\s*([0-9.e-]+)/)?.[1] ?? 0);
    if (k === "math.isclose") return diff <= 1e-9 * Math.max(Math.abs(actual), Math.abs(expected));
    if (!Number.isNaN(rtol)) return diff <= atol + rtol * Math.abs(expected);
  }
  return diff <= 1e-9 * Math.abs(expected) + 1e-12;
}

/** Deep comparison of numbers/arrays/objects with `within`. Returns the first mismatch or null. */
export function compare(
  actual: unknown,
  expected: unknown,
  tol: Record<string, unknown> | undefined,
  key: string,
): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${key}: expected an array of ${expected.length}, found ${
        Array.isArray(actual) ? actual.length : typeof actual
      } (${JSON.stringify(actual)?.slice(0, 200)})`;
    }
    for (let i = 0; i < expected.length; i++) {
      const r = compare(actual[i], expected[i], tol, key);
      if (r) return `${key}[${i}]: ${r}`;
    }
    return null;
  }
  if (typeof expected === "number" || typeof expected === "string") {
    return within(actual as number, expected, tol, key) ? null : `expected ${expected}, found ${actual}`;
  }
  return `${key}: cannot compare ${JSON.stringify(expected)}`;
}

const labelIndex = (labels: unknown[]) => (v: unknown) => labels.indexOf(v);

function wilcoxonMethod(m: unknown): "auto" | "exact" | "approx" {
  const s = String(m);
  if (s.startsWith("asymptotic")) return "approx";
  if (s.startsWith("exact")) return "exact";
  return "auto";
}

/** The mapping of every statistic family onto the API. */
export function mapEntry(e: Entry): Mapped | { outOfScope: string } {
  const p = e.params ?? {};
  const I = e.input, E = e.expected;
  const out: Mapped = { comparisons: [], skipped: [] };
  const add = (key: string, actual: unknown) => out.comparisons.push({ key, actual, expected: E[key] });
  const skip = (key: string, why: string) => out.skipped.push({ key, why });
  switch (e.statistic) {
    case "wilcoxon": {
      const x = nums(I.x), y = I.y ? nums(I.y) : undefined;
      if (p.keys === "method|correction") {
        for (const k of Object.keys(E)) {
          const [method, corr] = k.split("|");
          const r = S.wilcoxon(x, y, {
            zeroMethod: p.zero_method as "wilcox",
            method: wilcoxonMethod(method),
            correction: corr === "corr=True",
            alternative: p.alternative as "two-sided",
          });
          out.comparisons.push({
            key: k,
            actual: [r.statistic, r.pValue],
            expected: [(E[k] as Record<string, number>).statistic, (E[k] as Record<string, number>).pvalue],
          });
        }
      } else if (p.keys === "zero_method|correction") {
        for (const k of Object.keys(E)) {
          const [zm, corr] = k.split("|");
          const r = S.wilcoxon(x, y, {
            zeroMethod: zm as "wilcox",
            method: "approx",
            correction: corr === "corr=True",
            alternative: "two-sided",
          });
          out.comparisons.push({
            key: k,
            actual: [r.statistic, r.pValue],
            expected: [(E[k] as Record<string, number>).statistic, (E[k] as Record<string, number>).pvalue],
          });
        }
      } else if ("two-sided" in E) {
        for (const k of Object.keys(E)) {
          const approx = k.startsWith("asymptotic");
          const alt = approx ? "two-sided" : k;
          const r = S.wilcoxon(x, y, {
            zeroMethod: (p.zero_method as "wilcox") ?? "wilcox",
            method: approx ? "approx" : "exact",
            correction: k.endsWith("True"),
            alternative: alt as "two-sided",
          });
          out.comparisons.push({
            key: k,
            actual: [r.statistic, r.pValue],
            expected: [(E[k] as Record<string, number>).statistic, (E[k] as Record<string, number>).pvalue],
          });
        }
      } else {
        const r = S.wilcoxon(x, y, {
          zeroMethod: p.zero_method as "wilcox",
          method: wilcoxonMethod(p.method),
          correction: Boolean(p.correction),
          alternative: p.alternative as "two-sided",
        });
        if ("statistic" in E) add("statistic", r.statistic);
        if ("pvalue" in E) add("pvalue", r.pValue);
      }
      return out;
    }
    case "jensenshannon_distance":
    case "jensenshannon_divergence": {
      const base = p.base === undefined || String(p.base).startsWith("e") ? Math.E : Number(p.base);
      const f = e.statistic === "jensenshannon_distance" ? S.jensenShannonDistance : S.jensenShannonDivergence;
      add("value", f(nums(I.p), nums(I.q), { base }));
      return out;
    }
    case "jensenshannon": {
      const q = nums(I.onehot);
      add("distance_base_e", S.jensenShannonDistance(nums(I.p), q));
      add("distance_base_2", S.jensenShannonDistance(nums(I.p), q, { base: 2 }));
      add("divergence_nats", S.jensenShannonDivergence(nums(I.p), q));
      add("divergence_bits", S.jensenShannonDivergence(nums(I.p), q, { base: 2 }));
      // and through predictionDistances (the study's per-case function)
      out.comparisons.push({
        key: "predictionDistances.jensenShannon",
        actual: S.predictionDistances([nums(I.p)], [I.target_index as number]).jensenShannon[0],
        expected: E.distance_base_e,
      });
      return out;
    }
    case "cosine_distance": {
      const u = nums(I.u ?? I.p), v = nums(I.v ?? I.onehot);
      const value = S.cosineDistance(u, v);
      if (typeof E.value === "string") {
        out.comparisons.push({ key: "value_numeric", actual: value, expected: E.value_numeric });
      } else add("value", value);
      if (I.target_index !== undefined) {
        out.comparisons.push({
          key: "predictionDistances.cosine",
          actual: S.predictionDistances([u], [I.target_index as number]).cosine[0],
          expected: E.value,
        });
      }
      return out;
    }
    case "wasserstein_distance": {
      if (I.onehot) {
        const pr = nums(I.p), t = I.target_index as number;
        add("A_weights_on_support", S.predictionDistances([pr], [t]).wasserstein[0]);
        add(
          "B_scipy_default_values_as_samples",
          S.predictionDistances([pr], [t], { wasserstein: "samples" }).wasserstein[0],
        );
        return out;
      }
      add(
        "value",
        S.wassersteinDistance(nums(I.u_values), nums(I.v_values), {
          uWeights: I.u_weights as number[] | undefined,
          vWeights: I.v_weights as number[] | undefined,
        }),
      );
      return out;
    }
    case "bhattacharyya_coefficient":
      add("value", S.bhattacharyyaCoefficient(nums(I.p), nums(I.q)));
      return out;
    case "hellinger_distance":
      add("normalised", S.hellingerDistance(nums(I.p), nums(I.onehot)));
      add("unnormalised", S.hellingerDistance(nums(I.p), nums(I.onehot), { normalized: false }));
      out.comparisons.push({
        key: "predictionDistances.hellinger",
        actual: S.predictionDistances([nums(I.p)], [I.target_index as number]).hellinger[0],
        expected: E.normalised,
      });
      return out;
    case "mcnemar_exact": {
      const r = S.mcnemar(rows(I.table), { method: "exact" });
      if ("statistic" in E) add("statistic", r.statistic);
      add("pvalue", r.pValue);
      return out;
    }
    case "mcnemar_asymptotic": {
      const r = S.mcnemar(rows(I.table), { method: "asymptotic", correction: Boolean(p.correction) });
      if ("statistic" in E) add("statistic", r.statistic);
      if ("pvalue" in E) add("pvalue", r.pValue);
      if ("Z" in E) add("Z", r.z);
      return out;
    }
    case "mcnemar_midp":
      add("pvalue", S.mcnemar(rows(I.table), { method: "midp" }).pValue);
      return out;
    case "mcnemar_exact_unconditional":
      return {
        outOfScope:
          "the exact unconditional McNemar test (Suissa-Shuster) is not part of the API; the study uses the mid-p test",
      };
    case "mcnemar": {
      const t = rows(I.table);
      add("midp", S.mcnemar(t, { method: "midp" }).pValue);
      add("exact_conditional_p", S.mcnemar(t, { method: "exact" }).pValue);
      const ex = S.mcnemar(t, { method: "exact" });
      out.comparisons.push({
        key: "statsmodels_exact",
        actual: [ex.statistic, ex.pValue],
        expected: [
          (E.statsmodels_exact as Record<string, number>).statistic,
          (E.statsmodels_exact as Record<string, number>).pvalue,
        ],
      });
      for (const [k, corr] of [["chi2_no_correction", false], ["chi2_continuity_corrected", true]] as const) {
        const r = S.mcnemar(t, { method: "asymptotic", correction: corr });
        const ee = E[k] as Record<string, number>;
        out.comparisons.push({ key: k, actual: [r.statistic, r.pValue], expected: [ee.statistic, ee.pvalue] });
      }
      return out;
    }
    case "cohen_kappa": {
      const weights = (p.weights ?? undefined) as "linear" | "quadratic" | undefined;
      let r: S.CohenKappaResult;
      if (I.table || I.matrix || (I.confusion_matrix && !I.y1)) {
        r = S.cohenKappaFromTable(rows(I.table ?? I.matrix ?? I.confusion_matrix), { weights });
      } else {
        const a = nums(I.y1 ?? I.rater_a), b = nums(I.y2 ?? I.rater_b);
        const cats = [...new Set([...a, ...b])].sort((x, y) => x - y);
        const ix = labelIndex(cats);
        r = S.cohenKappa(a.map(ix), b.map(ix), { weights });
        if (E.kappa_linear_weights !== undefined) {
          add("kappa_linear_weights", S.cohenKappa(a.map(ix), b.map(ix), { weights: "linear" }).kappa);
          add("kappa_quadratic_weights", S.cohenKappa(a.map(ix), b.map(ix), { weights: "quadratic" }).kappa);
        }
      }
      for (const k of Object.keys(E)) {
        if (k === "kappa") add(k, r.kappa);
        else if (k === "p_o" || k === "Overall_ACC") add(k, r.po);
        else if (k === "p_e" || k === "Overall_RACC") add(k, r.pe);
        else if (k === "ase") add(k, r.ase);
        else if (k === "ase_h0") add(k, r.aseH0);
        else if (k === "z") add(k, r.z);
        else if (k === "pvalue") add(k, r.pValue);
        else if (k === "pvalue_two_sided") add(k, r.pValue);
        else if (k === "pvalue_one_sided") add(k, r.pValue / 2);
        else if (k === "ci95_low") add(k, r.ci95[0]);
        else if (k === "ci95_upp") add(k, r.ci95[1]);
        else if (k.startsWith("kappa_")) continue;
        else if (k === "scott_pi") skip(k, "Scott's pi is not part of the API");
        else skip(k, "PyCM's overall-accuracy standard error and interval are not part of the API");
      }
      return out;
    }
    case "fleiss_kappa": {
      let counts: number[][];
      if (I.counts) counts = rows(I.counts);
      else {
        const ratings = rows(I.ratings_subjects_x_raters);
        const cats = I.n_categories
          ? [...Array(I.n_categories as number).keys()]
          : [...new Set(ratings.flat())].sort((a, b) => a - b);
        counts = S.countsFromRatings(ratings.map((r) => r.map(labelIndex(cats))), cats.length);
        if (I.counts_subjects_x_categories) {
          out.comparisons.push({ key: "countsFromRatings", actual: counts, expected: I.counts_subjects_x_categories });
        }
      }
      const method = String(p.method).startsWith("randolph") ? "randolph" : "fleiss";
      const r = S.fleissKappa(counts, { method });
      for (const k of Object.keys(E)) {
        if (k === "kappa") add(k, r.kappa);
        else if (k === "P_i") add(k, r.perSubject);
        else if (k === "z") add(k, r.z);
        else if (k === "kappa_randolph") add(k, S.fleissKappa(counts, { method: "randolph" }).kappa);
        else if (k === "P_bar") add(k, r.pBar);
        else if (k === "P_e_bar") add(k, r.pe);
        else if (k === "p_j") add(k, r.categoryShares);
        else skip(k, "not part of the API");
      }
      return out;
    }
    case "roc_curve_auc":
    case "roc_curve_thresholds": {
      const yt = nums(I.y_true ?? I.actual), sc = nums(I.y_score ?? I.probs_class2);
      const pos = (p.pos_label ?? p.pos_class ?? 1) as number;
      const t01 = yt.map((v) => (v === pos ? 1 : 0));
      const c = S.rocCurve(t01, sc, { dropIntermediate: (p.drop_intermediate ?? true) as boolean });
      if ("fpr" in E) add("fpr", c.fpr);
      if ("tpr" in E) add("tpr", c.tpr);
      if ("thresholds" in E) {
        out.comparisons.push({
          key: "thresholds (without sklearn's artificial first)",
          actual: c.thresholds,
          expected: nums(E.thresholds).slice(1),
        });
      }
      if ("auc" in E) add("auc", S.rocAuc(t01, sc));
      if ("auc_trapezoid" in E) add("auc_trapezoid", S.rocAuc(t01, sc));
      return out;
    }
    case "roc_auc_ovr": {
      if (E.definition) return { outOfScope: "a definition without numbers (its numbers are in C-roc_auc_ovr-247)" };
      const yt = nums(I.y_true), sc = rows(I.y_score);
      add("per_class", S.rocAucOvr(yt, sc, { average: "none" }));
      add("macro", S.rocAucOvr(yt, sc, { average: "macro" }));
      add("weighted", S.rocAucOvr(yt, sc, { average: "weighted" }));
      return out;
    }
    case "average_precision":
    case "precision_recall_curve": {
      let yt: number[], sc: number[];
      if (typeof I.y_true === "string") {
        yt = [...Array(100).keys()].map((i) => (i % 4 === 0 ? 1 : 0));
        sc = yt.map(() => 1);
      } else [yt, sc] = [nums(I.y_true), nums(I.y_score)];
      const pos = (p.pos_label ?? 1) as number;
      const t01 = yt.map((v) => (v === pos ? 1 : 0));
      const c = S.precisionRecallCurve(t01, sc);
      const ap = S.averagePrecision(t01, sc);
      for (const k of Object.keys(E)) {
        if (k === "ap" && typeof E.ap === "string" && "ap_exact" in E) continue;
        if (k === "ap" || k === "ap_exact") add(k, ap);
        else if (k === "ap_not_equal") {
          out.comparisons.push({ key: "ap != 1 (ties grouped)", actual: ap !== E.ap_not_equal ? 1 : 0, expected: 1 });
        } else if (k === "precision") add(k, c.precision);
        else if (k === "recall") add(k, c.recall);
        else if (k === "thresholds") add(k, c.thresholds);
      }
      return out;
    }
    case "confusion_matrix": {
      const labels = p.labels as number[];
      const cm = S.confusionMatrix(nums(I.y_true).map(labelIndex(labels)), nums(I.y_pred).map(labelIndex(labels)), {
        labels: labels.length,
      });
      if (E.matrix) add("matrix", cm);
      else {
        const m = S.classwiseMetrics(nums(I.y_true), nums(I.y_pred), { labels: 2 });
        add("tn", m.tn[1]);
        add("fp", m.fp[1]);
        add("fn", m.fn[1]);
        add("tp", m.tp[1]);
      }
      return out;
    }
    case "multilabel_confusion_matrix": {
      const labels = p.labels as string[];
      const ix = labelIndex(labels);
      const m = S.classwiseMetrics((I.y_true as string[]).map(ix), (I.y_pred as string[]).map(ix), {
        labels: labels.length,
      });
      add("per_class", labels.map((_, c) => [[m.tn[c], m.fp[c]], [m.fn[c], m.tp[c]]]));
      return out;
    }
    case "accuracy": {
      const m = S.classwiseMetrics(nums(I.y_true), nums(I.y_pred));
      add("accuracy", m.accuracy);
      add("n_correct", m.tp.reduce((a, b) => a + b, 0));
      out.comparisons.push({
        key: "accuracy()",
        actual: S.accuracy(nums(I.y_true), nums(I.y_pred)),
        expected: E.accuracy,
      });
      return out;
    }
    case "recall_per_class":
    case "precision_per_class": {
      const yt = nums(I.y_true), yp = nums(I.y_pred);
      const k = Math.max(...yt, ...yp) + 1;
      const field = e.statistic === "recall_per_class" ? "sensitivity" : "precision";
      if ("per_class_zero_division_0" in E) {
        add("per_class_zero_division_0", S.classwiseMetrics(yt, yp, { labels: k, zeroDivision: 0 })[field]);
        add("per_class_zero_division_1", S.classwiseMetrics(yt, yp, { labels: k, zeroDivision: 1 })[field]);
        return out;
      }
      const m = S.classwiseMetrics(yt, yp, { labels: k });
      add("per_class", m[field]);
      add("macro", m.macro[field]);
      add("micro", m.accuracy);
      add("weighted", m.weighted[field]);
      return out;
    }
    case "precision_recall_fscore_support": {
      const labels = p.labels as string[];
      const ix = labelIndex(labels);
      const m = S.classwiseMetrics((I.y_true as string[]).map(ix), (I.y_pred as string[]).map(ix), {
        labels: labels.length,
      });
      add("precision", m.precision);
      add("recall", m.sensitivity);
      add("f1", m.f1);
      add("support", m.support);
      add("macro", [m.macro.precision, m.macro.sensitivity, m.macro.f1]);
      add("micro", [m.accuracy, m.accuracy, m.accuracy]);
      return out;
    }
    case "balanced_accuracy":
      add("balanced_accuracy", S.classwiseMetrics(nums(I.y_true), nums(I.y_pred)).balancedAccuracy);
      return out;
    case "classification_report": {
      const m = S.classwiseMetrics(nums(I.y_true), nums(I.y_pred));
      add("precision", m.precision);
      add("recall", m.sensitivity);
      add("f1", m.f1);
      add("support", m.support);
      add("accuracy", m.accuracy);
      add("macro_avg", [m.macro.precision, m.macro.sensitivity, m.macro.f1]);
      add("weighted_avg", [m.weighted.precision, m.weighted.sensitivity, m.weighted.f1]);
      return out;
    }
    case "class_statistics": {
      let yt: number[], yp: number[];
      let cls: number | undefined;
      if (I.y_actual) {
        const all = [...new Set([...nums(I.y_actual), ...nums(I.y_pred)])].sort((a, b) => a - b);
        const ix = labelIndex(all);
        [yt, yp] = [nums(I.y_actual).map(ix), nums(I.y_pred).map(ix)];
      } else {
        // PyCM dict matrices: {actual: {predicted: count}} or transposed
        const mat = (I.matrix ?? I.matrix_predicted_by_actual) as Record<string, Record<string, number>>;
        const transposed = Boolean(I.matrix_predicted_by_actual);
        const keys = Object.keys(mat).sort();
        yt = [];
        yp = [];
        for (const a of keys) {
          for (const b of keys) {
            const [act, pre] = transposed ? [b, a] : [a, b];
            for (let i = 0; i < (mat[a][b] ?? 0); i++) {
              yt.push(keys.indexOf(act));
              yp.push(keys.indexOf(pre));
            }
          }
        }
        cls = keys.indexOf(String(p.class));
      }
      const m = S.classwiseMetrics(yt, yp);
      const per = (xs: number[]) => (cls === undefined ? xs : xs[cls]);
      for (const k of Object.keys(E)) {
        const v: Record<string, unknown> = {
          confusion_matrix: m.confusionMatrix,
          TP: per(m.tp),
          FP: per(m.fp),
          FN: per(m.fn),
          TN: per(m.tn),
          TPR_sensitivity: per(m.sensitivity),
          TPR: per(m.sensitivity),
          TNR_specificity: per(m.specificity),
          TNR: per(m.specificity),
          PPV_precision: per(m.precision),
          F1: per(m.f1),
          Overall_ACC: m.accuracy,
          TPR_Macro: m.macro.sensitivity,
          TPR_macro: m.macro.sensitivity,
          TNR_Macro: m.macro.specificity,
          PPV_Macro: m.macro.precision,
          PPV_macro: m.macro.precision,
          F1_Macro: m.macro.f1,
          F1_macro: m.macro.f1,
          PPV_weighted: m.weighted.precision,
          TPR_weighted: m.weighted.sensitivity,
          F1_weighted: m.weighted.f1,
          F1_micro: m.accuracy,
          Kappa: S.cohenKappa(yt, yp).kappa,
          // derived from the API's per-class sensitivity and specificity:
          AUC_single_threshold: per(m.sensitivity.map((s, c) => (s + m.specificity[c]) / 2)),
          Youden_J: per(m.sensitivity.map((s, c) => s + m.specificity[c] - 1)),
          ACC: per(m.tp.map((t, c) => (t + m.tn[c]) / yt.length)),
          ACC_per_class: per(m.tp.map((t, c) => (t + m.tn[c]) / yt.length)),
        };
        if (k in v) add(k, v[k]);
        else skip(k, `PyCM's ${k} is not part of the API`);
      }
      return out;
    }
    case "cohens_d": {
      const x = nums(I.x), y = nums(I.y);
      const variant = String(p.variant ?? "");
      if ("ci95_low" in E) return { outOfScope: "noncentral-t confidence intervals of d are not part of the API" };
      if ("d_z" in E) {
        add("d_z", S.cohensD(x, y, { variant: "paired" }));
        add("d_av", S.cohensD(x, y, { variant: "average" }));
        add("d_pooled", S.cohensD(x, y, { variant: "pooled" }));
        add("hedges_g", S.hedgesG(x, y));
        skip("pearson_r_xy", "not part of the API");
        skip("t_paired", "not part of the API");
        return out;
      }
      if (variant.startsWith("paired")) {
        // R effsize drops NA pairs; the entry's y has one value more (the NA) — align lengths
        const n = Math.min(x.length, y.length);
        add("abs_d", Math.abs(S.cohensD(x.slice(0, n), y.slice(0, n), { variant: "paired" })));
        return out;
      }
      add("d", S.cohensD(x, y, { variant: "pooled" }));
      if ("hedges_g" in E) add("hedges_g", S.hedgesG(x, y));
      return out;
    }
    case "roc_auc_ovr_and_average_precision": {
      const yt = nums(I.y_true), sc = rows(I.y_score);
      add("auc_per_class_ovr", S.rocAucOvr(yt, sc, { average: "none" }));
      add("auc_macro_ovr", S.rocAucOvr(yt, sc));
      add("auc_weighted_ovr", S.rocAucOvr(yt, sc, { average: "weighted" }));
      add("sklearn_roc_auc_score_multi_class_ovr_macro", S.rocAucOvr(yt, sc));
      add("sklearn_roc_auc_score_multi_class_ovr_weighted", S.rocAucOvr(yt, sc, { average: "weighted" }));
      const k = sc[0].length;
      const ap = [...Array(k).keys()].map((c) =>
        S.averagePrecision(yt.map((t) => (t === c ? 1 : 0)), sc.map((r) => r[c]))
      );
      add("ap_per_class", ap);
      add("ap_macro", ap.reduce((a, b) => a + b, 0) / k);
      if (E.curves_per_class) {
        const curves = E.curves_per_class as Record<string, Record<string, number[]>>[];
        curves.forEach((cv, c) => {
          const t01 = yt.map((t) => (t === c ? 1 : 0)), s = sc.map((r) => r[c]);
          const full = S.rocCurve(t01, s, { dropIntermediate: false }), drop = S.rocCurve(t01, s);
          const pr = S.precisionRecallCurve(t01, s);
          out.comparisons.push({
            key: `class ${c} roc_full`,
            actual: [full.fpr, full.tpr, full.thresholds],
            expected: [cv.roc_full.fpr, cv.roc_full.tpr, cv.roc_full.thresholds],
          });
          out.comparisons.push({
            key: `class ${c} roc_drop_intermediate`,
            actual: [drop.fpr, drop.tpr, drop.thresholds],
            expected: [cv.roc_drop_intermediate.fpr, cv.roc_drop_intermediate.tpr, cv.roc_drop_intermediate.thresholds],
          });
          out.comparisons.push({
            key: `class ${c} pr`,
            actual: [pr.precision, pr.recall, pr.thresholds],
            expected: [cv.pr.precision, cv.pr.recall, cv.pr.thresholds],
          });
        });
      }
      return out;
    }
    case "roc_auc_and_average_precision_binary": {
      const yt = nums(I.y_true), sc = nums(I.y_score);
      add("auc", S.rocAuc(yt, sc));
      add("ap", S.averagePrecision(yt, sc));
      const pr = S.precisionRecallCurve(yt, sc);
      add("pr_auc_trapezoid (NOT AP)", S.trapezoid(pr.recall.slice().reverse(), pr.precision.slice().reverse()));
      const full = S.rocCurve(yt, sc, { dropIntermediate: false });
      const rf = E.roc_full as Record<string, number[]>, pe = E.pr as Record<string, number[]>;
      out.comparisons.push({
        key: "roc_full",
        actual: [full.fpr, full.tpr, full.thresholds],
        expected: [rf.fpr, rf.tpr, rf.thresholds],
      });
      out.comparisons.push({
        key: "pr",
        actual: [pr.precision, pr.recall, pr.thresholds],
        expected: [pe.precision, pe.recall, pe.thresholds],
      });
      return out;
    }
    case "classwise_metrics": {
      const yt = nums(I.y_true), yp = nums(I.y_pred);
      const m = S.classwiseMetrics(yt, yp, { labels: (p.labels as number[]).length });
      const raw = S.classwiseMetrics(yt, yp, { labels: (p.labels as number[]).length, zeroDivision: NaN });
      const v: Record<string, unknown> = {
        confusion_matrix_rows_true_cols_pred: m.confusionMatrix,
        TP: m.tp,
        FP: m.fp,
        FN: m.fn,
        TN: m.tn,
        sensitivity: m.sensitivity,
        specificity: m.specificity,
        precision_zero_division_0: m.precision,
        precision_raw: raw.precision,
        accuracy: m.accuracy,
        balanced_accuracy_macro_sensitivity: m.balancedAccuracy,
        macro_recall: m.macro.sensitivity,
        macro_precision_zero_division_0: m.macro.precision,
        f1_per_class: m.f1,
        cohen_kappa: S.cohenKappa(yt, yp, { labels: (p.labels as number[]).length }).kappa,
      };
      for (const k of Object.keys(E)) k in v ? add(k, v[k]) : skip(k, "not part of the API");
      return out;
    }
    case "percentile_ci": {
      const v = nums(I.values);
      add("mean", S.mean(v));
      add("p2.5", S.quantile(v, 0.025));
      add("p97.5", S.quantile(v, 0.975));
      add("median", S.quantile(v, 0.5));
      return out;
    }
    case "bootstrap_subsampling_aggregation": {
      const v = nums(I.values);
      const draws = rows(I.subsample_indices).map((ix) => S.mean(ix.map((i) => v[i])));
      const s = S.summariseDraws(draws);
      if (E.subsample_means) add("subsample_means", draws);
      add("mean_of_means", s.mean);
      add("ci95_percentile_linear", s.ci);
      if (E.sd_of_means_ddof1 !== undefined) add("sd_of_means_ddof1", s.sd);
      return out;
    }
  }
  return { outOfScope: `no mapping for statistic "${e.statistic}"` };
}
