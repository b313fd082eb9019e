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
 * ```ts ignore
 * import { ImageStore } from "./images.ts";
 * const store = new ImageStore(release, { cacheDir: ".cache/images" });
 * const { clinical, derm } = await store.pair(release.cases[0], { size: 299 });
 * clinical.length; // 299 * 299 * 3
 * ```
 */
import sharp from "sharp";
import { join } from "node:path";
import { sha256Parts } from "../util/hash.ts";
import { exists, writeBytesAtomic } from "../util/fs.ts";
import { Case, ImagePathResolver, Release } from "./release.ts";

export interface ResizeOptions {
  /** Output side in pixels (square), or [height, width]. */
  size: number | readonly [number, number];
  /** "fill" stretches (default), "cover" crops the centre to keep the aspect ratio. */
  fit?: "fill" | "cover";
}

/** An RGB image as a plain array. */
export interface RgbImage {
  height: number;
  width: number;
  data: Uint8Array;
}

export interface ImageStoreOptions {
  /** Folder of the decoded-image cache (default: no cache). */
  cacheDir?: string;
}

/** Decodes and resizes one image file; errors name the file. */
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
  readonly release: Release;
  readonly cacheDir: string | null;
  #resolver: ImagePathResolver;
  #warned = new Set<string>();

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
