/**
 * WGSL kernels for training on tfjs' webgpu backend (4.22), written where the backend's own ones
 * dominated a profiled InceptionV3 training step (bench/train_profile.ts; README "GPU training"):
 *
 * - `Conv2DBackpropFilter`: the backend's kernel gives each filter element one thread that loops
 *   over every output pixel of the batch (for the stem's 3x3x3x32 filter at 299 px and batch 8:
 *   864 threads of 177,608 iterations each), which leaves a GPU almost idle. Here it is a tiled
 *   matrix product dW[(kh,kw,ci), co] = sum over (n,oh,ow) of x_patch * dy, 64x64 tiles in
 *   workgroup memory, with the sum split over the batch pixels ("split-K") until there are enough
 *   workgroups, then the partial sums added by a second kernel (`setFilterGradKernel`: where it is
 *   used, and how it compared on the software adapter).
 * - Batch normalisation in training mode (`BnTrainStats`, `BnTrainApply`, `BnMovingAverage`,
 *   `BnTrainGradSums`, `BnTrainGradInput`): tfjs-layers builds it from moments, a broadcast
 *   normalisation, two moving-average updates and their gradients: about 40 kernel launches and
 *   4 uploads of host-made tensors (scalars, and `ones` the size of the activation in the
 *   gradient of `mean`) per layer and step. Here: per-channel partial sums (shifted by the first
 *   row, so the variance does not cancel), one normalisation, one update per moving statistic,
 *   and for the gradient one reduction and one input-gradient kernel: about 9 launches, no upload.
 *   `useFusedBatchNorm` switches a model's BatchNormalization layers to them on webgpu.
 * - `SgdMomentumVelocity` / `SgdMomentumApply`: the optimizer's update of one variable in two
 *   launches with the learning rate as a kernel parameter (lib/model/sgd.ts).
 *
 * Every kernel is checked against tfjs' cpu backend in tests/model/webgpu_training_test.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { registerWebGpuTrainingKernels, setFilterGradKernel } from "./webgpu_kernels.ts";
 * registerWebGpuTrainingKernels(); // registered for "webgpu"; they run once tf.setBackend("webgpu") succeeds
 * registerWebGpuTrainingKernels(); // idempotent
 * assert.ok(tf.getKernel("BnTrainStats", "webgpu") && tf.getKernel("SgdMomentumApply", "webgpu"));
 * assert.equal(setFilterGradKernel("tiled"), "auto"); // the previous choice
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvAttrs } from "./wasm_kernels.ts";

/** The program interface of tfjs-backend-webgpu 4.22 (`WebGPUProgram`) that these kernels fill in. */
export interface WebGpuProgram {
  /** Names of the input tensors in the shader, in input order. */
  variableNames: string[];
  /** Shape of the output tensor. */
  outputShape: number[];
  /** Key of the compiled pipeline: programs with the same key share one shader. */
  shaderKey: string;
  /** Which output dimensions map to the x, y and z of the dispatch. */
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  /** Workgroups launched in x, y and z. */
  dispatch: [number, number, number];
  /** Threads of one workgroup in x, y and z. */
  workgroupSize: [number, number, number];
  /** WGSL declarations of the program's uniforms (e.g. "channels : i32,"). */
  uniforms?: string;
  /** Whether the shader receives the output size as a uniform. */
  size?: boolean;
  /** The WGSL source of the program's `main`. */
  getUserCode(): string;
}

/** One uniform value passed to a program: its type and its numbers. */
export type Uniform = { type: "int32" | "float32"; data: number[] };

/** The methods of tfjs-backend-webgpu's `WebGPUBackend` (4.22) used here. */
export interface WebGpuBackendLike {
  /** Runs `program` on `inputs` with `uniforms`, returning the output tensor of `dtype`. */
  runWebGPUProgram(
    program: WebGpuProgram,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: Uniform[],
  ): tf.TensorInfo;
  /** Frees a tensor's data; true when it was freed. */
  disposeData(dataId: tf.DataId): boolean;
}

const backendOf = (b: unknown) => b as WebGpuBackendLike;

/** Flat layout: the framework then calls `main(index)`; the kernels here index by workgroup themselves. */
function layout(shape: number[]) {
  return { x: shape.map((_, i) => i) };
}

