/**
 * Seeded multi-label stratified k-fold partitions for cross-validation.
 *
 * Every case carries 9 labels at once (diagnosis, the 7 criteria, management), so stratifying on one
 * of them can unbalance the others. This uses iterative stratification (Sechidis, Tsoumakas &
 * Vlahavas, "On the stratification of multi-label data", ECML PKDD 2011): repeatedly take the
 * label with the fewest unassigned cases and give each of its cases to the fold that still wants
 * most of that label. The binary label set is the one-hot of all 9 heads (5 + 16 + 3 = 27 labels).
 * Ties are broken by the seeded PRNG, so a seed fixes the partition.
 *
 * @example
 * ```ts
 * import { iterativeStratification } from "./folds.ts";
 * import { Prng } from "../util/prng.ts";
 * import assert from "node:assert/strict";
 * // 6 items with one binary label each: three of label 0, three of label 1
 * const items = [[0], [0], [0], [1], [1], [1]];
 * const fold = iterativeStratification(items, [0.5, 0.5], { prng: new Prng(1) });
 * assert.equal(fold.filter((f) => f === 0).length, 3);
 * const ones = fold.filter((f, i) => f === 0 && items[i][0] === 1).length;
 * assert.ok(ones === 1 || ones === 2); // 3 cases of label 1 over 2 folds: as even as can be
 * ```
 *
 * @module
 */
import { Prng } from "../util/prng.ts";
import { Case, Release } from "./release.ts";
import { HeadName, HEADS, MULTI_TASK_HEADS } from "./vocabulary.ts";

/** The randomness of a stratification. */
export interface StratificationOptions {
  /** Breaks ties between labels and folds; the same seed gives the same partition. */
  prng: Prng;
}

/**
 * Assigns each item to one of `ratios.length` folds (ratios sum to 1), given each item's list of
 * active binary label ids. Returns the fold index of every item.
 * @throws {RangeError} when ratios are not positive or do not sum to 1.
 */
export function iterativeStratification(
  itemLabels: readonly (readonly number[])[],
  ratios: readonly number[],
  options: StratificationOptions,
): number[] {
  const { prng } = options;
  const k = ratios.length;
  const sum = ratios.reduce((a, b) => a + b, 0);
  if (k < 1 || ratios.some((r) => !(r > 0)) || Math.abs(sum - 1) > 1e-9) {
    throw new RangeError(`Cannot stratify: expected positive fold ratios summing to 1, found [${ratios.join(", ")}]`);
  }
  const n = itemLabels.length;
  const nLabels = itemLabels.reduce((m, ls) => Math.max(m, ...ls.map((l) => l + 1)), 0);
  const byLabel: number[][] = Array.from({ length: nLabels }, () => []);
  itemLabels.forEach((ls, i) => ls.forEach((l) => byLabel[l].push(i)));
  const wantTotal = ratios.map((r) => r * n);
  const wantLabel = ratios.map((r) => byLabel.map((items) => r * items.length));
  const fold = new Array<number>(n).fill(-1);
  const remaining = byLabel.map((items) => items.length);
  let left = n;
  const assign = (i: number, f: number) => {
    fold[i] = f;
    left--;
    wantTotal[f] -= 1;
    for (const l of itemLabels[i]) {
      wantLabel[f][l] -= 1;
      remaining[l] -= 1;
    }
  };
  const bestFold = (candidates: number[]): number => {
    // most wanted first; then the fold wanting most cases overall; then a seeded coin
    let best = candidates;
    const maxT = Math.max(...best.map((f) => wantTotal[f]));
    best = best.filter((f) => wantTotal[f] === maxT);
    return best.length === 1 ? best[0] : best[prng.int(best.length)];
  };
  while (left > 0) {
    let label = -1;
    let fewest = Infinity;
    const ties: number[] = [];
    for (let l = 0; l < nLabels; l++) {
      if (remaining[l] <= 0) continue;
      if (remaining[l] < fewest) {
        fewest = remaining[l];
        ties.length = 0;
        ties.push(l);
      } else if (remaining[l] === fewest) ties.push(l);
    }
    if (label === -1 && ties.length) label = ties[prng.int(ties.length)];
    if (label === -1) {
      // items without labels
      for (let i = 0; i < n; i++) {
        if (fold[i] === -1) assign(i, bestFold([...Array(k).keys()]));
      }
      break;
    }
    for (const i of prng.shuffle(byLabel[label])) {
      if (fold[i] !== -1) continue;
      const maxL = Math.max(...wantLabel.map((w) => w[label]));
      const cands = [...Array(k).keys()].filter((f) => wantLabel[f][label] === maxL);
      assign(i, bestFold(cands));
    }
  }
  return fold;
}

/** The 27 binary label ids of a case: offsets of each head's one-hot, heads in multi-task order. */
export function caseLabelIds(c: Case): number[] {
  const ids: number[] = [];
  let offset = 0;
  for (const h of MULTI_TASK_HEADS) {
    ids.push(offset + c.labels[h]);
    offset += HEADS[h].codes.length;
  }
  return ids;
}

