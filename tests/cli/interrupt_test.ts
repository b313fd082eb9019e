/**
 * Interruptions and concurrent runs (issue 13), with real subprocesses: Ctrl-C (a real SIGINT) stops
 * `train` within seconds, keeps the checkpoint, says how to resume and exits 130; a second `train`
 * into the same folder meanwhile stops on the lock file naming the holder; a damaged checkpoint is
 * named before any epoch is trained; a lock left by a dead process is taken over; resuming finishes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyTree, PROJECT_ROOT, runCli, tempDir, treeHashes, writeFixtureRelease } from "../_helpers.ts";
import { LOCK_FILE } from "../../lib/util/lock.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "Ctrl-C stops train within seconds, keeps the checkpoint, says how to resume; the lock stops a second train",
  ...opts,
  async fn() {
    const data = tempDir();
    writeFixtureRelease(data, { cases: 120, seed: 4 });
    const out = join(tempDir(), "run");
    const args = ["train", "--data", data, "--inputs", "M", "--epochs", "200", "--backend", "cpu", "--out", out];
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(PROJECT_ROOT, "lib", "cli", "main.ts"), ...args],
      cwd: PROJECT_ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout = new Response(child.stdout).text();
    // read stderr until the third epoch has been logged
    let stderr = "";
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    while (!/epoch 3\/200/.test(stderr)) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += value;
    }
    assert.match(stderr, /epoch 3\/200/, stderr);

    // a second train into the same folder: refused by the lock, naming the holder
    const lock = Deno.readTextFileSync(join(out, LOCK_FILE));
    assert.equal(JSON.parse(lock).pid, child.pid);
    const second = await runCli(args);
    assert.equal(second.code, 1, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(
        `^error: Cannot train into .*run: another process \\(pid ${child.pid}, since .*\\) holds its lock file .*run\\.lock`,
      ),
    );
    assert.equal(Deno.readTextFileSync(join(out, LOCK_FILE)), lock);

    // Ctrl-C
    const t0 = performance.now();
    child.kill("SIGINT");
    const rest = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        stderr += value;
      }
    })();
    const status = await child.status;
    const seconds = (performance.now() - t0) / 1000;
    await rest;
    await stdout;
    assert.equal(status.code, 130, stderr);
    assert.ok(seconds < 5, `stopped after ${seconds.toFixed(1)} s`);
    assert.doesNotMatch(stderr, /epoch 200\/200/);
    assert.match(stderr, /interrupt: saving a checkpoint after this step/);
    assert.match(
      stderr,
      /interrupted: Training interrupted: the checkpoint in .*checkpoint\/member-1 keeps its progress; run the same command again to resume/,
    );
    assert.match(stderr, /resume with: deno task cli train --data .* --epochs 200 --backend cpu --out .*run/);
    assert.ok(Deno.statSync(join(out, "checkpoint", "member-1", "checkpoint.json")).isFile);
    assert.throws(() => Deno.statSync(join(out, "run.json")));
    assert.throws(() => Deno.statSync(join(out, LOCK_FILE))); // released

    // a damaged checkpoint is named before any epoch is trained; nothing changes
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        "truncated state.bin",
        (dir) => {
          const p = join(dir, "checkpoint", "member-1", "state.bin");
          Deno.writeFileSync(p, Deno.readFileSync(p).slice(0, 1000));
        },
        /Cannot resume from .*checkpoint\/member-1: expected .*state\.bin to hold \d+ bytes with sha256 [0-9a-f]{12}\.\.\., found 1000 bytes \(damaged or truncated\); delete .*checkpoint\/member-1 to start the run over/,
      ],
      [
        "corrupt checkpoint.json",
        (dir) => Deno.writeTextFileSync(join(dir, "checkpoint", "member-1", "checkpoint.json"), '{"key": "'),
        /Cannot read a training checkpoint .*checkpoint\.json: expected JSON, found invalid or truncated text/,
      ],
    ];
    for (const [, damage, message] of cases) {
      const dir = copyTree(out, join(tempDir(), "run"));
      damage(dir);
      const before = treeHashes(dir);
      const r = await runCli([...args.slice(0, -1), dir]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /^epoch /m);
      assert.deepEqual(treeHashes(dir), before);
    }

    // a lock left by a process that no longer runs is taken over; the run resumes and completes
    const gone = new Deno.Command("true").spawn();
    await gone.status;
    Deno.writeTextFileSync(
      join(out, LOCK_FILE),
      JSON.stringify({ pid: gone.pid, host: (await import("node:os")).hostname(), since: "earlier" }),
    );
    const resumed = await runCli(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(
      resumed.stderr,
      new RegExp(`note: taking over .*run\\.lock: its holder \\(pid ${gone.pid}\\) no longer runs`),
    );
    assert.match(resumed.stderr, /resuming from .*checkpoint\/member-1: epoch \d+/);
    assert.ok(Deno.statSync(join(out, "run.json")).isFile);
    assert.throws(() => Deno.statSync(join(out, "checkpoint")));
  },
});
