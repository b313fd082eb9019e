/**
 * `extract`: the frozen backbone's pooled features of a release, as Parquet or CSV (and into the cache).
 *
 * @module
 */
import { DEFAULT_AUGMENTATION } from "../../data/augment.ts";
import { cacheDirectory, releaseLocation } from "../../data/location.ts";
import { loadRelease } from "../../data/release.ts";
import { releaseFeatureTable, SplitChoice, writeFeatureTable } from "../../model/feature_table.ts";
import { FEATURES_PRESET } from "../../model/config.ts";
import type { Command } from "../command.ts";
import {
  BACKBONE_OPTIONS,
  backboneOption,
  choiceOption,
  ENGINE_OPTION,
  engineOption,
  intOption,
  QUIET_OPTION,
  RELEASE_OPTION,
  requireOption,
  UsageError,
} from "../options.ts";

const SPLITS: readonly SplitChoice[] = ["train", "valid", "test", "all"];

/** `deno task cli extract`: the frozen backbone's pooled features of a release. */
export const extractCommand: Command = {
  name: "extract",
  summary: "Write the backbone's pooled features of every image and view (Parquet or CSV) and fill the feature cache.",
  description: [
    "One row per case, image (clinical|derm) and view: case_num, split, image, view, then <layer>_<i> columns.",
    "View 0 is the image; views 1..V are the augmentations training uses, so training on these layers and views",
    "afterwards starts from the cache (DERM7PT_CACHE moves it). --out FILE.parquet (nodejs-polars) or FILE.csv.",
  ].join("\n"),
  options: {
    data: RELEASE_OPTION,
    split: { type: "string", arg: SPLITS.join("|"), default: "all", help: "which cases" },
    layers: {
      type: "string",
      arg: "L1,L2",
      default: FEATURES_PRESET.featureLayers.join(","),
      help: "feature layers (default: the features preset's)",
    },
    views: { type: "string", arg: "V", default: "0", help: "augmented views per image beside the image itself" },
    ...BACKBONE_OPTIONS,
    seed: { type: "string", arg: "S", default: "0", help: "seed of a random backbone" },
    engine: ENGINE_OPTION,
    out: { type: "string", arg: "FILE", help: "output .parquet or .csv file" },
    quiet: QUIET_OPTION,
  },
  async run(values) {
    const out = requireOption("extract", values, "out", "FILE (.parquet or .csv)");
    if (!/\.(parquet|csv)$/i.test(out)) {
      throw new UsageError(`Cannot run "extract": expected --out to end in .parquet or .csv, found "${out}"`);
    }
    const backbone = backboneOption("extract", values);
    const layers = String(values.layers ?? FEATURES_PRESET.featureLayers.join(",")).split(",").map((l) => l.trim())
      .filter(Boolean);
    if (!layers.length) throw new UsageError('Cannot run "extract": expected --layers L1,L2, found none');
    const release = loadRelease(releaseLocation(values.data as string | undefined).dir, { quiet: true });
    const table = await releaseFeatureTable(release, {
      // key order as before: source, size, featureLayers, shared, path, then precision
      backbone: {
        source: backbone.source,
        size: backbone.size,
        featureLayers: layers,
        shared: true,
        ...(backbone.path ? { path: backbone.path } : {}),
        precision: backbone.precision ?? FEATURES_PRESET.precision,
      },
      split: choiceOption("extract", values, "split", SPLITS, "all"),
      views: intOption("extract", values, "views", 0, 0, 100),
      cacheDir: cacheDirectory(),
      seed: intOption("extract", values, "seed", 0),
      engine: engineOption("extract", values),
      augmentation: DEFAULT_AUGMENTATION,
      quiet: Boolean(values.quiet),
    });
    writeFeatureTable(out, table);
    const s = table.stats;
    console.log(
      `wrote ${table.values.length} rows x ${table.columns.length} features to ${out} ` +
        `(${s.computed} views computed${s.engine ? ` by ${s.engine}` : ""} at ${
          s.rate.toFixed(1)
        } images/s, ${s.cached} from the cache)`,
    );
  },
};
