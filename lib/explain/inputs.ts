/**
 * Head-input vectors of many cases of a release, optionally under an image perturbation: the
 * features preset reads (or computes, in parallel workers, and caches) the frozen backbone's
 * features; the paper preset runs the run's own fine-tuned backbone in this process.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { caseHeadInputs } from "./inputs.ts";
 * const test = release.splits.test;
 * const vectors = await caseHeadInputs(ex, release, test, { cacheDir: ".cache", perturbation: { kind: "blur", sigma: 2 } });
 * assert.equal(vectors.length, test.length);
 * assert.ok(vectors.every((v) => v.length === ex.inputSize));
 * ```
 * (Not run: it needs a trained run, `ex` from `explainable`, and the release's images.)
 *
 * @module
 */
import { Case, ImagePathResolver, Release } from "../data/release.ts";
import { decodeImage } from "../data/images.ts";
import { encodeMetadata } from "../data/vocabulary.ts";
import { Perturbation, perturbImage } from "../data/perturb.ts";
import { Prng } from "../util/prng.ts";
import { Progress } from "../util/progress.ts";
import { extractFeatures } from "../model/features.ts";
import { casePaths, FeatureFeed } from "../model/feeds.ts";
import * as tf from "@tensorflow/tfjs";
import { Explainable, headInputOf } from "./decompose.ts";

/** Options of {@linkcode caseHeadInputs}. */
export interface CaseInputOptions {
  /** Folder of the feature cache. */
  cacheDir: string;
  /** Applied to every image before the backbone (default none). */
  perturbation?: Perturbation;
  /** Parallel feature-extraction workers (features preset). */
  workers?: number;
  /** No progress lines. */
  quiet?: boolean;
}

/** The image paths of cases, resolved in the release's images folder. */
export function releaseImagePaths(release: Release, cases: readonly Case[]): { clinic: string; derm: string }[] {
  if (!release.imagesDir) {
    throw new Error(`Cannot read the images of ${release.dir}: expected a folder ${release.dir}/images, found none`);
  }
  const resolver = new ImagePathResolver(release.imagesDir);
  return cases.map((c) => casePaths(c, resolver));
}

/** Head-input vectors (as the run computes them) of the cases with the given indices. */
export async function caseHeadInputs(
  ex: Explainable,
  release: Release,
  indices: readonly number[],
  options: CaseInputOptions,
): Promise<Float32Array[]> {
  const cfg = ex.run.config;
  const cases = indices.map((i) => release.cases[i]);
  const images = cfg.model.inputs.includes("C") || cfg.model.inputs.includes("D");
  const paths = images ? releaseImagePaths(release, cases) : cases.map(() => ({ clinic: "", derm: "" }));
  const perturbation = options.perturbation ?? { kind: "none" };
  if (cfg.training.preset === "features") {
    let features = new Map<string, Float32Array[]>();
    if (images) {
      const wanted = new Set(
        paths.flatMap((
          p,
        ) => [
          ...(cfg.model.inputs.includes("C") ? [p.clinic] : []),
          ...(cfg.model.inputs.includes("D") ? [p.derm] : []),
        ]),
      );
      features = (await extractFeatures([...wanted].map((path) => ({ path, views: 1 })), {
        backbone: cfg.model.backbone,
        seed: cfg.seed,
        cacheDir: options.cacheDir,
        augmentation: cfg.training.augmentation,
        perturbation,
        workers: options.workers,
        engine: ex.run.engine,
        quiet: options.quiet,
      })).features;
    }
    const feed = new FeatureFeed(cases, features, paths, cfg.model.inputs);
    feed.setStandardization(ex.norm);
    const prng = new Prng(0); // unused: no augmentation when reading view 0
    return cases.map((_, j) => feed.vector(j, false, prng));
  }
  const bar = new Progress("head inputs", cases.length, { unit: "case", quiet: options.quiet });
  const out: Float32Array[] = [];
  for (const [j, c] of cases.entries()) {
    const load = async (path: string) => perturbImage(await decodeImage(path, { size: ex.size }), perturbation);
    const input = {
      clinical: ex.spatial.clinical ? await load(paths[j].clinic) : undefined,
      derm: ex.spatial.derm ? await load(paths[j].derm) : undefined,
      metadata: encodeMetadata(c.metadata),
    };
    const { vector, maps } = await headInputOf(ex, input);
    for (const m of Object.values(maps)) tf.dispose(m);
    out.push(vector);
    bar.tick(1);
  }
  bar.done();
  return out;
}
