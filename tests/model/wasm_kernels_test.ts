/**
 * The gradient kernels registered for the wasm backend against tfjs' pure-JS cpu backend:
 * strides 1 and 2, same and valid padding, 1x1, 3x3, 1x7, 7x1 (and 5x5) kernels, through tf.grads
 * of a convolution (so the registered kernels are what the engine calls).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../lib/model/backend.ts";
import { repackCostly } from "../../lib/model/wasm_kernels.ts";
import { useBlasProducts } from "../../lib/model/wasm_blas_kernels.ts";

/** Runs `f` with the wasm backend's own products (the native OpenBLAS ones switched off meanwhile). */
async function withoutBlas(f: () => Promise<void>): Promise<void> {
  const before = useBlasProducts(false);
  try {
    await f();
  } finally {
    useBlasProducts(before);
  }
}

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
  await withoutBlas(async () => {
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
});

Deno.test("wasm BatchMatMul: a large right-hand operand seen once is multiplied the other way round, with the same result", async () => {
  await startBackend("wasm", { quiet: true });
  await withoutBlas(async () => {
    const info = (shape: number[]) => ({ dataId: {}, shape, dtype: "float32" as const });
    // the decision: a large b (2^18 values) against at most 64 rows, the first time only
    const big = info([1024, 256]);
    assert.equal(repackCostly(info([32, 1024]), big), true);
    assert.equal(repackCostly(info([32, 1024]), big), false, "seen before: the backend's cached packing");
    assert.equal(repackCostly(info([65, 1024]), info([1024, 256])), false, "more rows: packing pays");
    assert.equal(repackCostly(info([32, 1024]), info([1024, 255])), false, "smaller b");
    assert.equal(repackCostly(info([64, 8192]), info([8192, 64])), false, "a not smaller than b: never swapped back");
    // both paths against the cpu backend: [32, 1024] x [1024, 256], first swapped, then packed
    const a = tf.tensor(Float32Array.from({ length: 32 * 1024 }, (_, i) => Math.sin(i * 0.13)), [32, 1024]);
    const b = tf.tensor(Float32Array.from({ length: 1024 * 256 }, (_, i) => Math.cos(i * 0.07)), [1024, 256]);
    const before = tf.memory().numTensors;
    const first = tf.matMul(a, b), second = tf.matMul(a, b);
    const [f, s] = [await first.data(), await second.data()];
    tf.dispose([first, second]);
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
    await tf.setBackend("cpu");
    const ca = tf.tensor(await a.data(), a.shape), cb = tf.tensor(await b.data(), b.shape);
    const c = await tf.matMul(ca, cb).data();
    for (const [name, w] of [["swapped", f], ["packed", s]] as const) {
      const rel = Math.max(...Array.from(w, (v, i) => Math.abs(v - c[i]) / (1 + Math.abs(c[i]))));
      assert.ok(rel < 1e-5, `${name}: ${rel}`);
    }
    await tf.setBackend("wasm");
    tf.dispose([a, b]);
  });
});

