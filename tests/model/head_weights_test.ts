/**
 * Head weights (`training.headWeights`): a head's cross-entropy weighted in the multi-task loss. Weight 1
 * is the plain sum (the same run, byte for byte); another weight changes training and is recorded with
 * the class weights; configs naming a head the model lacks, or a weight <= 0, are refused by name.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultRunConfig, validateRunConfig } from "../../lib/model/config.ts";
import { trainRun } from "../../lib/model/run.ts";
import { metadataRunFixture, PROJECT_ROOT, tempDir } from "../_helpers.ts";

const cacheDir = join(PROJECT_ROOT, ".cache");

Deno.test({
  name: "head weights: weight 1 trains the same run as none; management weighted 3 trains another and is recorded",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const plain = metadataRunFixture({ seed: 5, epochs: 3 });
    delete plain.model.head.members;
    delete plain.training.headWeights; // the study's plain sum (the preset weighs management 3)
    const one = structuredClone(plain);
    one.training.headWeights = { management: 1 };
    const three = structuredClone(plain);
    three.training.headWeights = { management: 3 };
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    await trainRun({ config: plain, outDir: a, cacheDir, quiet: true });
    await trainRun({ config: one, outDir: b, cacheDir, quiet: true });
    await trainRun({ config: three, outDir: c, cacheDir, quiet: true });
    const predictions = (dir: string) => Deno.readTextFileSync(join(dir, "predictions.csv"));
    assert.equal(predictions(b), predictions(a));
    assert.notEqual(predictions(c), predictions(a));
    const weights = (dir: string) => JSON.parse(Deno.readTextFileSync(join(dir, "run.json"))).classWeights;
    assert.deepEqual(weights(a).management, [1, 1, 1]);
    assert.deepEqual(weights(c).management, [3, 3, 3]);
    assert.deepEqual(weights(c).diagnosis, weights(a).diagnosis);
  },
});

Deno.test("head weights: a head the model lacks, or a weight that is not > 0, is refused by name", () => {
  const diag = defaultRunConfig({ kind: "diag", inputs: "CDM", preset: "features" });
  diag.training.headWeights = { management: 2 };
  assert.throws(
    () => validateRunConfig(diag),
    /expected training.headWeights to be keys among diagnosis, found "management"/,
  );
  const multi = defaultRunConfig({ kind: "multi", inputs: "CDM", preset: "features" });
  multi.training.headWeights = { management: 0 };
  assert.throws(() => validateRunConfig(multi), /expected training.headWeights.management to be a number > 0, found 0/);
  multi.training.headWeights = { management: 2.5, diagnosis: 0.5 };
  assert.equal(validateRunConfig(multi), multi);
});
