/**
 * Downloading a file once into a cache, verified by a checksum, written atomically, with progress.
 * Used for Keras' ImageNet InceptionV3 weights when a user has network access.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cachedDownload } from "./download.ts";
 * // real use: cachedDownload(KERAS_INCEPTION_V3_NOTOP, { cacheDir: ".cache/models" })
 * const file = {
 *   name: "abc.txt",
 *   urls: ["https://example.org/abc.txt"],
 *   digest: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * };
 * const cacheDir = Deno.makeTempDirSync();
 * const fetch = () => Promise.resolve(new Response("abc")); // stands in for the network
 * const path = await cachedDownload(file, { cacheDir, quiet: true, fetch });
 * assert.equal(Deno.readTextFileSync(path), "abc");
 * const refuse = () => Promise.reject(new Error("offline"));
 * assert.equal(await cachedDownload(file, { cacheDir, fetch: refuse }), path); // cached: no download
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { exists, writeBytesAtomic } from "../util/fs.ts";
import { Progress } from "../util/progress.ts";
import { concatBytes } from "../util/arrays.ts";

/** A file to download once: its cache name, the addresses to try, its digest. */
export interface RemoteFile {
  /** File name in the cache. */
  name: string;
  /** Addresses to try in order. */
  urls: string[];
  /** Expected digest ("md5:..." or "sha256:..."); null skips the check (recorded as unverified). */
  digest: string | null;
}

/**
 * Keras' ImageNet InceptionV3 without its top (keras-applications; the study's backbone). The md5
 * is the `file_hash` keras-applications uses for this file.
 */
export const KERAS_INCEPTION_V3_NOTOP: RemoteFile = {
  name: "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
  urls: [
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "https://github.com/fchollet/deep-learning-models/releases/download/v0.5/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
  ],
  digest: "md5:bcbd6486424b2319ff4ef7d526e38f63",
};

function digestOf(bytes: Uint8Array, algorithm: string): string {
  return createHash(algorithm).update(bytes).digest("hex");
}

/**
 * The cached path of `file`, downloading it first if needed (the first address that works).
 * @throws {Error} listing each address's failure, or a digest mismatch naming both digests.
 */
export async function cachedDownload(
  file: RemoteFile,
  options: { cacheDir: string; quiet?: boolean; fetch?: typeof fetch },
): Promise<string> {
  const path = join(options.cacheDir, file.name);
  const verify = (bytes: Uint8Array, where: string) => {
    if (!file.digest) return;
    const [alg, hex] = file.digest.split(":");
    const got = digestOf(bytes, alg);
    if (got !== hex) throw new Error(`Cannot use ${where}: expected ${alg} ${hex}, found ${got}`);
  };
  if (exists(path)) {
    verify(Deno.readFileSync(path), path);
    return path;
  }
  const errors: string[] = [];
  for (const url of file.urls) {
    try {
      const res = await (options.fetch ?? fetch)(url);
      if (!res.ok || !res.body) {
        errors.push(`${url}: HTTP ${res.status}`);
        await res.body?.cancel();
        continue;
      }
      const total = Number(res.headers.get("content-length") ?? 0);
      const bar = new Progress(`download ${file.name}`, total || 1, { unit: "B", quiet: options.quiet });
      const chunks: Uint8Array[] = [];
      for await (const chunk of res.body) {
        chunks.push(chunk);
        bar.tick(chunk.length);
      }
      bar.done();
      const bytes = concatBytes(chunks);
      verify(bytes, url);
      writeBytesAtomic(path, bytes);
      return path;
    } catch (e) {
      errors.push(`${url}: ${(e as Error).message}`);
    }
  }
  throw new Error(
    `Cannot download ${file.name}: every address failed:\n  ${
      errors.join("\n  ")
    }\nPlace the file at ${path} by hand to use it offline.`,
  );
}
