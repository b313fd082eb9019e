/**
 * The Derm7pt label vocabulary and the study's grouping of it.
 *
 * Grouping after Kawahara et al., derm7pt `Derm7PtDatasetGroupInfrequent` (the grouping the study
 * uses): 8 tasks (diagnosis + the 7 criteria) with 24 grouped labels, plus management with 3.
 * Numeric order is fixed and not alphabetical for diagnosis: BCC 0, NEV 1, MEL 2, MISC 3, SK 4.
 * Any string outside these lists is an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupLabel, MANAGEMENT, TASKS } from "./vocabulary.ts";
 * assert.equal(groupLabel("diagnosis", "reed or spitz nevus"), 1); // NEV
 * assert.equal(groupLabel("vascular_structures", "dotted"), 2); // irregular
 * assert.equal(TASKS.length, 8);
 * assert.equal(TASKS.reduce((n, t) => n + t.codes.length, 0), 24);
 * assert.deepEqual(MANAGEMENT.codes, ["NONE", "CLNC", "EXC"]);
 * ```
 *
 * @module
 */

/** A grouped classification task: its raw strings mapped to group indices, and group names. */
export interface TaskVocabulary {
  /** The meta.csv column. */
  readonly column: string;
  /** Short group names, in numeric order. */
  readonly codes: readonly string[];
  /** Long group names, in numeric order. */
  readonly names: readonly string[];
  /** Every accepted raw string and its group index. */
  readonly groups: Readonly<Record<string, number>>;
}

function task(column: string, codes: string[], names: string[], groups: Record<string, number>): TaskVocabulary {
  return Object.freeze({
    column,
    codes: Object.freeze(codes),
    names: Object.freeze(names),
    groups: Object.freeze(groups),
  });
}

/** Diagnosis, 5 groups: BCC 0, NEV 1, MEL 2, MISC 3, SK 4 (20 raw strings). */
export const DIAGNOSIS: TaskVocabulary = task("diagnosis", ["BCC", "NEV", "MEL", "MISC", "SK"], [
  "basal cell carcinoma",
  "nevus",
  "melanoma",
  "miscellaneous",
  "seborrheic keratosis",
], {
  "basal cell carcinoma": 0,
  "blue nevus": 1,
  "clark nevus": 1,
  "combined nevus": 1,
  "congenital nevus": 1,
  "dermal nevus": 1,
  "recurrent nevus": 1,
  "reed or spitz nevus": 1,
  "melanoma": 2,
  "melanoma (in situ)": 2,
  "melanoma (less than 0.76 mm)": 2,
  "melanoma (0.76 to 1.5 mm)": 2,
  "melanoma (more than 1.5 mm)": 2,
  "melanoma metastasis": 2,
  "dermatofibroma": 3,
  "lentigo": 3,
  "melanosis": 3,
  "miscellaneous": 3,
  "vascular lesion": 3,
  "seborrheic keratosis": 4,
});

/** Pigment network: absent 0, typical 1, atypical 2. */
export const PIGMENT_NETWORK: TaskVocabulary = task("pigment_network", ["ABS", "TYP", "ATP"], [
  "absent",
  "typical",
  "atypical",
], {
  absent: 0,
  typical: 1,
  atypical: 2,
});

/** Streaks: absent 0, regular 1, irregular 2. */
export const STREAKS: TaskVocabulary = task("streaks", ["ABS", "REG", "IR"], ["absent", "regular", "irregular"], {
  absent: 0,
  regular: 1,
  irregular: 2,
});

/** Pigmentation: absent 0, regular (diffuse or localized) 1, irregular (diffuse or localized) 2. */
export const PIGMENTATION: TaskVocabulary = task("pigmentation", ["ABS", "REG", "IR"], [
  "absent",
  "regular",
  "irregular",
], {
  absent: 0,
  "diffuse regular": 1,
  "localized regular": 1,
  "diffuse irregular": 2,
  "localized irregular": 2,
});

/** Regression structures: absent 0, present (blue areas, white areas or combinations) 1. */
export const REGRESSION_STRUCTURES: TaskVocabulary = task("regression_structures", ["ABS", "PRS"], [
  "absent",
  "present",
], {
  absent: 0,
  "blue areas": 1,
  "white areas": 1,
  combinations: 1,
});

