/**
 * Gradient kernels the tfjs wasm backend (4.22) lacks or runs slowly, registered for "wasm" so that
 * the InceptionV3 top blocks and heads can be trained on the CPU's fast path.
 *
 * - `Conv2DBackpropFilter` (missing in wasm): for each kernel offset (i, j), the strided window of
 *   the input x[:, i::s, j::s, :] (with padding) is matrix-multiplied with dy:
 *   dW[i, j] = X_ij^T dY, shapes [Cin, N Ho Wo] x [N Ho Wo, Cout]. The transpose is explicit because
 *   `matMul(transposeA)` is ~11x slower on wasm.
 * - `Conv2DBackpropInput` (wasm's built-in is slow): a stride-1 convolution of dy, dilated by the
 *   stride with zeros and padded, with the kernel flipped and its in/out channels swapped.
 *
 * - `BatchMatMul` with `transposeA` or `transposeB` (every dense layer's backward pass): wasm's strided
 *   path was about 3.5x slower than transposing explicitly and multiplying at the shape measured
 *   ([32, 7182]^T x [32, 27]: 8.3 ms vs 2.4 ms), so the transposes are made explicit and the backend's own
 *   kernel multiplies. Without transposes, a large weight matrix multiplied for the first time by a few
 *   rows (a training step's forward pass: the weights are new at every step) is multiplied as
 *   (b^T a^T)^T, so that the backend packs the small operand instead ({@linkcode repackCostly}).
 *
 * They are checked against the pure-JS `cpu` backend in tests/model/wasm_kernels_test.ts (convolutions on
 * strides 1 and 2, same and valid padding, 1x1, 3x3, 1x7, 7x1 kernels; products with every transpose).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { convPadding } from "./wasm_kernels.ts";
 * // registerWasmGradientKernels() (idempotent) is called by startBackend("wasm"), after the backend is registered
 * assert.deepEqual(convPadding(299, 299, 3, 3, [2, 2], "valid"), { top: 0, bottom: 0, left: 0, right: 0, outH: 149, outW: 149 });
 * // "same" as TensorFlow pads: the odd pixel after
 * assert.deepEqual(convPadding(4, 4, 3, 3, [2, 2], "same"), { top: 0, bottom: 1, left: 0, right: 1, outH: 2, outW: 2 });
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The attributes of tfjs' convolution gradient kernels that these kernels read. */
export interface ConvAttrs {
  /** Stride, one for both axes or [height, width]. */
  strides: number | [number, number];
  /** "valid", "same", one explicit padding for every side, or explicit [before, after] per NHWC axis. */
  pad: "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]];
  /** Data layout: only "NHWC" (the default) or "channelsLast" is supported. */
  dataFormat?: string;
  /** Dilation, one for both axes or [height, width] (1: none). */
  dilations?: number | [number, number];
  /** The filter's [height, width, in channels, out channels] (filter gradient). */
  filterShape?: [number, number, number, number];
  /** The input's [batch, height, width, channels] (input gradient). */
  inputShape?: [number, number, number, number];
}

function pair(v: number | [number, number] | undefined, d = 1): [number, number] {
  return v === undefined ? [d, d] : typeof v === "number" ? [v, v] : v;
}

/** TensorFlow's padding for "same"/"valid" (or explicit), as [top, bottom, left, right]. */
export function convPadding(
  inH: number,
  inW: number,
  kH: number,
  kW: number,
  [sH, sW]: [number, number],
  pad: ConvAttrs["pad"],
): { top: number; bottom: number; left: number; right: number; outH: number; outW: number } {
  if (pad === "valid") {
    return {
      top: 0,
      bottom: 0,
      left: 0,
      right: 0,
      outH: Math.ceil((inH - kH + 1) / sH),
      outW: Math.ceil((inW - kW + 1) / sW),
    };
  }
  if (pad === "same") {
    const outH = Math.ceil(inH / sH), outW = Math.ceil(inW / sW);
    const padH = Math.max(0, (outH - 1) * sH + kH - inH), padW = Math.max(0, (outW - 1) * sW + kW - inW);
    const top = Math.floor(padH / 2), left = Math.floor(padW / 2);
    return { top, bottom: padH - top, left, right: padW - left, outH, outW };
  }
  if (typeof pad === "number") {
    return {
      top: pad,
      bottom: pad,
      left: pad,
      right: pad,
      outH: Math.floor((inH + 2 * pad - kH) / sH) + 1,
      outW: Math.floor((inW + 2 * pad - kW) / sW) + 1,
    };
  }
  const [[,], [t, b], [l, r]] = pad;
  return {
    top: t,
    bottom: b,
    left: l,
    right: r,
    outH: Math.floor((inH + t + b - kH) / sH) + 1,
    outW: Math.floor((inW + l + r - kW) / sW) + 1,
  };
}

