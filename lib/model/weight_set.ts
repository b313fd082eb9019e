/**
 * The types of a set of backbone weights, shared by every source (weights.ts) and file format
 * (keras_h5.ts) without either importing the other.
 *
 * @module
 */

/** The pixel preprocessing a weight set expects: x/255 (nsfwjs) or x/127.5 - 1 (Keras "tf" mode). */
export type Preprocessing = "x/255" | "x/127.5-1";

/** One weight tensor as a plain array: its shape and its float32 values in row-major order. */
export interface WeightArray {
  /** The tensor's shape, e.g. [3, 3, 3, 32] for a 3x3 convolution kernel from 3 to 32 channels. */
  shape: number[];
  /** The values, row-major; length is the product of `shape`. */
  data: Float32Array;
}

/** Named weights ("layer/weight" -> array) with their provenance and the preprocessing they expect. */
export interface WeightSet {
  /** Short id, e.g. "nsfwjs-inception_v3" or "keras-imagenet-notop". */
  id: string;
  /** One line saying where the weights come from. */
  description: string;
  /** sha256 of the source file(s). */
  fingerprint: string;
  /** The pixel preprocessing the weights were trained with. */
  preprocessing: Preprocessing;
  /** "layer/weight" (e.g. "conv2d_1/kernel") -> array. */
  weights: Map<string, WeightArray>;
}
