/**
 * Figures of the dataset notebook: Table 1 as bars, label and metadata distributions, the
 * seven-point score, and cross-validation fold proportions. Pure functions of plain records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { managementByGroupFigure } from "./dataset.ts";
 * const fig = managementByGroupFigure([
 *   { split: "train", group: "MEL", management: "excision", count: 3 },
 *   { split: "test", group: "MEL", management: "excision", count: 1 },
 * ], { caption: "demo" });
 * const svg = fig.svg();
 * assert.ok(svg.includes(">MEL</text>") && svg.includes(">excision</text>"));
 * assert.ok(svg.includes(">train</text>") && svg.includes(">test</text>")); // one panel per split
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { Figure, figure } from "./figure.ts";
import { CLASS_COLORS, classColor, classColors, isClass, PALETTE } from "./palette.ts";

/** Management colours in NONE, CLNC, EXC order (from the one palette). */
export const MANAGEMENT_COLORS: readonly string[] = [CLASS_COLORS.NONE, CLASS_COLORS.CLNC, CLASS_COLORS.EXC];

/** Number of cases of one split, diagnosis group and management. */
export interface CountRecord {
  /** Split name, e.g. "train" ("all" panels get their own x scale). */
  split: string;
  /** Diagnosis group, e.g. "MEL". */
  group: string;
  /** Management label, e.g. "excision". */
  management: string;
  /** Number of cases. */
  count: number;
}

/** Stacked bars of management within each diagnosis group, one panel per split (Table 1). */
export function managementByGroupFigure(
  rows: readonly CountRecord[],
  options: { managements?: readonly string[]; groups?: readonly string[]; caption?: string; title?: string } = {},
): Figure {
  const managements = options.managements ?? ["no further examination", "clinical follow up", "excision"];
  const splits = [...new Set(rows.map((r) => r.split))];
  const yMax = Math.max(
    ...splits.filter((sp) => sp !== "all").map((sp) => {
      const totals = new Map<string, number>();
      for (const r of rows) if (r.split === sp) totals.set(r.group, (totals.get(r.group) ?? 0) + r.count);
      return Math.max(0, ...totals.values());
    }),
  );
  return figure({
    title: options.title ?? "Management by diagnosis group and split",
    caption: options.caption,
    legend: managements.map((m) => ({ label: m, color: classColor(m) })),
    columns: (w) => (w < 560 ? 2 : 4),
    panels: splits.map((split) => ({
      title: split,
      // horizontal bars: the group names sit on the y axis, where they never collide
      plot: (width: number) => ({
        width,
        height: 40 + 20 * (options.groups?.length ?? new Set(rows.map((r) => r.group)).size),
        marginTop: 6,
        marginLeft: 42,
        marginRight: 12,
        marginBottom: 32,
        y: { domain: options.groups, label: null },
        x: {
          label: "cases",
          grid: true,
          domain: split === "all" ? undefined : [0, yMax],
          ticks: width < 200 ? 3 : 5,
          labelAnchor: "center",
        },
        color: { domain: managements, range: classColors(managements) },
        marks: [
          Plot.barX(rows.filter((r) => r.split === split) as CountRecord[], {
            y: "group",
            x: "count",
            fill: "management",
            order: managements as string[],
          }),
          Plot.ruleX([0]),
        ],
      }),
    })),
  });
}

/** Number of cases of one class of one head. */
export interface ClassShareRecord {
  /** Head name ("_" shown as spaces). */
  head: string;
  /** Class label. */
  label: string;
  /** Number of cases. */
  count: number;
}

/** Class counts of each head (one small panel per head). */
export function labelDistributionFigure(
  rows: readonly ClassShareRecord[],
  options: { caption?: string; title?: string } = {},
): Figure {
  const heads = [...new Set(rows.map((r) => r.head))];
  const xMax = Math.max(...rows.map((r) => r.count));
  return figure({
    title: options.title ?? "Label distribution of every head",
    caption: options.caption,
    panels: heads.map((head) => {
      const data = rows.filter((r) => r.head === head);
      return {
        title: head.replaceAll("_", " "),
        plot: (width: number) => ({
          width,
          height: 34 + 18 * data.length,
          marginTop: 6,
          marginBottom: 26,
          marginLeft: 44,
          marginRight: 30,
          x: { label: null, grid: true, domain: [0, xMax], ticks: 3 },
          y: { label: null, domain: data.map((d) => d.label) },
          marks: [
            Plot.barX(data as ClassShareRecord[], { y: "label", x: "count", fill: PALETTE[0] }),
            Plot.text(data as ClassShareRecord[], {
              y: "label",
              x: "count",
              text: (d: ClassShareRecord) => String(d.count),
              dx: 3,
              textAnchor: "start",
              fontSize: 9,
            }),
          ],
        }),
      };
    }),
  });
}

