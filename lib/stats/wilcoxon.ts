/**
 * The Wilcoxon signed-rank test of paired samples (or of one sample against 0), with SciPy's
 * conventions (`scipy.stats.wilcoxon`):
 *
 * - d = x - y (IEEE double); |d| ranked with average ranks for ties.
 * - Zeros: "wilcox" drops them before ranking (default); "pratt" ranks them then drops their ranks;
 *   "zsplit" ranks them and splits their ranks evenly between R+ and R-.
 * - Statistic: two-sided min(R+, R-); one-sided ("less", "greater") R+.
 * - "approx": z = (T - mean) / se with the tie correction se^2 = [n(n+1)(2n+1) - sum t(t^2-1)/2]/24
 *   (and Pratt's adjustment for zeros), optional continuity correction of 0.5 (SciPy's default has
 *   none; R's wilcox.test has it); p from the normal distribution. `z` is returned.
 * - "exact": the exact null distribution of R+ under random signs, computed by convolution over the
 *   (doubled, so integral) ranks. With no ties and no zeros this is the classical table (SciPy's
 *   `_get_wilcoxon_distr`); with ties or zeros it is the exact sign-flip permutation distribution
 *   (what SciPy >= 1.11 uses; SciPy 1.10.1 truncates tied ranks instead). Two-sided
 *   p = min(1, 2 min(P(R+ <= r), P(R+ >= r))).
 * - "auto" (default): SciPy >= 1.13's rule: exact when n <= 50 and there are no ties or zeros, or
 *   when n <= 13; otherwise approx. (SciPy 1.10.1's "auto" instead falls back to approx whenever
 *   there are zeros: the only difference, and only for small samples with zeros.)
 *
 * All differences zero: "wilcox"/"pratt" return statistic 0 and p NaN (as SciPy); "zsplit" returns
 * statistic n(n+1)/4 and p 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wilcoxon } from "./wilcoxon.ts";
 * const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
 * assert.deepEqual(wilcoxon(d), { statistic: 24, pValue: 0.041259765625, method: "exact", n: 15, nZero: 0 });
 * assert.equal(wilcoxon(d, undefined, { method: "approx" }).pValue.toFixed(6), "0.040888");
 * ```
 *
 * @module
 */
import { checkFinite, checkNonEmpty, checkSameLength, Numbers } from "./_checks.ts";
import { rankdata, tieGroups } from "./descriptive.ts";
import { normalCdf, normalSf } from "./special.ts";

/** Options of the Wilcoxon signed-rank test (SciPy's names and defaults). */
export interface WilcoxonOptions {
  /** Treatment of zero differences (default "wilcox": dropped before ranking). */
  zeroMethod?: "wilcox" | "pratt" | "zsplit";
  /** Continuity correction of 0.5 in the normal approximation (default false, as SciPy). */
  correction?: boolean;
  /** Alternative hypothesis (default "two-sided"). */
  alternative?: "two-sided" | "less" | "greater";
  /** Exact null distribution, normal approximation, or SciPy's "auto" rule (default). */
  method?: "auto" | "exact" | "approx";
}

/** Result of the Wilcoxon signed-rank test. */
export interface WilcoxonResult {
  /** min(R+, R-) two-sided; R+ one-sided. */
  statistic: number;
  /** The p-value of the chosen alternative (NaN when every difference is zero, except "zsplit"). */
  pValue: number;
  /** The normal-approximation z (only when the approximation was used). */
  z?: number;
  /** The method actually used. */
  method: "exact" | "approx";
  /** Number of pairs. */
  n: number;
  /** Number of zero differences. */
  nZero: number;
}

/**
 * Wilcoxon signed-rank test of x - y (or of x alone).
 * @throws {RangeError} on empty input, different lengths, non-finite values or unknown options.
 */
