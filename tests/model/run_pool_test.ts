/**
 * Runs trained several at once in workers (lib/model/run_pool.ts) are bit-identical to runs trained
 * one after another in the calling thread; features not yet cached are computed in the calling thread
 * before their run trains in a worker; a failing run stops no running one and starts no new one; a worker that dies leaves no lock; Ctrl-C ends the pool
 * with an InterruptedError; a run folder given twice is refused before anything starts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultRunConfig, FEATURES_PRESET, ModelKind, RunConfig } from "../../lib/model/config.ts";
import { PoolEvent, PoolJob, trainRunsInPool } from "../../lib/model/run_pool.ts";
import { acquireLock, LOCK_FILE, releaseLockOfThisProcess } from "../../lib/util/lock.ts";
import { runWorker } from "../../lib/util/worker.ts";
import { exists } from "../../lib/util/fs.ts";
import { PROJECT_ROOT, tempDir, writeFixtureImages, writeFixtureRelease } from "../_helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

type Inputs = RunConfig["model"]["inputs"];

/** A 40-case release with images, a feature cache, and a maker of pool jobs on it (folder `<root>/<name>`). */
async function fixture(): Promise<{
  data: string;
  cacheDir: string;
  job: (root: string, name: string, kind: ModelKind, inputs: Inputs, seed: number) => PoolJob;
}> {
  const data = tempDir();
  const { rows } = writeFixtureRelease(data, { cases: 40, seed: 12 });
  await writeFixtureImages(data, rows);
  const cacheDir = tempDir();
  return {
    data,
    cacheDir,
    job: (root, name, kind, inputs, seed) => ({
      config: config(data, kind, inputs, seed),
      outDir: join(root, name),
      cacheDir,
    }),
  };
}

/** Where each run of the pool started ("here" or "worker"), in order. */
function startsOf(events: PoolEvent[]): string[] {
  return events.flatMap((e) => e.type === "start" ? [e.where] : []);
}

/** The runs whose features the calling thread cached, with whether it computed any view, in order. */
function fillsOf(events: PoolEvent[]): [number, boolean][] {
  return events.flatMap((e) =>
    e.type === "features" ? [[e.index, (e.stats?.computed ?? 0) > 0] as [number, boolean]] : []
  );
}

function config(data: string, kind: ModelKind, inputs: Inputs, seed: number): RunConfig {
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
    const { job } = await fixture();
    const specs: [ModelKind, Inputs, number][] = [
      ["mgmt", "CDM", 0],
      ["multi", "CD", 1],
      ["diag", "M", 2],
      ["multi", "DM", 0],
    ];
    const jobsIn = (root: string): PoolJob[] => specs.map(([k, i, s]) => job(root, `${k}-${i}`, k, i, s));
    const [seq, par] = [tempDir(), tempDir()];
    await trainRunsInPool(jobsIn(seq), { jobs: 1 });
    const events: PoolEvent[] = [];
    const results = await trainRunsInPool(jobsIn(par), { jobs: 2, onEvent: (e) => events.push(e) });
    // the calling thread fills the feature cache for the first run and for the seed-1 run (the tiny
    // backbone is random: its weights depend on the seed); the sequential pool computed every view
    // already, so it reads them; all four runs train in workers, reporting each epoch
    assert.deepEqual(fillsOf(events), [[0, false], [1, false]]);
    assert.deepEqual(startsOf(events), ["worker", "worker", "worker", "worker"]);
    // 4 runs in workers x 3 epochs x the preset's ensemble members
    assert.equal(events.filter((e) => e.type === "epoch").length, 12 * FEATURES_PRESET.members);
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
    const { job } = await fixture();
    const root = tempDir();
    // a damaged checkpoint: the folder is a run's (planned as "train"); the run fails in its worker
    Deno.mkdirSync(join(root, "bad", "checkpoint"), { recursive: true });
    Deno.writeTextFileSync(join(root, "bad", "checkpoint", "checkpoint.json"), "{ not json");
    // "good" trains longest, so it starts first, and "bad" beside it; "bad" fails at once (its features
    // are cached by then), long before "good" ends, so "later" never starts
    const jobs = [
      job(root, "good", "diag", "CDM", 0),
      job(root, "bad", "mgmt", "CDM", 0),
      job(root, "later", "mgmt", "CDM", 0),
    ];
    jobs[0].config.training.epochs = 300;
    const events: PoolEvent[] = [];
    await assert.rejects(trainRunsInPool(jobs, { jobs: 2, onEvent: (e) => events.push(e) }), /checkpoint/);
    assert.deepEqual(events.flatMap((e) => e.type === "start" ? [e.index] : []), [0, 1]);
    assert.ok(exists(join(root, "good", "run.json")), "the run beside the failing one completed");
    assert.ok(!exists(join(root, "later")), "no run started after the failure");
    assert.ok(!exists(join(root, "bad", LOCK_FILE)), "no lock left behind");
  },
});

