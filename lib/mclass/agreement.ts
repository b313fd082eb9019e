/**
 * The study's MClass-D agreement analysis, as functions of a rater matrix (dermatologists x images,
 * 1 = excise) and the model's decisions:
 *
 * - MGMT_GT,agg: the dermatologists' majority vote per image (a tie, possible when a rater is left
 *   out, counts as excise: the cautious choice); MGMT_GT,true: melanoma -> excise.
 * - Cohen's kappa of the model vs MGMT_GT,agg; of every pair of dermatologists (mean +- SD); of each
 *   dermatologist vs the majority of the others (leave-one-out, mean +- SD).
 * - Fleiss' kappa of all dermatologists; with the model replacing each dermatologist in turn
 *   (mean +- SD); over `draws` random sets of 9 dermatologists plus the model (seeded, mean +- SD).
 * - Beyond the study: percentile bootstrap CIs over images for the model's kappa, Fleiss' kappa of
 *   all, and the pairwise and leave-one-out means; each dermatologist's sensitivity and specificity
 *   against MGMT_GT,true.
 *
 * Binary kappas are computed from counts (p_o and p_e of a 2x2 table), which is what Cohen's and
 * Fleiss' formulas reduce to here; tests check them against lib/stats.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agreementAnalysis, binaryKappa, majorityVote } from "./agreement.ts";
 * import { Prng } from "../util/prng.ts";
 * assert.deepEqual(majorityVote([[1, 0], [0, 0]]), [1, 0]); // a tie counts as excise
 * assert.equal(binaryKappa([1, 1, 0, 0], [1, 0, 0, 0]), 0.5); // p_o 3/4, p_e 1/2
 * const answers = [[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0]]; // 3 dermatologists x 4 images
 * const r = agreementAnalysis(answers, {
 *   truthMelanoma: [1, 1, 0, 0],
 *   model: [1, 1, 0, 0],
 *   prng: new Prng(1),
 *   draws: 10,
 *   drawSize: 2,
 *   bootstrap: 0,
 * });
 * assert.deepEqual(r.aggregate, [1, 1, 0, 0]);
 * assert.equal(r.kappaModelVsAggregate, 1);
 * assert.deepEqual(r.raterPoints[2], { sensitivity: 0.5, specificity: 1 });
 * assert.equal(r.ci, null); // no bootstrap asked
 * ```
 *
 * @module
 */
import type { Prng } from "../util/prng.ts";
import { MeanSd, meanSd, quantile } from "../stats/descriptive.ts";

/** Majority vote per image (ties -> 1, excise). */
export function majorityVote(answers: readonly (readonly number[])[]): number[] {
  const n = answers[0].length;
  return Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (const r of answers) s += r[i];
    return 2 * s >= answers.length ? 1 : 0;
  });
}

/** Cohen's kappa of two binary vectors with optional case weights (bootstrap multiplicities). */
export function binaryKappa(a: ArrayLike<number>, b: ArrayLike<number>, w?: ArrayLike<number>): number {
  let n = 0, na = 0, nb = 0, n11 = 0, n00 = 0;
  for (let i = 0; i < a.length; i++) {
    const wi = w ? w[i] : 1;
    if (!wi) continue;
    n += wi;
    na += wi * a[i];
    nb += wi * b[i];
    if (a[i] && b[i]) n11 += wi;
    else if (!a[i] && !b[i]) n00 += wi;
  }
  const po = (n11 + n00) / n;
  const pe = (na * nb + (n - na) * (n - nb)) / (n * n);
  return pe === 1 ? (po === 1 ? 1 : 0) : (po - pe) / (1 - pe);
}

/** Fleiss' kappa of binary ratings from per-image counts of "1" among m raters, with optional weights. */
export function binaryFleiss(ones: ArrayLike<number>, m: number, w?: ArrayLike<number>): number {
  let n = 0, pBar = 0, p1 = 0;
  for (let i = 0; i < ones.length; i++) {
    const wi = w ? w[i] : 1;
    if (!wi) continue;
    const k = ones[i];
    n += wi;
    pBar += (wi * (k * (k - 1) + (m - k) * (m - k - 1))) / (m * (m - 1));
    p1 += (wi * k) / m;
  }
  pBar /= n;
  p1 /= n;
  const pe = p1 * p1 + (1 - p1) * (1 - p1);
  return (pBar - pe) / (1 - pe);
}

/** Inputs and settings of `agreementAnalysis` besides the rater matrix. */
export interface AgreementOptions {
  /** True melanoma (1) or nevus (0) per image. */
  truthMelanoma: readonly number[];
  /** The model's decision per image (1 = excise). */
  model: readonly number[];
  /** Draws the random rater sets and the bootstrap resamples. */
  prng: Prng;
  /** Random draws of 9 dermatologists + the model (default 1000). */
  draws?: number;
  /** Bootstrap resamples of the images (default 1000; 0 to skip). */
  bootstrap?: number;
  /** Dermatologists per random draw (default 9, or every rater when fewer answered); at most the raters. */
  drawSize?: number;
}

