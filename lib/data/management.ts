/**
 * Management from diagnosis, as the study infers it, and the binary collapse.
 *
 * - Priors p(MGMT = m | DIAG = d), estimated from the training split's label counts (rows: the 5
 *   diagnosis groups; columns NONE, CLNC, EXC).
 * - Inference: P(MGMT = m | x) = sum_d p(DIAG = d | x) p(m | d) (the study's MGMT_infr,all).
 * - Binary mapping of a diagnosis: MEL and BCC -> EXC, all else NOEXC (MGMT_infr,binary); binary
 *   collapse of a management prediction: EXC vs CLNC + NONE.
 *
 * Zeros are real: in Derm7pt every BCC and MEL is excised, so p(NONE | MEL) = p(CLNC | MEL) = 0 and
 * a case whose diagnosis head is certain of MEL gets P(EXC) = 1. A diagnosis group with no training
 * case at all has no prior; it falls back to the overall management distribution of the training
 * split (and `priorsFromLabels` reports it), unless `smoothing` adds pseudo-counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inferManagement, priorsFromLabels } from "./management.ts";
 * const priors = priorsFromLabels([2, 1, 1], [2, 1, 2]); // diag MEL, NEV, NEV -> EXC, CLNC, EXC
 * assert.deepEqual(priors.table[2], [0, 0, 1]); // MEL always excised
 * assert.deepEqual(priors.unseen, [0, 3, 4]); // BCC, MISC, SK: the overall distribution
 * assert.deepEqual(inferManagement([[0, 0.5, 0.5, 0, 0]], priors), [[0, 0.25, 0.75]]);
 * ```
 *
 * @module
 */

import { DIAGNOSIS, MANAGEMENT } from "./vocabulary.ts";

/** Number of grouped diagnoses (rows of the priors table): 5, from the vocabulary. */
export const DIAGNOSIS_GROUPS: number = DIAGNOSIS.codes.length;
/** Number of management classes (columns of the priors table): 3, from the vocabulary. */
export const MANAGEMENT_CLASSES: number = MANAGEMENT.codes.length;
/** Diagnosis groups that the binary mapping sends to excision: BCC and MEL (indices 0 and 2). */
export const EXCISED_DIAGNOSES: readonly number[] = Object.freeze(
  ["BCC", "MEL"].map((code) => DIAGNOSIS.codes.indexOf(code)),
);
/** The management class "excision" (index 2). */
export const EXC: number = MANAGEMENT.codes.indexOf("EXC");

/** The management priors p(MGMT | DIAG) and the counts they came from. */
export interface ManagementPriors {
  /** table[d][m] = p(MGMT = m | DIAG = d). */
  table: number[][];
  /** counts[d][m] in the training split. */
  counts: number[][];
  /** Diagnosis groups without training cases (their rows use the overall distribution). */
  unseen: number[];
  /** Pseudo-count added to every cell (0: none). */
  smoothing: number;
}

/**
 * p(MGMT | DIAG) from paired labels (training split), with optional additive smoothing.
 * @throws {RangeError} on different lengths or labels outside their ranges.
 */
export function priorsFromLabels(
  diagnosis: readonly number[],
  management: readonly number[],
  options: { smoothing?: number } = {},
): ManagementPriors {
  if (diagnosis.length !== management.length) {
    throw new RangeError(
      `Cannot estimate priors: expected diagnosis and management labels of the same length, found ${diagnosis.length} and ${management.length}`,
    );
  }
  const smoothing = options.smoothing ?? 0;
  const counts = Array.from({ length: DIAGNOSIS_GROUPS }, () => new Array(MANAGEMENT_CLASSES).fill(0));
  const overall = new Array(MANAGEMENT_CLASSES).fill(0);
  diagnosis.forEach((d, i) => {
    const m = management[i];
    if (!(Number.isInteger(d) && d >= 0 && d < DIAGNOSIS_GROUPS)) {
      throw new RangeError(
        `Cannot estimate priors: expected diagnosis labels in 0..${DIAGNOSIS_GROUPS - 1}, found ${d} at ${i}`,
      );
    }
    if (!(Number.isInteger(m) && m >= 0 && m < MANAGEMENT_CLASSES)) {
      throw new RangeError(
        `Cannot estimate priors: expected management labels in 0..${MANAGEMENT_CLASSES - 1}, found ${m} at ${i}`,
      );
    }
    counts[d][m]++;
    overall[m]++;
  });
  const unseen: number[] = [];
  const table = counts.map((row, d) => {
    const total = row.reduce((a, b) => a + b, 0) + smoothing * MANAGEMENT_CLASSES;
    if (total === 0) {
      unseen.push(d);
      const n = overall.reduce((a, b) => a + b, 0);
      return overall.map((c) => c / n);
    }
    return row.map((c) => (c + smoothing) / total);
  });
  return { table, counts, unseen, smoothing };
}

/**
 * P(MGMT | x) = sum_d p(DIAG = d | x) p(MGMT | d), for each diagnosis probability row.
 * @throws {RangeError} on a row without one probability per diagnosis group.
 */
export function inferManagement(diagnosisProbs: readonly (readonly number[])[], priors: ManagementPriors): number[][] {
  return diagnosisProbs.map((p, i) => {
    if (p.length !== DIAGNOSIS_GROUPS) {
      throw new RangeError(
        `Cannot infer management: expected ${DIAGNOSIS_GROUPS} diagnosis probabilities in row ${i}, found ${p.length}`,
      );
    }
    const out = new Array(MANAGEMENT_CLASSES).fill(0);
    for (let d = 0; d < DIAGNOSIS_GROUPS; d++) {
      for (let m = 0; m < MANAGEMENT_CLASSES; m++) out[m] += p[d] * priors.table[d][m];
    }
    return out;
  });
}

/** Binary management of a diagnosis label: 1 (EXC) for BCC and MEL, else 0 (NOEXC). */
export function diagnosisToBinary(diagnosis: readonly number[]): number[] {
  return diagnosis.map((d) => (EXCISED_DIAGNOSES.includes(d) ? 1 : 0));
}

/** Binary collapse of management labels: 1 for EXC, 0 for CLNC and NONE. */
export function managementToBinary(management: readonly number[]): number[] {
  return management.map((m) => (m === EXC ? 1 : 0));
}

/** P(EXC) from diagnosis probabilities under the binary mapping: p(BCC) + p(MEL). */
export function excisionScoreFromDiagnosis(diagnosisProbs: readonly (readonly number[])[]): number[] {
  return diagnosisProbs.map((p) => EXCISED_DIAGNOSES.reduce((s, d) => s + p[d], 0));
}
