/**
 * File-system helpers: atomic writes (write to a temporary file in the same folder, then rename),
 * so that an interrupted job never leaves a half-written output or destroys the previous one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeTextAtomic } from "./fs.ts";
 * const dir = Deno.makeTempDirSync();
 * writeTextAtomic(`${dir}/a/b.txt`, "hello"); // creates a/ as needed
 * assert.equal(Deno.readTextFileSync(`${dir}/a/b.txt`), "hello");
 * ```
 *
 * @module
 */
import { dirname } from "node:path";

/**
 * Writes bytes to `path` atomically, creating parent folders.
 * @throws {Error} "Cannot write <path>: <reason>; the previous file is unchanged" when the folder
 * cannot be made or the write fails (a full disk, a read-only folder); the temporary file is removed.
 */
export function writeBytesAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp-${Deno.pid}-${Math.floor(performance.now() * 1000)}`;
  try {
    Deno.mkdirSync(dirname(path), { recursive: true });
    Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* nothing to clean */ }
    const reason = (e as Error).message.replace(/:? ?(writefile|rename|mkdir) '.*$/, "");
    throw new Error(
      `Cannot write ${path}: ${reason}; ${exists(path) ? "the previous file is unchanged" : "nothing was written"}`,
      { cause: e },
    );
  }
}

/** Writes text to `path` atomically, creating parent folders. */
export function writeTextAtomic(path: string, text: string): void {
  writeBytesAtomic(path, new TextEncoder().encode(text));
}

/** Writes JSON (2-space indented, trailing newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** True when `path` exists (file or folder). */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** True when `path` is a folder. */
export function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Reads a text file, turning "not found" (and a folder where a file was expected) into an error that
 * names the file and what it was for.
 */
export function readTextFile(path: string, what = "file"): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      throw new Error(`Cannot read ${what}: expected a file at ${path}, found none`);
    }
    if (e instanceof Deno.errors.IsADirectory || isDirectory(path)) {
      throw new Error(`Cannot read ${what}: expected a file at ${path}, found a folder`);
    }
    throw new Error(`Cannot read ${what} ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Reads and parses a JSON file; a missing file or invalid JSON (e.g. a truncated file) is an error
 * naming the file and what it was for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readJsonFile } from "./fs.ts";
 * const file = Deno.makeTempFileSync({ suffix: ".json" });
 * Deno.writeTextFileSync(file, '{"a": [1, 2');
 * assert.throws(() => readJsonFile(file, "a demo file"), /Cannot read a demo file .*: expected JSON, found/);
 * ```
 */
export function readJsonFile<T = unknown>(path: string, what = "JSON file"): T {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(
      `Cannot read ${what} ${path}: expected JSON, found invalid or truncated text (${(e as Error).message})`,
    );
  }
}