Deno.test("wasm SgdMomentumStep (one pass: L2 gradient, momentum, decay, penalty) agrees with tfjs ops on the cpu backend", async () => {
  const { SgdMomentum } = await import("../../lib/model/sgd.ts");
  await startBackend("wasm", { quiet: true });
  assert.ok(tf.getKernel("SgdMomentumStep", "wasm"), "registered");
  const config = { learningRate: 0.05, momentum: 0.9, lrDecay: 0.01, weightDecay: 0.02 };
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const w = tf.variable(tf.tensor2d(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), [3, 4]), true, "k");
    const b = tf.variable(tf.tensor1d([0.5, -0.5]), true, "b");
    const sgd = new SgdMomentum(config);
    const before = tf.memory().numTensors;
    const penalties: number[] = [];
    for (let step = 0; step < 3; step++) {
      const grads = {
        k: tf.tensor2d(Float32Array.from({ length: 12 }, (_, i) => Math.cos(i * step + 0.3)), [3, 4]),
        b: tf.tensor1d([step, 1]),
      };
      const penalty = sgd.apply([w, b], grads, step, { strength: 0.1, names: new Set(["k"]) });
      penalties.push((await penalty!.data())[0]);
      tf.dispose([penalty!, ...Object.values(grads)]);
    }
    const out = { w: Array.from(await w.data()), b: Array.from(await b.data()), penalties };
    sgd.dispose();
    assert.equal(tf.memory().numTensors, before, `${backend}: velocities freed`);
    tf.dispose([w, b]);
    return out;
  };
  const fused = await run("wasm"), ops = await run("cpu");
  for (const key of ["w", "b", "penalties"] as const) {
    fused[key].forEach((v, i) =>
      assert.ok(Math.abs(v - ops[key][i]) < 1e-5 * (1 + Math.abs(v)), `${key}[${i}]: ${v} vs ${ops[key][i]}`)
    );
  }
  // the penalty is 0.1 * sum(w^2) of the weights before each update
  const w0 = Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
  assert.ok(Math.abs(fused.penalties[0] - 0.1 * w0.reduce((s, v) => s + v * v, 0)) < 1e-5);
  await tf.setBackend("wasm");
});

Deno.test("trainStep with L2: the step's loss is the cross-entropy plus the penalty at the weights before the update", async () => {
  const { buildHeads } = await import("../../lib/model/network.ts");
  const { LossMeter, SgdMomentum } = await import("../../lib/model/sgd.ts");
  const { trainStep } = await import("../../lib/model/train_step.ts");
  await startBackend("wasm", { quiet: true });
  const model = buildHeads(4, "mgmt", { hidden: 3, l2: 0.5, standardize: false, transform: "none" }, 7);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = model.trainableWeights.filter((w) => w.originalName.endsWith("kernel"));
  assert.equal(kernels.length, 2, "hidden and output kernels");
  const squares = async () => {
    let s = 0;
    for (const k of kernels) for (const v of await k.read().data()) s += v * v;
    return s;
  };
  const before = await squares();
  const sgd = new SgdMomentum({ learningRate: 0.1, momentum: 0.9, lrDecay: 0, weightDecay: 0 });
  const losses = new LossMeter();
  const spec = {
    model,
    vars,
    heads: ["management" as const],
    training: true,
    labels: { management: [2, 0] },
    classWeights: { management: [1, 1, 1] },
    l2: { strength: 0.5, kernels },
  };
  // zero inputs: the hidden layer gives relu(bias) = 0, so every class has p = 1/3 and CE = log 3
  const x = tf.zeros([2, 4]);
  trainStep([x], spec, { sgd, losses, step: 0 });
  const { sum } = await losses.read();
  assert.ok(Math.abs(sum - (Math.log(3) + 0.5 * before)) < 1e-4, `${sum} vs ${Math.log(3) + 0.5 * before}`);
  assert.ok(await squares() < before, "the penalty's gradient shrank the kernels");
  tf.dispose([x]);
  sgd.dispose();
  losses.dispose();
});

Deno.test("wasm BatchMatMul: two large operands with few rows and columns ([32, 8192] x [8192, 64]) agree with the cpu backend", async () => {
  await startBackend("wasm", { quiet: true });
  await withoutBlas(async () => {
    // before the size check, swapping such a product swapped it back, without end
    const av = Float32Array.from({ length: 32 * 8192 }, (_, i) => Math.sin(i * 0.01));
    const bv = Float32Array.from({ length: 8192 * 64 }, (_, i) => Math.cos(i * 0.03));
    const w = await tf.matMul(tf.tensor2d(av, [32, 8192]), tf.tensor2d(bv, [8192, 64])).data();
    await tf.setBackend("cpu");
    const c = await tf.matMul(tf.tensor2d(av, [32, 8192]), tf.tensor2d(bv, [8192, 64])).data();
    await tf.setBackend("wasm");
    let worst = 0;
    for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(w[i] - c[i]) / (1 + Math.abs(c[i])));
    assert.ok(worst < 1e-4, `${worst}`);
  });
});
