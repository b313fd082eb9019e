/// <reference lib="deno.worker" />
/**
 * Worker that renders and writes the images of a slice of synthetic cases (see generate.ts).
 * Messages in: {@linkcode RenderJob}; out: `{ done: n }` per case, then `{ finished: true }` or
 * `{ error: message }`.
 */
import { RenderJob, renderSyntheticImages } from "./generate.ts";

self.onmessage = async (e: MessageEvent<RenderJob>) => {
  try {
    await renderSyntheticImages(e.data, () => self.postMessage({ done: 1 }));
    self.postMessage({ finished: true });
  } catch (err) {
    self.postMessage({ error: (err as Error).message ?? String(err), stack: (err as Error).stack });
  }
};