/** Dots and globules: absent 0, regular 1, irregular 2. */
export const DOTS_AND_GLOBULES: TaskVocabulary = task("dots_and_globules", ["ABS", "REG", "IR"], [
  "absent",
  "regular",
  "irregular",
], {
  absent: 0,
  regular: 1,
  irregular: 2,
});

/** Blue-whitish veil: absent 0, present 1. */
export const BLUE_WHITISH_VEIL: TaskVocabulary = task("blue_whitish_veil", ["ABS", "PRS"], ["absent", "present"], {
  absent: 0,
  present: 1,
});

/**
 * Vascular structures: absent 0, regular (arborizing, comma, hairpin, within regression, wreath) 1,
 * irregular (dotted, linear irregular) 2.
 */
export const VASCULAR_STRUCTURES: TaskVocabulary = task(
  "vascular_structures",
  ["ABS", "REG", "IR"],
  ["absent", "regular", "irregular"],
  {
    absent: 0,
    arborizing: 1,
    comma: 1,
    hairpin: 1,
    "within regression": 1,
    wreath: 1,
    dotted: 2,
    "linear irregular": 2,
  },
);

/** Management: 0 = no further examination, 1 = clinical follow up, 2 = excision. */
export const MANAGEMENT: TaskVocabulary = task("management", ["NONE", "CLNC", "EXC"], [
  "no further examination",
  "clinical follow up",
  "excision",
], {
  "no further examination": 0,
  "clinical follow up": 1,
  excision: 2,
});

/** The 7 seven-point criteria, in the order of the release's columns. */
export const CRITERIA: readonly [
  TaskVocabulary,
  TaskVocabulary,
  TaskVocabulary,
  TaskVocabulary,
  TaskVocabulary,
  TaskVocabulary,
  TaskVocabulary,
] = Object.freeze(
  [
    PIGMENT_NETWORK,
    STREAKS,
    PIGMENTATION,
    REGRESSION_STRUCTURES,
    DOTS_AND_GLOBULES,
    BLUE_WHITISH_VEIL,
    VASCULAR_STRUCTURES,
  ] as const,
);

/** The 8 grouped tasks of Kawahara et al. (diagnosis first, then the 7 criteria): 24 labels. */
export const TASKS: readonly [TaskVocabulary, ...typeof CRITERIA] = Object.freeze([DIAGNOSIS, ...CRITERIA] as const);

/** Task names (meta.csv columns) of the 8 grouped tasks. */
export type TaskName =
  | "diagnosis"
  | "pigment_network"
  | "streaks"
  | "pigmentation"
  | "regression_structures"
  | "dots_and_globules"
  | "blue_whitish_veil"
  | "vascular_structures";

/** The 8 tasks plus management: every head the multi-task model can have. */
export type HeadName = TaskName | "management";

/** Vocabulary of every head, by name. */
export const HEADS: Readonly<Record<HeadName, TaskVocabulary>> = Object.freeze(
  Object.fromEntries([...TASKS, MANAGEMENT].map((t) => [t.column, t])) as Record<HeadName, TaskVocabulary>,
);

/** Head names in the multi-task model's order: the 7 criteria, diagnosis, management. */
export const MULTI_TASK_HEADS: readonly HeadName[] = Object.freeze([
  ...CRITERIA.map((c) => c.column as HeadName),
  "diagnosis",
  "management",
]);

/**
 * Seven-point checklist weights (Argenziano et al. 1998): major criteria score 2, minor 1.
 * Keys are (column, raw string); only the listed raw strings score.
 */
export const SEVEN_POINT_WEIGHTS: readonly { column: string; group: number; weight: number; name: string }[] = Object
  .freeze([
    { column: "pigment_network", group: 2, weight: 2, name: "atypical pigment network" },
    { column: "blue_whitish_veil", group: 1, weight: 2, name: "blue-whitish veil" },
    { column: "vascular_structures", group: 2, weight: 2, name: "irregular (atypical) vascular structures" },
    { column: "pigmentation", group: 2, weight: 1, name: "irregular pigmentation" },
    { column: "streaks", group: 2, weight: 1, name: "irregular streaks" },
    { column: "dots_and_globules", group: 2, weight: 1, name: "irregular dots and globules" },
    { column: "regression_structures", group: 1, weight: 1, name: "regression structures" },
  ]);