// ---------------------------------------------------------------------------------------------
// Convolution filter gradient: tiled implicit GEMM with split-K

const TILE = 64;
const TILE_K = 16;

class Conv2DFilterGradProgram implements WebGpuProgram {
  variableNames = ["x", "dy"];
  outputShape: number[];
  shaderKey = "derm7ptConv2DFilterGrad";
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [16, 16, 1];
  uniforms =
    "M : i32, N : i32, K : i32, CI : i32, KW : i32, OH : i32, OW : i32, IH : i32, IW : i32, SH : i32, SW : i32, PT : i32, PL : i32, kChunk : i32, tilesPerSplit : i32,";

  constructor(m: number, n: number, splits: number) {
    this.outputShape = [splits * m * n];
    this.dispatchLayout = layout(this.outputShape);
    this.dispatch = [Math.ceil(n / TILE), Math.ceil(m / TILE), splits];
  }

  getUserCode(): string {
    return `
      var<workgroup> As : array<array<f32, ${TILE}>, ${TILE_K}>;
      var<workgroup> Bs : array<array<f32, ${TILE}>, ${TILE_K}>;
      fn main(index : i32) {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let tid = ty * 16 + tx;
        let n0 = i32(workgroupId.x) * ${TILE};
        let m0 = i32(workgroupId.y) * ${TILE};
        let z = i32(workgroupId.z);
        let kBegin = z * uniforms.kChunk;
        let kEnd = min(uniforms.K, kBegin + uniforms.kChunk);
        let ohow = uniforms.OH * uniforms.OW;
        var acc : array<vec4<f32>, 4>;
        for (var t = 0; t < uniforms.tilesPerSplit; t = t + 1) {
          let k0 = kBegin + t * ${TILE_K};
          for (var i = 0; i < 4; i = i + 1) {
            let e = tid + i * 256;
            let kk = e / ${TILE};
            let mm = e % ${TILE};
            let k = k0 + kk;
            var a = 0.0;
            let m = m0 + mm;
            if (m < uniforms.M && k < kEnd) {
              let ci = m % uniforms.CI;
              let q = m / uniforms.CI;
              let kw = q % uniforms.KW;
              let kh = q / uniforms.KW;
              let b = k / ohow;
              let r = k % ohow;
              let ih = (r / uniforms.OW) * uniforms.SH + kh - uniforms.PT;
              let iw = (r % uniforms.OW) * uniforms.SW + kw - uniforms.PL;
              if (ih >= 0 && ih < uniforms.IH && iw >= 0 && iw < uniforms.IW) {
                a = x[((b * uniforms.IH + ih) * uniforms.IW + iw) * uniforms.CI + ci];
              }
            }
            As[kk][mm] = a;
            var g = 0.0;
            let n = n0 + mm;
            if (n < uniforms.N && k < kEnd) {
              g = dy[k * uniforms.N + n];
            }
            Bs[kk][mm] = g;
          }
          workgroupBarrier();
          for (var kk = 0; kk < ${TILE_K}; kk = kk + 1) {
            let bv = vec4<f32>(Bs[kk][tx * 4], Bs[kk][tx * 4 + 1], Bs[kk][tx * 4 + 2], Bs[kk][tx * 4 + 3]);
            acc[0] = acc[0] + As[kk][ty * 4] * bv;
            acc[1] = acc[1] + As[kk][ty * 4 + 1] * bv;
            acc[2] = acc[2] + As[kk][ty * 4 + 2] * bv;
            acc[3] = acc[3] + As[kk][ty * 4 + 3] * bv;
          }
          workgroupBarrier();
        }
        let base = z * uniforms.M * uniforms.N;
        for (var i = 0; i < 4; i = i + 1) {
          let m = m0 + ty * 4 + i;
          if (m < uniforms.M) {
            for (var j = 0; j < 4; j = j + 1) {
              let n = n0 + tx * 4 + j;
              if (n < uniforms.N) {
                result[base + m * uniforms.N + n] = acc[i][j];
              }
            }
          }
        }
      }
    `;
  }
}

/**
 * One thread per output element (flat dispatch of 64-thread workgroups): `body` sets `result[index]`,
 * given `index < uniforms.size`. Subclasses name the kernel (launch counts in step profiles).
 */
