/**
 * The gradient kernels registered for the wasm backend against tfjs' pure-JS cpu backend:
 * strides 1 and 2, same and valid padding, 1x1, 3x3, 1x7, 7x1 (and 5x5) kernels, through tf.grads
 * of a convolution (so the registered kernels are what the engine calls).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../lib/model/backend.ts";

const cases: [number, number, number, "same" | "valid"][] = [
  [1, 1, 1, "same"],
  [1, 1, 2, "valid"],
  [3, 3, 1, "same"],
  [3, 3, 1, "valid"],
  [3, 3, 2, "same"],
  [3, 3, 2, "valid"],
  [1, 7, 1, "same"],
  [7, 1, 1, "same"],
  [1, 7, 2, "same"],
  [7, 1, 2, "valid"],
  [5, 5, 1, "same"],
];

Deno.test("wasm Conv2DBackpropFilter/Input agree with the cpu backend (rel. error < 1e-4)", async () => {
  await startBackend("wasm", { quiet: true });
  assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm"), "registered");
  for (const [kh, kw, s, pad] of cases) {
    const xv = Float32Array.from({ length: 2 * 13 * 12 * 3 }, (_, i) => Math.sin(i * 0.37));
    const wv = Float32Array.from({ length: kh * kw * 3 * 4 }, (_, i) => Math.cos(i * 0.11));
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad)));
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xv, [2, 13, 12, 3]), w = tf.tensor4d(wv, [kh, kw, 3, 4]);
      const [gx, gw] = tf.grads(f)([x, w]);
      const r = [await gx.data(), await gw.data()];
      tf.dispose([x, w, gx, gw]);
      return r;
    };
    const [wx, ww] = await grads("wasm");
    const [cx, cw] = await grads("cpu");
    const rel = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]) / (1 + Math.abs(b[i]))));
    assert.ok(rel(wx, cx) < 1e-4, `dx ${kh}x${kw} s${s} ${pad}: ${rel(wx, cx)}`);
    assert.ok(rel(ww, cw) < 1e-4, `dW ${kh}x${kw} s${s} ${pad}: ${rel(ww, cw)}`);
  }
  await tf.setBackend("wasm");
});

Deno.test("wasm gradient kernels leak no tensors", async () => {
  await startBackend("wasm", { quiet: true });
  const x = tf.randomNormal([1, 9, 9, 2]), w = tf.randomNormal([3, 3, 2, 3]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same"))
    )([x, w]);
    tf.dispose(g);
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, w]);
});

Deno.test("wasm BatchMatMul with explicit transposes agrees with the cpu backend for every transpose and batched shapes", async () => {
  await startBackend("wasm", { quiet: true });
  const value = (shape: number[], k: number) => {
    const n = shape.reduce((x, y) => x * y, 1);
    return tf.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.13 + k)), shape);
  };
  for (
    const [as, bs, ta, tb] of [
      [[5, 7], [5, 3], true, false],
      [[5, 7], [3, 7], false, true],
      [[7, 5], [3, 7], true, true],
      [[2, 5, 7], [2, 5, 3], true, false],
      [[2, 4, 6], [2, 3, 6], false, true],
    ] as [number[], number[], boolean, boolean][]
  ) {
    const product = async (backend: string) => {
      await tf.setBackend(backend);
      const a = value(as, 1), b = value(bs, 2);
      const before = tf.memory().numTensors;
      const r = tf.matMul(a, b, ta, tb);
      const out = await r.data();
      r.dispose();
      assert.equal(tf.memory().numTensors, before, `${backend}: no tensor left behind`);
      tf.dispose([a, b]);
      return out;
    };
    const [w, c] = [await product("wasm"), await product("cpu")];
    const rel = Math.max(...Array.from(w, (v, i) => Math.abs(v - c[i]) / (1 + Math.abs(c[i]))));
    assert.ok(rel < 1e-5, `${as} x ${bs} transposeA=${ta} transposeB=${tb}: ${rel}`);
  }
  await tf.setBackend("wasm");
});
