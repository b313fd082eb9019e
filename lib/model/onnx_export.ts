/**
 * Export of a Keras-named convolutional backbone (a tfjs-layers functional model with its weights, e.g.
 * `inceptionV3()` after `applyWeights`) to an ONNX graph, built with the ONNX protobuf schema of the npm
 * package `onnx-proto` (ONNX 1.10, opset 13).
 *
 * What the graph does, layer by layer:
 * - the input is RGB `uint8` pixels in NHWC, `[n, size, size, 3]`; the graph casts them to float, applies
 *   the backbone's preprocessing (`x/255` or `x/127.5 - 1`) and transposes to NCHW once;
 * - `Conv2D` followed by its only consumer `BatchNormalization` becomes one `Conv` with the normalisation
 *   folded into its kernel and bias: `s = gamma / sqrt(var + eps)`, `W' = W s`, `b' = beta + (b - mean) s`;
 * - Keras `same` padding becomes explicit pads as TensorFlow computes them (the odd pixel after);
 * - `AveragePooling2D` with `same` padding excludes the padding from the count (`count_include_pad = 0`),
 *   as TensorFlow does; `MaxPooling2D` ignores padding;
 * - `Concatenate` on the channel axis concatenates on axis 1; `Activation` relu is `Relu`.
 *
 * The graph can be cut at any layer, at several at once: each output is either the layer's global
 * average pool (`pooled`, `[n, C]`) or its activation map (`map`, `[n, h, w, C]`, back in NHWC), and only
 * the nodes those outputs need are kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import onnxProto from "onnx-proto";
 * import { exportOnnx, unmappedLayerClasses } from "./onnx_export.ts";
 * import { tinyInception } from "./inception_v3.ts";
 * await tf.setBackend("cpu");
 * const backbone = tinyInception(); // real use: inceptionV3() with its weights, cut at mixed5 and mixed10
 * assert.deepEqual(unmappedLayerClasses(backbone), []);
 * const outputs = [{ layer: "mixed0", kind: "pooled" as const }, { layer: "mixed1", kind: "map" as const }];
 * const bytes = exportOnnx(backbone, outputs, { preprocessing: "x/255" });
 * const graph = onnxProto.onnx.ModelProto.decode(bytes).graph!;
 * assert.deepEqual(graph.input?.map((i) => i.name), ["pixels"]);
 * assert.deepEqual(graph.output?.map((o) => o.name), ["pooled_mixed0", "map_mixed1"]);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as onnxModule from "onnx-proto";
import type { Preprocessing } from "./weight_set.ts";

// onnx-proto is CommonJS (`module.exports = { onnx }`): Deno exposes it as the default export.
const { onnx } = (onnxModule as unknown as { default?: typeof onnxModule }).default ?? onnxModule;

/** One output of the exported graph: a layer's global average pool or its activation map. */
export interface BackboneOutput {
  /** The Keras layer name, e.g. "mixed5". */
  layer: string;
  /** "pooled": the global average pool `[n, C]`; "map": the activation map `[n, h, w, C]`. */
  kind: "pooled" | "map";
}

/** The name of an output in the exported graph. */
export function outputName(o: BackboneOutput): string {
  return `${o.kind}_${o.layer}`;
}

/** The Keras layer classes the exporter maps to ONNX operators. */
export const ONNX_LAYER_MAPPINGS: Readonly<Record<string, string>> = Object.freeze({
  InputLayer: "(graph input: Cast, Mul, Add, Transpose to NCHW)",
  Conv2D: "Conv (with the following BatchNormalization folded in)",
  BatchNormalization: "folded into the preceding Conv, else BatchNormalization",
  Activation: "Relu",
  MaxPooling2D: "MaxPool",
  AveragePooling2D: "AveragePool (count_include_pad = 0)",
  Concatenate: "Concat (axis 1)",
  GlobalAveragePooling2D: "GlobalAveragePool + Flatten",
});

/** The layer classes of a model that the exporter cannot map (empty when the whole model exports). */
export function unmappedLayerClasses(model: tf.LayersModel): string[] {
  return [...new Set(model.layers.map((l) => l.getClassName()))].filter((c) => !(c in ONNX_LAYER_MAPPINGS));
}

/** Options of {@linkcode exportOnnx}. */
export interface OnnxExportOptions {
  /** The pixel preprocessing the graph applies to its uint8 input. */
  preprocessing: Preprocessing;
  /** Recorded in the model's metadata (e.g. the weights' fingerprint). */
  docString?: string;
}

