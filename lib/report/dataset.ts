/**
 * Plain records describing a release, shaped for the dataset figures and tables (notebook 01).
 *
 * @example
 * ```ts ignore
 * import { datasetRecords } from "./dataset.ts";
 * const r = datasetRecords(release, folds);
 * r.managementByGroup; // one record per split (train, valid, test, all), diagnosis group and management
 * ```
 *
 * @module
 */
import * as aq from "arquero";
import pl from "nodejs-polars";
import {
  Case,
  casesOf,
  CvFold,
  DIAGNOSIS,
  foldProportions,
  HeadName,
  HEADS,
  MANAGEMENT,
  METADATA_ORDER,
  METADATA_VARIABLES,
  MetadataVariable,
  MULTI_TASK_HEADS,
  Release,
  SEVEN_POINT_WEIGHTS,
  SplitName,
  table1,
  TABLE1_SPLITS,
} from "../data/mod.ts";
import { ImageStore } from "../data/images.ts";
import type { ImagePair } from "../plots/montage.ts";
import { DataFrame, frameOf } from "./frames.ts";
import { casesFrame } from "./run_frames.ts";

/**
 * Table 1 laid out wide, grouped with polars from the cases frame: one row per split (train, valid,
 * test, all) x diagnosis group (or raw diagnosis, within its group), the number of cases of each
 * management (NONE, CLNC, EXC) and the total; combinations without a case are listed with zeros.
 */
export function table1Frame(release: Release, level: "group" | "raw"): DataFrame {
  const cases = casesFrame(release).rename({ diagnosis_group: "group" });
  const all = pl.concat([cases, cases.withColumns(pl.lit("all").alias("split"))]);
  const keys = level === "group" ? ["split", "group"] : ["split", "group", "diagnosis"];
  const counts = all.groupBy(keys).agg(
    ...MANAGEMENT.codes.map((m) => pl.col("management").eq(pl.lit(m)).sum().cast(pl.Float64).alias(m)),
  );
  const raws = Object.keys(DIAGNOSIS.groups);
  const grid = frameOf(
    TABLE1_SPLITS.flatMap((split) =>
      DIAGNOSIS.codes.flatMap((group, g) =>
        level === "group"
          ? [{ split, group }]
          : raws.filter((r) => DIAGNOSIS.groups[r] === g).map((diagnosis) => ({ split, group, diagnosis }))
      )
    ),
  );
  return grid.join(counts, { on: keys, how: "left" }).select(
    ...keys.map((k) => pl.col(k)),
    ...MANAGEMENT.codes.map((m) => pl.col(m).fillNull(0)),
    pl.sumHorizontal(MANAGEMENT.codes.map((m) => pl.col(m).fillNull(0))).alias("total"),
  );
}

/** The grouping tables: every raw string of every head and its group. */
export function groupingTable(): { head: string; raw: string; group: number; code: string }[] {
  return [...MULTI_TASK_HEADS].flatMap((h) =>
    Object.entries(HEADS[h].groups).map(([raw, g]) => ({ head: h, raw, group: g, code: HEADS[h].codes[g] }))
  );
}

/** One row per meta.csv column of a case: the raw string and, for a labelled head, its grouped label. */
export function caseLabelRows(c: Case): { column: string; raw: string; grouped: number | "" }[] {
  return Object.entries(c.raw).map(([column, raw]) => ({
    column,
    raw,
    grouped: column in c.labels ? c.labels[column as keyof typeof c.labels] : "",
  }));
}

/** The seven-point checklist's criteria and their weights (2 for the major criteria, 1 for the minor). */
export function sevenPointWeightRows(): { criterion: string; weight: number }[] {
  return SEVEN_POINT_WEIGHTS.map((w) => ({ criterion: w.name, weight: w.weight }));
}

/**
 * One example case per diagnosis group (the first of `split` with that diagnosis) as an image pair with
 * its case number, diagnosis and management, for a montage; null when the release has no images.
 */
