/**
 * A native single-precision matrix product (`cblas_sgemm`) from the system's OpenBLAS, reached through
 * Deno's foreign-function interface. The wasm backend's products run on one WebAssembly thread with
 * 128-bit SIMD (about 29 GFLOP/s here); OpenBLAS uses the CPU's own vector units (AVX-512 on this
 * project's machine: 80-132 GFLOP/s on one thread for the heads' shapes, measured 2026-11-30), so the
 * wasm backend hands its matrix products to it when it loads (wasm_blas_kernels.ts).
 *
 * Where it comes from: Debian's `libopenblas0-pthread` (tools/setup.sh installs it), or any library
 * exporting `cblas_sgemm` (32-bit integers, LP64) named by `DERM7PT_BLAS=/path/to/lib.so` (a warning
 * when it does not load). `DERM7PT_NO_BLAS=1` (any value but 0) switches it off. OpenBLAS runs on one thread
 * (`openblas_set_num_threads(1)`): the run pool trains one run per core; another library keeps its own
 * threading (set e.g. `OMP_NUM_THREADS=1` for it).
 *
 * Rounding also depends on the shape: OpenBLAS may pick another kernel for another number of rows, so a
 * row's product can differ in its last bits between a batch of 64 rows and one of 11 (seen for products with
 * few output columns, such as the single-task heads' 3 or 5 logits; up to 3.5e-5 in a logit).
 * Predictions of the same case in different batches agree to that, not bit for bit.
 * Without FFI permission (`--allow-ffi`, included in `-A`) or without the library it is simply absent
 * ({@linkcode loadBlas} gives null with the reason in {@linkcode blasUnavailableReason}).
 *
 * Arithmetic: float32 products with float32 accumulation, summed in OpenBLAS's order, which differs
 * from XNNPACK's: results agree with the wasm kernel to float32 rounding (relative ~1e-6), not bit for
 * bit, and may differ in the last bits between CPU families (OpenBLAS picks its kernel per CPU).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadBlas } from "./blas.ts";
 * const blas = loadBlas(); // null without the library, FFI permission, or with DERM7PT_NO_BLAS=1
 * if (blas) {
 *   // [1 2; 3 4] x [5 6; 7 8], row-major, into c
 *   const c = new Float32Array(4);
 *   blas.sgemm(false, false, 2, 2, 2, new Float32Array([1, 2, 3, 4]), 2, new Float32Array([5, 6, 7, 8]), 2, c, 2);
 *   assert.deepEqual(Array.from(c), [19, 22, 43, 50]);
 *   // a transposed: [1 3; 2 4] x [5 6; 7 8]
 *   blas.sgemm(true, false, 2, 2, 2, new Float32Array([1, 2, 3, 4]), 2, new Float32Array([5, 6, 7, 8]), 2, c, 2);
 *   assert.deepEqual(Array.from(c), [26, 30, 38, 44]);
 *   assert.match(blas.name, /BLAS/i);
 * }
 * ```
 *
 * @module
 */

/** The native product this module loads. */
export interface Blas {
  /** The library and its build, e.g. "OpenBLAS 0.3.21 ... SkylakeX (libopenblas.so.0)". */
  name: string;
  /**
   * C = op(A) op(B), row-major, float32: op(A) is m x k, op(B) is k x n, C is m x n; `lda`, `ldb` and
   * `ldc` are the row strides of A, B and C as stored (A stored k x m when `transA`). The views may
   * start anywhere in their buffers (e.g. inside the wasm heap).
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    c: Float32Array,
    ldc: number,
  ): void;
}

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
} as const;

const OPTIONAL = {
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
} as const;

/** The libraries tried, in order, when `DERM7PT_BLAS` does not name one. */
export const BLAS_CANDIDATES: readonly string[] = Object.freeze([
  "libopenblas.so.0",
  "libopenblas.so",
  "libopenblas.dylib",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
]);

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

let loaded: Blas | null | undefined;
let reason = "";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env
  }
}

/** Opens `path` and wraps its `cblas_sgemm`, or throws why it cannot. */
function open(path: string): Blas {
  const lib = Deno.dlopen(path, { ...SYMBOLS, ...OPTIONAL });
  const s = lib.symbols;
  s.openblas_set_num_threads?.(1);
  const config = s.openblas_get_config ? s.openblas_get_config() : null;
  const build = config ? new Deno.UnsafePointerView(config).getCString() : "BLAS (cblas_sgemm)";
  return {
    name: `${build} (${path})`,
    sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc) {
      s.cblas_sgemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        1,
        a,
        lda,
        b,
        ldb,
        0,
        c,
        ldc,
      );
    },
  };
}

/**
 * The native product, loaded once per process (every worker loads its own handle to the same library),
 * or null when it is switched off or cannot be loaded.
 */
export function loadBlas(): Blas | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const off = env("DERM7PT_NO_BLAS");
  if (off && off !== "0") {
    reason = `DERM7PT_NO_BLAS=${off}`;
    return null;
  }
  const named = env("DERM7PT_BLAS");
  const errors: string[] = [];
  for (const path of named ? [named] : BLAS_CANDIDATES) {
    try {
      loaded = open(path);
      return loaded;
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
      if (["NotCapable", "PermissionDenied"].includes((e as Error).name)) break; // no FFI permission
    }
  }
  reason = named ? `DERM7PT_BLAS=${named} did not load (${errors[0]})` : `no OpenBLAS loaded (${errors.join("; ")})`;
  // a library the user named and did not get is worth a line; a missing default one is only recorded
  if (named) console.error(`warning: ${reason}; the matrix products stay on wasm`);
  return null;
}

/** Why {@linkcode loadBlas} gave null ("" when it loaded or was not called yet). */
export function blasUnavailableReason(): string {
  return reason;
}
