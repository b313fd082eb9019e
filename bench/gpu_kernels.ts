/**
 * Which convolution gradient is slow on tfjs' webgpu backend? Times, for InceptionV3-like shapes,
 * the forward convolution, the backend's own Conv2DBackpropFilter/Input kernels, and this project's
 * decompositions (lib/model/wasm_kernels.ts, built from ordinary ops) on webgpu.
 *
 *   deno run -A bench/gpu_kernels.ts   (bundled and run by bench/gpu_check.sh --kernels)
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { conv2dBackpropFilter, conv2dBackpropInput } from "../lib/model/wasm_kernels.ts";

await tf.setBackend(Deno.env.get("KERNEL_BACKEND") ?? "webgpu");
await tf.ready();
const scale = Number(Deno.env.get("KERNEL_SCALE") ?? 1);
type Shape4 = [number, number, number, number];
const shapes: [Shape4, Shape4, number, "same" | "valid"][] = [
  [[8, Math.ceil(35 * scale), Math.ceil(35 * scale), 288], [3, 3, 288, 64], 1, "same"],
  [[8, Math.ceil(17 * scale), Math.ceil(17 * scale), 768], [1, 7, 768, 192], 1, "same"],
  [[8, Math.ceil(8 * scale), Math.ceil(8 * scale), 1280], [1, 1, 1280, 320], 1, "same"],
  [[8, Math.ceil(147 * scale), Math.ceil(147 * scale), 32], [3, 3, 32, 64], 1, "same"],
  [[8, Math.ceil(35 * scale), Math.ceil(35 * scale), 288], [3, 3, 288, 384], 2, "valid"],
];
const out: Record<string, string> = { backend: tf.getBackend() };
const time = async (f: () => tf.Tensor) => {
  const w = f();
  await w.data();
  w.dispose();
  const t = performance.now();
  for (let i = 0; i < 3; i++) {
    const r = f();
    await r.data();
    r.dispose();
  }
  return ((performance.now() - t) / 3).toFixed(1) + " ms";
};
for (const [xs, ws, s, pad] of shapes) {
  const x = tf.randomNormal(xs) as tf.Tensor4D, w = tf.randomNormal(ws) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, pad);
  const dy = tf.onesLike(y) as tf.Tensor4D;
  const key = `${xs.join("x")} * ${ws.join("x")} s${s} ${pad}`;
  out[`${key}: forward`] = await time(() => tf.conv2d(x, w, s, pad));
  const kernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
    tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
  out[`${key}: backend dW`] = await time(() =>
    kernel("Conv2DBackpropFilter", { x, dy }, { strides: [s, s], pad, dataFormat: "NHWC", filterShape: ws })
  );
  out[`${key}: backend dX`] = await time(() =>
    kernel("Conv2DBackpropInput", { dy, filter: w }, { strides: [s, s], pad, dataFormat: "NHWC", inputShape: xs })
  );
  out[`${key}: ours dW`] = await time(() =>
    conv2dBackpropFilter(x, dy, ws as [number, number, number, number], { strides: s, pad })
  );
  out[`${key}: ours dX`] = await time(() =>
    conv2dBackpropInput(dy, w, xs as [number, number, number, number], { strides: s, pad })
  );
  console.error(key, JSON.stringify(Object.fromEntries(Object.entries(out).filter(([k]) => k.startsWith(key)))));
  tf.dispose([x, w, y, dy]);
}
console.log(JSON.stringify(out, null, 2));
