/**
 * Every seed, 0 included, gives bit-identical weights (issue 13): tfjs' normal initialisers treated
 * seed 0 as "no seed" (lib/model/init_seed.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { buildHeads } from "../../lib/model/network.ts";
import { startBackend } from "../../lib/model/backend.ts";
import { snapshotWeights } from "../../lib/model/serialize.ts";
import { cliInProcess, tempDir, writeFixtureRelease } from "../_helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "seeds: heads built twice with the same seed (0 included) have bit-identical weights",
  ...opts,
  async fn() {
    await startBackend("cpu", { quiet: true });
    for (const seed of [0, -1, 1, 7]) {
      const [a, b] = [0, 1].map(() =>
        buildHeads(30, "multi", { hidden: 16, l2: 0, standardize: true, transform: "none" }, seed)
      );
      const [wa, wb] = [snapshotWeights(a), snapshotWeights(b)];
      wa.forEach((w, i) => assert.deepEqual(w, wb[i], `seed ${seed}, weight ${i}`));
      tf.dispose([...a.weights.map((w) => w.read()), ...b.weights.map((w) => w.read())]);
    }
  },
});

Deno.test({
  name: "seeds: two identical train commands with the default seed 0 write bit-identical weights and predictions",
  ...opts,
  async fn() {
    const data = tempDir();
    writeFixtureRelease(data, { cases: 40, seed: 8 });
    const outs = [join(tempDir(), "a"), join(tempDir(), "b")];
    for (const out of outs) {
      const r = await cliInProcess(
        ["train", "--data", data, "--inputs", "M", "--epochs", "2", "--backend", "cpu", "--out", out, "--quiet"],
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(Deno.readTextFileSync(join(out, "config.json"))).seed, 0);
    }
    for (const f of ["weights/weights.bin", "predictions.csv", "weights/feature_norm.json"]) {
      assert.deepEqual(Deno.readFileSync(join(outs[0], f)), Deno.readFileSync(join(outs[1], f)), f);
    }
  },
});
