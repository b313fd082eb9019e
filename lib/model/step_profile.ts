/**
 * Profiling a training step kernel by kernel and transfer by transfer (issue 15), on any tfjs
 * backend, with most detail on webgpu:
 *
 * - `watchTransfers` wraps the backend's read methods (`read`, `readSync`) and, on webgpu, its
 *   upload, program-launch and queue-submit methods, and counts: reads of tensor data (on webgpu the
 *   device-to-host reads that moved data: one answered from the host copy is not counted) and their
 *   bytes; uploads
 *   of host-made tensors and their bytes, by the kernel that needed them and the shape; kernel
 *   launches by program, with the host time spent encoding them and the fewest threads one launch
 *   used (a kernel with few threads leaves a large GPU idle); shaders compiled.
 * - `profileStep` runs a step twice: once watched (the counts, the wall time, tensors and bytes
 *   left over), once under `tf.profile` for each kernel's time (on webgpu from the adapter's
 *   timestamp queries, when it has them: each kernel then runs in its own pass, so this run is
 *   slower than the watched one), and returns a `StepProfile`.
 * - `formatStepProfile` writes it as Markdown (top kernels by time, readbacks, bytes moved).
 *
 * The wrappers replace methods of the backend object and put them back in `stop()`; they rely on
 * tfjs-backend-webgpu 4.22's `WebGPUBackend` internals (pinned in deno.json).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { watchTransfers } from "./step_profile.ts";
 * await tf.setBackend("cpu");
 * const watch = watchTransfers();
 * const x = tf.tensor1d([1, 2, 3]);
 * await tf.square(x).data();
 * const counts = watch.stop();
 * assert.equal(counts.readbacks, 1);
 * assert.equal(counts.readbackBytes, 12);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

interface TensorData {
  values: ArrayLike<number> | null;
  resource: unknown;
  shape: number[];
  dtype: string;
}

interface ProgramLike {
  constructor: { name: string };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
}

/** The members of tfjs backends (webgpu 4.22 for the last five) that the watcher wraps or reads. */
interface BackendInternals {
  read?: (dataId: tf.DataId) => Promise<unknown>;
  readSync?: (dataId: tf.DataId) => unknown;
  write?: (values: unknown, shape: number[], dtype: string) => tf.DataId;
  tensorMap?: { get(dataId: tf.DataId): TensorData | undefined };
  uploadToGPU?: (dataId: tf.DataId) => void;
  runWebGPUProgram?: (program: ProgramLike, ...rest: unknown[]) => unknown;
  submitQueue?: () => void;
  pipelineCache?: Record<string, unknown>;
}

/** Launch statistics of one program (webgpu). */
export interface ProgramStats {
  /** Launches of the program. */
  launches: number;
  /** Host milliseconds spent in the backend's launch call, queue submits excluded. */
  encodeMs: number;
  /** Fewest threads (invocations) of one launch. */
  minThreads: number;
}

/** What {@linkcode watchTransfers} counted: reads, uploads, launches, submits, compilations. */
export interface TransferCounts {
  /** Reads of tensor data (on webgpu: device-to-host reads that moved data). */
  readbacks: number;
  /** Bytes of those reads. */
  readbackBytes: number;
  /** Of which synchronous (`dataSync`, `arraySync`): impossible on webgpu under Deno. */
  syncReadbacks: number;
  /**
   * Tensors made on the host while watching: `tf.tensor`, `tf.scalar` and, on webgpu, kernels run on the
   * CPU because their inputs were small and on the host (tfjs' "CPU forward").
   */
  hostTensors: number;
  /** Host-made tensors uploaded to the device (webgpu). */
  uploads: number;
  /** Bytes of those uploads. */
  uploadBytes: number;
  /** Uploads by "program that needed it [shape]", largest total first. */
  uploadsBy: { what: string; count: number; bytes: number }[];
  /** Kernel launches (webgpu programs). */
  launches: number;
  /** Queue submissions (webgpu). */
  submits: number;
  /** Host milliseconds spent submitting (webgpu; on a software adapter this includes running the work). */
  submitMs: number;
  /** Shaders compiled (new pipelines) while watching. */
  shadersCompiled: number;
  /** Launch statistics by program name (webgpu). */
  programs: Record<string, ProgramStats>;
}

/** A running watch of the current backend's transfers (from {@linkcode watchTransfers}). */
export interface TransferWatch {
  /** The counts so far (the wrappers stay in place). */
  counts(): TransferCounts;
  /** Puts the backend's methods back and returns the counts. */
  stop(): TransferCounts;
}

