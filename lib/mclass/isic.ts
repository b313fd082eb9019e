/**
 * Downloading ISIC archive images by id, once, into a cache (for users with network access). The
 * ISIC API v2 answers `GET /api/v2/images/<ISIC_id>/` with JSON whose `files.full.url` is the image;
 * the image is then fetched and stored as `<cacheDir>/<ISIC_id>.jpg`, written atomically.
 *
 * @example
 * ```ts ignore
 * import { downloadIsicImages } from "./isic.ts";
 * await downloadIsicImages(["ISIC_0000003"], { cacheDir: ".cache/isic" });
 * ```
 */
import { join } from "node:path";
import { exists, writeBytesAtomic } from "../util/fs.ts";
import { Progress } from "../util/progress.ts";

export const ISIC_API = "https://api.isic-archive.com/api/v2";

export interface IsicOptions {
  cacheDir: string;
  /** API root (default the ISIC archive; tests use a local server). */
  api?: string;
  fetch?: typeof fetch;
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
