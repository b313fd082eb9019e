/**
 * The mini-batch sampling and class weighting of Kawahara et al. (IEEE JBHI 2019, used by the
 * study): every mini-batch holds k cases for each label of each task, so that rare labels (e.g.
 * irregular vascular structures) appear in every batch. With the 8 tasks' 24 labels a batch has 24k
 * cases; when management is a head (the `mgmt` and `multi` models) its 3 labels join as a ninth task
 * and a batch has 27k cases. A case can be drawn for several labels in one batch.
 *
 * Within one label, cases are drawn without replacement from a seeded shuffle of that label's cases
 * and the shuffle is renewed when exhausted, so every case of a label is seen once per pass.
 *
 * @example
 * ```ts
 * import { labelBalancedBatches, balancedClassWeights } from "./sampling.ts";
 * import { Prng } from "../util/prng.ts";
 * import assert from "node:assert/strict";
 * const labels = { task: [0, 0, 0, 0, 1] }; // one task, label 1 is rare
 * const batches = labelBalancedBatches(labels, { k: 2, batches: 3, prng: new Prng(7) });
 * assert.deepEqual(batches.map((b) => b.length), [4, 4, 4]); // 2 labels x k
 * assert.ok(batches.every((b) => b.filter((i) => i === 4).length === 2)); // the one rare case, k times
 * assert.deepEqual(balancedClassWeights([0, 0, 0, 1], 2), [4 / 6, 2]); // n / (K n_c)
 * ```
 *
 * @module
 */
import { Prng } from "../util/prng.ts";

/** Settings of `labelBalancedBatches`. */
export interface LabelBalancedOptions {
  /** Cases per label per batch. */
  k: number;
  /** How many batches to draw. */
  batches: number;
  /** Draws the cases and shuffles each batch. */
  prng: Prng;
  /** Class count of each task (default: 1 + the largest label seen). */
  classes?: Readonly<Record<string, number>>;
  /** Called once per (task, label) that has no case to draw from (default: console.warn). */
  onEmptyLabel?: (task: string, label: number) => void;
}

/**
 * Draws mini-batches of positions into the label arrays (all tasks' arrays have one entry per case).
 * @throws {RangeError} on no task, unequal lengths, a label outside 0..classes-1, or k < 1.
 */
export function labelBalancedBatches(
  labelsByTask: Readonly<Record<string, readonly number[]>>,
  options: LabelBalancedOptions,
): number[][] {
  const { k, prng } = options;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`Cannot sample batches: expected an integer k >= 1, found ${k}`);
  }
  const tasks = Object.keys(labelsByTask);
  if (!tasks.length) throw new RangeError("Cannot sample batches: expected at least one task, found none");
  const n = labelsByTask[tasks[0]].length;
  const pools: { task: string; label: number; cases: number[]; order: number[]; next: number }[] = [];
  for (const task of tasks) {
    const labels = labelsByTask[task];
    if (labels.length !== n) {
      throw new RangeError(`Cannot sample batches: expected ${n} labels for task "${task}", found ${labels.length}`);
    }
    const nClasses = options.classes?.[task] ?? Math.max(...labels) + 1;
    const byLabel: number[][] = Array.from({ length: nClasses }, () => []);
    labels.forEach((l, i) => {
      if (!Number.isInteger(l) || l < 0 || l >= nClasses) {
        throw new RangeError(
          `Cannot sample batches: expected task "${task}" labels in 0..${nClasses - 1}, found ${l} at ${i}`,
        );
      }
      byLabel[l].push(i);
    });
    byLabel.forEach((cases, label) => {
      if (cases.length === 0) {
        (options.onEmptyLabel ??
          ((t, l) => console.warn(`warning: no case has label ${l} of task ${t}; it is left out of batches`)))(
            task,
            label,
          );
        return;
      }
      pools.push({ task, label, cases, order: [], next: 0 });
    });
  }
  const out: number[][] = [];
  for (let b = 0; b < options.batches; b++) {
    const batch: number[] = [];
    for (const p of pools) {
      for (let j = 0; j < k; j++) {
        if (p.next >= p.order.length) {
          p.order = prng.shuffle(p.cases);
          p.next = 0;
        }
        batch.push(p.order[p.next++]);
      }
    }
    out.push(prng.shuffle(batch));
  }
  return out;
}

/**
 * One epoch of plain mini-batches: a seeded permutation of positions 0..n-1 cut into batches of
 * `batchSize` (the last one shorter), so every case is seen once per epoch.
 * @throws {RangeError} when n < 0 or batchSize < 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shuffledBatches } from "./sampling.ts";
 * import { Prng } from "../util/prng.ts";
 * const batches = shuffledBatches(5, 2, new Prng(1));
 * assert.deepEqual(batches.map((b) => b.length), [2, 2, 1]);
 * assert.deepEqual(batches.flat().sort(), [0, 1, 2, 3, 4]);
 * ```
 */
export function shuffledBatches(n: number, batchSize: number, prng: Prng): number[][] {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`Cannot make batches: expected n >= 0, found ${n}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(`Cannot make batches: expected an integer batch size >= 1, found ${batchSize}`);
  }
  const order = prng.shuffle([...Array(n).keys()]);
  const out: number[][] = [];
  for (let i = 0; i < n; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

/**
 * Per-class loss weights inversely proportional to class frequency, n / (K * n_c) (scikit-learn's
 * "balanced"; a class with no cases gets weight 0 so that it cannot produce a loss).
 * @throws {RangeError} when a label is outside 0..nClasses-1.
 */
export function balancedClassWeights(labels: readonly number[], nClasses: number): number[] {
  const counts = new Array(nClasses).fill(0);
  labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= nClasses) {
      throw new RangeError(`Cannot weight classes: expected labels in 0..${nClasses - 1}, found ${l} at ${i}`);
    }
    counts[l]++;
  });
  return counts.map((c) => (c === 0 ? 0 : labels.length / (nClasses * c)));
}
