/**
 * Robustness checks a reviewer asks for: the run's test performance when every image is perturbed
 * (brightness, blur, rotation; see data/perturb.ts) and when one input modality is removed at test
 * time. Removing a modality replaces its block of the head input by the training mean (0 after the
 * features preset's standardisation): the model sees "an average lesion" for that input, the usual
 * mean-imputation reading of missing inputs. Each condition is compared with the unperturbed
 * predictions on the same cases: accuracy and its paired-bootstrap 95% interval of the change,
 * macro AUROC, and the share of cases whose predicted class flips.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { robustnessCheck } from "./robustness.ts";
 * const r = await robustnessCheck(ex, release, ref, { cacheDir: ".cache", cases: 100, seed: 1 });
 * const management = r.rows.filter((x) => x.head === "management");
 * assert.equal(management[0].condition, "unperturbed"); // the reference row comes first, delta 0
 * ```
 * (Not run: it needs a trained run and its release; `stratifiedSubset` below runs.)
 *
 * @module
 */
import { Release } from "../data/release.ts";
import { HeadName } from "../data/vocabulary.ts";
import { DEFAULT_PERTURBATIONS, Perturbation, perturbationLabel } from "../data/perturb.ts";
import { Prng } from "../util/prng.ts";
import { argmax } from "../stats/confusion.ts";
import { rocAucOvrOrNaN } from "../stats/roc.ts";
import { pairedBootstrap } from "../stats/bootstrap.ts";
import { splitOf } from "../model/run.ts";
import { Explainable, headProbabilities } from "./decompose.ts";
import { caseHeadInputs } from "./inputs.ts";
import type { TrainingReference } from "./reference.ts";

/** One head under one condition, compared with the unperturbed predictions on the same cases. */
export interface RobustnessRow {
  /** "unperturbed", the perturbation's label, or the removed input. */
  condition: string;
  /** What the condition does: nothing (the reference), perturb every image, or remove one input block. */
  kind: "reference" | "perturbation" | "removal";
  /** The head. */
  head: HeadName;
  /** Cases evaluated. */
  n: number;
  /** Share of cases whose predicted class is the true one. */
  accuracy: number;
  /** Accuracy minus the unperturbed accuracy on the same cases, with its 95% paired-bootstrap interval. */
  delta: number;
  /** 95% paired-bootstrap interval of `delta`, [low, high] ([0, 0] for the reference). */
  deltaCi: [number, number];
  /** Macro one-vs-rest AUROC (NaN when a class is absent from the cases). */
  auroc: number;
  /** Share of cases whose predicted class differs from the unperturbed prediction. */
  flipRate: number;
}

/** What {@linkcode robustnessCheck} found, and its settings. */
export interface RobustnessResult {
  /** One row per condition and head, the unperturbed reference first. */
  rows: RobustnessRow[];
  /** Case numbers of the test cases used. */
  caseNums: number[];
  /** Cases used and of how many test cases, seed, bootstrap resamples, perturbations, how inputs are removed. */
  settings: {
    cases: number;
    of: number;
    seed: number;
    bootstrap: number;
    perturbations: Perturbation[];
    removal: string;
  };
}

/** Options of {@linkcode robustnessCheck}. */
export interface RobustnessOptions {
  /** Folder of the feature cache. */
  cacheDir: string;
  /** Test cases to use (default: all); a subset is drawn stratified by diagnosis with `seed`. */
  cases?: number;
  /** Seed of the case subset and the bootstrap. */
  seed: number;
  /** Image perturbations to run (default: data/perturb.ts's `DEFAULT_PERTURBATIONS`). */
  perturbations?: readonly Perturbation[];
  /** Bootstrap resamples of the accuracy change (default 1000). */
  bootstrap?: number;
  /** Parallel feature-extraction workers (features preset). */
  workers?: number;
  /** No progress lines. */
  quiet?: boolean;
}

/**
 * A subset of `n` indices stratified by label: each label keeps its share (largest remainders),
 * drawn without replacement; returned in their original order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stratifiedSubset } from "./robustness.ts";
 * import { Prng } from "../util/prng.ts";
 * const labels = [0, 0, 0, 0, 1, 1];
 * const subset = stratifiedSubset(labels, 3, new Prng(1));
 * assert.deepEqual(subset.map((i) => labels[i]), [0, 0, 1]); // 2 of 4 and 1 of 2: each label keeps its share
 * assert.deepEqual(subset, [...subset].sort((a, b) => a - b)); // in their original order
 * ```
 */
