/**
 * Small shared helpers of every layer: seeded randomness, CSV, atomic files, lock files and output-folder
 * checks, hashes, progress lines, provenance records, table formats, interruption and workers. They
 * import nothing else of lib/.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTable, Prng } from "./mod.ts";
 * assert.equal(new Prng(1).fork("a").next(), new Prng(1).fork("a").next());
 * assert.equal(formatTable(["x"], [[1]], "csv"), "x\n1\n");
 * ```
 *
 * @module
 */
export * from "./prng.ts";
export * from "./csv.ts";
export * from "./fs.ts";
export * from "./hash.ts";
export * from "./progress.ts";
export * from "./table_format.ts";
export * from "./provenance.ts";
export * from "./arrays.ts";
export * from "./escape.ts";
export * from "./interrupt.ts";
export * from "./lock.ts";
export * from "./output_folder.ts";
export * from "./worker.ts";