class ElementwiseProgram implements WebGpuProgram {
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;

  constructor(
    readonly shaderKey: string,
    readonly variableNames: string[],
    shape: number[],
    readonly uniforms: string,
    readonly body: string,
  ) {
    this.outputShape = shape;
    this.dispatchLayout = layout(shape);
    this.dispatch = [Math.ceil(shape.reduce((a, b) => a * b, 1) / 64), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${this.body}
        }
      }
    `;
  }
}

/** out[i] = sum over s of partial[s * size + i]. */
class SumSplitsProgram extends ElementwiseProgram {
  constructor(outputShape: number[]) {
    super(
      "derm7ptSumSplits",
      ["partial"],
      outputShape,
      "splits : i32,",
      `
      var s = 0.0;
      for (var z = 0; z < uniforms.splits; z = z + 1) {
        s = s + partial[z * uniforms.size + index];
      }
      result[index] = s;`,
    );
  }
}

/** tfjs' `Conv2DBackpropFilter` attributes: wasm's `ConvAttrs`, with the filter shape always given. */
type ConvGradAttrs = ConvAttrs & {
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
};

/**
 * How many splits of the pixel sum the filter-gradient kernel uses: enough workgroups to fill a large
 * GPU (about 1024), each split at least 16 tiles of 16 pixels long.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { filterGradSplits } from "./webgpu_kernels.ts";
 * // the stem convolution at 299 px, batch 8: 3x3x3 inputs x 32 outputs, 177,608 pixels
 * assert.equal(filterGradSplits(27, 32, 177608), 693);
 * // a 1x1 convolution of mixed7 at batch 8: 768 x 192 (36 tiles, which alone would ask for 29 splits),
 * // 2,312 pixels: 9 splits, the most that keeps 256 pixels (16 tiles of 16) per split
 * assert.equal(filterGradSplits(768, 192, 2312), 9);
 * ```
 */
export function filterGradSplits(m: number, n: number, k: number): number {
  const tiles = Math.ceil(m / TILE) * Math.ceil(n / TILE);
  const maxSplits = Math.max(1, Math.floor(k / (TILE_K * 16)));
  return Math.max(1, Math.min(Math.ceil(1024 / tiles), maxSplits));
}

function conv2dFilterGrad(x: tf.TensorInfo, dy: tf.TensorInfo, attrs: ConvGradAttrs, backend: WebGpuBackendLike) {
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  const m = info.filterHeight * info.filterWidth * info.inChannels;
  const n = info.outChannels;
  const k = info.batchSize * info.outHeight * info.outWidth;
  const splits = filterGradSplits(m, n, k);
  const kChunk = Math.ceil(Math.ceil(k / splits) / TILE_K) * TILE_K;
  const used = Math.ceil(k / kChunk);
  const uniforms: Uniform[] = [
    m,
    n,
    k,
    info.inChannels,
    info.filterWidth,
    info.outHeight,
    info.outWidth,
    info.inHeight,
    info.inWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    kChunk,
    kChunk / TILE_K,
  ].map((v) => ({ type: "int32", data: [v] }));
  const partial = backend.runWebGPUProgram(new Conv2DFilterGradProgram(m, n, used), [x, dy], "float32", uniforms);
  if (used === 1) return { ...partial, shape: [...attrs.filterShape] };
  const out = backend.runWebGPUProgram(new SumSplitsProgram([...attrs.filterShape]), [partial], "float32", [
    { type: "int32", data: [used] },
  ]);
  backend.disposeData(partial.dataId);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Batch normalisation in training mode (NHWC, statistics over every axis but the last)

/** Rows per split and number of splits of a per-channel reduction over `rows` rows of `channels`. */
function channelSplits(rows: number, channels: number): { splits: number; chunk: number } {
  const splits = Math.max(1, Math.min(256, Math.ceil(32768 / channels), Math.floor(rows / 16)));
  const chunk = Math.ceil(rows / splits);
  return { splits: Math.ceil(rows / chunk), chunk };
}

/** A per-channel kernel over 64-channel workgroups, in mode "stats" (batch-norm forward) or "grad". */
abstract class ChannelProgram implements WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  protected mode: "stats" | "grad";

  constructor(mode: "stats" | "grad", inputs: string[], outputShape: number[], rowGroups: number) {
    this.mode = mode;
    this.variableNames = inputs;
    this.outputShape = outputShape;
    this.dispatchLayout = layout(outputShape);
    this.dispatch = [Math.ceil(outputShape[outputShape.length - 1] / 64), rowGroups, 1];
  }

  abstract shaderKey: string;
  abstract uniforms: string;
  abstract getUserCode(): string;
}

/**
 * Partial per-channel sums over row chunks, output [splits, 2, C]. Mode "stats": sums of x - x[0]
 * and its square; mode "grad": sums of dy and of dy * xhat, xhat = (x - mean) / sqrt(var + eps)
 * with mean and var from the stats input [2, C].
 */
class ChannelPartialSumsProgram extends ChannelProgram {
  shaderKey: string;
  uniforms = "rows : i32, channels : i32, chunk : i32, eps : f32,";