export function stratifiedSubset(labels: readonly number[], n: number, prng: Prng): number[] {
  if (n >= labels.length) return labels.map((_, i) => i);
  const groups = new Map<number, number[]>();
  labels.forEach((l, i) => groups.set(l, [...(groups.get(l) ?? []), i]));
  const quotas = [...groups].map(([label, idx]) => ({ label, idx, exact: (idx.length * n) / labels.length }));
  const take = new Map(quotas.map((q) => [q.label, Math.floor(q.exact)]));
  let left = n - [...take.values()].reduce((a, b) => a + b, 0);
  for (
    const q of [...quotas].sort((a, b) =>
      (b.exact - Math.floor(b.exact)) - (a.exact - Math.floor(a.exact)) || a.label - b.label
    )
  ) {
    if (left-- <= 0) break;
    take.set(q.label, take.get(q.label)! + 1);
  }
  const chosen = quotas.flatMap((q) => prng.shuffle([...q.idx]).slice(0, take.get(q.label)));
  return chosen.sort((a, b) => a - b);
}

/** Runs every condition on the run's test cases. */
export async function robustnessCheck(
  ex: Explainable,
  release: Release,
  reference: TrainingReference,
  options: RobustnessOptions,
): Promise<RobustnessResult> {
  const test = splitOf(release, ex.run.config).test;
  const prng = new Prng(options.seed);
  const subset = stratifiedSubset(
    test.map((i) => release.cases[i].labels.diagnosis),
    options.cases ?? test.length,
    prng.fork("subset"),
  ).map((j) => test[j]);
  const perturbations = [...(options.perturbations ?? DEFAULT_PERTURBATIONS)];
  const bootstrap = options.bootstrap ?? 1000;
  const inputOptions = { cacheDir: options.cacheDir, workers: options.workers, quiet: options.quiet };
  const base = await caseHeadInputs(ex, release, subset, inputOptions);
  const conditions: { condition: string; kind: RobustnessRow["kind"]; vectors: Float32Array[] }[] = [{
    condition: "unperturbed",
    kind: "reference",
    vectors: base,
  }];
  const hasImages = ex.blocks.some((b) => b.name !== "metadata");
  if (hasImages) {
    for (const p of perturbations) {
      conditions.push({
        condition: perturbationLabel(p),
        kind: "perturbation",
        vectors: await caseHeadInputs(ex, release, subset, { ...inputOptions, perturbation: p }),
      });
    }
  }
  const names: Record<string, string> = {
    clinical: "without the clinical image",
    derm: "without the dermoscopic image",
    metadata: "without metadata",
  };
  if (ex.blocks.length > 1) {
    for (const b of ex.blocks) {
      const vectors = base.map((v) => {
        const w = Float32Array.from(v);
        w.set(reference.mean.subarray(b.start, b.start + b.length), b.start);
        return w;
      });
      conditions.push({ condition: names[b.name], kind: "removal", vectors });
    }
  }
  const truth = Object.fromEntries(ex.headNames.map((h) => [h, subset.map((i) => release.cases[i].labels[h])]));
  const baseProbs = headProbabilities(ex, base);
  const basePred = Object.fromEntries(ex.headNames.map((h) => [h, argmax(baseProbs[h]!)]));
  const rows: RobustnessRow[] = [];
  for (const c of conditions) {
    const probs = c.vectors === base ? baseProbs : headProbabilities(ex, c.vectors);
    for (const h of ex.headNames) {
      const pred = argmax(probs[h]!);
      const t = truth[h], b = basePred[h];
      const correct = pred.map((p, i) => (p === t[i] ? 1 : 0)), baseCorrect = b.map((p, i) => (p === t[i] ? 1 : 0));
      const accuracy = correct.reduce<number>((s, x) => s + x, 0) / correct.length;
      const baseAccuracy = baseCorrect.reduce<number>((s, x) => s + x, 0) / baseCorrect.length;
      const diff = pairedBootstrap(
        subset.length,
        (ix) => ix.reduce((s, i) => s + correct[i] - baseCorrect[i], 0) / ix.length,
        { samples: bootstrap, prng: prng.fork(`${c.condition}/${h}`) },
      );
      const auroc = rocAucOvrOrNaN(t, probs[h]!); // NaN where a class is absent from the subset
      rows.push({
        condition: c.condition,
        kind: c.kind,
        head: h,
        n: subset.length,
        accuracy,
        delta: accuracy - baseAccuracy,
        deltaCi: c.kind === "reference" ? [0, 0] : diff.ci,
        auroc,
        flipRate: pred.filter((p, i) => p !== b[i]).length / pred.length,
      });
    }
  }
  return {
    rows,
    caseNums: subset.map((i) => release.cases[i].caseNum),
    settings: {
      cases: subset.length,
      of: test.length,
      seed: options.seed,
      bootstrap,
      perturbations,
      removal: "block replaced by the training mean of the head input",
    },
  };
}