/** One cross-validation fold: case row indexes for training, model selection and testing. */
export interface CvFold {
  /** The fold's number, from 0. */
  fold: number;
  /** Case row indexes to train on. */
  train: number[];
  /** Case row indexes for model selection. */
  valid: number[];
  /** Case row indexes to test on (the fold's own part). */
  test: number[];
}

/** Settings of `crossValidationFolds`. */
export interface CrossValidationOptions {
  /** Number of folds (default 3, as the study). */
  k?: number;
  /** The seed of the partition. */
  seed: number;
  /**
   * Share of the non-test cases kept for model selection (default 203/616, the official
   * valid:(train+valid) ratio).
   */
  validFraction?: number;
}

/**
 * A seeded k-fold partition of all cases of a release: fold i tests on part i and splits the other
 * parts into train and valid, each step by iterative stratification over all 9 heads.
 * Deterministic for a seed.
 * @throws {RangeError} for k < 2, k larger than the number of cases, or a fold with an empty train,
 * valid or test part.
 */
export function crossValidationFolds(release: Release, options: CrossValidationOptions): CvFold[] {
  const k = options.k ?? 3;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`Cannot make folds: expected an integer k >= 2, found ${k}`);
  const validFraction = options.validFraction ?? 203 / 616;
  if (!(validFraction > 0 && validFraction < 1)) {
    throw new RangeError(`Cannot make folds: expected 0 < validFraction < 1, found ${validFraction}`);
  }
  const n = release.cases.length;
  if (k > n) throw new RangeError(`Cannot make folds: expected k (--k) <= the number of cases (${n}), found ${k}`);
  const prng = new Prng(options.seed).fork("cv-folds");
  const labels = release.cases.map(caseLabelIds);
  const part = iterativeStratification(labels, new Array(k).fill(1 / k), { prng });
  const folds: CvFold[] = [];
  for (let f = 0; f < k; f++) {
    const test = release.cases.filter((_, i) => part[i] === f).map((c) => c.index);
    const rest = release.cases.filter((_, i) => part[i] !== f).map((c) => c.index);
    const sub = iterativeStratification(rest.map((i) => labels[i]), [1 - validFraction, validFraction], {
      prng: prng.fork(`fold-${f}`),
    });
    folds.push({
      fold: f,
      train: rest.filter((_, j) => sub[j] === 0),
      valid: rest.filter((_, j) => sub[j] === 1),
      test,
    });
  }
  for (const f of folds) {
    for (const part of ["train", "valid", "test"] as const) {
      if (!f[part].length) {
        throw new RangeError(
          `Cannot make ${k} folds of ${n} cases: expected every fold to have train, valid and test cases, found fold ${f.fold}'s ${part} part empty; use a smaller k (--k)`,
        );
      }
    }
  }
  return folds;
}

/** The share of one class of one head in one part of one fold. */
export interface FoldProportionRow {
  /** The fold's number, from 0. */
  fold: number;
  /** The part of the fold. */
  part: "train" | "valid" | "test";
  /** The head. */
  head: HeadName;
  /** The class's code, e.g. "MEL". */
  label: string;
  /** Cases of the class in the part. */
  count: number;
  /** count / cases in the part (NaN for an empty part). */
  proportion: number;
}

/** Class proportions of every head in every part of every fold (for checking the stratification). */
export function foldProportions(release: Release, folds: readonly CvFold[]): FoldProportionRow[] {
  const rows: FoldProportionRow[] = [];
  for (const f of folds) {
    for (const part of ["train", "valid", "test"] as const) {
      const idx = f[part];
      for (const head of MULTI_TASK_HEADS) {
        const codes = HEADS[head].codes;
        const counts = new Array(codes.length).fill(0);
        for (const i of idx) counts[release.cases[i].labels[head]]++;
        codes.forEach((label, j) =>
          rows.push({
            fold: f.fold,
            part,
            head,
            label,
            count: counts[j],
            proportion: idx.length ? counts[j] / idx.length : NaN,
          })
        );
      }
    }
  }
  return rows;
}

/** The number of cases in each part of each fold, folds numbered from 1 as tables show them. */
export function foldSizes(folds: readonly CvFold[]): { fold: number; train: number; valid: number; test: number }[] {
  return folds.map((f) => ({ fold: f.fold + 1, train: f.train.length, valid: f.valid.length, test: f.test.length }));
}

/**
 * The largest difference, over heads and classes, between a class's share in any fold's test part
 * and its share in the whole release (a summary of how well the folds are stratified).
 */
export function maxProportionDeviation(release: Release, folds: readonly CvFold[]): number {
  let worst = 0;
  const n = release.cases.length;
  for (const head of MULTI_TASK_HEADS) {
    const k = HEADS[head].codes.length;
    const overall = new Array(k).fill(0);
    for (const c of release.cases) overall[c.labels[head]]++;
    for (const f of folds) {
      const counts = new Array(k).fill(0);
      for (const i of f.test) counts[release.cases[i].labels[head]]++;
      for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(counts[j] / f.test.length - overall[j] / n));
    }
  }
  return worst;
}
