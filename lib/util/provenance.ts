/**
 * Provenance records: what produced an output (git commit, data fingerprint, seed, model, backend,
 * time), written beside every exported table and figure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { provenance } from "./provenance.ts";
 * const p = provenance({ run_id: "demo", data_fingerprint: "abc", synthetic_data: true });
 * assert.equal(p.seed, null);
 * assert.match(p.git_commit, /^([0-9a-f]{40}(-dirty)?|unknown)$/);
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** What every exported artefact records. */
export interface Provenance {
  /** Run (or analysis) identifier. */
  run_id: string;
  /** The project's git commit ("-dirty" when the tree has changes; "unknown" outside a checkout). */
  git_commit: string;
  /** sha256 over the data files the output depends on. */
  data_fingerprint: string;
  /** True when the data is the synthetic release. */
  synthetic_data: boolean;
  /** The seed of the output's random draws (null when there are none). */
  seed: number | string | null;
  /** The backbone's description (null when no model is involved). */
  backbone: string | null;
  /** The tfjs backend or engine that computed the output (null when none). */
  backend: string | null;
  /** When the output was made (ISO 8601). */
  created: string;
  /** The program that made it. */
  tool: string;
  /** Further fields of a particular output (e.g. the case of a case report). */
  [extra: string]: unknown;
}

let commitCache: string | null = null;

/** The project's current git commit (with "-dirty" when the tree has changes), or "unknown". */
export function gitCommit(): string {
  if (commitCache) return commitCache;
  const root = fileURLToPath(new URL("../../", import.meta.url));
  try {
    const run = (args: string[]) =>
      new Deno.Command("git", { args, cwd: root, stdout: "piped", stderr: "null" }).outputSync();
    const head = run(["rev-parse", "HEAD"]);
    if (!head.success) return (commitCache = "unknown");
    const dirty = run(["status", "--porcelain", "--untracked-files=no"]);
    const d = new TextDecoder().decode(dirty.stdout).trim() ? "-dirty" : "";
    commitCache = new TextDecoder().decode(head.stdout).trim() + d;
  } catch {
    commitCache = "unknown";
  }
  return commitCache;
}

/** A provenance record with defaults filled in. */
export function provenance(
  fields: Partial<Provenance> & Pick<Provenance, "run_id" | "data_fingerprint" | "synthetic_data">,
): Provenance {
  return {
    git_commit: gitCommit(),
    seed: null,
    backbone: null,
    backend: null,
    created: new Date().toISOString(),
    tool: "derm7pt-mgmt (this repository)",
    ...fields,
  };
}