/** Counts the current backend's transfers and launches until `stop()` (see the module comment). */
export function watchTransfers(): TransferWatch {
  const be = tf.backend() as unknown as BackendInternals;
  const saved: [keyof BackendInternals, unknown][] = [];
  const wrap = <K extends keyof BackendInternals>(
    key: K,
    make: (orig: NonNullable<BackendInternals[K]>) => unknown,
  ) => {
    const orig = be[key];
    if (typeof orig !== "function") return;
    saved.push([key, Object.prototype.hasOwnProperty.call(be, key) ? orig : undefined]);
    (be as Record<string, unknown>)[key] = make((orig as (...a: unknown[]) => unknown).bind(be) as never);
  };
  const c: TransferCounts = {
    readbacks: 0,
    readbackBytes: 0,
    syncReadbacks: 0,
    hostTensors: 0,
    uploads: 0,
    uploadBytes: 0,
    uploadsBy: [],
    launches: 0,
    submits: 0,
    submitMs: 0,
    shadersCompiled: 0,
    programs: {},
  };
  const uploads = new Map<string, { count: number; bytes: number }>();
  const pipelines0 = be.pipelineCache ? Object.keys(be.pipelineCache).length : 0;
  let currentProgram = "outside a kernel";
  let submitMsInLaunch = 0;
  const dataOf = (id: tf.DataId) => be.tensorMap?.get(id);
  const engineState = (tf.engine() as unknown as { state: { tensorInfo: WeakMap<tf.DataId, { bytes: number }> } })
    .state;
  const countRead = (id: tf.DataId, sync: boolean) => {
    // on webgpu a read answered from the host copy of the values moves nothing
    if (dataOf(id)?.values != null) return;
    c.readbacks++;
    if (sync) c.syncReadbacks++;
    c.readbackBytes += engineState.tensorInfo.get(id)?.bytes ?? 0;
  };
  let reading = 0; // a backend's read may call its own readSync: count the outer call only
  wrap("read", (orig) => (id: tf.DataId) => {
    if (!reading) countRead(id, false);
    reading++; // only while the read's synchronous part runs: concurrent reads are all counted
    try {
      return orig(id);
    } finally {
      reading--;
    }
  });
  wrap("readSync", (orig) => (id: tf.DataId) => {
    if (!reading) countRead(id, true);
    reading++;
    try {
      return orig(id);
    } finally {
      reading--;
    }
  });
  wrap("write", (orig) => (values: unknown, shape: number[], dtype: string) => {
    if (values != null) c.hostTensors++;
    return orig(values, shape, dtype);
  });
  wrap("uploadToGPU", (orig) => (id: tf.DataId) => {
    const d = dataOf(id);
    if (d && d.resource == null && d.values != null) {
      const key = `${currentProgram} [${d.shape.join(",")}]`;
      const e = uploads.get(key) ?? { count: 0, bytes: 0 };
      e.count++;
      e.bytes += 4 * d.values.length;
      uploads.set(key, e);
      c.uploads++;
      c.uploadBytes += 4 * d.values.length;
    }
    return orig(id);
  });
  wrap("runWebGPUProgram", (orig) => (program: ProgramLike, ...rest: unknown[]) => {
    const name = program.constructor.name;
    const before = currentProgram;
    currentProgram = name;
    submitMsInLaunch = 0;
    const t = performance.now();
    const out = orig(program, ...rest);
    const ms = performance.now() - t - submitMsInLaunch;
    currentProgram = before;
    const threads = program.dispatch.reduce((a, b) => a * b, 1) * program.workgroupSize.reduce((a, b) => a * b, 1);
    const p = c.programs[name] ?? (c.programs[name] = { launches: 0, encodeMs: 0, minThreads: Infinity });
    p.launches++;
    p.encodeMs += ms;
    p.minThreads = Math.min(p.minThreads, threads);
    c.launches++;
    return out;
  });
  wrap("submitQueue", (orig) => () => {
    const t = performance.now();
    orig();
    const ms = performance.now() - t;
    submitMsInLaunch += ms;
    c.submitMs += ms;
    c.submits++;
  });
  const counts = (): TransferCounts => ({
    ...c,
    uploadsBy: [...uploads].map(([what, e]) => ({ what, ...e })).sort((a, b) => b.bytes - a.bytes),
    shadersCompiled: be.pipelineCache ? Object.keys(be.pipelineCache).length - pipelines0 : 0,
    programs: structuredClone(c.programs),
  });
  return {
    counts,
    stop() {
      const out = counts();
      for (const [key, orig] of saved.reverse()) {
        if (orig === undefined) delete (be as Record<string, unknown>)[key];
        else (be as Record<string, unknown>)[key] = orig;
      }
      saved.length = 0;
      return out;
    },
  };
}

/** One kernel of `tf.profile`, summed over its launches in the step. */
export interface KernelTime {
  /** The kernel's name (e.g. "Conv2D"). */
  name: string;
  /** Launches in the step. */
  count: number;
  /** Device milliseconds (0 where the backend cannot time kernels). */
  ms: number;
}

/** One training step's profile (from {@linkcode profileStep}). */
export interface StepProfile {
  /** The tfjs backend the step ran on. */
  backend: string;
  /** Wall milliseconds of the watched run of the step (no profiling). */
  wallMs: number;
  /** Transfers and launches of the watched run. */
  transfers: TransferCounts;
  /** Tensors and bytes the step left behind (tf.memory() after minus before). */
  leakedTensors: number;
  /** Bytes of those tensors. */
  leakedBytes: number;
  /** Kernels by device time, from the profiled run. */
  kernels: KernelTime[];
  /** Sum of the kernels' device milliseconds. */
  kernelMs: number;
  /** Wall milliseconds of the profiled run. */
  profiledWallMs: number;
  /** Whether the kernel times are measured (webgpu with timestamp queries, or a CPU backend). */
  timed: boolean;
}