export async function exampleCasePairs(
  release: Release,
  options: { cacheDir: string; size: number; split?: SplitName },
): Promise<ImagePair[] | null> {
  if (!release.imagesDir) return null;
  const store = new ImageStore(release, { cacheDir: options.cacheDir });
  const pool = casesOf(release, options.split ?? "test");
  const picks = DIAGNOSIS.codes.map((_, g) => pool.find((c) => c.labels.diagnosis === g))
    .filter((c): c is Case => c !== undefined);
  const pairs: ImagePair[] = [];
  for (const c of picks) {
    const { clinical, derm } = await store.pair(c, { size: options.size });
    pairs.push({
      clinical,
      derm,
      label: [`case ${c.caseNum}: ${DIAGNOSIS.codes[c.labels.diagnosis]}`, MANAGEMENT.names[c.labels.management]],
    });
  }
  return pairs;
}

/** The records of the dataset figures (see {@linkcode datasetRecords}); counts are numbers of cases. */
export interface DatasetRecords {
  /** Cases per split (and all), diagnosis group and management. */
  managementByGroup: { split: SplitName | "all"; group: string; management: string; count: number }[];
  /** Cases of the whole release per label of each multi-task head. */
  labelCounts: { head: HeadName; label: string; count: number }[];
  /** Cases per value of each metadata variable and management (every combination, zeros included). */
  metadata: { variable: MetadataVariable; value: string; management: string; count: number }[];
  /** Cases per seven-point score (0 to the highest in the release) and diagnosis group. */
  sevenPoint: { score: number; group: string; count: number }[];
  /** Share of each label of each head: in all cases, then in each cross-validation fold's test part. */
  foldShares: { fold: string; head: HeadName; label: string; proportion: number }[];
  /** The splits in Table 1 order. */
  splits: readonly (SplitName | "all")[];
}

/** All records the dataset figures need, from a release and its cross-validation folds. */
export function datasetRecords(release: Release, folds: readonly CvFold[]): DatasetRecords {
  const managementByGroup = table1(release)
    .filter((r) => r.diagnosis === "all")
    .map((r) => ({ split: r.split, group: r.diagnosis_group, management: r.management, count: r.count }));
  const train = casesOf(release, "all");
  const labelCounts = MULTI_TASK_HEADS.flatMap((head) =>
    HEADS[head].codes.map((label, k) => ({ head, label, count: train.filter((c) => c.labels[head] === k).length }))
  );
  // grouped counts with arquero (one pass per variable), then every combination filled in with zeros
  const cases = aq.from(
    release.cases.map((c) => ({ ...c.metadata, management: MANAGEMENT.names[c.labels.management] })),
  );
  const metadata = METADATA_ORDER.flatMap((variable) => {
    const counted = new Map<string, number>(
      (cases.groupby(variable, "management").count().objects() as { management: string; count: number }[]).map((o) => [
        `${(o as Record<string, unknown>)[variable]}|${o.management}`,
        o.count,
      ]),
    );
    return METADATA_VARIABLES[variable].flatMap((value) =>
      MANAGEMENT.names.map((management) => ({
        variable,
        value,
        management,
        count: counted.get(`${value}|${management}`) ?? 0,
      }))
    );
  });
  const maxScore = Math.max(...release.cases.map((c) => c.sevenPointScore));
  const sevenPoint = [];
  for (let score = 0; score <= maxScore; score++) {
    for (let g = 0; g < DIAGNOSIS.codes.length; g++) {
      sevenPoint.push({
        score,
        group: DIAGNOSIS.codes[g],
        count: release.cases.filter((c) => c.sevenPointScore === score && c.labels.diagnosis === g).length,
      });
    }
  }
  const overall = MULTI_TASK_HEADS.flatMap((head) =>
    HEADS[head].codes.map((label, k) => ({
      fold: "all cases",
      head,
      label,
      proportion: release.cases.filter((c) => c.labels[head] === k).length / release.cases.length,
    }))
  );
  const foldShares = [
    ...overall,
    ...foldProportions(release, folds).filter((r) => r.part === "test").map((r) => ({
      fold: `fold ${r.fold + 1} (test)`,
      head: r.head,
      label: r.label,
      proportion: r.proportion,
    })),
  ];
  return { managementByGroup, labelCounts, metadata, sevenPoint, foldShares, splits: TABLE1_SPLITS };
}
