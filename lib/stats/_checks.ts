/**
 * Input validation shared by the statistics (private). Each check throws a `RangeError` of the form
 * "Cannot compute F: expected ..., found ..." naming the function, the argument and the offending index.
 *
 * @module
 */

/** A numeric vector: a plain array or a float typed array. */
export type Numbers = readonly number[] | Float64Array | Float32Array;

/** Checks that `xs` has values. @throws {RangeError} when `xs` is missing or empty. */
export function checkNonEmpty(fn: string, name: string, xs: ArrayLike<unknown>): void {
  if (!xs || xs.length === 0) {
    throw new RangeError(`Cannot compute ${fn}: expected a non-empty ${name}, found an empty one`);
  }
}

/** Checks equal lengths. @throws {RangeError} when `a` and `b` differ in length (`names` name them). */
export function checkSameLength(fn: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>, names = ["x", "y"]): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `Cannot compute ${fn}: expected ${names[0]} and ${
        names[1]
      } of the same length, found ${a.length} and ${b.length}`,
    );
  }
}

/** Checks finite numbers. @throws {RangeError} at the first value of `xs` that is not one. */
export function checkFinite(fn: string, name: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) {
    if (typeof xs[i] !== "number" || !Number.isFinite(xs[i])) {
      throw new RangeError(`Cannot compute ${fn}: expected finite numbers in ${name}, found ${xs[i]} at index ${i}`);
    }
  }
}

/**
 * Labels must be integers in [0, k). Returns k (given or 1 + max).
 * @throws {RangeError} at the first label that is not an integer in 0..k-1.
 */
export function checkLabels(fn: string, name: string, xs: ArrayLike<number>, k?: number): number {
  let max = -1;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (!Number.isInteger(v) || v < 0 || (k !== undefined && v >= k)) {
      throw new RangeError(
        `Cannot compute ${fn}: expected ${name} to hold integer labels in 0..${
          k === undefined ? "k-1" : k - 1
        }, found ${v} at index ${i}`,
      );
    }
    if (v > max) max = v;
  }
  return k ?? max + 1;
}

/** Checks 0/1 values. @throws {RangeError} at the first value of `xs` that is neither 0 nor 1. */
export function checkBinary(fn: string, name: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] !== 0 && xs[i] !== 1) {
      throw new RangeError(`Cannot compute ${fn}: expected ${name} of 0/1 values, found ${xs[i]} at index ${i}`);
    }
  }
}

/**
 * Probability vector: non-negative, finite, summing to 1 within `tol`.
 * @throws {RangeError} on an empty vector, a negative or non-finite entry, or a sum off 1 by more than `tol`.
 */
export function checkProbabilities(fn: string, name: string, p: ArrayLike<number>, tol = 1e-6): void {
  checkNonEmpty(fn, name, p);
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0) || !Number.isFinite(p[i])) {
      throw new RangeError(
        `Cannot compute ${fn}: expected non-negative probabilities in ${name}, found ${p[i]} at index ${i}`,
      );
    }
    s += p[i];
  }
  if (Math.abs(s - 1) > tol) {
    throw new RangeError(`Cannot compute ${fn}: expected ${name} to sum to 1 (within ${tol}), found a sum of ${s}`);
  }
}

/** Checks counts. @throws {RangeError} at the first value of `xs` that is not a non-negative integer. */
export function checkCounts(fn: string, name: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isInteger(xs[i]) || xs[i] < 0) {
      throw new RangeError(
        `Cannot compute ${fn}: expected non-negative integer counts in ${name}, found ${xs[i]} at index ${i}`,
      );
    }
  }
}

/** The plain left-to-right sum of `xs` (0 when empty). */
export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}
