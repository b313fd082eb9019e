/**
 * GPU check (run on a machine with a GPU; see bench/gpu_check.sh): reports Deno's WebGPU adapter
 * and InceptionV3 throughput at 299x299 on tfjs' webgpu backend — forward (feature extraction)
 * and a training step of the whole network — with random weights (throughput does not depend on
 * them). Prints one JSON object as it goes (one line per measurement on stderr).
 *
 *   deno run -A bench/gpu_check.ts
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { inceptionV3 } from "../lib/model/inception_v3.ts";
import { registerGradientKernels } from "../lib/model/wasm_kernels.ts";

const out: Record<string, unknown> = { deno: Deno.version.deno, tfjs: tf.version.tfjs };
const gpu = (navigator as unknown as {
  gpu?: {
    requestAdapter(
      o?: object,
    ): Promise<
      { info?: Record<string, string>; isFallbackAdapter?: boolean; limits?: Record<string, number> } | null
    >;
  };
}).gpu;
if (!gpu) {
  out.adapter = "navigator.gpu is not available";
  console.log(JSON.stringify(out, null, 2));
  Deno.exit(1);
}
const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
const info = adapter?.info as Record<string, string> | undefined;
out.adapter = adapter
  ? {
    vendor: info?.vendor,
    architecture: info?.architecture,
    device: info?.device,
    description: info?.description,
    isFallbackAdapter: adapter.isFallbackAdapter,
    maxBufferSize: adapter.limits?.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits?.maxStorageBufferBindingSize,
  }
  : "no adapter";
console.error(`adapter: ${JSON.stringify(out.adapter)}`);
if (!adapter) {
  console.log(JSON.stringify(out, null, 2));
  Deno.exit(1);
}
await tf.setBackend("webgpu");
await tf.ready();
out.backend = tf.getBackend();
// GPU_CHECK_OURS=1 replaces webgpu's convolution gradient kernels with this project's decompositions
if (Deno.env.get("GPU_CHECK_OURS")) {
  registerGradientKernels("webgpu");
  out.gradientKernels = "ours (lib/model/wasm_kernels.ts)";
}
const skipForward = Boolean(Deno.env.get("GPU_CHECK_SKIP_FORWARD"));
// GPU_CHECK_SIZE / GPU_CHECK_BATCHES shrink the check (to try the bundle on a software adapter)
const size = Number(Deno.env.get("GPU_CHECK_SIZE") ?? 299);
const batches = (Deno.env.get("GPU_CHECK_BATCHES") ?? "8,32").split(",").map(Number);
out.size = size;
const net = inceptionV3({ size });
const feat = tf.model({
  inputs: net.inputs,
  outputs: tf.layers.globalAveragePooling2d({}).apply(net.outputs[0]) as tf.SymbolicTensor,
});
const time = async (label: string, images: number, reps: number, f: () => Promise<void>) => {
  await f(); // warm-up (shader compilation)
  const t = performance.now();
  for (let i = 0; i < reps; i++) await f();
  const s = (performance.now() - t) / 1000;
  out[label] = `${((images * reps) / s).toFixed(1)} images/s`;
  console.error(`${label}: ${out[label]}`);
};
for (const b of skipForward ? [] : batches) {
  const x = tf.randomUniform([b, size, size, 3]);
  await time(`forward, batch ${b}`, b, 5, async () => {
    const y = feat.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  });
  x.dispose();
}
const head = tf.layers.dense({ units: 3, activation: "softmax" }).apply(feat.outputs[0]) as tf.SymbolicTensor;
const model = tf.model({ inputs: feat.inputs, outputs: head });
for (const b of batches.map((v) => Math.min(v, 16))) {
  const x = tf.randomUniform([b, size, size, 3]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: b }, (_, i) => i % 3), "int32"), 3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  await time(`training step (whole network), batch ${b}`, b, 3, async () => {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.mean(
          tf.neg(
            tf.sum(tf.mul(y, tf.log(tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-7, 1))), 1),
          ),
        ) as tf.Scalar,
      vars,
    );
    tf.tidy(() => vars.forEach((v) => v.assign(tf.sub(v, tf.mul(1e-4, grads[v.name])))));
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose([x, y]);
}
console.log(JSON.stringify(out, null, 2));
