/**
 * The numbers published in the study (Abhishek, Kawahara & Hamarneh, "Predicting the clinical
 * management of skin lesions using deep learning", Sci Rep 11:7769, 2021), for side-by-side
 * "study vs this run" tables. All on the Derm7pt test split (395 cases) unless stated.
 * Per-class rows are sensitivity / specificity / precision / AUROC; "average" rows are unweighted
 * means over NONE, CLNC, EXC.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PUBLISHED } from "./published.ts";
 * const t = PUBLISHED.testManagement;
 * assert.equal(t.NONE + t.CLNC + t.EXC, 395);
 * assert.ok(PUBLISHED.table2.pred.accuracy > PUBLISHED.table2.infr.accuracy); // 0.6987 vs 0.6253
 * ```
 *
 * @module
 */
import type { MeanSd } from "../stats/descriptive.ts";

/** One published per-class (or average) row. */
export interface PublishedRow {
  /** Sensitivity (recall). */
  sensitivity: number;
  /** Specificity. */
  specificity: number;
  /** Precision (positive predictive value). */
  precision: number;
  /** One-vs-rest AUROC. */
  auroc: number;
}

/** The study's published numbers (see the module doc): rates and p-values in [0, 1], counts and percents as named. */
export const PUBLISHED: Readonly<{
  /** Table 2: management inferred from diagnosis (infr) and predicted directly (pred); cv: mean ± SD over folds. */
  table2: {
    infr: Record<"NONE" | "CLNC" | "EXC" | "average", PublishedRow> & {
      accuracy: number;
      cv: Record<keyof PublishedRow | "accuracy", MeanSd>;
    };
    pred: Record<"NONE" | "CLNC" | "EXC" | "average", PublishedRow> & {
      accuracy: number;
      cv: Record<keyof PublishedRow | "accuracy", MeanSd>;
    };
  };
  /** Test-split management counts (Table 1). */
  testManagement: { NONE: number; CLNC: number; EXC: number };
  /** The binary (EXC vs NOEXC) baseline: correct test cases and accuracy. */
  binary: { infr: { correct: number; accuracy: number }; pred: { correct: number; accuracy: number } };
  /** Distances: [mean, CI low, CI high] (1000 subsamples of N/2) and Cohen's d, infr vs pred. */
  distances: Record<
    "cosine" | "jensenShannon" | "wasserstein" | "hellinger",
    { infr: number[]; pred: number[]; d: number }
  >;
  /** Table 3: the multi-task model's management (CDM); cv: mean ± SD over folds. */
  table3: Record<"NONE" | "CLNC" | "EXC" | "average", PublishedRow> & {
    accuracy: number;
    cv: Record<keyof PublishedRow | "accuracy", MeanSd>;
  };
  /** Table 4: sensitivity / specificity / precision / AUROC / accuracy of the multi-task model's management. */
  table4: Record<string, number[]>;
  /** McNemar's test between rows C and CM of Table 4 (exact and mid-p), as the released predictions give it. */
  table4McnemarCvsCM: { exact: number; midp: number };
  /** The abstract's improvements in percent (mean ± SD, as stated) and its percent fewer wrongly excised cases. */
  abstract: {
    directVsInferred: { accuracy: MeanSd; auroc: MeanSd; fewerWronglyExcisedPercent: number };
    multiVsSingle: { accuracy: MeanSd; auroc: MeanSd };
  };
  /** The MClass-D agreement analysis: kappas and wrongly excised counts. */
  mclass: {
    kappaModelVsAggregate: number;
    kappaPairs: MeanSd;
    kappaEachVsOthers: MeanSd;
    fleissAll: number;
    fleissModelReplacing: MeanSd;
    fleissNinePlusModel: MeanSd;
    excAsNoexc: { aggregate: { pred: number; infr: number }; diagnosis: { pred: number; infr: number } };
  };
}> = Object.freeze({
  table2: {
    infr: {
      NONE: { sensitivity: 0.2, specificity: 0.9718, precision: 0.4444, auroc: 0.8039 },
      CLNC: { sensitivity: 0.0, specificity: 1.0, precision: 0.0, auroc: 0.7668 },
      EXC: { sensitivity: 0.9835, specificity: 0.0921, precision: 0.634, auroc: 0.7515 },
      average: { sensitivity: 0.3945, specificity: 0.688, precision: 0.3595, auroc: 0.7741 },
      accuracy: 0.6253,
      cv: {
        sensitivity: { mean: 0.3943, sd: 0.0025 },
        specificity: { mean: 0.6871, sd: 0.0018 },
        precision: { mean: 0.3829, sd: 0.0172 },
        auroc: { mean: 0.7758, sd: 0.0178 },
        accuracy: { mean: 0.6139, sd: 0.0198 },
      },
    },
    pred: {
      NONE: { sensitivity: 0.5, specificity: 0.9831, precision: 0.7692, auroc: 0.9159 },
      CLNC: { sensitivity: 0.7143, specificity: 0.7456, precision: 0.5263, auroc: 0.809 },
      EXC: { sensitivity: 0.7243, specificity: 0.7303, precision: 0.8111, auroc: 0.8079 },
      average: { sensitivity: 0.6462, specificity: 0.8196, precision: 0.7022, auroc: 0.8443 },
      accuracy: 0.6987,
      cv: {
        sensitivity: { mean: 0.6033, sd: 0.0369 },
        specificity: { mean: 0.8107, sd: 0.0093 },
        precision: { mean: 0.7104, sd: 0.0184 },
        auroc: { mean: 0.8266, sd: 0.0126 },
        accuracy: { mean: 0.6974, sd: 0.0018 },
      },
    },
  },
  /** Test-split management counts (Table 1). */
  testManagement: { NONE: 40, CLNC: 112, EXC: 243 },
  binary: { infr: { correct: 218, accuracy: 0.5519 }, pred: { correct: 289, accuracy: 0.7316 } },
  /** Distances: mean [95% CI] (1000 subsamples of N/2) and Cohen's d, infr vs pred. */
  distances: {
    cosine: { infr: [0.4703, 0.449, 0.4915], pred: [0.3584, 0.326, 0.3909], d: 0.4033 },
    jensenShannon: { infr: [0.4397, 0.4249, 0.4544], pred: [0.3551, 0.332, 0.3783], d: 0.4311 },
    wasserstein: { infr: [0.2687, 0.2581, 0.2793], pred: [0.1358, 0.1246, 0.1469], d: 1.2064 },
    hellinger: { infr: [0.5111, 0.4944, 0.5278], pred: [0.4131, 0.3868, 0.4394], d: 0.4404 },
  },
  table3: {
    NONE: { sensitivity: 0.65, specificity: 0.9747, precision: 0.7429, auroc: 0.9225 },
    CLNC: { sensitivity: 0.6071, specificity: 0.8375, precision: 0.5965, auroc: 0.8065 },
    EXC: { sensitivity: 0.8107, specificity: 0.6776, precision: 0.8008, auroc: 0.8226 },
    average: { sensitivity: 0.6893, specificity: 0.8299, precision: 0.7134, auroc: 0.8505 },
    accuracy: 0.7367,
    cv: {
      sensitivity: { mean: 0.6528, sd: 0.0477 },
      specificity: { mean: 0.8215, sd: 0.0094 },
      precision: { mean: 0.7123, sd: 0.0114 },
      auroc: { mean: 0.8449, sd: 0.0135 },
      accuracy: { mean: 0.7301, sd: 0.015 },
    },
  },
  /** Table 4: sensitivity / specificity / precision / AUROC / accuracy of the multi-task model's management. */
  table4: {
    C: [0.5997, 0.7911, 0.5466, 0.7781, 0.6051],
    CM: [0.605, 0.7983, 0.5684, 0.7852, 0.6405],
    D: [0.6935, 0.8384, 0.6265, 0.863, 0.6962],
    DM: [0.7126, 0.8424, 0.6622, 0.8644, 0.7215],
    CD: [0.583, 0.806, 0.7393, 0.8335, 0.7342],
    CDM: [0.6893, 0.8299, 0.7134, 0.8505, 0.7367],
  } as Record<string, number[]>,
  /** McNemar's test between rows C and CM of Table 4 (exact and mid-p), as the released predictions give it. */
  table4McnemarCvsCM: { exact: 0.02430651, midp: 0.01667385 },
  abstract: {
    directVsInferred: {
      accuracy: { mean: 13.73, sd: 3.93 },
      auroc: { mean: 6.59, sd: 2.86 },
      fewerWronglyExcisedPercent: 24.56,
    },
    multiVsSingle: { accuracy: { mean: 4.68, sd: 1.89 }, auroc: { mean: 2.24, sd: 2.04 } },
  },
  mclass: {
    kappaModelVsAggregate: 0.5424,
    kappaPairs: { mean: 0.4124, sd: 0.1032 },
    kappaEachVsOthers: { mean: 0.5497, sd: 0.0899 },
    fleissAll: 0.4086,
    fleissModelReplacing: { mean: 0.408, sd: 0.0006 },
    fleissNinePlusModel: { mean: 0.3961, sd: 0.0301 },
    excAsNoexc: { aggregate: { pred: 16, infr: 36 }, diagnosis: { pred: 6, infr: 12 } },
  },
});