function checkPlain(name: string, attrs: ConvAttrs) {
  const [dh, dw] = pair(attrs.dilations);
  if (dh !== 1 || dw !== 1) throw new Error(`Cannot run ${name} on wasm: expected dilation 1, found ${dh}x${dw}`);
  if (attrs.dataFormat && attrs.dataFormat !== "NHWC" && attrs.dataFormat !== "channelsLast") {
    throw new Error(`Cannot run ${name} on wasm: expected NHWC data, found ${attrs.dataFormat}`);
  }
}

/** dW of a 2-D convolution (NHWC), built from wasm's fast slice/reshape/transpose/matMul. */
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: ConvAttrs,
): tf.Tensor4D {
  checkPlain("Conv2DBackpropFilter", attrs);
  return tf.tidy(() => {
    const [kH, kW, cin, cout] = filterShape;
    const [sH, sW] = pair(attrs.strides);
    const [n, inH, inW] = x.shape;
    const p = convPadding(inH, inW, kH, kW, [sH, sW], attrs.pad);
    const [, outH, outW] = dy.shape;
    const xp = p.top || p.bottom || p.left || p.right
      ? tf.pad(x, [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]])
      : x;
    const dy2 = tf.reshape(dy, [n * outH * outW, cout]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++) {
        const win = tf.stridedSlice(xp, [0, i, j, 0], [n, i + (outH - 1) * sH + 1, j + (outW - 1) * sW + 1, cin], [
          1,
          sH,
          sW,
          1,
        ]);
        const xt = tf.transpose(tf.reshape(win, [n * outH * outW, cin]));
        taps.push(tf.matMul(xt, dy2));
      }
    }
    return tf.reshape(tf.stack(taps), [kH, kW, cin, cout]) as tf.Tensor4D;
  });
}

/** dX of a 2-D convolution (NHWC) as a stride-1 convolution of the zero-dilated dy. */
export function conv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  attrs: ConvAttrs,
): tf.Tensor4D {
  checkPlain("Conv2DBackpropInput", attrs);
  return tf.tidy(() => {
    const [kH, kW, cin, cout] = filter.shape;
    const [sH, sW] = pair(attrs.strides);
    const [n, inH, inW] = inputShape;
    const p = convPadding(inH, inW, kH, kW, [sH, sW], attrs.pad);
    const [, outH, outW] = dy.shape;
    let d: tf.Tensor4D = dy;
    if (sH > 1 || sW > 1) {
      // insert (s - 1) zeros between dy's rows and columns
      const z = tf.zeros([n, outH, sH - 1, outW, cout]);
      const rows = tf.reshape(tf.concat([tf.reshape(dy, [n, outH, 1, outW, cout]), z], 2), [n, outH * sH, outW, cout])
        .slice([0, 0, 0, 0], [n, (outH - 1) * sH + 1, outW, cout]);
      const zc = tf.zeros([n, (outH - 1) * sH + 1, outW, sW - 1, cout]);
      d = tf.reshape(tf.concat([tf.reshape(rows, [n, (outH - 1) * sH + 1, outW, 1, cout]), zc], 3), [
        n,
        (outH - 1) * sH + 1,
        outW * sW,
        cout,
      ])
        .slice([0, 0, 0, 0], [n, (outH - 1) * sH + 1, (outW - 1) * sW + 1, cout]) as tf.Tensor4D;
    }
    // full correlation with the flipped kernel: pad so that the output has the input's size
    const padTop = kH - 1 - p.top, padLeft = kW - 1 - p.left;
    const dH = d.shape[1], dW = d.shape[2];
    const padBottom = inH + kH - 1 - dH - padTop, padRight = inW + kW - 1 - dW - padLeft;
    const crop = (v: number) => Math.max(0, -v);
    let dp = tf.pad(d, [[0, 0], [Math.max(0, padTop), Math.max(0, padBottom)], [
      Math.max(0, padLeft),
      Math.max(0, padRight),
    ], [0, 0]]);
    if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
      dp = dp.slice([0, crop(padTop), crop(padLeft), 0], [
        n,
        dp.shape[1] - crop(padTop) - crop(padBottom),
        dp.shape[2] - crop(padLeft) - crop(padRight),
        cout,
      ]);
    }
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kH, kW, cout, cin]
    const out = tf.conv2d(dp as tf.Tensor4D, flipped, 1, "valid");
    if (out.shape[1] !== inH || out.shape[2] !== inW || out.shape[3] !== cin) {
      throw new Error(`Conv2DBackpropInput produced ${out.shape}, expected [${n},${inH},${inW},${cin}]`);
    }
    return out;
  });
}

