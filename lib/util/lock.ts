/**
 * An exclusive lock file inside an output folder, so that two processes never write the same folder
 * at once. The file is created with O_EXCL (`createNew`) and holds the holder's pid, host and start
 * time. A second process stops with a message naming the holder. A lock left by a process that no
 * longer runs (killed with SIGKILL, a crash) is taken over, with a note, when it is on this host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireLock } from "./lock.ts";
 * const dir = Deno.makeTempDirSync();
 * const release = acquireLock(dir, "train into");
 * assert.throws(() => acquireLock(dir, "train into"), /another process \(pid \d+/);
 * release();
 * acquireLock(dir, "train into")(); // free again
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { hostname } from "node:os";

/** The lock file's name inside the locked folder. */
export const LOCK_FILE = "run.lock";

interface LockRecord {
  pid: number;
  host: string;
  since: string;
}

/** True when a process with this pid runs on this host (Linux: /proc; elsewhere assumed running). */
function processRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.statSync("/proc/self");
  } catch {
    return true; // no /proc: cannot tell, so never steal
  }
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

function readLock(path: string): LockRecord | null {
  try {
    const r = JSON.parse(Deno.readTextFileSync(path));
    return typeof r?.pid === "number" ? r : null;
  } catch {
    return null; // being written, or damaged
  }
}

/**
 * Takes `<dir>/run.lock` (creating `dir`); returns the function that releases it.
 * @throws {Error} naming the holder's pid when another running process holds the lock.
 */
export function acquireLock(dir: string, action: string, options: { quiet?: boolean } = {}): () => void {
  Deno.mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const me: LockRecord = { pid: Deno.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const f = Deno.openSync(path, { write: true, createNew: true });
      f.writeSync(new TextEncoder().encode(JSON.stringify(me) + "\n"));
      f.close();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (readLock(path)?.pid === me.pid) {
          try {
            Deno.removeSync(path);
          } catch { /* already gone */ }
        }
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    const holder = readLock(path);
    const stale = holder !== null && holder.host === me.host && holder.pid !== me.pid && !processRunning(holder.pid);
    if (!stale) {
      throw new Error(
        `Cannot ${action} ${dir}: another process (pid ${holder?.pid ?? "unknown"}${
          holder?.host && holder.host !== me.host ? ` on ${holder.host}` : ""
        }, since ${
          holder?.since ?? "unknown"
        }) holds its lock file ${path}; wait for it to finish, or delete the lock file if no such process runs`,
      );
    }
    if (!options.quiet) {
      console.error(`note: taking over ${path}: its holder (pid ${holder!.pid}) no longer runs`);
    }
    try {
      Deno.removeSync(path);
    } catch { /* another process took it over first: the next attempt says so */ }
  }
  throw new Error(`Cannot ${action} ${dir}: could not take its lock file ${path}`);
}

/**
 * Removes `<dir>/run.lock` when this process holds it: for a lock left by a worker of this process that
 * was stopped before it could release it (a worker shares the process's pid, so the lock would not look
 * stale). Returns whether a lock was removed.
 */
export function releaseLockOfThisProcess(dir: string): boolean {
  const path = join(dir, LOCK_FILE);
  if (readLock(path)?.pid !== Deno.pid || readLock(path)?.host !== hostname()) return false;
  try {
    Deno.removeSync(path);
    return true;
  } catch {
    return false;
  }
}
