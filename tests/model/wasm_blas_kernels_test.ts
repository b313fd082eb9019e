/**
 * The wasm backend's matrix products computed by OpenBLAS (wasm_blas_kernels.ts) against tfjs' pure-JS
 * cpu backend: every transpose, batches and broadcast single matrices, the fused bias and activations,
 * gradients through a dense layer, and the cases left to the wasm kernels. tools/setup.sh installs
 * OpenBLAS, so its absence fails here (unless DERM7PT_NO_BLAS is set on purpose).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../lib/model/backend.ts";
import { blasUnavailableReason, loadBlas } from "../../lib/model/blas.ts";
import { useBlasProducts } from "../../lib/model/wasm_blas_kernels.ts";

// the library is there unless switched off (tools/setup.sh installs it; the first test fails without it)
const BLAS = Deno.env.get("DERM7PT_NO_BLAS") ? null : loadBlas();

const value = (shape: number[], k: number) => {
  const n = shape.reduce((x, y) => x * y, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.13 + k));
};

/** The largest difference relative to 1 + |b| (a loop: spreading millions of values overflows the stack). */
const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
};

/** `f` of tensors made from `shapes` on `backend`: its values, checking that no tensor is left behind. */
async function on(
  backend: string,
  shapes: number[][],
  f: (...t: tf.Tensor[]) => tf.Tensor,
): Promise<ArrayLike<number>> {
  await tf.setBackend(backend);
  const inputs = shapes.map((s, k) => tf.tensor(value(s, k + 1), s));
  const before = tf.memory().numTensors;
  const r = tf.tidy(() => f(...inputs));
  const out = await r.data();
  r.dispose();
  assert.equal(tf.memory().numTensors, before, `${backend}: no tensor left behind`);
  tf.dispose(inputs);
  return out;
}

/** How many times OpenBLAS was called while `f` ran (counted through a wrapped sgemm). */
async function blasCalls(f: () => Promise<unknown>): Promise<number> {
  const blas = loadBlas()!;
  const sgemm = blas.sgemm;
  let calls = 0;
  blas.sgemm = (...args) => {
    calls++;
    sgemm(...args);
  };
  try {
    await f();
  } finally {
    blas.sgemm = sgemm;
  }
  return calls;
}

/** Each product [a shape, b shape, transposeA, transposeB] on wasm (counting OpenBLAS calls) against cpu. */
async function checkProducts(cases: [number[], number[], boolean, boolean][], tolerance: number): Promise<void> {
  for (const [as, bs, ta, tb] of cases) {
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
    let w: ArrayLike<number> = [];
    const calls = await blasCalls(async () => w = await on("wasm", [as, bs], f));
    const c = await on("cpu", [as, bs], f);
    assert.ok(calls > 0, `${as} x ${bs}: computed by OpenBLAS`);
    assert.equal(w.length, c.length);
    assert.ok(rel(w, c) < tolerance, `${as} x ${bs} transposeA=${ta} transposeB=${tb}: ${rel(w, c)}`);
  }
  await tf.setBackend("wasm");
}

Deno.test({
  name: "OpenBLAS loads here and startBackend('wasm') says it computes the matrix products",
  ignore: Boolean(Deno.env.get("DERM7PT_NO_BLAS")), // switched off on purpose
}, async () => {
  const info = await startBackend("wasm", { quiet: true });
  assert.ok(loadBlas(), `expected OpenBLAS (tools/setup.sh installs libopenblas0-pthread): ${blasUnavailableReason()}`);
  assert.match(info.detail, /matrix products: OpenBLAS/);
});

Deno.test({
  name: "BLAS BatchMatMul agrees with the cpu backend for every transpose, batches and broadcasting",
  ignore: !BLAS,
}, async () => {
  await startBackend("wasm", { quiet: true });
  await checkProducts([
    [[5, 7], [7, 3], false, false],
    [[5, 7], [5, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 5, 7], [2, 5, 3], true, false],
    [[2, 4, 6], [2, 3, 6], false, true],
    [[3, 4, 6], [6, 5], false, false], // one b for every matrix of a
    [[4, 6], [3, 6, 5], false, false], // one a for every matrix of b
    [[1, 4, 6], [6, 5], false, false],
    [[2, 3, 4, 6], [2, 3, 6, 5], false, false],
    [[33, 300], [300, 70], false, false],
  ], 1e-5);
});

Deno.test({
  name:
    "BLAS _FusedMatMul: bias (per column or scalar) and linear, relu, relu6 and leakyrelu agree with the cpu backend",
  ignore: !BLAS,
}, async () => {
  await startBackend("wasm", { quiet: true });
  for (const activation of ["linear", "relu", "relu6", "leakyrelu"] as const) {
    for (const biasShape of [[9], [1], null]) {
      const shapes = biasShape ? [[6, 11], [11, 9], biasShape] : [[6, 11], [11, 9]];
      const f = (a: tf.Tensor, b: tf.Tensor, bias?: tf.Tensor) =>
        tf.fused.matMul({
          a: tf.mul(a, 8) as tf.Tensor2D, // values beyond relu6's cap
          b: b as tf.Tensor2D,
          bias,
          activation,
          leakyreluAlpha: 0.3,
        });
      let w: ArrayLike<number> = [];
      const calls = await blasCalls(async () => w = await on("wasm", shapes, f));
      const c = await on("cpu", shapes, f);
      assert.ok(calls > 0, `${activation} bias ${biasShape}: computed by OpenBLAS`);
      assert.ok(rel(w, c) < 1e-5, `${activation} bias ${biasShape}: ${rel(w, c)}`);
    }
  }
  await tf.setBackend("wasm");
});

