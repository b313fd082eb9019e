/**
 * File-system helpers: atomic writes (write to a temporary file in the same folder, then rename),
 * so that an interrupted job never leaves a half-written output or destroys the previous one.
 *
 * @example
 * ```ts
 * import { writeTextAtomic } from "./fs.ts";
 * const dir = Deno.makeTempDirSync();
 * writeTextAtomic(`${dir}/a/b.txt`, "hello"); // creates a/ as needed
 * ```
 */
import { dirname } from "node:path";

/** Writes bytes to `path` atomically, creating parent folders. */
export function writeBytesAtomic(path: string, data: Uint8Array): void {
  Deno.mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${Math.floor(performance.now() * 1000)}`;
  try {
    Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* nothing to clean */ }
    throw e;
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

/** Reads a text file, turning "not found" into an error that names the file and what it was for. */
export function readTextFile(path: string, what = "file"): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read ${what}: expected a file at ${path}, found none`);
    }
    throw e;
  }
}
