/** Property tests (fast-check): invariants that must hold for any input. */
import assert from "node:assert/strict";
import fc from "fast-check";
import * as S from "../../lib/stats/mod.ts";

const prob = (k: number) =>
  fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: k, maxLength: k }).map((xs) => {
    const s = xs.reduce((a, b) => a + b, 0);
    return xs.map((x) => x / s);
  });
const runs = { numRuns: 200, seed: 42 };

Deno.test("property: distances are 0 on identical inputs, symmetric, and non-negative", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 6 }).chain((k) => fc.tuple(prob(k), prob(k))), ([p, q]) => {
      for (const f of [S.cosineDistance, S.jensenShannonDistance, S.jensenShannonDivergence, S.hellingerDistance]) {
        assert.ok(Math.abs(f(p, p)) < 1e-12);
        assert.ok(Math.abs(f(p, q) - f(q, p)) < 1e-12);
        assert.ok(f(p, q) >= 0);
      }
      const pos = p.map((_, i) => i);
      const w = (a: number[], b: number[]) => S.wassersteinDistance(pos, pos, { uWeights: a, vWeights: b });
      assert.ok(Math.abs(w(p, p)) < 1e-12);
      assert.ok(Math.abs(w(p, q) - w(q, p)) < 1e-12);
      assert.ok(S.jensenShannonDivergence(p, q, { base: 2 }) <= 1 + 1e-12);
      assert.ok(S.hellingerDistance(p, q) <= 1 + 1e-12);
    }),
    runs,
  );
});

Deno.test("property: AUROC of reversed scores is 1 - AUROC; AUROC in [0, 1]", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.double({ min: -5, max: 5, noNaN: true })), {
        minLength: 2,
        maxLength: 60,
      })
        .filter((xs) => xs.some(([y]) => y === 1) && xs.some(([y]) => y === 0)),
      (xs) => {
        const y = xs.map(([t]) => t), s = xs.map(([, v]) => v);
        const a = S.rocAuc(y, s);
        assert.ok(a >= 0 && a <= 1);
        assert.ok(Math.abs(S.rocAuc(y, s.map((v) => -v)) - (1 - a)) < 1e-12);
        const ap = S.averagePrecision(y, s);
        assert.ok(ap >= 0 && ap <= 1 + 1e-12);
      },
    ),
    runs,
  );
});

Deno.test("property: kappa of a rater with itself is 1; Fleiss with identical raters is 1", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 50 }).filter((a) => new Set(a).size > 1),
      (a) => {
        assert.ok(Math.abs(S.cohenKappa(a, a).kappa - 1) < 1e-12);
        assert.ok(Math.abs(S.cohenKappa(a, a, { weights: "quadratic" }).kappa - 1) < 1e-12);
        assert.ok(Math.abs(S.fleissKappa(S.countsFromRatings(a.map((v) => [v, v, v]), 4)).kappa - 1) < 1e-12);
      },
    ),
    runs,
  );
});

Deno.test("property: p-values lie in [0, 1] (Wilcoxon all methods, McNemar all methods)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 1, maxLength: 30 }),
      fc.constantFrom("wilcox", "pratt", "zsplit"),
      fc.constantFrom("two-sided", "less", "greater"),
      fc.constantFrom("exact", "approx", "auto"),
      (d, zeroMethod, alternative, method) => {
        const r = S.wilcoxon(d, undefined, {
          zeroMethod: zeroMethod as "wilcox",
          alternative: alternative as "less",
          method: method as "exact",
        });
        assert.ok(Number.isNaN(r.pValue) || (r.pValue >= 0 && r.pValue <= 1), JSON.stringify({ d, r }));
      },
    ),
    runs,
  );
  fc.assert(
    fc.property(fc.array(fc.nat(60), { minLength: 4, maxLength: 4 }), ([a, b, c, d]) => {
      for (const method of ["exact", "midp", "asymptotic"] as const) {
        const r = S.mcnemar([[a, b], [c, d]], { method });
        assert.ok((b + c === 0 && method === "asymptotic") || (r.pValue >= 0 && r.pValue <= 1));
      }
      assert.ok(
        S.mcnemar([[a, b], [c, d]], { method: "midp" }).pValue <=
          S.mcnemar([[a, b], [c, d]], { method: "exact" }).pValue + 1e-15,
      );
    }),
    runs,
  );
});

Deno.test("property: class-wise metrics are consistent (TP+FP+FN+TN = n; accuracy = trace / n)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), {
        minLength: 1,
        maxLength: 80,
      }),
      (pairs) => {
        const t = pairs.map(([a]) => a), p = pairs.map(([, b]) => b);
        const m = S.classwiseMetrics(t, p, { labels: 5 });
        m.tp.forEach((v, c) => assert.equal(v + m.fp[c] + m.fn[c] + m.tn[c], pairs.length));
        assert.ok(Math.abs(m.accuracy - m.confusionMatrix.reduce((s, r, i) => s + r[i], 0) / pairs.length) < 1e-15);
      },
    ),
    runs,
  );
});
