/**
 * Post-training int8 quantisation of an exported backbone graph (onnx_export.ts), in ONNX's QDQ form:
 * `QuantizeLinear` / `DequantizeLinear` pairs that ONNX Runtime fuses into integer kernels (`QLinearConv`
 * and friends). On this project's 2-core machine (AVX512-VNNI and AMX) the nsfwjs InceptionV3 ran 2.1
 * times as fast as float32, forward only (README, "The model"); other CPUs were not measured.
 *
 * What is quantised, and how:
 * - every `Conv`'s kernel: int8, symmetric, one scale per output channel (`max|w| / 127`); its bias:
 *   int32 with scale `input scale x kernel scale`;
 * - activations: uint8, one scale per tensor, rounded at every `Relu`, pool and `Concat` output (the
 *   cut layers too, so pooled features and activation maps are read from uint8-rounded values) and at
 *   the preprocessed input. A `Relu` output's range is [0, max] with max measured on calibration
 *   images; a pool's output keeps its input's scale; a `Concat` takes the widest of its inputs' ranges;
 *   the preprocessed input's range follows exactly from the uint8 pixels through `Cast`, `Mul`, `Add`
 *   and `Transpose` (x/255 is exact in uint8);
 * - a convolution not followed by `Relu` gets its output's range from calibration too;
 * - the global average pools, the final transposes and the graph's outputs compute in float32.
 *
 * Calibration is min/max over the calibration images: {@linkcode calibrationGraph} adds a `ReduceMin`
 * and a `ReduceMax` output per tensor whose range must be measured, and {@linkcode quantizeGraph} takes
 * the ranges measured with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import onnxProto from "onnx-proto";
 * import { exportOnnx } from "./onnx_export.ts";
 * import { tinyInception } from "./inception_v3.ts";
 * import { calibrationGraph, quantizeGraph } from "./quantize.ts";
 * await tf.setBackend("cpu");
 * const fp32 = exportOnnx(tinyInception(), [{ layer: "mixed1", kind: "pooled" }], { preprocessing: "x/255" });
 * const { tensors } = calibrationGraph(fp32); // one per Relu: the tiny backbone has 9 up to mixed1
 * assert.equal(tensors.length, 9);
 * const ranges = Object.fromEntries(tensors.map((t) => [t, { min: 0, max: 6 }]));
 * const int8 = onnxProto.onnx.ModelProto.decode(quantizeGraph(fp32, ranges)).graph!;
 * assert.equal(int8.node!.filter((n) => n.opType === "Conv").length, 9);
 * assert.equal(int8.initializer!.filter((t) => t.name!.endsWith("/W/int8")).length, 9); // int8 kernels
 * assert.throws(() => quantizeGraph(fp32, {}), /expected a calibrated range for tensor/);
 * ```
 *
 * @module
 */
import * as onnxModule from "onnx-proto";

// onnx-proto is CommonJS (`module.exports = { onnx }`): Deno exposes it as the default export.
const { onnx } = (onnxModule as unknown as { default?: typeof onnxModule }).default ?? onnxModule;

type Node = onnxModule.onnx.INodeProto;
type Tensor = onnxModule.onnx.ITensorProto;
type Model = onnxModule.onnx.IModelProto;

const T = onnx.TensorProto.DataType;

/** The measured (or derived) range of a tensor's values. */
export interface TensorRange {
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
}

/** Bumped whenever the quantised graph changes, so that cached int8 models are rebuilt. */
export const QUANTIZER_VERSION = "qdq-v1";