type Node = ReturnType<typeof onnx.NodeProto.create>;
type Tensor = ReturnType<typeof onnx.TensorProto.create>;
type Attribute = ReturnType<typeof onnx.AttributeProto.create>;

const A = onnx.AttributeProto.AttributeType;

function attrInts(name: string, ints: number[]): Attribute {
  return onnx.AttributeProto.create({ name, type: A.INTS, ints });
}

function attrInt(name: string, i: number): Attribute {
  return onnx.AttributeProto.create({ name, type: A.INT, i });
}

function attrFloat(name: string, f: number): Attribute {
  return onnx.AttributeProto.create({ name, type: A.FLOAT, f });
}

function floatTensor(name: string, dims: number[], data: Float32Array): Tensor {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
}

function node(opType: string, input: string[], output: string[], attribute: Attribute[] = []): Node {
  return onnx.NodeProto.create({ opType, input, output, name: output[0], attribute });
}

/** TensorFlow's `same` padding for one spatial axis: [before, after]. */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function pair(v: number | number[] | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];
}

function inboundOf(layer: tf.layers.Layer): tf.layers.Layer[] {
  if (layer.inboundNodes.length !== 1) {
    throw new Error(
      `Cannot export layer "${layer.name}" to ONNX: expected it to be applied once, found ${layer.inboundNodes.length} calls`,
    );
  }
  return layer.inboundNodes[0].inboundLayers as tf.layers.Layer[];
}

/** The layers needed to compute `targets`, in the model's (topological) order. */
function neededLayers(model: tf.LayersModel, targets: string[]): tf.layers.Layer[] {
  const needed = new Set<string>();
  const visit = (l: tf.layers.Layer) => {
    if (needed.has(l.name)) return;
    needed.add(l.name);
    for (const p of l.getClassName() === "InputLayer" ? [] : inboundOf(l)) visit(p);
  };
  for (const t of targets) {
    let layer: tf.layers.Layer;
    try {
      layer = model.getLayer(t);
    } catch {
      throw new RangeError(
        `Cannot export ${model.name} to ONNX: expected a layer "${t}" (e.g. mixed5, mixed10), found none`,
      );
    }
    visit(layer);
  }
  return model.layers.filter((l) => needed.has(l.name));
}

function weightsOf(layer: tf.layers.Layer): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  layer.weights.forEach((w, i) => {
    const t = layer.getWeights()[i];
    out[w.originalName.split("/").pop()!] = { shape: t.shape, data: t.dataSync() as Float32Array };
  });
  return out;
}

/** Conv2D kernel [kh, kw, cin, cout] (tfjs) -> [cout, cin, kh, kw] (ONNX), each output channel scaled. */
function convKernel(k: { shape: number[]; data: Float32Array }, scale: Float32Array | null): Float32Array {
  const [kh, kw, cin, cout] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) {
          const v = k.data[((y * kw + x) * cin + i) * cout + o];
          out[((o * cin + i) * kh + y) * kw + x] = scale ? v * scale[o] : v;
        }
      }
    }
  }
  return out;
}

interface BatchNorm {
  scale: Float32Array;
  shift: Float32Array;
}

/** BatchNormalization as y = x * scale + shift (inference). */
function batchNormAffine(layer: tf.layers.Layer): BatchNorm {
  const w = weightsOf(layer);
  const cfg = layer.getConfig() as { epsilon?: number; center?: boolean; scale?: boolean };
  const eps = cfg.epsilon ?? 1e-3;
  const mean = w.moving_mean.data, variance = w.moving_variance.data;
  const n = mean.length;
  const gamma = cfg.scale === false || !w.gamma ? new Float32Array(n).fill(1) : w.gamma.data;
  const beta = cfg.center === false || !w.beta ? new Float32Array(n) : w.beta.data;
  const scale = new Float32Array(n), shift = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = gamma[c] / Math.sqrt(variance[c] + eps);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  return { scale, shift };
}

/**
 * The ONNX model (serialised bytes) of `model` cut at `outputs`.
 * @throws {RangeError} when an output names no layer of the model.
 * @throws {Error} naming the layer when a layer class has no ONNX mapping.
 */
