/**
 * The network the GPU benchmarks train (bench/gpu_check.ts, bench/train_profile.ts): InceptionV3 with
 * random weights to mixed10, one image input, the management head, every layer trainable (a training
 * step of the whole network, as the paper preset's last stages come close to).
 */
import * as tf from "@tensorflow/tfjs";
import { buildFullModel } from "../lib/model/network.ts";

export async function wholeNetwork(size: number): Promise<{ model: tf.LayersModel; vars: tf.Variable[] }> {
  const { model } = await buildFullModel(
    "mgmt",
    "D",
    { source: "random", size, featureLayers: ["mixed10"], shared: true },
    { hidden: 0, l2: 0, standardize: false, transform: "none" },
    { seed: 0, cacheDir: new URL("../.cache", import.meta.url).pathname },
  );
  return { model, vars: model.trainableWeights.map((w) => w.read() as tf.Variable) };
}