/** The citation of `PUBLISHED`. */
export const PUBLISHED_SOURCE: string =
  "Abhishek, Kawahara & Hamarneh, Sci Rep 11:7769 (2021), Tables 2-4, text and abstract";

/**
 * The study's wrongly excised test cases of MGMT_infr,all and MGMT_pred,all, recovered from its Table 2:
 * a wrongly excised case is a non-EXC case predicted EXC, i.e. the false positives of class EXC,
 * (1 - EXC specificity) x (NONE + CLNC test cases). They give the abstract's "24.56% fewer cases
 * wrongly predicted to be excised" as a share of all test cases: (138 - 41) / 395.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishedWronglyExcised } from "./published.ts";
 * const w = publishedWronglyExcised();
 * assert.deepEqual([w.infr, w.pred, w.n], [138, 41, 395]);
 * assert.equal(w.percentOfCases.toFixed(2), "24.56");
 * ```
 */
export function publishedWronglyExcised(): {
  infr: number;
  pred: number;
  nonExc: number;
  n: number;
  percentOfCases: number;
} {
  const t = PUBLISHED.testManagement;
  const nonExc = t.NONE + t.CLNC, n = nonExc + t.EXC;
  const fp = (specificity: number) => Math.round((1 - specificity) * nonExc);
  const infr = fp(PUBLISHED.table2.infr.EXC.specificity), pred = fp(PUBLISHED.table2.pred.EXC.specificity);
  return { infr, pred, nonExc, n, percentOfCases: (100 * (infr - pred)) / n };
}