  constructor(mode: "stats" | "grad", splits: number, channels: number) {
    super(mode, mode === "stats" ? ["x"] : ["x", "dy", "stats"], [splits, 2, channels], splits);
    this.shaderKey = `derm7ptChannelPartialSums_${mode}`;
  }

  getUserCode(): string {
    const stats = this.mode === "stats";
    return `
      fn main(index : i32) {
        let c = i32(globalId.x);
        let s = i32(workgroupId.y);
        if (c < uniforms.channels) {
          let C = uniforms.channels;
          let r0 = s * uniforms.chunk;
          let r1 = min(uniforms.rows, r0 + uniforms.chunk);
          var a = 0.0;
          var b = 0.0;
          ${
      stats
        ? `let shift = x[c];
          for (var r = r0; r < r1; r = r + 1) {
            let v = x[r * C + c] - shift;
            a = a + v;
            b = b + v * v;
          }`
        : `let mean = stats[c];
          let inv = inverseSqrt(stats[C + c] + uniforms.eps);
          for (var r = r0; r < r1; r = r + 1) {
            let g = dy[r * C + c];
            a = a + g;
            b = b + g * (x[r * C + c] - mean) * inv;
          }`
    }
          result[(s * 2) * C + c] = a;
          result[(s * 2 + 1) * C + c] = b;
        }
      }
    `;
  }
}

/** Adds the partial sums: mode "stats" -> [mean, biased variance] per channel; "grad" -> the two sums. */
class ChannelFinishProgram extends ChannelProgram {
  shaderKey: string;
  uniforms = "rows : i32, channels : i32, splits : i32,";