/** Number of cases with one value of one metadata variable and one management. */
export interface MetadataRecord {
  /** Variable, e.g. "sex". */
  variable: string;
  /** Its value, e.g. "female". */
  value: string;
  /** Management label, e.g. "excision". */
  management: string;
  /** Number of cases. */
  count: number;
}

/** Metadata values (sex, location, elevation) coloured by management, one panel per variable. */
export function metadataFigure(
  rows: readonly MetadataRecord[],
  options: { caption?: string; managements?: readonly string[] } = {},
): Figure {
  const managements = options.managements ?? ["no further examination", "clinical follow up", "excision"];
  const variables = [...new Set(rows.map((r) => r.variable))];
  return figure({
    title: "Patient metadata by management",
    caption: options.caption,
    legend: managements.map((m) => ({ label: m, color: classColor(m) })),
    columns: (w) => (w < 560 ? 1 : 3),
    panels: variables.map((variable) => {
      const data = rows.filter((r) => r.variable === variable);
      const values = [...new Set(data.map((d) => d.value))];
      return {
        title: variable,
        plot: (width: number) => ({
          width,
          height: 34 + 20 * values.length,
          marginLeft: 82,
          marginRight: 16,
          y: { label: null, domain: values },
          x: { label: "cases", grid: true, ticks: 4 },
          color: { domain: managements, range: classColors(managements) },
          marks: [
            Plot.barX(data as MetadataRecord[], {
              y: "value",
              x: "count",
              fill: "management",
              order: managements as string[],
            }),
            Plot.ruleX([0]),
          ],
        }),
      };
    }),
  });
}

/** Number of cases of one diagnosis group with one seven-point score. */
export interface ScoreRecord {
  /** Seven-point checklist score. */
  score: number;
  /** Diagnosis group. */
  group: string;
  /** Number of cases. */
  count: number;
}

/** Seven-point score histogram, stacked by diagnosis group. */
export function sevenPointScoreFigure(
  rows: readonly ScoreRecord[],
  options: { caption?: string; groups?: readonly string[] } = {},
): Figure {
  const groups = options.groups ?? [...new Set(rows.map((r) => r.group))];
  const colors = groups.map((g, i) => (isClass(g) ? classColor(g) : PALETTE[i % PALETTE.length]));
  return figure({
    title: "Seven-point checklist score by diagnosis group",
    subtitle: "Score >= 3 suggests melanoma (Argenziano et al. 1998)",
    caption: options.caption,
    legend: groups.map((g, i) => ({ label: g, color: colors[i] })),
    plot: (width) => ({
      width,
      height: 230,
      x: { label: "seven-point score", type: "band" },
      y: { label: "cases", grid: true },
      color: { domain: groups as string[], range: colors },
      marks: [
        Plot.barY(rows as ScoreRecord[], { x: "score", y: "count", fill: "group", order: groups as string[] }),
        Plot.ruleY([0]),
        Plot.ruleX([2.5], { stroke: "#888", strokeDasharray: "4,3" }),
      ],
    }),
  });
}

/** Share of one class of one head in one cross-validation fold (or the whole release). */
export interface FoldShareRecord {
  /** Fold name, one colour each. */
  fold: string;
  /** Head name. */
  head: string;
  /** Class label. */
  label: string;
  /** Share of the fold's cases in the class, in [0, 1]. */
  proportion: number;
}

/** Class share in each cross-validation test fold against the whole release (dots per fold). */
export function foldProportionsFigure(rows: readonly FoldShareRecord[], options: { caption?: string } = {}): Figure {
  const folds = [...new Set(rows.map((r) => r.fold))];
  const colors = ["#000000", ...PALETTE];
  return figure({
    title: "Cross-validation folds: class shares",
    subtitle: "Every head's class proportions in each test fold, against the whole release",
    caption: options.caption,
    legend: folds.map((f, i) => ({ label: f, color: colors[i % colors.length], shape: "dot" as const })),
    plot: (width) => ({
      width,
      height: 420,
      marginLeft: 150,
      x: { label: "share of cases", grid: true, domain: [0, 1] },
      y: { label: null },
      color: { domain: folds, range: colors },
      marks: [
        Plot.dot(rows as FoldShareRecord[], {
          y: (d: FoldShareRecord) => `${d.head}: ${d.label}`,
          x: "proportion",
          stroke: "fold",
          r: 3.5,
          sort: { y: null },
        }),
      ],
    }),
  });
}