/** uint8 quantisation parameters of a range that includes zero. */
export function uint8Params(range: TensorRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(range.min, 0), hi = Math.max(range.max, 0);
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) {
    throw new RangeError(`Cannot quantise: expected a finite range, found [${range.min}, ${range.max}]`);
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

function bytesOf(a: Float32Array | Int8Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

function tensor(
  name: string,
  dims: number[],
  dataType: number,
  data: Float32Array | Int8Array | Int32Array | Uint8Array,
) {
  return onnx.TensorProto.create({ name, dims, dataType, rawData: bytesOf(data) });
}

function floatsOf(t: Tensor): Float32Array {
  if (t.dataType !== T.FLOAT) throw new Error(`Cannot quantise: expected float initializer ${t.name}`);
  if (t.rawData?.length) return new Float32Array(Uint8Array.from(t.rawData).buffer);
  return Float32Array.from(t.floatData ?? []);
}

function node(opType: string, input: string[], output: string[], axis?: number): Node {
  const attribute = axis === undefined
    ? []
    : [onnx.AttributeProto.create({ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: axis })];
  return onnx.NodeProto.create({ opType, input, output, name: output[0], attribute });
}

/** Quantisation of one activation tensor: its uint8 parameters, and the name of its dequantised copy. */
interface Quantized {
  range: TensorRange;
  scale: number;
  zeroPoint: number;
  dequantized: string;
}

/**
 * Walks the graph in order, calling `rangeOf` for every tensor whose range must be measured, and
 * returns the QDQ graph's nodes and initializers. One walk serves both calibration (which only
 * records the names) and quantisation.
 */
function walk(model: Model, rangeOf: (tensor: string) => TensorRange) {
  const g = model.graph!;
  const inits = new Map<string, Tensor>((g.initializer ?? []).map((t) => [t.name!, t]));
  const consumers = new Map<string, Node[]>();
  for (const n of g.node ?? []) {
    for (const i of n.input ?? []) {
      if (!consumers.has(i)) consumers.set(i, []);
      consumers.get(i)!.push(n);
    }
  }
  const graphInputs = new Map((g.input ?? []).map((i) => [i.name!, i.type?.tensorType?.elemType]));
  /** Ranges known exactly from the uint8 input (Cast, scalar Mul/Add, Transpose). */
  const exact = new Map<string, TensorRange>();
  const quantized = new Map<string, Quantized>();
  const rename = new Map<string, string>();
  const nodes: Node[] = [];
  const added: Tensor[] = [];
  const removed = new Set<string>();
  const scalar = (name: string): number | null => {
    const t = inits.get(name);
    if (!t || (t.dims ?? []).some((d) => Number(d) !== 1)) return null;
    const v = floatsOf(t);
    return v.length === 1 ? v[0] : null;
  };
  const quantize = (t: string, range: TensorRange): Quantized => {
    const known = quantized.get(t);
    if (known) return known;
    const { scale, zeroPoint } = uint8Params(range);
    added.push(tensor(`${t}/q_scale`, [], T.FLOAT, Float32Array.of(scale)));
    added.push(tensor(`${t}/q_zero`, [], T.UINT8, Uint8Array.of(zeroPoint)));
    const q: Quantized = { range, scale, zeroPoint, dequantized: `${t}/dq` };
    nodes.push(node("QuantizeLinear", [t, `${t}/q_scale`, `${t}/q_zero`], [`${t}/q`]));
    nodes.push(node("DequantizeLinear", [`${t}/q`, `${t}/q_scale`, `${t}/q_zero`], [q.dequantized]));
    quantized.set(t, q);
    quantized.set(q.dequantized, q);
    rename.set(t, q.dequantized);
    return q;
  };
  for (const original of g.node ?? []) {
    const n = onnx.NodeProto.create({ ...original, input: (original.input ?? []).map((i) => rename.get(i) ?? i) });
    const [x] = n.input!;
    const out = n.output![0];
    switch (n.opType) {
      case "Cast":
        if (graphInputs.get(x) === T.UINT8) exact.set(out, { min: 0, max: 255 });
        nodes.push(n);
        break;
      case "Mul":
      case "Add": {
        const c = scalar(n.input![1]);
        const r = exact.get(x);
        if (r && c !== null) {
          const f = (v: number) => n.opType === "Mul" ? v * c : v + c;
          exact.set(out, { min: Math.min(f(r.min), f(r.max)), max: Math.max(f(r.min), f(r.max)) });
        }
        nodes.push(n);
        break;
      }
      case "Transpose":
        if (exact.has(x)) exact.set(out, exact.get(x)!);
        nodes.push(n);
        break;
      case "Conv": {
        const [, wName, bName] = n.input!;
        const w = inits.get(wName), b = bName ? inits.get(bName) : undefined;
        if (!w) {
          nodes.push(n);
          break;
        }
        const xq = quantized.get(x) ?? quantize(x, exact.get(x) ?? rangeOf(x));
        const weights = floatsOf(w);
        const cout = Number(w.dims![0]);
        const per = weights.length / cout;
        const wScale = new Float32Array(cout), wq = new Int8Array(weights.length);
        for (let o = 0; o < cout; o++) {
          let m = 0;
          for (let k = 0; k < per; k++) m = Math.max(m, Math.abs(weights[o * per + k]));
          wScale[o] = m > 0 ? m / 127 : 1;
          for (let k = 0; k < per; k++) wq[o * per + k] = Math.round(weights[o * per + k] / wScale[o]);
        }
        const bias = b ? floatsOf(b) : new Float32Array(cout);
        const bScale = new Float32Array(cout), bq = new Int32Array(cout);
        for (let o = 0; o < cout; o++) {
          bScale[o] = xq.scale * wScale[o];
          bq[o] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(bias[o] / bScale[o])));
        }
        const wn = `${wName}/int8`, bn = `${bName ?? `${out}/B`}/int32`;
        added.push(tensor(wn, w.dims!.map(Number), T.INT8, wq));
        added.push(tensor(`${wn}/scale`, [cout], T.FLOAT, wScale));
        added.push(tensor(`${wn}/zero`, [cout], T.INT8, new Int8Array(cout)));
        added.push(tensor(bn, [cout], T.INT32, bq));
        added.push(tensor(`${bn}/scale`, [cout], T.FLOAT, bScale));
        added.push(tensor(`${bn}/zero`, [cout], T.INT32, new Int32Array(cout)));
        nodes.push(node("DequantizeLinear", [wn, `${wn}/scale`, `${wn}/zero`], [`${wn}/dq`], 0));
        nodes.push(node("DequantizeLinear", [bn, `${bn}/scale`, `${bn}/zero`], [`${bn}/dq`], 0));
        removed.add(wName);
        if (bName) removed.add(bName);
        n.input = [xq.dequantized, `${wn}/dq`, `${bn}/dq`];
        nodes.push(n);
        const next = consumers.get(out) ?? [];
        if (!(next.length === 1 && next[0].opType === "Relu")) quantize(out, rangeOf(out));
        break;
      }
      case "Relu":
        nodes.push(n);
        quantize(out, { min: 0, max: rangeOf(out).max });
        break;
      case "MaxPool":
      case "AveragePool": {
        nodes.push(n);
        const q = quantized.get(x);
        if (q) quantize(out, q.range);
        break;
      }
      case "Concat": {
        nodes.push(n);
        const qs = n.input!.map((i) => quantized.get(i));
        if (qs.every((q) => q)) {
          quantize(out, {
            min: Math.min(...qs.map((q) => q!.range.min)),
            max: Math.max(...qs.map((q) => q!.range.max)),
          });
        }
        break;
      }
      default:
        nodes.push(n);
    }
  }
  const initializer = [...inits.values()].filter((t) => !removed.has(t.name!)).concat(added);
  return { nodes, initializer };
}

