/**
 * Downloading ISIC archive images by id, once, into a cache (for users with network access). The
 * ISIC API v2 answers `GET /api/v2/images/<ISIC_id>/` with JSON whose `files.full.url` is the image;
 * the image is then fetched and stored as `<cacheDir>/<ISIC_id>.jpg`, written atomically.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downloadIsicImages } from "./isic.ts";
 * const jpeg = new Uint8Array([0xff, 0xd8, 0xff]);
 * const fakeFetch = (async (url: string | URL | Request) =>
 *   String(url).endsWith("/images/ISIC_0000003/")
 *     ? Response.json({ files: { full: { url: "https://example.org/ISIC_0000003.jpg" } } })
 *     : new Response(jpeg)) as typeof fetch; // the real API needs network access
 * const cacheDir = Deno.makeTempDirSync();
 * const [path] = await downloadIsicImages(["ISIC_0000003"], { cacheDir, fetch: fakeFetch, quiet: true });
 * assert.equal(path, `${cacheDir}/ISIC_0000003.jpg`);
 * assert.deepEqual(Deno.readFileSync(path), jpeg);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { exists, writeBytesAtomic } from "../util/fs.ts";
import { Progress } from "../util/progress.ts";

/** The ISIC archive API root. */
export const ISIC_API: string = "https://api.isic-archive.com/api/v2";

/** Where to cache and how to fetch. */
export interface IsicOptions {
  /** Folder of the downloaded images (`<ISIC_id>.jpg`). */
  cacheDir: string;
  /** API root (default the ISIC archive; tests use a local server). */
  api?: string;
  /** The fetch to use (default the global one; tests pass their own). */
  fetch?: typeof fetch;
  /** No progress line. */
  quiet?: boolean;
}

/** Paths of the images (downloaded when missing). @throws {Error} naming the image and the failure. */
export async function downloadIsicImages(ids: readonly string[], options: IsicOptions): Promise<string[]> {
  const api = options.api ?? ISIC_API;
  const get = options.fetch ?? fetch;
  const bar = new Progress("ISIC images", ids.length, { unit: "img", quiet: options.quiet });
  const out: string[] = [];
  for (const raw of ids) {
    const id = raw.replace(/\.(jpe?g|png)$/i, "");
    if (!/^ISIC_\d{7}$/.test(id)) {
      throw new Error(`Cannot download from the ISIC archive: expected an id like ISIC_0000003, found "${raw}"`);
    }
    const path = join(options.cacheDir, `${id}.jpg`);
    if (!exists(path)) {
      const meta = await get(`${api}/images/${id}/`);
      if (!meta.ok) {
        throw new Error(`Cannot download ${id}: the ISIC API answered HTTP ${meta.status} for ${api}/images/${id}/`);
      }
      const json = await meta.json();
      const url = json?.files?.full?.url;
      if (typeof url !== "string") {
        throw new Error(`Cannot download ${id}: expected files.full.url in the ISIC API's answer, found none`);
      }
      const img = await get(url);
      if (!img.ok) throw new Error(`Cannot download ${id}: HTTP ${img.status} for ${url}`);
      writeBytesAtomic(path, new Uint8Array(await img.arrayBuffer()));
    }
    out.push(path);
    bar.tick();
  }
  bar.done();
  return out;
}
