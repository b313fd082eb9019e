/** Shapes of every model kind and input set, and InceptionV3's Keras layer names and blocks. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../../lib/model/backend.ts";
import { classesOf, headsOf, INPUT_SETS, MODEL_KINDS } from "../../lib/model/config.ts";
import { buildFullModel, buildHeads, headLogitBlock } from "../../lib/model/network.ts";
import { inceptionV3, layerBlocks } from "../../lib/model/inception_v3.ts";
import { PROJECT_ROOT, tempDir } from "../_helpers.ts";

const tiny = { source: "tiny" as const, size: 32, featureLayers: ["mixed1"], shared: true };

Deno.test("shapes: every model kind x input set (tiny backbone, end-to-end and heads-only)", async () => {
  await startBackend("cpu", { quiet: true });
  const cache = tempDir();
  for (const kind of MODEL_KINDS) {
    for (const inputs of INPUT_SETS) {
      const { model } = await buildFullModel(kind, inputs, tiny, {
        hidden: 0,
        l2: 0,
        standardize: false,
        transform: "none",
      }, {
        seed: 1,
        cacheDir: cache,
      });
      const xs = model.inputs.map((i) => tf.zeros([2, ...(i.shape.slice(1) as number[])]));
      const out = model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[];
      const outs = Array.isArray(out) ? out : [out];
      assert.deepEqual(outs.map((o) => o.shape), headsOf(kind).map((h) => [2, classesOf(h)]), `${kind} ${inputs}`);
      assert.deepEqual(
        model.inputs.map((i) => i.name.split("_")[0].replace(/\d+$/, "")).sort(),
        [
          ...(inputs.includes("C") ? ["clinical"] : []),
          ...(inputs.includes("D") ? ["derm"] : []),
          ...(inputs.includes("M") ? ["metadata"] : []),
        ].sort(),
      );
      for (const o of outs) assert.ok(Math.abs(tf.sum(o, 1).dataSync()[0] - 1) < 1e-5, "softmax rows sum to 1");
      tf.dispose([...xs, ...outs]);
      model.dispose();
    }
  }
  const heads = buildHeads(30, "multi", { hidden: 8, l2: 0, standardize: false, transform: "none" }, 0);
  assert.equal(heads.outputs.length, 9);
  assert.deepEqual(heads.outputs.map((o) => o.shape[1]), [3, 3, 3, 2, 3, 2, 3, 5, 3]);
  // one logits layer for every head's classes (in headsOf order), then one softmax per head's block
  const logits = heads.getLayer("head_logits");
  assert.equal(logits.outputShape[1], 27);
  assert.deepEqual((heads.getLayer("head_softmax").getConfig() as { sizes: number[] }).sizes, [
    3,
    3,
    3,
    2,
    3,
    2,
    3,
    5,
    3,
  ]);
  assert.deepEqual(headLogitBlock("multi", "management"), { offset: 24, size: 3 });
  assert.deepEqual(headLogitBlock("multi", "diagnosis"), { offset: 19, size: 5 });
});

Deno.test("InceptionV3: Keras layer names, classes and connections equal the Keras model in nsfwjs; blocks", async () => {
  await startBackend("cpu", { quiet: true });
  const net = inceptionV3();
  assert.deepEqual(net.outputs[0].shape, [null, 8, 8, 2048]);
  // Keras InceptionV3 notop has 21,802,784 parameters; tfjs adds one gamma per BN channel (fixed to 1): 17,216
  assert.equal(net.countParams(), 21802784 + 17216);
  const code = Deno.readTextFileSync(`${PROJECT_ROOT}/node_modules/nsfwjs/dist/models/inception_v3/model.min.js`);
  const module = {
    exports: {} as {
      modelTopology: {
        model_config: {
          config: { layers: { class_name: string; config: { name: string }; inbound_nodes: [string][][] }[] };
        };
      };
    },
  };
  new Function("module", "exports", code)(module, module.exports);
  const ref = module.exports.modelTopology.model_config.config.layers.filter((l) =>
    !/^(flatten|dense|dropout)_|^average_pooling2d_10$/.test(l.config.name)
  );
  assert.equal(ref.length, net.layers.length);
  for (const rl of ref) {
    const l = net.getLayer(rl.config.name);
    assert.equal(l.getClassName(), rl.class_name, rl.config.name);
    assert.deepEqual(
      (l.inboundNodes[0]?.inboundLayers ?? []).map((x) => x.name),
      (rl.inbound_nodes[0] ?? []).map((x) => x[0]),
      rl.config.name,
    );
  }
  const blocks = layerBlocks(net);
  const count = (b: string) => [...blocks.values()].filter((x) => x === b).length;
  assert.equal(count("stem"), 17); // 5 conv-bn-relu + 2 max pools
  assert.equal(count("mixed0"), 23);
  assert.equal(count("mixed10"), 31);
  assert.equal(blocks.get("conv2d_94"), "mixed10");
  assert.equal(blocks.get("max_pooling2d_2"), "stem");
  assert.equal(blocks.get("conv2d_6"), "mixed0");
});
