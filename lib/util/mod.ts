/** Small shared helpers: seeded randomness, CSV, atomic files, hashes, progress. */
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
