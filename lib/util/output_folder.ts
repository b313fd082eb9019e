/**
 * Which folders a tool may write into: one that does not exist yet, an empty one, or one holding the
 * tool's own earlier output (recognised by a marker file it writes, e.g. a run's `run.json`). Any
 * other folder may hold the user's own files, which a tool must never replace. A lock file left in
 * a folder does not make it non-empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimOutputFolder } from "./output_folder.ts";
 * const dir = Deno.makeTempDirSync();
 * assert.equal(claimOutputFolder(dir, { owners: ["predict.json"], action: "write predictions to" }), "empty");
 * Deno.writeTextFileSync(`${dir}/notes.txt`, "mine");
 * assert.throws(
 *   () => claimOutputFolder(dir, { owners: ["predict.json"], action: "write predictions to" }),
 *   /not empty and holds no predict\.json/,
 * );
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { exists } from "./fs.ts";
import { LOCK_FILE } from "./lock.ts";

/** How a tool may use a folder: it does not exist yet, it is empty, or it holds the tool's own earlier output. */
export type FolderClaim = "absent" | "empty" | "own";

/**
 * Checks that a tool may write into `dir`.
 * @param options.owners files (relative to `dir`) any of which marks the folder as the tool's own.
 * @param options.action what the tool does, for the message ("train into", "write a release to").
 * @param options.option the command-line option that named the folder (default "--out").
 * @throws {Error} when `dir` is a file, or a non-empty folder with none of the owner files.
 */
export function claimOutputFolder(
  dir: string,
  options: { owners: readonly string[]; action: string; option?: string },
): FolderClaim {
  let stat: Deno.FileInfo;
  try {
    stat = Deno.statSync(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "absent";
    throw e;
  }
  const option = options.option ?? "--out";
  if (!stat.isDirectory) {
    throw new Error(`Cannot ${options.action} ${dir}: expected ${option} to name a folder, found a file`);
  }
  if (options.owners.some((f) => exists(join(dir, f)))) return "own";
  const entries = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n !== LOCK_FILE).sort();
  if (!entries.length) return "empty";
  throw new Error(
    `Cannot ${options.action} ${dir}: it is not empty${
      options.owners.length ? ` and holds no ${options.owners.join(" or ")}` : ""
    } (it holds ${entries.slice(0, 3).join(", ")}${
      entries.length > 3 ? `, ... ${entries.length} entries` : ""
    }); expected ${option} to name a new or empty folder${options.owners.length ? ", or one this command wrote" : ""}`,
  );
}
