/**
 * The training step's optimizer and loss bookkeeping, kept on the device:
 *
 * - `SgdMomentum`: SGD with momentum, Keras semantics (velocity v' = momentum v - lr g, weight
 *   w' = w + v' - lr weightDecay w, learning rate lr_t = lr / (1 + decay t)). On webgpu each variable
 *   is updated by two fused kernels with the learning rate as a kernel parameter
 *   (lib/model/webgpu_kernels.ts), instead of four element-wise kernels and two uploaded scalars;
 *   on wasm by one pass over the heap (lib/model/wasm_sgd.ts), which also adds the L2 penalty's
 *   gradient and sums the squares for the penalty; elsewhere by tfjs ops. Velocities are read back
 *   only for checkpoints.
 * - `LossMeter`: sums the step losses on the device; the host reads the sum only when asked (every
 *   N steps, or at the end of an epoch), so a step does no GPU-to-CPU readback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { LossMeter, SgdMomentum } from "./sgd.ts";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.tensor1d([1, 2]));
 * const sgd = new SgdMomentum({ learningRate: 0.5, momentum: 0.9, lrDecay: 0, weightDecay: 0 });
 * sgd.apply([w], { [w.name]: tf.tensor1d([1, -1]) }, 0);
 * assert.deepEqual(Array.from(await w.data()), [0.5, 2.5]);
 * sgd.apply([w], { [w.name]: tf.tensor1d([0, 0]) }, 1); // momentum alone: v = 0.9 * v
 * assert.deepEqual(Array.from(await w.data()).map((v) => Math.round(v * 100) / 100), [0.05, 2.95]);
 * const meter = new LossMeter();
 * meter.add(tf.scalar(1.5));
 * meter.add(tf.scalar(0.5));
 * assert.deepEqual(await meter.read(), { sum: 2, count: 2 });
 * sgd.dispose();
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { OptimizerConfig } from "./config.ts";

const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number>) =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

/** Whether the fused update kernels can run now (webgpu with lib/model/webgpu_kernels.ts registered). */
function fusedAvailable(): boolean {
  return tf.getBackend() === "webgpu" && tf.getKernel("SgdMomentumVelocity", "webgpu") !== undefined;
}

/** SGD with momentum and Keras' learning-rate decay; velocities live on the device, one per variable name. */
export class SgdMomentum {
  /** The optimizer's settings. */
  readonly config: OptimizerConfig;
  #velocity = new Map<string, tf.Tensor>();

  /** An optimizer with zero velocities. */
  constructor(config: OptimizerConfig) {
    this.config = config;
  }

  /** Keras' decayed learning rate at global step `step`: lr / (1 + decay * step). */
  learningRate(step: number): number {
    return this.config.learningRate / (1 + this.config.lrDecay * step);
  }

  /**
   * Updates every variable of `vars` that has a gradient in `grads` (keyed by variable name), in place,
   * adding the gradient of the L2 penalty `l2.strength * sum(w^2)` for the variables named in `l2.names`.
   * Gives that penalty at the weights before the update (a scalar on the device; null without L2), for
   * the step's loss. Does not dispose the gradients.
   */
  apply(
    vars: readonly tf.Variable[],
    grads: tf.NamedTensorMap,
    step: number,
    l2?: { strength: number; names: ReadonlySet<string> },
  ): tf.Tensor | null {
    const lr = this.learningRate(step);
    const { momentum, weightDecay } = this.config;
    const fused = fusedAvailable();
    const onWasm = !fused && tf.getBackend() === "wasm" && tf.getKernel("SgdMomentumStep", "wasm") !== undefined;
    const strength = l2?.strength ?? 0;
    return tf.tidy(() => {
      const squares: tf.Tensor[] = [];
      for (const v of vars) {
        let g = grads[v.name];
        if (!g) continue;
        const prev = this.#velocity.get(v.name);
        const l2v = strength > 0 && l2!.names.has(v.name) ? strength : 0;
        let next: tf.Tensor;
        if (onWasm) {
          // one pass over the heap: penalty gradient, velocity, weight and sum of squares
          const attrs = { momentum, lr, decay: lr * weightDecay, l2: l2v };
          const [w, vel, sq] = tf.engine().runKernel(
            "SgdMomentumStep",
            (prev ? { w: v, g, v: prev } : { w: v, g }) as unknown as tf.NamedTensorMap,
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
          v.assign(w);
          next = vel;
          if (l2v) squares.push(sq);
        } else {
          if (l2v) {
            squares.push(tf.sum(tf.square(v)));
            g = tf.add(g, tf.mul(2 * l2v, v));
          }
          if (fused) {
            // no velocity yet: momentum 0 times any tensor (g) gives -lr g
            next = run("SgdMomentumVelocity", { v: prev ?? g, g }, { momentum: prev ? momentum : 0, lr });
            v.assign(run("SgdMomentumApply", { w: v, v: next }, { decay: lr * weightDecay }));
          } else {
            next = prev ? tf.sub(tf.mul(momentum, prev), tf.mul(lr, g)) : tf.mul(-lr, g);
            if (weightDecay > 0) v.assign(tf.add(v, tf.sub(next, tf.mul(lr * weightDecay, v))));
            else v.assign(tf.add(v, next));
          }
        }
        prev?.dispose();
        this.#velocity.set(v.name, tf.keep(next));
      }
      return squares.length ? tf.mul(strength, squares.length === 1 ? squares[0] : tf.addN(squares)) : undefined;
    }) as tf.Tensor | undefined ?? null;
  }

  /** Sets a variable's velocity (resuming from a checkpoint). */
  setVelocity(name: string, values: Float32Array, shape: number[]): void {
    this.#velocity.get(name)?.dispose();
    this.#velocity.set(name, tf.tensor(values, shape));
  }

  /** Reads a variable's velocity back (zeros before its first update): for checkpoints. */
  async readVelocity(name: string, shape: readonly number[]): Promise<Float32Array> {
    const v = this.#velocity.get(name);
    return v ? Float32Array.from(await v.data() as Float32Array) : new Float32Array(shape.reduce((a, b) => a * b, 1));
  }

  /** Frees the velocities (the optimizer starts again from zero velocities). */
  dispose(): void {
    for (const v of this.#velocity.values()) v.dispose();
    this.#velocity.clear();
  }
}

/** A running sum of scalar losses kept on the device; `read` is the only transfer to the host. */
export class LossMeter {
  #sum: tf.Tensor | null = null;
  #zero: tf.Tensor | null = null;
  #count = 0;

  /** Adds a scalar loss (the meter keeps its own reference; the caller may dispose `loss`). */
  add(loss: tf.Tensor): void {
    // every add is the same kernel, from the first step on (a zero made on the device, once: no upload)
    this.#zero ??= tf.keep(tf.fill([], 0));
    const next = tf.add(this.#sum ?? this.#zero, loss);
    this.#sum?.dispose();
    this.#sum = tf.keep(next);
    this.#count++;
  }

  /** Steps added since the last read. */
  get pending(): number {
    return this.#count;
  }

  /** Reads the sum and the number of losses added since the last read, and starts over. */
  async read(): Promise<{ sum: number; count: number }> {
    const out = { sum: this.#sum ? (await this.#sum.data())[0] : 0, count: this.#count };
    this.#sum?.dispose();
    this.#sum = null;
    this.#count = 0;
    return out;
  }

  /** Frees the device sum and forgets the pending losses. */
  dispose(): void {
    this.#sum?.dispose();
    this.#zero?.dispose();
    this.#sum = this.#zero = null;
    this.#count = 0;
  }
}
