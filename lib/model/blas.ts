/**
 * A native single-precision matrix product (`cblas_sgemm`) from the system's OpenBLAS, reached through
 * Deno's foreign-function interface. The wasm backend's products run on one WebAssembly thread with
 * 128-bit SIMD (about 29 GFLOP/s here); OpenBLAS uses the CPU's own vector units (AVX-512 on this
 * project's machine: 80-130 GFLOP/s on one thread for the heads' shapes, measured 2026-11-30), so the
 * wasm backend hands its matrix products to it when it loads (wasm_blas_kernels.ts).
 *
 * Where it comes from: Debian's `libopenblas0-pthread` (tools/setup.sh installs it), or any library
 * exporting `cblas_sgemm` named by `DERM7PT_BLAS=/path/to/lib.so`. `DERM7PT_NO_BLAS=1` switches it
 * off. It runs on one thread (`openblas_set_num_threads(1)`): the run pool trains one run per core.
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
  if (env("DERM7PT_NO_BLAS")) {
    reason = "DERM7PT_NO_BLAS is set";
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
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) break;
    }
  }
  reason = named ? `DERM7PT_BLAS=${named} did not load (${errors[0]})` : `no OpenBLAS loaded (${errors.join("; ")})`;
  return null;
}

/** Why {@linkcode loadBlas} gave null ("" when it loaded or was not called yet). */
export function blasUnavailableReason(): string {
  return reason;
}
