/// <reference lib="deno.worker" />
/**
 * Training worker of run_pool.ts: trains one run on its own tfjs backend, quietly, posting `{ done: n }`
 * after its epoch n (counted from 1, also when it resumed from a checkpoint), then `{ finished: true }` or `{ error, name }` (lib/util/worker.ts).
 *
 * @module
 */
import { serveWorker } from "../util/worker.ts";
import { trainRun } from "./run.ts";
import type { PoolJob } from "./run_pool.ts";

serveWorker<PoolJob>(async (job, onDone) => {
  // an ensemble's epochs counted on over its members
  const epochs = job.config.training.epochs;
  await trainRun({ ...job, quiet: true, onEpoch: (row) => onDone(((row.member ?? 1) - 1) * epochs + row.epoch) });
});
