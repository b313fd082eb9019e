/**
 * The pure parts of explaining: image perturbations (exact brightness, mean-preserving blur, identity
 * rotations), their validation errors, the stratified subset, the training reference's percentiles,
 * and the colour map.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Perturbation, perturbationLabel, perturbImage, validatePerturbation } from "../../lib/data/perturb.ts";
import { locateCase, referenceFromVectors, stratifiedSubset } from "../../lib/explain/mod.ts";
import { upsampleMap } from "../../lib/data/resample.ts";
import { heatColor } from "../../lib/plots/overlay.ts";
import { Prng } from "../../lib/util/prng.ts";
import { lesionImage } from "./_fixtures.ts";

Deno.test("perturbations: brightness is exact and clamped; blur keeps a flat image and the mean; rotation by 0 and 360 degrees is the identity", () => {
  const img = lesionImage(24, new Prng(1), { cx: 8, cy: 12, radius: 4 });
  const bright = perturbImage(img, { kind: "brightness", factor: 1.3 });
  img.data.forEach((v, i) => assert.equal(bright.data[i], Math.min(255, Math.round(v * 1.3))));
  const flat = { height: 10, width: 10, data: new Uint8Array(300).fill(77) };
  assert.deepEqual(perturbImage(flat, { kind: "blur", sigma: 2 }).data, flat.data);
  const blurred = perturbImage(img, { kind: "blur", sigma: 1.5 });
  const mean = (d: Uint8Array) => d.reduce((a, b) => a + b, 0) / d.length;
  assert.ok(Math.abs(mean(blurred.data) - mean(img.data)) < 1.5);
  const sd = (d: Uint8Array) => Math.sqrt(d.reduce((a, b) => a + (b - mean(d)) ** 2, 0) / d.length);
  assert.ok(sd(blurred.data) < sd(img.data), "blur lowers the contrast");
  assert.deepEqual(perturbImage(img, { kind: "rotation", degrees: 0 }).data, img.data);
  const full = perturbImage(img, { kind: "rotation", degrees: 360 });
  assert.ok(full.data.every((v, i) => Math.abs(v - img.data[i]) <= 1));
  assert.equal(perturbImage(img, { kind: "none" }), img);
  assert.equal(perturbationLabel({ kind: "rotation", degrees: 30 }), "rotation 30°");
});

Deno.test("perturbations: bad specs are errors naming what was expected", () => {
  assert.throws(
    () => validatePerturbation({ kind: "blur", sigma: 0 }),
    /expected a blur sigma in \(0, 50\] pixels, found 0/,
  );
  assert.throws(
    () => validatePerturbation({ kind: "brightness", factor: -1 }),
    /expected a brightness factor >= 0, found -1/,
  );
  assert.throws(
    () => validatePerturbation({ kind: "shear" } as unknown as Perturbation),
    /expected a perturbation kind among .*found "shear"/,
  );
});

Deno.test("stratified subset: the requested size, each label's share within one case, deterministic by seed", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 200 }),
      fc.integer({ min: 1, max: 200 }),
      fc.integer(),
      (labels, n, seed) => {
        const s = stratifiedSubset(labels, n, new Prng(seed));
        assert.equal(s.length, Math.min(n, labels.length));
        assert.equal(new Set(s).size, s.length);
        for (const l of new Set(labels)) {
          const share = (labels.filter((x) => x === l).length * Math.min(n, labels.length)) / labels.length;
          const got = s.filter((i) => labels[i] === l).length;
          assert.ok(Math.abs(got - share) < 1 + 1e-9, `label ${l}: ${got} vs ${share}`);
        }
        assert.deepEqual(stratifiedSubset(labels, n, new Prng(seed)), s);
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("training reference: a training point is typical, a far point is at the 100th percentile; blocks and neighbours are reported", () => {
  const prng = new Prng(3);
  const vectors = Array.from({ length: 60 }, () => Float32Array.from({ length: 6 }, () => prng.normal()));
  const blocks = [{ name: "clinical" as const, start: 0, length: 3 }, {
    name: "metadata" as const,
    start: 3,
    length: 3,
  }];
  const ref = referenceFromVectors(vectors.map((_, i) => i + 100), vectors.map((_, i) => i + 1), vectors, blocks, 5);
  const far = locateCase(ref, Float32Array.from([9, 9, 9, 0, 0, 0]));
  assert.equal(far.percentile, 100);
  assert.equal(far.blocks.clinical.percentile, 100);
  assert.ok(far.blocks.metadata.percentile < 100);
  const own = locateCase(ref, vectors[7], { excludeIndex: 107 });
  assert.ok(own.neighbours.every((n) => n.caseNum !== 8), "a training case is not its own neighbour");
  assert.ok(own.percentile <= 100 && own.percentile >= 0);
  const self = locateCase(ref, vectors[7]);
  assert.equal(self.neighbours[0].caseNum, 8);
  assert.equal(self.neighbours[0].distance, 0);
  assert.throws(() => locateCase(ref, new Float32Array(4)), /expected a head input of length 6, found 4/);
  assert.throws(
    () => referenceFromVectors([1], [1], [vectors[0]], blocks, 5),
    /expected more than k = 5 training cases, found 1/,
  );
});

Deno.test("heat colours and map upsampling: inferno end points, constant maps stay constant", () => {
  assert.deepEqual(heatColor(0), [0, 0, 4]);
  assert.deepEqual(heatColor(1), [252, 255, 164]);
  assert.deepEqual(heatColor(2), heatColor(1));
  assert.ok(
    upsampleMap({ values: new Float32Array(9).fill(0.5), height: 3, width: 3 }, { height: 16, width: 16 }).every((v) =>
      Math.abs(v - 0.5) < 1e-7
    ),
  );
  const ramp = upsampleMap({ values: new Float32Array([0, 1]), height: 1, width: 2 }, { height: 1, width: 8 });
  for (let i = 1; i < ramp.length; i++) assert.ok(ramp[i] >= ramp[i - 1]);
});
