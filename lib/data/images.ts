/**
 * Decoding and resizing the clinical and dermoscopic images of a release into plain RGB arrays,
 * with an on-disk cache keyed by the image's content, the size and the resize mode, so repeated runs
 * do not decode again.
 *
 * Pixels are `Uint8Array`s of length height x width x 3 (row-major, RGB). Images are stretched to
 * the requested size by default (as Keras' `load_img(target_size=...)` does); `fit: "cover"` crops
 * the centre instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import sharp from "sharp";
 * import { decodeImage } from "./images.ts";
 * const file = `${Deno.makeTempDirSync()}/red.png`;
 * const red = { width: 4, height: 2, channels: 3 as const, background: { r: 200, g: 10, b: 10 } };
 * await sharp({ create: red }).png().toFile(file);
 * const img = await decodeImage(file, { size: 3 }); // stretched to 3 x 3
 * assert.equal(img.data.length, 3 * 3 * 3);
 * assert.deepEqual([...img.data.slice(0, 3)], [200, 10, 10]);
 * ```
 *
 * For a release, `new ImageStore(release, { cacheDir }).pair(release.cases[0], { size: 299 })` gives
 * both images of a case.
 *
 * @module
 */
import sharp from "sharp";
import { join } from "node:path";
import { sha256Parts } from "../util/hash.ts";
import { exists, writeBytesAtomic } from "../util/fs.ts";
import { Case, ImagePathResolver, Release } from "./release.ts";

/** The size and fit of a decoded image. */
export interface ResizeOptions {
  /** Output side in pixels (square), or [height, width]. */
  size: number | readonly [number, number];
  /** "fill" stretches (default), "cover" crops the centre to keep the aspect ratio. */
  fit?: "fill" | "cover";
}

/** An RGB image as a plain array. */
export interface RgbImage {
  /** Rows, in pixels. */
  height: number;
  /** Columns, in pixels. */
  width: number;
  /** height x width x 3 bytes, row-major, RGB. */
  data: Uint8Array;
}

/** Settings of an `ImageStore`. */
export interface ImageStoreOptions {
  /** Folder of the decoded-image cache (default: no cache). */
  cacheDir?: string;
}

/**
 * Decodes and resizes one image file (sharp, Lanczos-3, alpha removed, sRGB); errors name the file.
 * @throws {RangeError} on a size that is not a positive integer; {Error} on a missing or unreadable file.
 */
export async function decodeImage(path: string, options: ResizeOptions): Promise<RgbImage> {
  const [height, width] = typeof options.size === "number" ? [options.size, options.size] : options.size;
  if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
    throw new RangeError(`Cannot resize ${path}: expected a positive integer size, found ${String(options.size)}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot decode image: expected a file at ${path}, found none`);
    }
    throw e;
  }
  return await decodeImageBytes(bytes, { ...options, size: [height, width] }, path);
}

async function decodeImageBytes(bytes: Uint8Array, options: ResizeOptions, path: string): Promise<RgbImage> {
  const [height, width] = typeof options.size === "number" ? [options.size, options.size] : options.size;
  try {
    const data = await sharp(bytes)
      .removeAlpha()
      .toColourspace("srgb")
      .resize(width, height, { fit: options.fit ?? "fill", kernel: "lanczos3" })
      .raw()
      .toBuffer();
    if (data.length !== height * width * 3) {
      throw new Error(`decoded ${data.length} bytes, expected ${height * width * 3}`);
    }
    return { height, width, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    throw new Error(
      `Cannot decode image ${path}: expected a readable JPEG/PNG image, found an error: ${(e as Error).message}`,
    );
  }
}

/** Loads images of a release's cases, resolving paths case-insensitively and caching decodes. */
export class ImageStore {
  /** The release whose images are loaded. */
  readonly release: Release;
  /** Folder of the decoded-image cache, or null for none. */
  readonly cacheDir: string | null;
  #resolver: ImagePathResolver;
  #warned = new Set<string>();

  /**
   * A store for `release`'s images.
   * @throws {Error} when the release has no images folder.
   */
  constructor(release: Release, options: ImageStoreOptions = {}) {
    if (!release.imagesDir) {
      throw new Error(`Cannot load images: expected a folder ${join(release.dir, "images")}, found none`);
    }
    this.release = release;
    this.cacheDir = options.cacheDir ?? null;
    this.#resolver = new ImagePathResolver(release.imagesDir);
  }

  /** Absolute path of a case's clinical or dermoscopic image. */
  path(c: Case, which: "clinic" | "derm"): string {
    const before = this.#resolver.warnings.length;
    const p = this.#resolver.resolve(c[which], `case_num ${c.caseNum}, column "${which}"`);
    for (const w of this.#resolver.warnings.slice(before)) {
      if (!this.#warned.has(w)) {
        this.#warned.add(w);
        console.warn(`warning: ${w}`);
      }
    }
    return p;
  }

  /** One image of a case, resized. */
  async image(c: Case, which: "clinic" | "derm", options: ResizeOptions): Promise<RgbImage> {
    const path = this.path(c, which);
    if (!this.cacheDir) return await decodeImage(path, options);
    const bytes = await Deno.readFile(path);
    const [h, w] = typeof options.size === "number" ? [options.size, options.size] : options.size;
    const key = sha256Parts([bytes, `${h}x${w}`, options.fit ?? "fill", "rgb8-lanczos3-v1"]);
    const file = join(this.cacheDir, key.slice(0, 2), `${key}.rgb`);
    if (exists(file)) {
      const data = await Deno.readFile(file);
      if (data.length === h * w * 3) return { height: h, width: w, data };
    }
    const img = await decodeImageBytes(bytes, { ...options, size: [h, w] }, path);
    writeBytesAtomic(file, img.data);
    return img;
  }

  /** Both images of a case. */
  async pair(c: Case, options: ResizeOptions): Promise<{ clinical: RgbImage; derm: RgbImage }> {
    return { clinical: await this.image(c, "clinic", options), derm: await this.image(c, "derm", options) };
  }
}
