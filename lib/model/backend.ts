/**
 * Choosing and starting the tfjs backend.
 *
 * - `wasm` (CPU default): XNNPACK with SIMD, one thread under Deno; the gradient kernels it lacks
 *   are registered (wasm_kernels.ts), and its matrix products go to the system's OpenBLAS when it
 *   loads (blas.ts, wasm_blas_kernels.ts; `DERM7PT_NO_BLAS=1` keeps them on wasm).
 * - `webgpu`: Deno's `navigator.gpu`. On a machine with a GPU and its Vulkan driver this is the fast
 *   path; here it runs on a software adapter (llvmpipe/lavapipe), slower than wasm, which lets CI
 *   exercise the GPU code. This project's training kernels are registered (webgpu_kernels.ts).
 * - `cpu`: tfjs' pure-JS backend, for tiny tests.
 * - `tensorflow`: `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` when the user has
 *   installed one (loaded only on request). They cannot be installed in this project's environment:
 *   their install script downloads libtensorflow, which the network does not allow.
 * - `auto`: webgpu on a hardware adapter, else wasm. The choice is printed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { currentBackend, startBackend } from "./backend.ts";
 * const info = await startBackend("cpu"); // "auto" picks webgpu or wasm and prints the choice
 * assert.equal(info.name, "cpu");
 * assert.equal(currentBackend(), info);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerWasmGradientKernels } from "./wasm_kernels.ts";
import { registerWasmSgdKernel } from "./wasm_sgd.ts";
import { blasUnavailableReason, loadBlas } from "./blas.ts";
import { registerWasmBlasKernels } from "./wasm_blas_kernels.ts";
import { registerWebGpuTrainingKernels } from "./webgpu_kernels.ts";

/** A tfjs backend to start; "auto" picks webgpu on a hardware adapter, else wasm. */
export type BackendName = "auto" | "wasm" | "webgpu" | "cpu" | "tensorflow";
/** Every backend name, "auto" first. */
export const BACKENDS: readonly BackendName[] = ["auto", "wasm", "webgpu", "cpu", "tensorflow"];

/** The backend started in this process. */
export interface BackendInfo {
  /** The backend's name. */
  name: Exclude<BackendName, "auto">;
  /** Human-readable detail (adapter, SIMD, threads). */
  detail: string;
  /** True when the adapter is a software (CPU) implementation of WebGPU. */
  softwareAdapter?: boolean;
}

/** The part of a WebGPU adapter that {@linkcode probeWebGpu} reads. */
export interface GpuAdapterLike {
  /** The adapter's self-description (any field may be missing). */
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  /** True for a fallback (software) adapter. */
  isFallbackAdapter?: boolean;
}

/**
 * Whether to switch off Mesa's Vulkan device-select layer before probing WebGPU. The layer
 * (`VK_LAYER_MESA_device_select`, an implicit layer that comes with Debian's mesa-vulkan-drivers)
 * asks the Wayland compositor which GPU it uses whenever a Vulkan instance enables the Wayland
 * surface extension, as wgpu (Deno's WebGPU) does; without a usable `XDG_RUNTIME_DIR`,
 * libwayland-client then prints "error: XDG_RUNTIME_DIR is invalid or not set in the environment."
 * (twice per probe), although nothing failed. With no runtime folder there is no compositor to ask,
 * so the layer's own switch `NODEVICE_SELECT=1` loses nothing; it is left alone when the user set
 * `NODEVICE_SELECT` or picked a device with `MESA_VK_DEVICE_SELECT`. Other output of the probe
 * (real errors) is not hidden.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsDeviceSelectSwitch } from "./backend.ts";
 * assert.equal(needsDeviceSelectSwitch({}), true);
 * assert.equal(needsDeviceSelectSwitch({ XDG_RUNTIME_DIR: "/run/user/1000" }), false);
 * assert.equal(needsDeviceSelectSwitch({ MESA_VK_DEVICE_SELECT: "10de:2335" }), false);
 * ```
 */