/**
 * The seven-point score of grouped criterion labels (sum of the weights of the criteria present).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sevenPointScore } from "./vocabulary.ts";
 * const major = { pigment_network: 2, blue_whitish_veil: 1, vascular_structures: 0 }; // atypical, present, absent
 * const minor = { pigmentation: 0, streaks: 0, dots_and_globules: 2, regression_structures: 0 };
 * assert.equal(sevenPointScore({ ...major, ...minor }), 5); // 2 + 2 + 1
 * ```
 */
export function sevenPointScore(grouped: Readonly<Record<string, number>>): number {
  let s = 0;
  for (const w of SEVEN_POINT_WEIGHTS) if (grouped[w.column] === w.group) s += w.weight;
  return s;
}

/**
 * The grouped index of a raw label string.
 * @throws {RangeError} naming the task and the accepted strings when `raw` is not in the vocabulary.
 */
export function groupLabel(column: HeadName, raw: string): number {
  const v = HEADS[column];
  if (!v) {
    throw new RangeError(
      `Cannot group label: expected a task among ${Object.keys(HEADS).join(", ")}, found "${column}"`,
    );
  }
  const g = v.groups[raw];
  if (g === undefined) {
    throw new RangeError(
      `Cannot group ${column} label: expected one of ${
        Object.keys(v.groups).map((s) => `"${s}"`).join(", ")
      }, found "${raw}"`,
    );
  }
  return g;
}

/**
 * Metadata inputs of the study (sex, location, elevation), one-hot encoded. Categories follow
 * Kawahara et al.: each variable's strings sorted alphabetically. The lists are the complete
 * vocabulary of the release; an unseen string is an error.
 */
export const METADATA_VARIABLES: Readonly<{
  readonly sex: readonly string[];
  readonly location: readonly string[];
  readonly elevation: readonly string[];
}> = Object.freeze(
  {
    sex: Object.freeze(["female", "male"]),
    location: Object.freeze([
      "abdomen",
      "acral",
      "back",
      "buttocks",
      "chest",
      "genital areas",
      "head neck",
      "lower limbs",
      "upper limbs",
    ]),
    elevation: Object.freeze(["flat", "nodular", "palpable"]),
  } as const,
);

/** A metadata variable: "sex", "location" or "elevation". */
export type MetadataVariable = keyof typeof METADATA_VARIABLES;

/** Order of the metadata variables in the one-hot vector: sex, location, elevation. */
export const METADATA_ORDER: readonly MetadataVariable[] = Object.freeze(["sex", "location", "elevation"]);

/** Names of the 14 one-hot metadata features, e.g. "sex=female", in vector order. */
export const METADATA_FEATURES: readonly string[] = Object.freeze(
  METADATA_ORDER.flatMap((v) => METADATA_VARIABLES[v].map((c) => `${v}=${c}`)),
);

/** Accepted values of `level_of_diagnostic_difficulty`. */
export const DIFFICULTY_LEVELS: readonly string[] = Object.freeze(["low", "medium", "high"]);

/**
 * One-hot encodes a case's metadata in {@linkcode METADATA_FEATURES} order.
 * @throws {RangeError} when a value is outside the vocabulary.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeMetadata } from "./vocabulary.ts";
 * const v = encodeMetadata({ sex: "male", location: "back", elevation: "flat" });
 * assert.deepEqual([...v], [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0]); // male | back | flat
 * ```
 */
export function encodeMetadata(meta: Readonly<Record<MetadataVariable, string>>): Float32Array {
  const out = new Float32Array(METADATA_FEATURES.length);
  let offset = 0;
  for (const v of METADATA_ORDER) {
    const cats = METADATA_VARIABLES[v];
    const i = (cats as readonly string[]).indexOf(meta[v]);
    if (i < 0) {
      throw new RangeError(
        `Cannot encode metadata ${v}: expected one of ${cats.map((c) => `"${c}"`).join(", ")}, found "${meta[v]}"`,
      );
    }
    out[offset + i] = 1;
    offset += cats.length;
  }
  return out;
}
