/**
 * Runs trained several at once in workers (lib/model/run_pool.ts) are bit-identical to runs trained
 * one after another in the calling thread; a failing run stops no running one and leaves no lock; a
 * run folder given twice is refused before anything starts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultRunConfig, ModelKind, RunConfig } from "../../lib/model/config.ts";
import { PoolEvent, PoolJob, trainRunsInPool } from "../../lib/model/run_pool.ts";
import { LOCK_FILE } from "../../lib/util/lock.ts";
import { exists } from "../../lib/util/fs.ts";
import { tempDir, writeFixtureImages, writeFixtureRelease } from "../_helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function fixture(): Promise<{ data: string; cacheDir: string }> {
  const data = tempDir();
  const { rows } = writeFixtureRelease(data, { cases: 40, seed: 12 });
  await writeFixtureImages(data, rows);
  return { data, cacheDir: tempDir() };
}

function config(data: string, kind: ModelKind, inputs: RunConfig["model"]["inputs"], seed: number): RunConfig {
  const c = defaultRunConfig({
    kind,
    inputs,
    preset: "features",
    backbone: { source: "tiny", size: 32, featureLayers: ["mixed1"] },
    seed,
  });
  c.data.dir = data;
  c.training.views = 1;
  c.training.ttaViews = 1;
  c.training.epochs = 3;
  c.backend = "wasm";
  return c;
}

Deno.test({
  name: "run pool: runs trained two at a time in workers are bit-identical to runs trained one after another",
  ...opts,
  async fn() {
    const { data, cacheDir } = await fixture();
    const specs: [ModelKind, RunConfig["model"]["inputs"], number][] = [
      ["mgmt", "CDM", 0],
      ["multi", "CD", 1],
      ["diag", "M", 2],
      ["multi", "DM", 0],
    ];
    const jobsIn = (root: string): PoolJob[] =>
      specs.map(([k, i, s]) => ({ config: config(data, k, i, s), outDir: join(root, `${k}-${i}`), cacheDir }));
    const [seq, par] = [tempDir(), tempDir()];
    await trainRunsInPool(jobsIn(seq), { jobs: 1 });
    const events: PoolEvent[] = [];
    const results = await trainRunsInPool(jobsIn(par), { jobs: 2, onEvent: (e) => events.push(e) });
    // the first run fills the feature cache here; the other three train in workers, reporting each epoch
    assert.deepEqual(
      events.filter((e) => e.type === "start").map((e) => e.type === "start" && e.where),
      ["here", "worker", "worker", "worker"],
    );
    assert.equal(events.filter((e) => e.type === "epoch").length, 9);
    assert.deepEqual(results.map((r) => r.reused), [false, false, false, false]);
    for (const [k, i] of specs) {
      for (const f of ["weights/weights.bin", "predictions.csv"]) {
        const [a, b] = [seq, par].map((root) => Deno.readFileSync(join(root, `${k}-${i}`, f)));
        assert.deepEqual(a, b, `${k}-${i} ${f}`);
      }
    }
    // a second call reuses every run in the calling thread
    const again = await trainRunsInPool(jobsIn(par), { jobs: 2 });
    assert.deepEqual(again.map((r) => r.reused), [true, true, true, true]);
  },
});

Deno.test({
  name: "run pool: a failing run lets the running ones finish, leaves no lock, and its error is thrown",
  ...opts,
  async fn() {
    const { data, cacheDir } = await fixture();
    const root = tempDir();
    const bad = config(data, "mgmt", "CDM", 1);
    bad.model.backbone = { ...bad.model.backbone, source: "tfjs", path: join(root, "no-such-model") };
    const jobs: PoolJob[] = [
      { config: config(data, "mgmt", "CDM", 0), outDir: join(root, "first"), cacheDir },
      { config: bad, outDir: join(root, "bad"), cacheDir },
      { config: config(data, "diag", "CDM", 0), outDir: join(root, "good"), cacheDir },
    ];
    await assert.rejects(trainRunsInPool(jobs, { jobs: 2 }), /no-such-model/);
    assert.ok(exists(join(root, "good", "run.json")), "the run beside the failing one completed");
    assert.ok(!exists(join(root, "bad", LOCK_FILE)), "no lock left behind");
  },
});

Deno.test({
  name: "run pool: a run folder given twice is refused, naming it, before any run starts",
  ...opts,
  async fn() {
    const { data, cacheDir } = await fixture();
    const out = join(tempDir(), "same");
    const job = { config: config(data, "mgmt", "M", 0), outDir: out, cacheDir };
    await assert.rejects(trainRunsInPool([job, job], { jobs: 2 }), new RegExp(`run folder ${out} is given twice`));
    assert.ok(!exists(out));
  },
});