export function needsDeviceSelectSwitch(env: Readonly<Record<string, string | undefined>>): boolean {
  const runtime = env.XDG_RUNTIME_DIR ?? "";
  const socketNeedsRuntime = !(env.WAYLAND_DISPLAY ?? "").startsWith("/");
  return !runtime.startsWith("/") && socketNeedsRuntime && env.NODEVICE_SELECT === undefined &&
    env.MESA_VK_DEVICE_SELECT === undefined;
}

/** The WebGPU adapter Deno offers, or null (with the reason). */
export async function probeWebGpu(): Promise<
  { adapter: GpuAdapterLike | null; description: string; software: boolean }
> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { adapter: null, description: "navigator.gpu is not available", software: false };
  try {
    if (needsDeviceSelectSwitch(Deno.env.toObject())) Deno.env.set("NODEVICE_SELECT", "1");
  } catch { /* no --allow-env: the probe may print the layer's harmless line */ }
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { adapter: null, description: `requestAdapter failed: ${(e as Error).message}`, software: false };
  }
  if (!adapter) return { adapter: null, description: "no WebGPU adapter", software: false };
  const i = adapter.info ?? {};
  const description = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(" / ") ||
    "unnamed adapter";
  const software = Boolean(adapter.isFallbackAdapter) ||
    /llvmpipe|lavapipe|swiftshader|software|cpu/i.test(description);
  return { adapter, description, software };
}

let current: BackendInfo | null = null;

/** Starts (once per process) and returns the requested backend; "auto" picks and prints. */
export async function startBackend(
  requested: BackendName = "auto",
  options: { quiet?: boolean } = {},
): Promise<BackendInfo> {
  if (!BACKENDS.includes(requested)) {
    throw new RangeError(`Cannot start backend: expected one of ${BACKENDS.join(", ")}, found "${requested}"`);
  }
  if (current && (requested === "auto" || requested === current.name)) return current;
  let name: Exclude<BackendName, "auto"> = requested === "auto" ? "wasm" : requested;
  let detail = "";
  let software: boolean | undefined;
  if (requested === "auto" || requested === "webgpu") {
    const probe = await probeWebGpu();
    if (requested === "webgpu" && !probe.adapter) {
      throw new Error(`Cannot start the webgpu backend: ${probe.description}`);
    }
    if (probe.adapter && (requested === "webgpu" || !probe.software)) {
      name = "webgpu";
      detail = `WebGPU adapter: ${probe.description}${probe.software ? " (software)" : ""}`;
      software = probe.software;
    } else if (requested === "auto") {
      detail = probe.adapter ? `WebGPU adapter ${probe.description} is a software one; ` : `${probe.description}; `;
    }
  }
  if (name === "webgpu") {
    await import("@tensorflow/tfjs-backend-webgpu");
    await tf.setBackend("webgpu");
    registerWebGpuTrainingKernels();
  } else if (name === "wasm") {
    setWasmPaths(new URL("../../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url).href);
    await tf.setBackend("wasm");
    registerWasmGradientKernels();
    registerWasmSgdKernel();
    const blas = loadBlas();
    if (blas) registerWasmBlasKernels(blas);
    detail += `wasm (XNNPACK, SIMD ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "on" : "off"}, ${
      tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") ? "threads" : "one thread"
    }); matrix products: ${blas ? blas.name : `wasm (${blasUnavailableReason()})`}`;
  } else if (name === "cpu") {
    await tf.setBackend("cpu");
    detail = "tfjs pure-JS cpu backend (slow: tiny tests only)";
  } else {
    let loaded = false;
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      try {
        await import(`npm:${pkg}@4.22.0`);
        loaded = true;
        detail = `${pkg} (libtensorflow)`;
        break;
      } catch { /* try the next */ }
    }
    if (!loaded) {
      throw new Error(
        "Cannot start the tensorflow backend: expected @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node to be installed (their install downloads libtensorflow, impossible without network access to Google storage); use --backend wasm or webgpu",
      );
    }
    await tf.setBackend("tensorflow");
  }
  await tf.ready();
  current = { name, detail, ...(software !== undefined ? { softwareAdapter: software } : {}) };
  if (!options.quiet && requested === "auto") console.error(`backend: ${name} — ${detail}`);
  return current;
}

/** The backend started in this process, if any. */
export function currentBackend(): BackendInfo | null {
  return current;
}
