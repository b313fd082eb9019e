/**
 * Standardised mean differences.
 *
 * - "pooled" (independent samples; R effsize's default): d = (mean x - mean y) / s_p,
 *   s_p^2 = ((n_x - 1) s_x^2 + (n_y - 1) s_y^2) / (n_x + n_y - 2).
 * - "paired" (d_z; R effsize `cohen.d(paired = TRUE)`): mean(x - y) / sd(x - y).
 * - "average" (d_av, Cumming 2012): mean(x - y) / sqrt((s_x^2 + s_y^2) / 2) (paired samples).
 * Hedges' g = d_pooled (1 - 3 / (4 (n_x + n_y) - 9)) (Hedges & Olkin 1985).
 * Standard deviations use ddof = 1.
 *
 * The study reports Cohen's d between the distances of the inferred and predicted management; the
 * two are measured on the same cases, so "paired" (d_z) or "average" (d_av) suit; the report states
 * which variant each number uses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cohensD, hedgesG } from "./effect_size.ts";
 * const x = [3.2, 6.4, 1.8, 2.4, 5.8, 6.5], y = [2.4, 3.2, 3.2, 1.4, 2.8, 3.5];
 * assert.equal(cohensD(x, y).toFixed(4), "1.0025");
 * assert.equal(hedgesG(x, y).toFixed(4), "0.9254"); // d (1 - 3 / 39)
 * ```
 *
 * @module
 */
import { checkSameLength, Numbers } from "./_checks.ts";
import { mean, sd, variance } from "./descriptive.ts";

/** Which standardiser Cohen's d uses: pooled SD, SD of the differences (d_z), or the average SD (d_av). */
export type CohensDVariant = "pooled" | "paired" | "average";

/**
 * Cohen's d of x against y.
 * @throws {RangeError} on fewer than 2 values, different lengths for paired variants, or zero spread.
 */
export function cohensD(x: Numbers, y: Numbers, options: { variant?: CohensDVariant } = {}): number {
  const variant = options.variant ?? "pooled";
  if (x.length < 2 || y.length < 2) {
    throw new RangeError(
      `Cannot compute cohensD: expected at least 2 values in each sample, found ${x.length} and ${y.length}`,
    );
  }
  let d: number;
  if (variant === "pooled") {
    const sp = Math.sqrt(((x.length - 1) * variance(x) + (y.length - 1) * variance(y)) / (x.length + y.length - 2));
    d = (mean(x) - mean(y)) / sp;
  } else if (variant === "paired" || variant === "average") {
    checkSameLength("cohensD", x, y);
    const diff = Array.from(x, (v, i) => v - y[i]);
    d = variant === "paired" ? mean(diff) / sd(diff) : mean(diff) / Math.sqrt((variance(x) + variance(y)) / 2);
  } else {throw new RangeError(
      `Cannot compute cohensD: expected variant "pooled", "paired" or "average", found "${variant}"`,
    );}
  if (!Number.isFinite(d)) {
    throw new RangeError("Cannot compute cohensD: expected samples with non-zero spread, found zero spread");
  }
  return d;
}

/** Hedges' g: Cohen's d (pooled) with the small-sample correction 1 - 3 / (4 (n_x + n_y) - 9). */
export function hedgesG(x: Numbers, y: Numbers): number {
  return cohensD(x, y, { variant: "pooled" }) * (1 - 3 / (4 * (x.length + y.length) - 9));
}
