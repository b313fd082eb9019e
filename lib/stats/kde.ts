/**
 * Gaussian kernel density estimate, for violin plots.
 *
 * f(x) = 1/(n h) sum_i phi((x - x_i)/h). Bandwidth rules (as SciPy's `gaussian_kde` factors times
 * the sample standard deviation, ddof 1): Scott h = sd n^(-1/5); Silverman h = sd (3n/4)^(-1/5)
 * (SciPy's "silverman" factor (n (d + 2) / 4)^(-1/(d + 4)) with d = 1). A number sets h directly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelDensity } from "./kde.ts";
 * const kde = kernelDensity([0, 1, 2], { bandwidth: 1 });
 * assert.equal(kde.at(1).toFixed(4), "0.2943"); // (2 phi(1) + phi(0)) / 3
 * const grid = kde.evaluate(5, [0, 2]);
 * assert.deepEqual(grid.x, [0, 0.5, 1, 1.5, 2]);
 * assert.equal(grid.density[2], kde.at(1));
 * ```
 *
 * @module
 */
import { checkFinite, checkNonEmpty, Numbers } from "./_checks.ts";
import { sd } from "./descriptive.ts";

/** A fitted Gaussian kernel density. */
export interface KernelDensity {
  /** The bandwidth h used (in the units of the values). */
  bandwidth: number;
  /** Density at x. */
  at(x: number): number;
  /** Density on `points` evenly spaced points over [lo, hi] (default: data range +- 3h). */
  evaluate(points: number, range?: [number, number]): { x: number[]; density: number[] };
}

/**
 * Gaussian kernel density of `values`, bandwidth by Scott's rule (default), Silverman's, or a number;
 * constant data get a narrow spike (h = max(1e-3, |x_0| 1e-3)).
 * @throws {RangeError} on empty or non-finite values or an unknown bandwidth rule.
 */
export function kernelDensity(
  values: Numbers,
  options: { bandwidth?: "scott" | "silverman" | number } = {},
): KernelDensity {
  checkNonEmpty("kernelDensity", "values", values);
  checkFinite("kernelDensity", "values", values);
  const n = values.length;
  const bw = options.bandwidth ?? "scott";
  const spread = n > 1 ? sd(values) : 0;
  let h: number;
  if (typeof bw === "number") h = bw;
  else if (bw === "scott") h = spread * n ** (-1 / 5);
  else if (bw === "silverman") h = spread * ((n * 3) / 4) ** (-1 / 5);
  else {throw new RangeError(
      `Cannot compute kernelDensity: expected bandwidth "scott", "silverman" or a positive number, found "${bw}"`,
    );}
  if (!(h > 0)) h = Math.max(1e-3, Math.abs(values[0]) * 1e-3); // constant data: a narrow spike
  const c = 1 / (n * h * Math.sqrt(2 * Math.PI));
  const at = (x: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(-0.5 * ((x - values[i]) / h) ** 2);
    return s * c;
  };
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  return {
    bandwidth: h,
    at,
    evaluate(points, range = [lo - 3 * h, hi + 3 * h]) {
      const x = Array.from(
        { length: points },
        (_, i) => range[0] + ((range[1] - range[0]) * i) / Math.max(1, points - 1),
      );
      return { x, density: x.map(at) };
    },
  };
}
