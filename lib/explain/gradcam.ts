/**
 * Grad-CAM (Selvaraju et al. 2017) for any head and class of a trained run, on each image input.
 *
 * For a class score y (the head's logit), Grad-CAM weighs the K activation maps A of a convolutional
 * layer by the spatial mean of dy/dA and keeps the positive part: M = ReLU(sum_k alpha_k A_k),
 * alpha_k = mean_ij dy/dA_ijk. The explained layer is the run's deepest feature layer (mixed10 in both
 * presets): its only path to the heads is its global average pool p_k = mean_ij A_ijk, so
 * dy/dA_ijk = (dy/dv_k) t'(p_k) / (sd_k h w) exactly, where v is the (standardised) head input, sd its
 * standardisation and t the run's feature transform (t(p) = sqrt(p), t'(p) = 1 / (2 sqrt(p)), or the
 * identity). The gradient dy/dv is taken by automatic differentiation through the heads on
 * the current backend, and A by the run's own backbone, so the map is the exact Grad-CAM of the
 * multi-input model (here Grad-CAM and CAM, Zhou et al. 2016, coincide, the heads being nonlinear
 * only through their hidden layer). Deterministic: no sampling.
 *
 * With several feature layers, the shallower ones also feed the deeper one inside the backbone,
 * so only the deepest layer is explained.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { gradCam } from "./gradcam.ts";
 * const cam = await gradCam(ex, { clinical, derm, metadata }, { head: "diagnosis" }); // predicted class
 * const map = cam.maps.derm!;
 * assert.equal(map.values.length, map.height * map.width); // row-major
 * assert.ok(map.values.every((x) => x >= 0));
 * ```
 * (Not run: it needs a trained run, `ex` from `explainable`, and the case's decoded images.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { HeadName, HEADS } from "../data/vocabulary.ts";
import { CaseInputs, Explainable, HeadInput, headInputOf, headLogits, ImageInput } from "./decompose.ts";

/** One image's map at the explained layer. */
export interface CamMap {
  /** The image input it explains. */
  image: ImageInput;
  /** The explained layer (the run's deepest feature layer). */
  layer: string;
  /** Rows of the map (the layer's spatial height). */
  height: number;
  /** Columns of the map. */
  width: number;
  /** ReLU(sum_k alpha_k A_k), row-major h*w. */
  values: Float32Array;
  /** The same before the ReLU (negative: evidence against the class). */
  signed: Float32Array;
}

/** Grad-CAM of one head and class for one case: a map per image input. */
export interface GradCamResult {
  /** The head explained. */
  head: HeadName;
  /** The class explained. */
  classIndex: number;
  /** Its code, e.g. "MEL". */
  className: string;
  /** The head's logit and probability of the class for this case. */
  logit: number;
  /** The head's probability of the class for this case. */
  probability: number;
  /** One map per image input of the run. */
  maps: Partial<Record<ImageInput, CamMap>>;
}

/** Options of {@linkcode gradCam}. */
export interface GradCamOptions {
  /** The head to explain. */
  head: HeadName;
  /** Class to explain (default: the predicted one). */
  classIndex?: number;
  /**
   * The score explained: the class logit (default, as Selvaraju et al.) or its log-probability,
   * which also counts evidence for the other classes as evidence against this one.
   */
  target?: "logit" | "log-probability";
}

/** Gradient of one head's class logit (or log-probability) with respect to the head input, at `v`. */
export function logitGradient(
  ex: Explainable,
  head: HeadName,
  classIndex: number,
  v: Float32Array,
  target: GradCamOptions["target"] = "logit",
): { gradient: Float32Array; logit: number; probability: number } {
  return tf.tidy(() => {
    const x = tf.tensor2d(v, [1, v.length]);
    const f = (t: tf.Tensor) => {
      const z = headLogits(ex, head, t as tf.Tensor2D);
      return (target === "log-probability" ? tf.logSoftmax(z) : z).slice([0, classIndex], [1, 1]).sum();
    };
    const gradient = tf.grad(f)(x).dataSync() as Float32Array;
    const logits = headLogits(ex, head, x);
    const probability = tf.softmax(logits).dataSync()[classIndex];
    return { gradient: Float32Array.from(gradient), logit: logits.dataSync()[classIndex], probability };
  });
}

/**
 * Grad-CAM maps of one case for one head and class, on every image input of the run.
 * @throws {RangeError} when the class index is outside the head's classes.
 */
export async function gradCam(ex: Explainable, input: CaseInputs, options: GradCamOptions): Promise<GradCamResult> {
  const head = await headInputOf(ex, input);
  try {
    return gradCamAt(ex, head, options);
  } finally {
    for (const m of Object.values(head.maps)) tf.dispose(m);
  }
}

/**
 * The same from a case's head input and activation maps (`headInputOf`), so that several heads or
 * classes are explained with one backbone pass. The maps are not disposed.
 */
export function gradCamAt(
  ex: Explainable,
  head: HeadInput,
  options: GradCamOptions,
): GradCamResult {
  const codes = HEADS[options.head]?.codes;
  if (!codes || !ex.headNames.includes(options.head)) {
    throw new Error(`Cannot explain head "${options.head}": the run's heads are ${ex.headNames.join(", ")}`);
  }
  const { vector, maps, pooled } = head;
  const transform = ex.run.config.model.head.transform;
  let classIndex = options.classIndex;
  if (classIndex === undefined) {
    const p = tf.tidy(() =>
      tf.softmax(headLogits(ex, options.head, tf.tensor2d(vector, [1, vector.length]))).dataSync()
    );
    classIndex = p.indexOf(Math.max(...p));
  }
  if (!(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < codes.length)) {
    throw new RangeError(
      `Cannot explain head "${options.head}": expected a class index in 0..${codes.length - 1}, found ${classIndex}`,
    );
  }
  const g = logitGradient(ex, options.head, classIndex, vector, options.target);
  const layerIndex = ex.layers.indexOf(ex.camLayer);
  const out: GradCamResult["maps"] = {};
  for (const block of ex.blocks) {
    if (block.name === "metadata") continue;
    const offset = block.start + block.layers!.slice(0, layerIndex).reduce((s, l) => s + l.channels, 0);
    const a = maps[block.name]![layerIndex];
    const [, h, w, k] = a.shape;
    const alpha = new Float32Array(k);
    const pools = pooled[block.name]!.subarray(offset - block.start, offset - block.start + k);
    for (let c = 0; c < k; c++) {
      // chain rule through the run's feature transform: d sqrt(p)/dp = 1 / (2 sqrt(p)); a channel whose pool
      // is 0 is 0 everywhere (ReLU maps), so its weight does not matter
      const dTransform = transform === "sqrt" ? (pools[c] > 0 ? 0.5 / Math.sqrt(pools[c]) : 0) : 1;
      alpha[c] = (g.gradient[offset + c] * dTransform) / ((ex.norm ? ex.norm.sd[offset + c] : 1) * h * w);
    }
    const signed = tf.tidy(() =>
      tf.matMul(a.reshape([h * w, k]), tf.tensor2d(alpha, [k, 1])).dataSync() as Float32Array
    );
    out[block.name] = {
      image: block.name,
      layer: ex.camLayer,
      height: h,
      width: w,
      signed: Float32Array.from(signed),
      values: signed.map((x) => Math.max(x, 0)),
    };
  }
  return {
    head: options.head,
    classIndex,
    className: codes[classIndex],
    logit: g.logit,
    probability: g.probability,
    maps: out,
  };
}
