/**
 * The frozen backbone's pooled features of a release as one table: a row per case, image (clinical or
 * dermoscopic) and view, with the case number and split, then one column per feature (`<layer>_<i>`).
 * Computing it fills the same on-disk cache that training reads (features.ts), so extracting first makes
 * every later run on those layers and views start without a forward pass.
 *
 * Written as Parquet (nodejs-polars; float32 columns) or CSV, by the file's extension.
 *
 * @example Extracting a release's table (needs its images and a backbone; not run here)
 * ```ts ignore
 * import { releaseFeatureTable, writeFeatureTable } from "./feature_table.ts";
 * const table = await releaseFeatureTable(release, { backbone, split: "test", views: 0, cacheDir: ".cache" });
 * writeFeatureTable("features.parquet", table);
 * ```
 *
 * @example The columns and the CSV form
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureColumns, writeFeatureTable } from "./feature_table.ts";
 * assert.deepEqual(featureColumns(["mixed5", "mixed7"], [2, 1]), ["mixed5_0", "mixed5_1", "mixed7_0"]);
 * const stats = { images: 1, computed: 1, cached: 0, seconds: 1, rate: 1, dirs: [], engine: null, layerSizes: [2] };
 * const table = {
 *   caseNum: [1], split: ["test"], image: ["derm" as const], view: [0],
 *   columns: ["mixed5_0", "mixed5_1"], values: [new Float32Array([0.5, 2])], stats,
 * };
 * const path = `${Deno.makeTempDirSync()}/features.csv`;
 * writeFeatureTable(path, table);
 * assert.equal(Deno.readTextFileSync(path), "case_num,split,image,view,mixed5_0,mixed5_1\n1,test,derm,0,0.5,2\n");
 * assert.throws(() => writeFeatureTable("features.xlsx", table), /expected a \.parquet or \.csv file name/);
 * ```
 *
 * @module
 */
import { extname } from "node:path";
import pl from "nodejs-polars";
import { AugmentationSpec, DEFAULT_AUGMENTATION } from "../data/augment.ts";
import { ImagePathResolver, Release } from "../data/release.ts";
import { writeBytesAtomic, writeTextAtomic } from "../util/fs.ts";
import { BackboneConfig } from "./config.ts";
import { EngineChoice } from "./engine.ts";
import { extractFeatures, ExtractionStats } from "./features.ts";
import { casePaths } from "./feeds.ts";

/** The official split whose cases go in the table, or "all". */
export type SplitChoice = "train" | "valid" | "test" | "all";

/** Options of {@linkcode releaseFeatureTable}. */
export interface FeatureTableOptions {
  /** The backbone and its feature layers. */
  backbone: BackboneConfig;
  /** The cases to include. */
  split: SplitChoice;
  /** Augmented views per image beside view 0 (the image itself). */
  views: number;
  /** Project cache folder (features under <cacheDir>/features). */
  cacheDir: string;
  /** Seed of a random backbone (default 0; ignored for pretrained ones). */
  seed?: number;
  /** Inference engine (default "auto"). */
  engine?: EngineChoice;
  /** The augmentation of views 1.. (default: the study's). */
  augmentation?: AugmentationSpec;
  /** No progress line and no warnings. */
  quiet?: boolean;
}

/** The features as columns: one row per case, image and view. */
export interface FeatureTable {
  /** Case number (meta.csv's case_num) of each row. */
  caseNum: number[];
  /** Official split of each row's case. */
  split: string[];
  /** Which image of the case each row is. */
  image: ("clinical" | "derm")[];
  /** View of each row (0: the image itself). */
  view: number[];
  /** Feature column names, `<layer>_<i>`. */
  columns: string[];
  /** One row per entry of `caseNum`, `columns.length` values each. */
  values: Float32Array[];
  /** What the extraction did. */
  stats: ExtractionStats;
}

/** Column names of the pooled features of `layers` (their channel counts known or given). */
export function featureColumns(layers: readonly string[], channels: readonly number[]): string[] {
  return layers.flatMap((l, k) => [...Array(channels[k]).keys()].map((i) => `${l}_${i}`));
}

/**
 * Computes (or reads from the cache) the features of every case of a split.
 * @throws {Error} when the release has no images folder or an image is missing.
 */
export async function releaseFeatureTable(release: Release, options: FeatureTableOptions): Promise<FeatureTable> {
  if (!release.imagesDir) {
    throw new Error(`Cannot extract features of ${release.dir}: expected a folder ${release.dir}/images, found none`);
  }
  const resolver = new ImagePathResolver(release.imagesDir);
  const cases = release.cases.filter((c) => options.split === "all" || c.split === options.split);
  const views = 1 + options.views;
  const rows = cases.flatMap((c) => {
    const p = casePaths(c, resolver);
    return (["clinical", "derm"] as const).flatMap((image) =>
      [...Array(views).keys()].map((view) => ({ c, image, view, path: image === "clinical" ? p.clinic : p.derm }))
    );
  });
  const paths = [...new Set(rows.map((r) => r.path))];
  const { features, stats } = await extractFeatures(paths.map((path) => ({ path, views })), {
    backbone: options.backbone,
    seed: options.seed ?? 0,
    cacheDir: options.cacheDir,
    augmentation: options.augmentation ?? DEFAULT_AUGMENTATION,
    engine: options.engine,
    quiet: options.quiet,
  });
  const values = rows.map((r) => features.get(r.path)![r.view]);
  return {
    caseNum: rows.map((r) => r.c.caseNum),
    split: rows.map((r) => r.c.split),
    image: rows.map((r) => r.image),
    view: rows.map((r) => r.view),
    columns: featureColumns(options.backbone.featureLayers, stats.layerSizes),
    values,
    stats,
  };
}

/**
 * Writes a feature table as Parquet (`.parquet`) or CSV (`.csv`), atomically.
 * @throws {RangeError} for another extension.
 */
export function writeFeatureTable(path: string, table: FeatureTable): void {
  const ext = extname(path).toLowerCase();
  if (ext === ".csv") {
    const header = ["case_num", "split", "image", "view", ...table.columns].join(",");
    const lines = table.values.map((v, r) =>
      [table.caseNum[r], table.split[r], table.image[r], table.view[r], ...Array.from(v, (x) => String(x))].join(",")
    );
    writeTextAtomic(path, [header, ...lines].join("\n") + "\n");
    return;
  }
  if (ext !== ".parquet") {
    throw new RangeError(`Cannot write features to ${path}: expected a .parquet or .csv file name, found "${ext}"`);
  }
  const series = [
    pl.Series("case_num", table.caseNum, pl.Int32),
    pl.Series("split", table.split, pl.Utf8),
    pl.Series("image", table.image, pl.Utf8),
    pl.Series("view", table.view, pl.Int32),
    ...table.columns.map((name, j) => pl.Series(name, Float32Array.from(table.values, (v) => v[j]), pl.Float32)),
  ];
  const tmp = `${path}.tmp-${Deno.pid}.parquet`;
  pl.DataFrame(series).writeParquet(tmp);
  const bytes = Deno.readFileSync(tmp);
  Deno.removeSync(tmp);
  writeBytesAtomic(path, bytes);
}