/** The tensor with its last two axes swapped (a batch of matrices transposed). */
function swapLast(t: tf.Tensor): tf.Tensor {
  return tf.transpose(t, [...t.shape.keys()].map((i, _, all) => i < all.length - 2 ? i : 2 * all.length - 3 - i));
}

/** The right-hand operands multiplied so far (by data id): the backend keeps their packed form. */
const packedOnce = new WeakSet<object>();

/**
 * Whether multiplying by `b` would pack it for this one product only: XNNPACK packs the right-hand
 * operand and wasm caches the packing by the operand's data, which pays when the same weights multiply
 * many batches (inference), but a trained weight is new at every step and packing it each time cost
 * more than the product ([32, 7200] x [7200, 256]: 21 ms against 4.4 ms with the packing cached). So a
 * large b (>= 2^18 values) seen for the first time against a few rows of a smaller a (<= 64 rows) is
 * multiplied the other way round, and a b seen a second time takes the backend's path (and its cache) from
 * then on.
 */
export function repackCostly(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  if (packedOnce.has(b.dataId)) return false;
  packedOnce.add(b.dataId);
  const rows = a.shape[a.shape.length - 2], size = b.shape.reduce((x, y) => x * y, 1);
  // a must be the smaller operand: swapped, it becomes b, which must not be swapped back (endless otherwise)
  return rows <= 64 && size >= 1 << 18 && a.shape.reduce((x, y) => x * y, 1) < size;
}

const registered = new Set<string>();

/** Registers the kernels for the "wasm" backend (once). */
export function registerWasmGradientKernels(): void {
  registerGradientKernels("wasm");
}

/** Registers (once) this module's gradient kernels for `backendName`, replacing the backend's own. */
export function registerGradientKernels(backendName: string): void {
  if (registered.has(backendName)) return;
  registered.add(backendName);
  for (const name of ["Conv2DBackpropFilter", "Conv2DBackpropInput"]) {
    if (tf.getKernel(name, backendName)) tf.unregisterKernel(name, backendName);
  }
  const matMul = tf.getKernel("BatchMatMul", backendName);
  if (matMul) {
    tf.unregisterKernel("BatchMatMul", backendName);
    tf.registerKernel({
      ...matMul,
      kernelFunc: (args) => {
        const { a, b } = args.inputs as { a: tf.Tensor; b: tf.Tensor };
        const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
        if (!attrs.transposeA && !attrs.transposeB) {
          if (!repackCostly(a, b)) return matMul.kernelFunc(args);
          // (b^T a^T)^T: the small a^T is packed instead of the large b (see the module's doc)
          return tf.tidy(() => swapLast(tf.matMul(swapLast(b), swapLast(a)))) as unknown as tf.TensorInfo;
        }
        const at = attrs.transposeA ? swapLast(a) : a, bt = attrs.transposeB ? swapLast(b) : b;
        try {
          return matMul.kernelFunc({
            ...args,
            inputs: { ...args.inputs, a: at, b: bt },
            attrs: { ...args.attrs, transposeA: false, transposeB: false },
          });
        } finally {
          if (at !== a) at.dispose();
          if (bt !== b) bt.dispose();
        }
      },
    });
  }
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const a = attrs as unknown as ConvAttrs;
      const out = conv2dBackpropFilter(x, dy, a.filterShape!, a);
      return out as unknown as tf.TensorInfo;
    },
  });
  tf.registerKernel({
    kernelName: "Conv2DBackpropInput",
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
      const a = attrs as unknown as ConvAttrs;
      return conv2dBackpropInput(dy, filter, a.inputShape!, a) as unknown as tf.TensorInfo;
    },
  });
}