export function exportOnnx(
  model: tf.LayersModel,
  outputs: readonly BackboneOutput[],
  options: OnnxExportOptions,
): Uint8Array {
  if (!outputs.length) throw new RangeError("Cannot export to ONNX: expected at least one output, found none");
  const layers = neededLayers(model, outputs.map((o) => o.layer));
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const consumers = new Map<string, number>();
  for (const l of layers) {
    if (l.getClassName() !== "InputLayer") {
      for (const p of inboundOf(l)) consumers.set(p.name, (consumers.get(p.name) ?? 0) + 1);
    }
  }
  const targets = new Set(outputs.map((o) => o.layer));
  /** Layers whose output is another layer's (a BatchNormalization folded into its Conv). */
  const alias = new Map<string, string>();
  const tensorOf = (l: tf.layers.Layer) => alias.get(l.name) ?? l.name;
  const spatial = (l: tf.layers.Layer) => {
    const s = l.inboundNodes[0].inputTensors[0].shape;
    return [s[1] as number, s[2] as number];
  };
  let inputSize = 0;
  for (const layer of layers) {
    const cls = layer.getClassName();
    const name = layer.name;
    const cfg = layer.getConfig() as Record<string, unknown>;
    switch (cls) {
      case "InputLayer": {
        const shape = (layer as unknown as { batchInputShape: number[] }).batchInputShape;
        if (shape.length !== 4 || shape[3] !== 3 || shape[1] !== shape[2]) {
          throw new Error(
            `Cannot export ${model.name} to ONNX: expected an input of [n, size, size, 3], found ${
              JSON.stringify(shape)
            }`,
          );
        }
        inputSize = shape[1];
        const [mul, add] = options.preprocessing === "x/255" ? [1 / 255, 0] : [1 / 127.5, -1];
        initializers.push(floatTensor("preprocess_mul", [], Float32Array.of(mul)));
        initializers.push(floatTensor("preprocess_add", [], Float32Array.of(add)));
        nodes.push(node("Cast", ["pixels"], ["pixels_float"], [attrInt("to", onnx.TensorProto.DataType.FLOAT)]));
        nodes.push(node("Mul", ["pixels_float", "preprocess_mul"], ["pixels_scaled"]));
        nodes.push(node("Add", ["pixels_scaled", "preprocess_add"], ["pixels_shifted"]));
        nodes.push(node("Transpose", ["pixels_shifted"], [name], [attrInts("perm", [0, 3, 1, 2])]));
        break;
      }
      case "Conv2D": {
        const [input] = inboundOf(layer);
        const w = weightsOf(layer);
        const kernel = pair(cfg.kernelSize as number[], 1), strides = pair(cfg.strides as number[], 1);
        const dilations = pair(cfg.dilationRate as number[], 1);
        if (cfg.activation !== "linear" && cfg.activation !== undefined) {
          throw new Error(
            `Cannot export layer "${name}" to ONNX: expected a Conv2D without activation, found "${cfg.activation}"`,
          );
        }
        // Fold a BatchNormalization that is this convolution's only consumer (and not itself a cut point).
        const bn = layers.find((l) =>
          l.getClassName() === "BatchNormalization" && inboundOf(l)[0] === layer && consumers.get(name) === 1 &&
          !targets.has(name)
        );
        const affine = bn ? batchNormAffine(bn) : null;
        const cout = w.kernel.shape[3];
        const bias = new Float32Array(cout);
        for (let o = 0; o < cout; o++) {
          const b = w.bias ? w.bias.data[o] : 0;
          bias[o] = affine ? b * affine.scale[o] + affine.shift[o] : b;
        }
        const out = bn ? bn.name : name;
        initializers.push(
          floatTensor(
            `${out}/W`,
            [cout, w.kernel.shape[2], kernel[0], kernel[1]],
            convKernel(w.kernel, affine?.scale ?? null),
          ),
        );
        initializers.push(floatTensor(`${out}/B`, [cout], bias));
        let pads = [0, 0, 0, 0];
        if (cfg.padding === "same") {
          const [h, wd] = spatial(layer);
          const ph = samePadding(h, kernel[0], strides[0], dilations[0]);
          const pw = samePadding(wd, kernel[1], strides[1], dilations[1]);
          pads = [ph[0], pw[0], ph[1], pw[1]];
        }
        nodes.push(node("Conv", [tensorOf(input), `${out}/W`, `${out}/B`], [out], [
          attrInts("kernel_shape", kernel),
          attrInts("strides", strides),
          attrInts("dilations", dilations),
          attrInts("pads", pads),
        ]));
        if (bn) alias.set(name, out);
        break;
      }
      case "BatchNormalization": {
        const [input] = inboundOf(layer);
        if (alias.get(input.name) === name) break; // folded into its convolution
        const { scale, shift } = batchNormAffine(layer);
        const n = scale.length;
        initializers.push(floatTensor(`${name}/scale`, [n], scale));
        initializers.push(floatTensor(`${name}/bias`, [n], shift));
        initializers.push(floatTensor(`${name}/mean`, [n], new Float32Array(n)));
        initializers.push(floatTensor(`${name}/var`, [n], new Float32Array(n).fill(1)));
        nodes.push(
          node(
            "BatchNormalization",
            [tensorOf(input), `${name}/scale`, `${name}/bias`, `${name}/mean`, `${name}/var`],
            [
              name,
            ],
            [attrFloat("epsilon", 0)],
          ),
        );
        break;
      }
      case "Activation": {
        if (cfg.activation !== "relu") {
          throw new Error(
            `Cannot export layer "${name}" to ONNX: expected activation "relu", found "${cfg.activation}"`,
          );
        }
        nodes.push(node("Relu", [tensorOf(inboundOf(layer)[0])], [name]));
        break;
      }
      case "MaxPooling2D":
      case "AveragePooling2D": {
        const [input] = inboundOf(layer);
        const kernel = pair(cfg.poolSize as number[], 2), strides = pair((cfg.strides ?? cfg.poolSize) as number[], 2);
        let pads = [0, 0, 0, 0];
        if (cfg.padding === "same") {
          const [h, wd] = spatial(layer);
          const ph = samePadding(h, kernel[0], strides[0]), pw = samePadding(wd, kernel[1], strides[1]);
          pads = [ph[0], pw[0], ph[1], pw[1]];
        }
        const attrs = [attrInts("kernel_shape", kernel), attrInts("strides", strides), attrInts("pads", pads)];
        if (cls === "AveragePooling2D") attrs.push(attrInt("count_include_pad", 0));
        nodes.push(node(cls === "MaxPooling2D" ? "MaxPool" : "AveragePool", [tensorOf(input)], [name], attrs));
        break;
      }
      case "Concatenate": {
        const axis = (cfg.axis as number | undefined) ?? -1;
        if (axis !== -1 && axis !== 3) {
          throw new Error(
            `Cannot export layer "${name}" to ONNX: expected concatenation on the channel axis, found axis ${axis}`,
          );
        }
        nodes.push(node("Concat", inboundOf(layer).map(tensorOf), [name], [attrInt("axis", 1)]));
        break;
      }
      case "GlobalAveragePooling2D": {
        nodes.push(node("GlobalAveragePool", [tensorOf(inboundOf(layer)[0])], [`${name}/pool`]));
        nodes.push(node("Flatten", [`${name}/pool`], [name], [attrInt("axis", 1)]));
        break;
      }
      default:
        throw new Error(
          `Cannot export layer "${name}" to ONNX: expected one of ${
            Object.keys(ONNX_LAYER_MAPPINGS).join(", ")
          }, found ${cls}`,
        );
    }
  }
  const graphOutputs = outputs.map((o) => {
    const source = tensorOf(model.getLayer(o.layer));
    const out = outputName(o);
    if (o.kind === "pooled") {
      nodes.push(node("GlobalAveragePool", [source], [`${out}/pool`]));
      nodes.push(node("Flatten", [`${out}/pool`], [out], [attrInt("axis", 1)]));
    } else nodes.push(node("Transpose", [source], [out], [attrInts("perm", [0, 2, 3, 1])]));
    return onnx.ValueInfoProto.create({
      name: out,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } },
    });
  });
  const graph = onnx.GraphProto.create({
    name: model.name,
    node: nodes,
    initializer: initializers,
    input: [onnx.ValueInfoProto.create({
      name: "pixels",
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.UINT8,
          shape: { dim: [{ dimParam: "n" }, { dimValue: inputSize }, { dimValue: inputSize }, { dimValue: 3 }] },
        },
      },
    })],
    output: graphOutputs,
  });
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "derm7pt-mgmt",
    docString: options.docString ?? "",
    graph,
  });
  return onnx.ModelProto.encode(proto).finish();
}
