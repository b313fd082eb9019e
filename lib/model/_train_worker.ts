/// <reference lib="deno.worker" />
/**
 * Training worker of run_pool.ts: trains one run on its own tfjs backend, quietly, posting `{ done: 1 }`
 * after each epoch, then `{ finished: true }` or `{ error, name }` (lib/util/worker.ts).
 *
 * @module
 */
import { serveWorker } from "../util/worker.ts";
import { trainRun } from "./run.ts";
import type { PoolJob } from "./run_pool.ts";

serveWorker<PoolJob>(async (job, onDone) => {
  await trainRun({ ...job, quiet: true, onEpoch: () => onDone(1) });
});