export function wilcoxon(x: Numbers, y?: Numbers, options: WilcoxonOptions = {}): WilcoxonResult {
  const fn = "wilcoxon";
  checkNonEmpty(fn, "x", x);
  checkFinite(fn, "x", x);
  if (y) {
    checkSameLength(fn, x, y);
    checkFinite(fn, "y", y);
  }
  const zeroMethod = options.zeroMethod ?? "wilcox";
  const alternative = options.alternative ?? "two-sided";
  const requested = options.method ?? "auto";
  if (!["wilcox", "pratt", "zsplit"].includes(zeroMethod)) {
    throw new RangeError(
      `Cannot compute ${fn}: expected zeroMethod "wilcox", "pratt" or "zsplit", found "${zeroMethod}"`,
    );
  }
  if (!["two-sided", "less", "greater"].includes(alternative)) {
    throw new RangeError(
      `Cannot compute ${fn}: expected alternative "two-sided", "less" or "greater", found "${alternative}"`,
    );
  }
  if (!["auto", "exact", "approx"].includes(requested)) {
    throw new RangeError(`Cannot compute ${fn}: expected method "auto", "exact" or "approx", found "${requested}"`);
  }

  let d = Array.from(x, (v, i) => (y ? v - y[i] : v));
  const n = d.length;
  const nZero = d.filter((v) => v === 0).length;
  const hasTies = tieGroups(d.filter((v) => v !== 0).map(Math.abs)).length > 0;
  const method: "exact" | "approx" = requested === "auto"
    ? ((n <= 50 && nZero === 0 && !hasTies) || n <= 13 ? "exact" : "approx")
    : requested;

  if (nZero === n && zeroMethod !== "zsplit") {
    return { statistic: 0, pValue: NaN, method, n, nZero, ...(method === "approx" ? { z: NaN } : {}) };
  }
  if (zeroMethod === "wilcox") d = d.filter((v) => v !== 0);
  const count = d.length;
  const r = rankdata(d.map(Math.abs));
  let rPlus = 0, rMinus = 0, rZero = 0;
  d.forEach((v, i) => {
    if (v > 0) rPlus += r[i];
    else if (v < 0) rMinus += r[i];
    else rZero += r[i];
  });
  if (zeroMethod === "zsplit") {
    rPlus += rZero / 2;
    rMinus += rZero / 2;
  }
  const T = alternative === "two-sided" ? Math.min(rPlus, rMinus) : rPlus;

  if (method === "approx") {
    let mn = (count * (count + 1)) / 4;
    let se = count * (count + 1) * (2 * count + 1);
    let ranksForTies = r;
    if (zeroMethod === "pratt") {
      const z0 = d.filter((v) => v === 0).length;
      ranksForTies = r.filter((_, i) => d[i] !== 0);
      mn -= (z0 * (z0 + 1)) / 4;
      se -= z0 * (z0 + 1) * (2 * z0 + 1);
    }
    for (const t of tieGroups(ranksForTies)) se -= 0.5 * t * (t * t - 1);
    se = Math.sqrt(se / 24);
    let cc = 0;
    if (options.correction) {
      cc = alternative === "two-sided" ? 0.5 * Math.sign(T - mn) : alternative === "less" ? -0.5 : 0.5;
    }
    const z = (T - mn - cc) / se;
    const pValue = alternative === "two-sided"
      ? 2 * normalSf(Math.abs(z))
      : alternative === "greater"
      ? normalSf(z)
      : normalCdf(z);
    return { statistic: T, pValue: Math.min(1, pValue), z, method, n, nZero };
  }

  // Exact: distribution of R+ under independent random signs of the non-zero differences,
  // on doubled ranks so that average ranks (x.5) stay integral.
  const doubled = r.filter((_, i) => d[i] !== 0).map((v) => Math.round(2 * v));
  const shift = zeroMethod === "zsplit" ? Math.round(rZero) : 0; // 2 * (rZero / 2)
  const total = doubled.reduce((a, b) => a + b, 0);
  let dist = new Float64Array(total + 1);
  dist[0] = 1;
  let reach = 0;
  for (const w of doubled) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= reach; s++) {
      if (dist[s] === 0) continue;
      next[s] += dist[s] * 0.5;
      next[s + w] += dist[s] * 0.5;
    }
    reach += w;
    dist = next;
  }
  const obs = Math.round(2 * rPlus) - shift;
  let pLess = 0, pGreater = 0;
  for (let s = 0; s <= total; s++) {
    if (s <= obs) pLess += dist[s];
    if (s >= obs) pGreater += dist[s];
  }
  const pValue = alternative === "two-sided"
    ? 2 * Math.min(pLess, pGreater)
    : alternative === "greater"
    ? pGreater
    : pLess;
  return { statistic: T, pValue: Math.min(1, Math.max(0, pValue)), method, n, nZero };
}