/**
 * Waits for the work queued on the current backend's device: reads back one value made by a kernel
 * on the device (tfjs' webgpu `Fill` always runs there; a small op on host-made tensors such as
 * `tf.add(tf.scalar(0), tf.scalar(0))` would run on the CPU instead and wait for nothing). Leaves no
 * tensor behind.
 */
export async function flushDevice(): Promise<void> {
  const t = tf.fill([1], 0);
  try {
    await t.data();
  } finally {
    t.dispose();
  }
}

/**
 * Profiles one training step (`step` must do the whole step and dispose what it makes, as the
 * trainer does; it is run twice). Run it after a warm-up step, so shader compilation is not counted.
 */
export async function profileStep(step: () => void | Promise<void>): Promise<StepProfile> {
  await flushDevice();
  const m0 = tf.memory();
  const watch = watchTransfers();
  const t0 = performance.now();
  await step();
  const transfers = watch.counts();
  await flushDevice();
  const wallMs = performance.now() - t0;
  watch.stop();
  const m1 = tf.memory();
  const t1 = performance.now();
  const info = await tf.profile(async () => {
    await step();
  });
  await flushDevice();
  const profiledWallMs = performance.now() - t1;
  const byName = new Map<string, KernelTime>();
  for (const k of info.kernels) {
    const raw = await (k.kernelTimeMs as unknown as Promise<number | { error: string }>);
    const ms = typeof raw === "number" ? raw : 0;
    const e = byName.get(k.name) ?? { name: k.name, count: 0, ms: 0 };
    e.count++;
    e.ms += ms;
    byName.set(k.name, e);
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms || b.count - a.count);
  const kernelMs = kernels.reduce((s, k) => s + k.ms, 0);
  const be = tf.backend() as unknown as { supportTimestampQuery?: boolean };
  return {
    backend: tf.getBackend(),
    wallMs,
    transfers,
    leakedTensors: m1.numTensors - m0.numTensors,
    leakedBytes: m1.numBytes - m0.numBytes,
    kernels,
    kernelMs,
    profiledWallMs,
    timed: tf.getBackend() !== "webgpu" || be.supportTimestampQuery === true,
  };
}

const mb = (b: number) => (b / 1e6).toFixed(b < 1e5 ? 3 : 1);

/** A Markdown report of a step profile: the totals, then the `top` kernels, programs and uploads. */
export function formatStepProfile(p: StepProfile, top = 12): string {
  const t = p.transfers;
  const lines = [
    `| per step | value |`,
    `|---|---|`,
    `| wall time (unprofiled) | ${p.wallMs.toFixed(0)} ms |`,
    `| device kernel time (profiled run${p.timed ? "" : ": not timed on this adapter"}) | ${
      p.kernelMs.toFixed(0)
    } ms of ${p.profiledWallMs.toFixed(0)} ms wall |`,
    `| readbacks device -> host | ${t.readbacks} (${mb(t.readbackBytes)} MB; ${t.syncReadbacks} synchronous) |`,
    `| tensors made on the host (incl. kernels run on the CPU) | ${t.hostTensors} |`,
    `| uploads host -> device of host-made tensors | ${t.uploads} (${mb(t.uploadBytes)} MB) |`,
    `| kernel launches | ${t.launches} |`,
    `| queue submits | ${t.submits} (${t.submitMs.toFixed(0)} ms on the host) |`,
    `| host time encoding launches | ${Object.values(t.programs).reduce((s, q) => s + q.encodeMs, 0).toFixed(0)} ms |`,
    `| shaders compiled | ${t.shadersCompiled} |`,
    `| tensors / bytes left over | ${p.leakedTensors} / ${p.leakedBytes} |`,
    "",
    `| kernel (tf.profile) | calls | device ms | share |`,
    `|---|---|---|---|`,
    ...p.kernels.slice(0, top).map((k) =>
      `| ${k.name} | ${k.count} | ${k.ms.toFixed(1)} | ${
        p.kernelMs > 0 ? ((100 * k.ms) / p.kernelMs).toFixed(1) : "-"
      }% |`
    ),
  ];
  const programs = Object.entries(t.programs).sort((a, b) => b[1].launches - a[1].launches);
  if (programs.length) {
    lines.push(
      "",
      `| program (webgpu) | launches | host encode ms | fewest threads in a launch |`,
      `|---|---|---|---|`,
      ...programs.slice(0, top).map(([name, q]) =>
        `| ${name} | ${q.launches} | ${q.encodeMs.toFixed(1)} | ${q.minThreads} |`
      ),
    );
  }
  if (t.uploadsBy.length) {
    lines.push(
      "",
      `| uploads (needed by [shape]) | count | MB |`,
      `|---|---|---|`,
      ...t.uploadsBy.slice(0, top).map((u) => `| ${u.what} | ${u.count} | ${mb(u.bytes)} |`),
    );
  }
  return lines.join("\n");
}
