/**
 * Adjusted p-values for families of tests (e.g. a matrix of pairwise McNemar tests), as statsmodels'
 * `multipletests`:
 * - Holm (1979) step-down: sort ascending, p_(i) (m - i + 1), running maximum, capped at 1;
 * - Benjamini & Hochberg (1995) false discovery rate: p_(i) m / i, running minimum from the largest,
 *   capped at 1.
 * NaN entries (e.g. a matrix diagonal) are kept as NaN and not counted in m.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { benjaminiHochberg, holm } from "./multiple_testing.ts";
 * assert.deepEqual(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06]);
 * assert.deepEqual(benjaminiHochberg([0.01, 0.04, 0.03]), [0.03, 0.04, 0.04]);
 * assert.deepEqual(holm([NaN, 0.02]), [NaN, 0.02]); // NaN kept, m = 1
 * ```
 *
 * @module
 */

function adjust(p: readonly number[], fn: string, step: (sortedP: number[]) => number[]): number[] {
  p.forEach((v, i) => {
    if (!Number.isNaN(v) && !(v >= 0 && v <= 1)) {
      throw new RangeError(`Cannot compute ${fn}: expected p-values in [0, 1], found ${v} at index ${i}`);
    }
  });
  const idx = p.flatMap((v, i) => (Number.isNaN(v) ? [] : [i])).sort((a, b) => p[a] - p[b]);
  const adjusted = step(idx.map((i) => p[i]));
  const out = p.map(() => NaN);
  idx.forEach((i, r) => (out[i] = adjusted[r]));
  return out;
}

/**
 * Holm-adjusted p-values, in the input order.
 * @throws {RangeError} on a p-value outside [0, 1] (NaN is allowed).
 */
export function holm(pValues: readonly number[]): number[] {
  return adjust(pValues, "holm", (s) => {
    const m = s.length;
    let run = 0;
    return s.map((v, i) => (run = Math.min(1, Math.max(run, v * (m - i)))));
  });
}

/**
 * Benjamini-Hochberg adjusted p-values (q-values), in the input order.
 * @throws {RangeError} on a p-value outside [0, 1] (NaN is allowed).
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  return adjust(pValues, "benjaminiHochberg", (s) => {
    const m = s.length;
    const out = new Array<number>(m);
    let run = 1;
    for (let i = m - 1; i >= 0; i--) out[i] = run = Math.min(run, (s[i] * m) / (i + 1), 1);
    return out;
  });
}
