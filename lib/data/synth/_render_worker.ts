/// <reference lib="deno.worker" />
/**
 * Worker that renders and writes the images of a slice of synthetic cases (see generate.ts).
 * Messages in: {@linkcode RenderJob}; out: `{ done: 1 }` per case, then `{ finished: true }` or
 * `{ error: message }` (lib/util/worker.ts).
 *
 * @module
 */
import { serveWorker } from "../../util/worker.ts";
import { RenderJob, renderSyntheticImages } from "./generate.ts";

serveWorker<RenderJob>((job, onDone) => renderSyntheticImages(job, () => onDone(1)));