/**
 * The float32 graph with one `ReduceMin` and one `ReduceMax` output (`calib_min/<tensor>`,
 * `calib_max/<tensor>`, scalars per batch) for every tensor whose range {@linkcode quantizeGraph} needs.
 */
export function calibrationGraph(model: Uint8Array): { bytes: Uint8Array; tensors: string[] } {
  const m = onnx.ModelProto.decode(model);
  const tensors: string[] = [];
  walk(m, (t) => {
    if (!tensors.includes(t)) tensors.push(t);
    return { min: 0, max: 1 };
  });
  const g = m.graph!;
  const keep = onnx.AttributeProto.create({ name: "keepdims", type: onnx.AttributeProto.AttributeType.INT, i: 0 });
  for (const t of tensors) {
    for (const op of ["Min", "Max"]) {
      const name = `calib_${op.toLowerCase()}/${t}`;
      g.node!.push(
        onnx.NodeProto.create({ opType: `Reduce${op}`, input: [t], output: [name], name, attribute: [keep] }),
      );
      g.output!.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: T.FLOAT } } }));
    }
  }
  return { bytes: onnx.ModelProto.encode(m).finish(), tensors };
}

/**
 * The int8 (QDQ) graph of a float32 graph, given the calibrated range of every tensor that
 * {@linkcode calibrationGraph} lists.
 * @throws {RangeError} naming the tensor when a range is missing or not finite.
 */
export function quantizeGraph(model: Uint8Array, ranges: Readonly<Record<string, TensorRange>>): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const { nodes, initializer } = walk(m, (t) => {
    const r = ranges[t];
    if (!r || !Number.isFinite(r.min) || !Number.isFinite(r.max)) {
      throw new RangeError(
        `Cannot quantise: expected a calibrated range for tensor "${t}", found ${JSON.stringify(r)}`,
      );
    }
    return r;
  });
  m.graph!.node = nodes;
  m.graph!.initializer = initializer;
  m.docString = `${m.docString ?? ""} ${QUANTIZER_VERSION}`.trim();
  return onnx.ModelProto.encode(m).finish();
}

/** Folds one batch's calibration outputs into running ranges (min of minima, max of maxima). */
export function accumulateRanges(
  ranges: Record<string, TensorRange>,
  tensors: readonly string[],
  outputs: Readonly<Record<string, { data: unknown }>>,
): void {
  for (const t of tensors) {
    const lo = Number((outputs[`calib_min/${t}`].data as Float32Array)[0]);
    const hi = Number((outputs[`calib_max/${t}`].data as Float32Array)[0]);
    const r = ranges[t];
    ranges[t] = r ? { min: Math.min(r.min, lo), max: Math.max(r.max, hi) } : { min: lo, max: hi };
  }
}
