/**
 * Errors raised in feature-extraction workers (issue 13) reach the user as one line naming the file
 * or option and what was expected, with no stack trace and no HDF5 diagnostics (DEBUG=1 adds the
 * worker's stack); no file of the release changes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { errorLines, runCli, tempDir, treeHashes } from "../_helpers.ts";
import { writeSyntheticRelease } from "../../lib/data/synth/generate.ts";

/** CRC-32 (ISO-HDLC, as PNG chunks use), for a hand-made PNG header. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG chunk: length, type, data, CRC of type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = new Uint8Array(4 + data.length);
  body.set(new TextEncoder().encode(type));
  body.set(data, 4);
  const out = new Uint8Array(8 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(body, 4);
  v.setUint32(4 + body.length, crc32(body));
  return out;
}

/** A PNG whose header claims 100000 x 100000 pixels (with an empty image stream). */
function oversizedPng(): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, 100000);
  v.setUint32(4, 100000);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

Deno.test({
  name: "worker errors: a broken image, a bad --layers, a non-HDF5 --weights give one line each",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const release = tempDir();
    await writeSyntheticRelease(release, { cases: 24, seed: 3, imageSize: 32, workers: 0, progress: false });
    const cache = tempDir();
    const derm = [...Deno.readDirSync(join(release, "images", "SYNNEV"))].map((e) => e.name).find((n) =>
      n.endsWith("d.jpg")
    )!;
    const image = join(release, "images", "SYNNEV", derm);
    const good = Deno.readFileSync(image);
    let engine = "tfjs";
    const train = (extra: string[] = [], env: Record<string, string> = {}) =>
      runCli(
        [
          "train",
          "--data",
          release,
          "--inputs",
          "D",
          "--backbone",
          "tiny",
          "--size",
          "32",
          "--layers",
          "mixed1",
          "--views",
          "0",
          "--epochs",
          "1",
          "--backend",
          "cpu",
          "--workers",
          "1",
          "--out",
          join(tempDir(), "run"),
          "--quiet",
          "--engine",
          engine,
          ...extra,
        ],
        { DERM7PT_CACHE: cache, ...env },
      );
    const oneLine = async (extra: string[], code: number, message: RegExp) => {
      const before = treeHashes(release);
      const r = await train(extra);
      assert.equal(r.code, code, r.stderr);
      const lines = r.stderr.split("\n").filter((l) => l.trim() && !/^(=+|Hi, looks like)/.test(l));
      assert.equal(lines.length, 1, `one line expected, found:\n${r.stderr}`);
      assert.match(errorLines(r.stderr)[0], message);
      assert.doesNotMatch(r.stderr, /\n\s+at |HDF5-DIAG/);
      assert.deepEqual(treeHashes(release), before);
    };
    const broken: [string, Uint8Array, RegExp][] = [
      ["truncated JPEG", good.slice(0, 300), /premature end of JPEG|warning treated as error/i],
      ["zero-byte JPEG", new Uint8Array(0), /empty/i],
      ["a text file named .jpg", new TextEncoder().encode("not an image\n"), /unsupported image format/i],
      ["an oversized PNG header", oversizedPng(), /pixel limit/i],
    ];
    // the tfjs engine raises these in its worker processes, the onnx engine in this process
    for (engine of ["tfjs", "onnx"]) {
      for (const [what, bytes, reason] of broken) {
        Deno.writeFileSync(image, bytes);
        await oneLine(
          [],
          1,
          new RegExp(
            `^error: Cannot decode image .*${derm}: expected a readable JPEG/PNG image, found an error: .*${reason.source}`,
            "i",
          ),
        ).catch((e) => {
          throw new Error(`${engine}, ${what}: ${e.message}`);
        });
      }
      Deno.writeFileSync(image, good);
      await oneLine(
        ["--layers", "mixed9"],
        1,
        /^error: Cannot (build|open|export) [^:]*: expected a layer "mixed9"/,
      );
      const notH5 = join(tempDir(), "weights.h5");
      Deno.writeTextFileSync(notH5, "this is not HDF5\n");
      await oneLine(
        ["--backbone", "keras-h5", "--weights", notH5],
        1,
        /^error: Cannot read --weights: expected an HDF5 \(\.h5\) file at .*weights\.h5, found 17 bytes without the HDF5 signature/,
      );
    }
    // DEBUG=1 adds the worker's stack (tfjs engine)
    Deno.writeFileSync(image, new Uint8Array(0));
    engine = "tfjs";
    const debug = await train([], { DEBUG: "1" });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /\(worker stack\)\n.*\n\s+at /);
  },
});
