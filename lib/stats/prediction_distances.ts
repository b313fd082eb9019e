/**
 * The study's four distances between each probabilistic prediction and its one-hot target, used to
 * compare how confidently right (or wrong) two approaches are (Abhishek et al. 2021, Fig. 2a):
 * 1 - cosine similarity, Jensen-Shannon, Wasserstein and Hellinger.
 *
 * The study does not say which Jensen-Shannon (divergence or its square root) nor which Wasserstein
 * reading it used. Defaults, and why:
 * - Jensen-Shannon: the **distance** (square root of the divergence), natural log — what SciPy's
 *   `jensenshannon(p, q)` returns when called as the study's Python code most plausibly did. Set
 *   `jensenShannon: "divergence"` and/or `base: 2` for the others.
 * - Wasserstein: reading **"support"** (A): classes at positions 0..k-1 carrying the probabilities as
 *   weights, i.e. sum_i |CDF_p(i) - CDF_onehot(i)|, the earth mover's distance over the ordered
 *   classes. For management (NONE < CLNC < EXC) the order is clinically meaningful: predicting NONE
 *   for an EXC case moves mass two steps. Reading "samples" (B) is SciPy's
 *   `wasserstein_distance(p, onehot)` called directly, which treats the k numbers as samples and
 *   ignores which class holds the mass; it is available for comparison. (Only B is bounded by 1 for
 *   probability vectors; the study's Wasserstein values, ~0.14-0.27, fit either reading.)
 * - Hellinger: normalized (range [0, 1]).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { predictionDistances } from "./prediction_distances.ts";
 * const d = predictionDistances([[0.1765, 0.8235, 0]], [2]); // all mass off the target class 2
 * assert.equal(d.wasserstein[0].toFixed(4), "1.1765"); // reading "support": 0.1765 moves 2 steps, 0.8235 one
 * assert.deepEqual([d.cosine[0], d.hellinger[0]], [1, 1]);
 * const samples = predictionDistances([[0.1765, 0.8235, 0]], [2], { wasserstein: "samples" });
 * assert.equal(samples.wasserstein[0].toFixed(6), "0.117667");
 * ```
 *
 * @module
 */
import { checkLabels, checkProbabilities, checkSameLength } from "./_checks.ts";
import { cosineDistance } from "./cosine.ts";
import { hellingerDistance } from "./hellinger.ts";
import { jensenShannonDistance, jensenShannonDivergence } from "./jensen_shannon.ts";
import { wassersteinDistance } from "./wasserstein.ts";

/** Which reading of each distance to compute (see the module doc for the defaults and why). */
export interface PredictionDistanceOptions {
  /** "distance" (default; sqrt of the divergence, as SciPy's jensenshannon) or "divergence". */
  jensenShannon?: "distance" | "divergence";
  /** Logarithm base of Jensen-Shannon (default e). */
  base?: number;
  /** "support" (default; classes as ordered positions) or "samples" (SciPy called on the raw vectors). */
  wasserstein?: "support" | "samples";
  /** Hellinger with the 1/sqrt(2) factor (default true). */
  hellingerNormalized?: boolean;
  /** Tolerance for rows summing to 1 (default 1e-4: predictions are often stored rounded). */
  tolerance?: number;
}

/** The four distances of each case, in the order of the input rows. */
export interface PredictionDistances {
  /** 1 - cosine similarity, in [0, 1] for probability rows. */
  cosine: number[];
  /** Jensen-Shannon distance or divergence, in units of `settings.base`. */
  jensenShannon: number[];
  /** Wasserstein distance (in class steps for reading "support"). */
  wasserstein: number[];
  /** Hellinger distance (in [0, 1] when normalized). */
  hellinger: number[];
  /** The options actually used, for reports. */
  settings: Required<Omit<PredictionDistanceOptions, "tolerance">>;
}

/** Names of the four distances, in the study's order, for tables and plots. */
export const DISTANCE_NAMES: Readonly<{
  cosine: string;
  jensenShannon: string;
  wasserstein: string;
  hellinger: string;
}> = Object.freeze({
  cosine: "1 - cosine similarity",
  jensenShannon: "Jensen-Shannon",
  wasserstein: "Wasserstein",
  hellinger: "Hellinger",
});

/**
 * The four distances of each probability row to the one-hot vector of its target class.
 * @throws {RangeError} on different lengths, rows that are not probability vectors, or targets
 * outside 0..k-1.
 */
export function predictionDistances(
  probs: readonly (readonly number[])[],
  target: readonly number[],
  options: PredictionDistanceOptions = {},
): PredictionDistances {
  const fn = "predictionDistances";
  checkSameLength(fn, probs, target, ["probs", "target"]);
  const settings = {
    jensenShannon: options.jensenShannon ?? "distance",
    base: options.base ?? Math.E,
    wasserstein: options.wasserstein ?? "support",
    hellingerNormalized: options.hellingerNormalized ?? true,
  } as const;
  const out: PredictionDistances = { cosine: [], jensenShannon: [], wasserstein: [], hellinger: [], settings };
  if (!probs.length) return out;
  const k = probs[0].length;
  checkLabels(fn, "target", target, k);
  const positions = [...Array(k).keys()];
  probs.forEach((p, i) => {
    if (p.length !== k) {
      throw new RangeError(`Cannot compute ${fn}: expected ${k} probabilities in row ${i}, found ${p.length}`);
    }
    checkProbabilities(fn, `row ${i}`, p, options.tolerance ?? 1e-4);
    const onehot = positions.map((j) => (j === target[i] ? 1 : 0));
    out.cosine.push(cosineDistance(p, onehot));
    out.jensenShannon.push(
      settings.jensenShannon === "distance"
        ? jensenShannonDistance(p, onehot, { base: settings.base })
        : jensenShannonDivergence(p, onehot, { base: settings.base }),
    );
    out.wasserstein.push(
      settings.wasserstein === "support"
        ? wassersteinDistance(positions, positions, { uWeights: p, vWeights: onehot })
        : wassersteinDistance(p, onehot),
    );
    out.hellinger.push(hellingerDistance(p, onehot, { normalized: settings.hellingerNormalized }));
  });
  return out;
}
