/**
 * The wasm backend's matrix products (`BatchMatMul`, `_FusedMatMul`) computed by the native OpenBLAS
 * (blas.ts) directly on the wasm heap: no copy in or out, every transpose handled by the product itself.
 * The heads' training and prediction are mostly such products: one training step of the multi-task head
 * ([32, 7190] x [7190, 256] forward, its weight gradient and the heads) took 22 ms on wasm, 17 of them in
 * `BatchMatMul` and 3 in transposes (tf.profile, 2026-11-30).
 *
 * Registered by `startBackend("wasm")` over whatever kernels are registered then (the gradient kernels of
 * wasm_kernels.ts), which remain the fallback for what this module does not handle: dtypes other than
 * float32, empty matrices, batch shapes that broadcast other than "equal, or one of them a single
 * matrix", and a fused activation other than linear, relu, relu6 or leakyrelu, or a bias that is not a rank-1
 * tensor of one value per output column (or of one value).
 *
 * Checked against the pure-JS `cpu` backend in tests/model/wasm_blas_kernels_test.ts.
 *
 * @example
 * ```ts ignore
 * // needs the wasm backend and OpenBLAS: startBackend("wasm") registers them when the library loads
 * import * as tf from "@tensorflow/tfjs";
 * import { startBackend } from "./backend.ts";
 * const info = await startBackend("wasm");
 * console.log(info.detail); // "... matrix products: OpenBLAS 0.3.21 ... (libopenblas.so.0)"
 * tf.matMul(tf.ones([2, 3]), tf.ones([3, 4])).print(); // computed by cblas_sgemm
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Blas } from "./blas.ts";

/** The wasm backend's parts these kernels use (tfjs-backend-wasm's BackendWasm). */
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** What a product kernel receives. */
interface ProductArgs {
  inputs: Record<string, tf.TensorInfo | undefined>;
  attrs: { transposeA?: boolean; transposeB?: boolean; activation?: string; leakyreluAlpha?: number };
  backend: unknown;
}

const size = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1);

/** The element-wise activations applied here after the product (others fall back). */
const ACTIVATIONS: Readonly<Record<string, (alpha: number) => (x: number) => number>> = {
  linear: () => (x) => x,
  relu: () => (x) => (x > 0 ? x : 0),
  relu6: () => (x) => (x > 0 ? (x < 6 ? x : 6) : 0),
  leakyrelu: (alpha) => (x) => (x > 0 ? x : alpha * x),
};

/**
 * The product of `a` and `b` (with their transposes) on the heap, then the bias and activation when
 * given; null when the case is left to the fallback kernel.
 */
function product(blas: Blas, args: ProductArgs, fused: boolean): tf.TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const { transposeA = false, transposeB = false } = args.attrs;
  if (!a || !b || a.dtype !== "float32" || b.dtype !== "float32" || preluActivationWeights) return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const name = fused ? args.attrs.activation ?? "linear" : "linear";
  if (!Object.hasOwn(ACTIVATIONS, name)) return null;
  const activation = ACTIVATIONS[name];
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2], k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2], n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m === 0 || n === 0 || k === 0) return null;
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const na = size(batchA), nb = size(batchB);
  const sameBatch = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
  // broadcasting: only a single matrix (of no higher rank) against a batch
  const outBatch = sameBatch
    ? batchA
    : na === 1 && batchA.length <= batchB.length
    ? batchB
    : nb === 1 && batchB.length <= batchA.length
    ? batchA
    : null;
  if (!outBatch) return null;
  // a bias of one value per output column (or one value), rank 1 as tfjs' wasm kernel requires
  if (bias && (bias.dtype !== "float32" || bias.shape.length !== 1)) return null;
  const biasSize = bias ? size(bias.shape) : 0;
  if (bias && biasSize !== n && biasSize !== 1) return null;
  const heap = args.backend as WasmHeap;
  // the output is allocated before any view is taken: an allocation may grow (and detach) the heap
  const out = heap.makeOutput([...outBatch, m, n], "float32");
  const batches = size(outBatch);
  if (batches === 0) return out; // an empty batch: nothing to compute (and no view to write through)
  const av = heap.typedArrayFromHeap(a), bv = heap.typedArrayFromHeap(b), cv = heap.typedArrayFromHeap(out);
  const lda = transposeA ? m : k, ldb = transposeB ? k : n;
  for (let i = 0; i < batches; i++) {
    const ao = na === 1 ? 0 : i * m * k, bo = nb === 1 ? 0 : i * k * n;
    blas.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      av.subarray(ao, ao + m * k),
      lda,
      bv.subarray(bo, bo + k * n),
      ldb,
      cv.subarray(i * m * n, (i + 1) * m * n),
      n,
    );
  }
  if (fused && (bias || args.attrs.activation && args.attrs.activation !== "linear")) {
    const f = activation(args.attrs.leakyreluAlpha ?? 0.2);
    const biasView = bias ? heap.typedArrayFromHeap(bias) : null;
    for (let i = 0; i < cv.length; i++) {
      const x = biasView ? Math.fround(cv[i] + biasView[biasSize === 1 ? 0 : i % n]) : cv[i];
      cv[i] = f(x);
    }
  }
  return out;
}

let registered = false;
let enabled = true;

/**
 * Switches the native products on or off for this process (they are on once registered) and gives the
 * previous setting: the tests of the wasm kernels underneath use it.
 */
export function useBlasProducts(on: boolean): boolean {
  const before = enabled;
  enabled = on;
  return before;
}

/**
 * Registers (once) `BatchMatMul` and `_FusedMatMul` for "wasm" computed by `blas`, each falling back to
 * the kernel registered before it. Call after the wasm backend is set and its other kernels registered.
 */
export function registerWasmBlasKernels(blas: Blas): void {
  if (registered) return;
  registered = true;
  for (const name of ["BatchMatMul", "_FusedMatMul"]) {
    const previous = tf.getKernel(name, "wasm");
    if (!previous) continue;
    const fused = name === "_FusedMatMul";
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({
      ...previous,
      kernelFunc: (args) =>
        (enabled ? product(blas, args as unknown as ProductArgs, fused) : null) ?? previous.kernelFunc(args),
    });
  }
}