/** The agreement analysis (see the module doc). */
export interface AgreementResult {
  /** Number of dermatologists. */
  raters: number;
  /** Number of images. */
  images: number;
  /** MGMT_GT,agg: the dermatologists' majority vote per image (ties: excise). */
  aggregate: number[];
  /** Cohen's kappa of the model vs the majority vote. */
  kappaModelVsAggregate: number;
  /** Cohen's kappa over all pairs of dermatologists. */
  kappaPairs: MeanSd;
  /** Cohen's kappa of each dermatologist vs the majority of the others, with every value. */
  kappaEachVsOthers: MeanSd & { values: number[] };
  /** Fleiss' kappa of all dermatologists. */
  fleissAll: number;
  /** Fleiss' kappa with the model replacing each dermatologist in turn. */
  fleissModelReplacing: MeanSd;
  /** Fleiss' kappa of `drawSize` random dermatologists plus the model, over `draws` draws. */
  fleissDrawsWithModel: MeanSd;
  /** 95% percentile intervals over bootstrap resamples of the images. */
  ci:
    | Record<"kappaModelVsAggregate" | "fleissAll" | "kappaPairsMean" | "kappaEachVsOthersMean", [number, number]>
    | null;
  /** Each dermatologist's sensitivity and specificity for melanoma (excise = positive). */
  raterPoints: { sensitivity: number; specificity: number }[];
  /** The settings used, and the tie rule of the majority vote in words. */
  settings: { draws: number; drawSize: number; bootstrap: number; tieRule: string };
}

const POP16 = (() => {
  const t = new Uint8Array(65536);
  for (let i = 1; i < 65536; i++) t[i] = t[i >> 1] + (i & 1);
  return t;
})();

function popcount(x: number): number {
  return POP16[x & 0xffff] + POP16[x >>> 16];
}

/** Raters' answers as bit masks (32 images per word), for fast pairwise counts. */
export function bitMasks(answers: readonly (readonly number[])[]): { masks: Uint32Array; words: number } {
  const n = answers[0].length, words = Math.ceil(n / 32);
  const masks = new Uint32Array(answers.length * words);
  answers.forEach((row, r) =>
    row.forEach((v, i) => {
      if (v) masks[r * words + (i >> 5)] |= 1 << (i & 31);
    })
  );
  return { masks, words };
}

/**
 * Mean +- SD of Cohen's kappa over all pairs of raters. With integer case weights (bootstrap
 * multiplicities) the weighted counts come from bit masks: the weights are split into bit planes,
 * and n11 = sum_k 2^k popcount(A & B & W_k).
 */
export function pairwiseMean(
  answers: readonly (readonly number[])[],
  w?: ArrayLike<number>,
  bits = bitMasks(answers),
): MeanSd {
  const R = answers.length, N = answers[0].length;
  const { masks, words } = bits;
  const weights = w ?? new Int32Array(N).fill(1);
  let maxW = 0;
  for (let i = 0; i < N; i++) maxW = Math.max(maxW, weights[i]);
  const planes = Math.max(1, Math.ceil(Math.log2(maxW + 1)));
  const W = new Uint32Array(planes * words);
  let n = 0;
  for (let i = 0; i < N; i++) {
    n += weights[i];
    for (let k = 0; k < planes; k++) if ((weights[i] >> k) & 1) W[k * words + (i >> 5)] |= 1 << (i & 31);
  }
  const na = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let k = 0; k < planes; k++) {
      for (let j = 0; j < words; j++) s += (1 << k) * popcount(masks[r * words + j] & W[k * words + j]);
    }
    na[r] = s;
  }
  const ks = new Float64Array((R * (R - 1)) / 2);
  // per rater, its answers masked by each weight plane: then a pair needs one AND per word and plane
  const AW = new Uint32Array(R * planes * words);
  for (let r = 0; r < R; r++) {
    for (let k = 0; k < planes; k++) {
      for (let j = 0; j < words; j++) AW[(r * planes + k) * words + j] = masks[r * words + j] & W[k * words + j];
    }
  }
  let idx = 0;
  for (let a = 0; a < R; a++) {
    const ao = a * words;
    for (let b = a + 1; b < R; b++) {
      let n11 = 0;
      const bo = b * planes * words;
      for (let k = 0; k < planes; k++) {
        let c = 0;
        for (let j = 0; j < words; j++) c += popcount(masks[ao + j] & AW[bo + k * words + j]);
        n11 += c << k;
      }
      const n00 = n - na[a] - na[b] + n11;
      const po = (n11 + n00) / n, pe = (na[a] * na[b] + (n - na[a]) * (n - na[b])) / (n * n);
      ks[idx++] = pe === 1 ? (po === 1 ? 1 : 0) : (po - pe) / (1 - pe);
    }
  }
  return meanSd(ks);
}