  constructor(mode: "stats" | "grad", channels: number) {
    super(mode, mode === "stats" ? ["partial", "x"] : ["partial"], [2, channels], 1);
    this.shaderKey = `derm7ptChannelFinish_${mode}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        let c = i32(globalId.x);
        let C = uniforms.channels;
        if (c < C) {
          var a = 0.0;
          var b = 0.0;
          for (var s = 0; s < uniforms.splits; s = s + 1) {
            a = a + partial[(s * 2) * C + c];
            b = b + partial[(s * 2 + 1) * C + c];
          }
          ${
      this.mode === "stats"
        ? `let n = f32(uniforms.rows);
          let d = a / n;
          result[c] = x[c] + d;
          result[C + c] = max(b / n - d * d, 0.0);`
        : `result[c] = a;
          result[C + c] = b;`
    }
        }
      }
    `;
  }
}

/** y = (x - mean) / sqrt(var + eps) * gamma + beta, with [mean; var] in `stats` [2, C]. */
class BnApplyProgram extends ElementwiseProgram {
  constructor(shape: number[]) {
    super(
      "derm7ptBnApply",
      ["x", "stats", "gamma", "beta"],
      shape,
      "channels : i32, eps : f32,",
      `
      let c = index % uniforms.channels;
      let inv = inverseSqrt(stats[uniforms.channels + c] + uniforms.eps);
      result[index] = (x[index] - stats[c]) * inv * gamma[c] + beta[c];`,
    );
  }
}

/** dx = gamma / sqrt(var + eps) * (dy - sum(dy) / n - xhat * sum(dy * xhat) / n). */
class BnGradInputProgram extends ElementwiseProgram {
  constructor(shape: number[]) {
    super(
      "derm7ptBnGradInput",
      ["x", "dy", "stats", "sums", "gamma"],
      shape,
      "channels : i32, eps : f32, rows : f32,",
      `
      let C = uniforms.channels;
      let c = index % C;
      let inv = inverseSqrt(stats[C + c] + uniforms.eps);
      let xhat = (x[index] - stats[c]) * inv;
      result[index] = gamma[c] * inv * (dy[index] - sums[c] / uniforms.rows - xhat * sums[C + c] / uniforms.rows);`,
    );
  }
}

/** moving - (moving - stats[row]) * (1 - momentum), one moving statistic ([C]). */
class MovingAverageProgram extends ElementwiseProgram {
  constructor(channels: number) {
    super(
      "derm7ptBnMovingAverage",
      ["moving", "stats"],
      [channels],
      "row : i32, decay : f32,",
      `
      let m = moving[index];
      result[index] = m - (m - stats[uniforms.row * uniforms.size + index]) * uniforms.decay;`,
    );
  }
}

function channelSums(
  mode: "stats" | "grad",
  inputs: tf.TensorInfo[],
  eps: number,
  backend: WebGpuBackendLike,
): tf.TensorInfo {
  const x = inputs[0];
  const channels = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
  const { splits, chunk } = channelSplits(rows, channels);
  const partial = backend.runWebGPUProgram(
    new ChannelPartialSumsProgram(mode, splits, channels),
    inputs,
    "float32",
    [
      { type: "int32", data: [rows] },
      { type: "int32", data: [channels] },
      { type: "int32", data: [chunk] },
      { type: "float32", data: [eps] },
    ],
  );
  const out = backend.runWebGPUProgram(
    new ChannelFinishProgram(mode, channels),
    mode === "stats" ? [partial, x] : [partial],
    "float32",
    [
      { type: "int32", data: [rows] },
      { type: "int32", data: [channels] },
      { type: "int32", data: [splits] },
    ],
  );
  backend.disposeData(partial.dataId);
  return out;
}

// ---------------------------------------------------------------------------------------------
// SGD with momentum (Keras semantics), one variable

/** v' = momentum * v - lr * g. */
class SgdVelocityProgram extends ElementwiseProgram {
  constructor(shape: number[]) {
    super(
      "derm7ptSgdVelocity",
      ["v", "g"],
      shape,
      "momentum : f32, lr : f32,",
      `
      result[index] = uniforms.momentum * v[index] - uniforms.lr * g[index];`,
    );
  }
}

/** w' = w + v' - decay * w (decay = lr * weight decay; 0 without weight decay). */
class SgdApplyProgram extends ElementwiseProgram {
  constructor(shape: number[]) {
    super(
      "derm7ptSgdApply",
      ["w", "v"],
      shape,
      "decay : f32,",
      `
      result[index] = w[index] + v[index] - uniforms.decay * w[index];`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Registration

let registered = false;

/**
 * Which filter-gradient kernel runs: "tiled" (this module's), "backend" (tfjs'), or "auto": the tiled
 * one when the pixel sum has at least `TILED_FROM_PIXELS` = 64 terms (batch x output pixels), tfjs'
 * one below, where both are a few short loops. Measured on Mesa's llvmpipe (2026-11-29, batch 1 at
 * 299 px unless said): tiled 1.1-2.9x faster at every InceptionV3 shape tried (35x35x288 -> 3x3x64:
 * 528 -> 226 ms; 17x17x768 -> 1x7x192: 1672 -> 639 ms; 8x8x2048 -> 1x1x192 at batch 8: 634 -> 217 ms),
 * equal at 7x7 and 3x3 (75 px, batch 2), slower only for the stem's 3 input channels (62 -> 110 ms), where
 * a 64-row tile holds 27 rows. On a GPU tfjs' kernel runs that stem gradient on 864 threads of 177,608
 * iterations at batch 8, so the tiled one is kept there too; bench/gpu_check.sh compares them on a GPU.
 */
export type FilterGradKernel = "auto" | "tiled" | "backend";
/** Fewest terms (batch x output pixels) of the filter-gradient sum for which "auto" uses the tiled kernel. */
const TILED_FROM_PIXELS = 64;
let filterGradKernel: FilterGradKernel = "auto";

/** Chooses the filter-gradient kernel (see `FilterGradKernel`); returns the previous choice. */
export function setFilterGradKernel(kind: FilterGradKernel): FilterGradKernel {
  const previous = filterGradKernel;
  filterGradKernel = kind;
  return previous;
}

/**
 * Registers (once) the kernels of this module for the "webgpu" backend and replaces its
 * `Conv2DBackpropFilter` (NHWC, dilation 1; other cases keep the backend's own kernel), and the
 * gradient of `Mean` with one that makes no host tensor (tfjs' multiplies by `ones(x.shape)` made
 * on the CPU, an upload the size of the input every step; the replacement is the same value on
 * every backend).
 */
export function registerWebGpuTrainingKernels(): void {
  if (registered) return;
  registered = true;
  const own = tf.getKernel("Conv2DBackpropFilter", "webgpu");
  if (own) tf.unregisterKernel("Conv2DBackpropFilter", "webgpu");
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "webgpu",
    kernelFunc: (args) => {
      const attrs = args.attrs as unknown as ConvGradAttrs;
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const plain = (attrs.dataFormat ?? "NHWC") === "NHWC" && typeof attrs.pad !== "object";
      const pixels = dy.shape[0] * dy.shape[1] * dy.shape[2];
      const tiled = filterGradKernel === "tiled" || (filterGradKernel === "auto" && pixels >= TILED_FROM_PIXELS);
      if ((!plain || !tiled) && own) return own.kernelFunc(args);
      return conv2dFilterGrad(x, dy, attrs, backendOf(args.backend));
    },
  });
  const kernel = (
    name: string,
    f: (inputs: tf.TensorInfo[], attrs: Record<string, number>, b: WebGpuBackendLike) => tf.TensorInfo,
  ) =>
    tf.registerKernel({
      kernelName: name,
      backendName: "webgpu",
      kernelFunc: ({ inputs, attrs, backend }) =>
        f(Object.values(inputs) as tf.TensorInfo[], attrs as unknown as Record<string, number>, backendOf(backend)),
    });
  kernel("BnTrainStats", ([x], _a, b) => channelSums("stats", [x], 0, b));
  kernel(
    "BnTrainApply",
    ([x, stats, gamma, beta], a, b) =>
      b.runWebGPUProgram(new BnApplyProgram(x.shape), [x, stats, gamma, beta], "float32", [
        { type: "int32", data: [x.shape[x.shape.length - 1]] },
        { type: "float32", data: [a.epsilon] },
      ]),
  );
  kernel(
    "BnMovingAverage",
    ([moving, stats], a, b) =>
      b.runWebGPUProgram(new MovingAverageProgram(moving.shape[0]), [moving, stats], "float32", [
        { type: "int32", data: [a.row] },
        { type: "float32", data: [a.decay] },
      ]),
  );
  kernel("BnTrainGradSums", ([x, dy, stats], a, b) => channelSums("grad", [x, dy, stats], a.epsilon, b));
  kernel("BnTrainGradInput", ([x, dy, stats, sums, gamma], a, b) => {
    const channels = x.shape[x.shape.length - 1];
    return b.runWebGPUProgram(new BnGradInputProgram(x.shape), [x, dy, stats, sums, gamma], "float32", [
      { type: "int32", data: [channels] },
      { type: "float32", data: [a.epsilon] },
      { type: "float32", data: [x.shape.reduce((p, q) => p * q, 1) / channels] },
    ]);
  });
  kernel(
    "SgdMomentumVelocity",
    ([v, g], a, b) =>
      b.runWebGPUProgram(new SgdVelocityProgram(v.shape), [v, g], "float32", [
        { type: "float32", data: [a.momentum] },
        { type: "float32", data: [a.lr] },
      ]),
  );
  kernel("SgdMomentumApply", ([w, v], a, b) =>
    b.runWebGPUProgram(new SgdApplyProgram(w.shape), [w, v], "float32", [
      { type: "float32", data: [a.decay] },
    ]));
  tf.registerGradient({
    kernelName: "Mean",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const keep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const n = axes.reduce((s, a) => s * x.shape[a], 1);
      return { x: () => tf.mul(tf.reshape(dy as tf.Tensor, keep), tf.fill(x.shape, 1 / n)) };
    },
  });
}