Deno.test({
  name: "run pool: a run folder given twice is refused, naming it, before any run starts",
  ...opts,
  async fn() {
    const fx = await fixture();
    const job = fx.job(tempDir(), "same", "mgmt", "M", 0), out = job.outDir;
    await assert.rejects(trainRunsInPool([job, job], { jobs: 2 }), new RegExp(`run folder ${out} is given twice`));
    await assert.rejects(
      trainRunsInPool([job, { ...job, outDir: join(out, "..", ".", "same") }], { jobs: 2 }),
      /is given twice/,
    );
    await assert.rejects(trainRunsInPool([job], { jobs: 0 }), /expected jobs to be a whole number >= 1, found 0/);
    assert.ok(!exists(out));
  },
});

Deno.test({
  name:
    "run pool: the calling thread computes the features a run needs that are not yet cached, then it trains in a worker",
  ...opts,
  async fn() {
    const { job } = await fixture();
    const root = tempDir();
    const events: PoolEvent[] = [];
    const fp32 = job(root, "cd-fp32", "mgmt", "CD", 0);
    fp32.config.model.backbone.precision = "fp32";
    await trainRunsInPool(
      [
        job(root, "c", "mgmt", "C", 0), // fills the clinical images
        job(root, "cm", "mgmt", "CM", 0), // covered: a worker
        job(root, "d", "mgmt", "D", 0), // dermoscopic: here
        job(root, "cd", "diag", "CD", 0), // both now cached: a worker
        fp32, // the float32 backbone's features are cached apart from int8's: here
        job(root, "cd-s1", "mgmt", "CD", 1), // a random backbone of another seed: here
      ],
      { jobs: 2, onEvent: (e) => events.push(e) },
    );
    // the clinical images for "c" are computed; the dermoscopic ones for "d" are read (the fixture's
    // images have few distinct contents, and the cache is keyed by content), but "d" is not covered by
    // what "c" filled, so the calling thread reads them before "d" trains; the float32 run and the
    // seed-1 run read other cache folders, which the calling thread computes
    assert.deepEqual(fillsOf(events), [[0, true], [2, false], [4, true], [5, true]]);
    assert.deepEqual(startsOf(events), Array(6).fill("worker"));
  },
});

Deno.test({
  name:
    "run pool: Ctrl-C (a real SIGINT) ends the pool with an InterruptedError and starts no new run; rerunning finishes",
  ...opts,
  async fn() {
    const { job } = await fixture();
    const root = tempDir();
    const jobs = [0, 1, 2, 3].map((seed) => job(root, `s${seed}`, "multi", "CDM", seed));
    for (const j of jobs) j.config.training.epochs = 60;
    const script = join(root, "pool.ts");
    const lib = (f: string) => new URL(`../../lib/${f}`, import.meta.url).href;
    Deno.writeTextFileSync(
      script,
      `import { trainRunsInPool } from "${lib("model/run_pool.ts")}";
import { InterruptedError } from "${lib("util/interrupt.ts")}";
const jobs = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
try {
  await trainRunsInPool(jobs, { jobs: 2, onEvent: (e) => e.type === "epoch" && console.log("epoch") });
  console.log("finished");
} catch (e) {
  console.log(e instanceof InterruptedError ? "interrupted: " + e.message : "error: " + e.message);
}
`,
    );
    Deno.writeTextFileSync(join(root, "jobs.json"), JSON.stringify(jobs));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), script, join(root, "jobs.json")],
      cwd: PROJECT_ROOT,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let out = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (!/epoch/.test(out)) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    assert.match(out, /epoch/, "a worker reported an epoch");
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    await child.status;
    assert.match(out, /interrupted: Training interrupted/, out.slice(-500));
    assert.ok(!exists(join(root, "s3", "run.json")), "no new run started after Ctrl-C");
    for (const s of ["s1", "s2"]) assert.ok(!exists(join(root, s, LOCK_FILE)), `${s}: lock released`);
    const results = await trainRunsInPool(jobs, { jobs: 2 });
    assert.ok(results.every((r) => exists(join(r.dir, "run.json"))));
  },
});

Deno.test({
  name: "workers: one that dies without posting its error is marked crashed; its lock of this process is released",
  ...opts,
  async fn() {
    const dir = tempDir();
    const module = join(dir, "crash.ts");
    Deno.writeTextFileSync(
      module,
      "self.onmessage = () => { setTimeout(() => { throw new Error('this worker dies on purpose (run_pool_test)'); }, 0); };\n",
    );
    const e = await runWorker(new URL(`file://${module}`), {}).then(() => null, (e) => e);
    assert.ok(e instanceof Error && /dies on purpose/.test(e.message));
    assert.equal((e as { crashed?: boolean }).crashed, true);
    const runDir = join(dir, "run");
    acquireLock(runDir, "train into"); // taken, never released: as by a worker that died
    assert.ok(releaseLockOfThisProcess(runDir));
    assert.ok(!exists(join(runDir, LOCK_FILE)));
    Deno.writeTextFileSync(join(runDir, LOCK_FILE), JSON.stringify({ pid: 1, host: "elsewhere", since: "" }));
    assert.equal(releaseLockOfThisProcess(runDir), false, "another process's lock is kept");
  },
});