/** Each rater's kappa against the majority vote of the others (ties count as excise). */
function leaveOneOut(answers: readonly (readonly number[])[], ones: Int32Array, w?: ArrayLike<number>): number[] {
  const m = answers.length, N = ones.length;
  const others = new Uint8Array(N);
  return answers.map((row) => {
    for (let i = 0; i < N; i++) others[i] = 2 * (ones[i] - row[i]) >= m - 1 ? 1 : 0;
    return binaryKappa(row, others, w);
  });
}

/**
 * The full agreement analysis (see module doc) of `answers[rater][image]` (1 = excise).
 * @throws {RangeError} on fewer than 2 raters, or rows, truth or model of unequal lengths.
 */
export function agreementAnalysis(answers: readonly (readonly number[])[], options: AgreementOptions): AgreementResult {
  const R = answers.length, N = answers[0]?.length ?? 0;
  if (R < 2) throw new RangeError(`Cannot analyse agreement: expected at least 2 raters, found ${R}`);
  answers.forEach((row, r) => {
    if (row.length !== N) {
      throw new RangeError(
        `Cannot analyse agreement: expected ${N} answers for every rater, found ${row.length} for rater ${r + 1}`,
      );
    }
  });
  for (const [name, v] of [["truthMelanoma", options.truthMelanoma], ["model", options.model]] as const) {
    if (v.length !== N) {
      throw new RangeError(
        `Cannot analyse agreement: expected ${N} values in ${name} (one per image), found ${v.length}`,
      );
    }
  }
  const draws = options.draws ?? 1000, drawSize = options.drawSize ?? Math.min(9, R), B = options.bootstrap ?? 1000;
  if (!Number.isInteger(drawSize) || drawSize < 1 || drawSize > R) {
    throw new RangeError(
      `Cannot analyse agreement: expected drawSize to be an integer from 1 to the ${R} raters, found ${drawSize}`,
    );
  }
  const ones = new Int32Array(N);
  for (const row of answers) for (let i = 0; i < N; i++) ones[i] += row[i];
  const aggregate = Array.from(ones, (o) => (2 * o >= R ? 1 : 0));
  const kappaModelVsAggregate = binaryKappa(options.model, aggregate);
  const kappaPairs = pairwiseMean(answers);
  const loo = leaveOneOut(answers, ones);
  const fleissAll = binaryFleiss(ones, R);
  const replaced = answers.map((row) => binaryFleiss(Array.from(ones, (o, i) => o - row[i] + options.model[i]), R));
  const idx = [...Array(R).keys()];
  const drawn = Array.from({ length: draws }, () => {
    const pick = options.prng.shuffle(idx).slice(0, drawSize);
    const c = Array.from({ length: N }, (_, i) => pick.reduce((s, r) => s + answers[r][i], 0) + options.model[i]);
    return binaryFleiss(c, drawSize + 1);
  });
  let ci: AgreementResult["ci"] = null;
  if (B > 0) {
    const stats: number[][] = [[], [], [], []];
    const w = new Int32Array(N);
    const bits = bitMasks(answers);
    for (let b = 0; b < B; b++) {
      w.fill(0);
      for (let i = 0; i < N; i++) w[options.prng.int(N)]++;
      const agg = aggregate;
      stats[0].push(binaryKappa(options.model, agg, w));
      stats[1].push(binaryFleiss(ones, R, w));
      stats[2].push(pairwiseMean(answers, w, bits).mean);
      stats[3].push(meanSd(leaveOneOut(answers, ones, w)).mean);
    }
    const q = (xs: number[]) => quantile(xs.filter((v) => Number.isFinite(v)), [0.025, 0.975]) as [number, number];
    ci = {
      kappaModelVsAggregate: q(stats[0]),
      fleissAll: q(stats[1]),
      kappaPairsMean: q(stats[2]),
      kappaEachVsOthersMean: q(stats[3]),
    };
  }
  const pos = options.truthMelanoma.reduce((s, v) => s + v, 0);
  const raterPoints = answers.map((row) => ({
    sensitivity: row.reduce((s, v, i) => s + (v && options.truthMelanoma[i] ? 1 : 0), 0) / pos,
    specificity: row.reduce((s, v, i) => s + (!v && !options.truthMelanoma[i] ? 1 : 0), 0) / (N - pos),
  }));
  return {
    raters: R,
    images: N,
    aggregate,
    kappaModelVsAggregate,
    kappaPairs,
    kappaEachVsOthers: { ...meanSd(loo), values: loo },
    fleissAll,
    fleissModelReplacing: meanSd(replaced),
    fleissDrawsWithModel: meanSd(drawn),
    ci,
    raterPoints,
    settings: { draws, drawSize, bootstrap: B, tieRule: "a tie of the majority vote counts as excise" },
  };
}