Deno.test({
  name: "BLAS products: what they do not handle goes to the wasm kernels, with the same results as the cpu backend",
  ignore: !BLAS,
}, async () => {
  await startBackend("wasm", { quiet: true });
  const cases: [string, number[][], (...t: tf.Tensor[]) => tf.Tensor][] = [
    [
      "sigmoid",
      [[4, 5], [5, 3]],
      (a, b) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, activation: "sigmoid" }),
    ],
    [
      "prelu",
      [[4, 5], [5, 3], [3]],
      (a, b, p) =>
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, activation: "prelu", preluActivationWeights: p }),
    ],
    ["batches that broadcast both ways", [[2, 1, 4, 5], [1, 3, 5, 2]], (a, b) => tf.matMul(a, b)],
    ["empty", [[0, 4], [4, 2]], (a, b) => tf.matMul(a, b)],
  ];
  for (const [name, shapes, f] of cases) {
    let w: ArrayLike<number> = [];
    const calls = await blasCalls(async () => w = await on("wasm", shapes, f));
    const c = await on("cpu", shapes, f);
    assert.equal(calls, 0, `${name}: left to the wasm kernel`);
    assert.equal(w.length, c.length, name);
    assert.ok(rel(w, c) < 1e-5, `${name}: ${rel(w, c)}`);
  }
  await tf.setBackend("wasm");
});

Deno.test({
  name: "BLAS products: a dense layer's gradients agree with the cpu backend, and switching them off goes back to wasm",
  ignore: !BLAS,
}, async () => {
  await startBackend("wasm", { quiet: true });
  const loss = (x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor) =>
    tf.sum(tf.square(tf.relu(tf.add(tf.matMul(x, w), bias))));
  const grads = async (backend: string) => {
    await tf.setBackend(backend);
    const [x, w, bias] = [[32, 70], [70, 16], [16]].map((s, k) => tf.tensor(value(s, k), s));
    const g = tf.grads(loss)([x, w, bias]);
    const r = await Promise.all(g.map((t) => t.data()));
    tf.dispose([x, w, bias, ...g]);
    return r;
  };
  const calls = await blasCalls(() => grads("wasm"));
  const w = await grads("wasm"), c = await grads("cpu");
  assert.ok(calls >= 3, `forward and both gradients by OpenBLAS (${calls} calls)`);
  w.forEach((g, i) => assert.ok(rel(g, c[i]) < 1e-4, `gradient ${i}: ${rel(g, c[i])}`));
  await tf.setBackend("wasm");
  const before = useBlasProducts(false);
  try {
    assert.equal(await blasCalls(() => grads("wasm")), 0, "switched off: the wasm kernels");
  } finally {
    useBlasProducts(before);
  }
  await tf.setBackend("wasm");
});

Deno.test({
  name: "BLAS products at the multi-task head's sizes: forward, weight and input gradients agree with the cpu backend",
  ignore: !BLAS,
}, async () => {
  await startBackend("wasm", { quiet: true });
  // [32, 7190] x [7190, 256] and the backward pass's x^T dy and dy W^T
  await checkProducts([
    [[32, 7190], [7190, 256], false, false],
    [[32, 7190], [32, 256], true, false],
    [[32, 256], [7190, 256], false, true],
  ], 1e-4);
});

Deno.test({
  name: "BLAS products: an empty batch gives an empty result and writes nothing; a bias of rank 2 is left to wasm",
  ignore: !BLAS,
}, async () => {
  await startBackend("wasm", { quiet: true });
  await tf.setBackend("wasm"); // whatever an earlier test left
  const sentinel = tf.fill([64, 64], 7);
  const a = tf.ones([4, 6]), b = tf.ones([0, 6, 5]);
  let shape: number[] = [];
  const calls = await blasCalls(() => {
    const r = tf.matMul(a, b);
    shape = r.shape;
    r.dispose();
    return Promise.resolve();
  });
  assert.deepEqual(shape, [0, 4, 5]);
  assert.equal(calls, 0, "no product for an empty batch");
  assert.ok((await sentinel.data()).every((v) => v === 7), "no memory written outside the (empty) output");
  // [3, 1]: one value per row of a 3 x 3 product, not per column: wasm's own kernel refuses it
  const x = tf.ones([3, 4]), y = tf.ones([4, 3]), bias = tf.tensor2d([[1], [2], [3]]);
  const refused = await blasCalls(() => {
    assert.throws(() => tf.fused.matMul({ a: x, b: y, bias }), /rank-1 bias/);
    return Promise.resolve();
  });
  assert.equal(refused, 0, "left to the wasm kernel");
  tf.dispose([sentinel, a, b, x, y, bias]);
});
