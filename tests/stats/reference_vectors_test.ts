/**
 * Every entry of ../shared/reference/stats_vectors.json that maps onto the statistics API, checked
 * with the tolerance the entry states (else 1e-9 relative). Skipped with a message when the file
 * is absent (set DERM7PT_STATS_VECTORS to point at it). One test per statistic family, one step
 * per entry; a summary test counts again, on its own, how many entries map and pass, and fails when an
 * entry or a checked key is lost.
 */
import assert from "node:assert/strict";
import { skipNote, statsVectorsFile } from "../_helpers.ts";
import { compare, Entry, mapEntry, Mapped } from "./_reference.ts";

const file = statsVectorsFile();
if (!file) {
  skipNote(
    "stats reference vectors not found: set DERM7PT_STATS_VECTORS or provide ../shared/reference/stats_vectors.json",
  );
}
const entries: Entry[] = file ? JSON.parse(Deno.readTextFileSync(file)) : [];
const families = [...new Set(entries.map((e) => e.statistic))];

/** What is wrong with a mapped entry's values (none when every comparison is within its tolerance). */
function problemsOf(e: Entry, mapped: Mapped): string[] {
  const problems: string[] = [];
  for (const c of mapped.comparisons) {
    const r = compare(c.actual, c.expected, e.tolerance, c.key);
    if (r) problems.push(`${c.key}: ${r}`);
  }
  if (!mapped.comparisons.length) problems.push("no comparison made");
  return problems;
}

for (const family of families) {
  Deno.test(`reference vectors: ${family}`, async (t) => {
    for (const e of entries.filter((x) => x.statistic === family)) {
      const mapped = mapEntry(e);
      if ("outOfScope" in mapped) continue;
      await t.step(`${e.id} (${e.kind})`, () => {
        const problems = problemsOf(e, mapped);
        if (problems.length) throw new Error(`${e.id}: ${problems.join("; ")}`);
      });
    }
  });
}

// The counts of stats_vectors.json as of 2026-11-29: an entry that stops mapping, a key that stops being
// checked or an entry that fails changes them.
Deno.test({
  name:
    "reference vectors: 299 of the 302 entries map and pass; the 3 out of scope and the 27 keys not checked are the known ones",
  ignore: !file,
  fn() {
    const outOfScope: string[] = [], skippedKeys: string[] = [], failed: string[] = [];
    let mapped = 0, passed = 0;
    for (const e of entries) {
      const m = mapEntry(e);
      if ("outOfScope" in m) {
        outOfScope.push(`${e.id}: ${m.outOfScope}`);
        continue;
      }
      mapped++;
      for (const s of m.skipped) skippedKeys.push(`${e.id}.${s.key}: ${s.why}`);
      const problems = problemsOf(e, m);
      if (problems.length) failed.push(`${e.id}: ${problems.join("; ")}`);
      else passed++;
    }
    console.log(
      `stats_vectors.json: ${entries.length} entries, ${mapped} mapped, ${passed} passed, ${outOfScope.length} out of scope`,
    );
    for (const o of outOfScope) console.log(`  out of scope: ${o}`);
    for (const s of skippedKeys) console.log(`  key not checked: ${s}`);
    assert.equal(entries.length, 302, "entries in stats_vectors.json");
    assert.deepEqual(failed, [], "entries that fail");
    assert.equal(mapped, 299, "entries that map onto the API");
    assert.equal(passed, 299, "mapped entries that pass");
    assert.deepEqual(outOfScope.map((o) => o.split(":")[0]).sort(), [
      "cohens_d-150",
      "mcnemar_exact_unconditional-083",
      "roc_auc_ovr-114",
    ]);
    assert.equal(skippedKeys.length, 27, "keys of mapped entries not checked");
  },
});
