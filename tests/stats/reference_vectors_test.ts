/**
 * Every entry of ../shared/reference/stats_vectors.json that maps onto the statistics API, checked
 * with the tolerance the entry states (else 1e-9 relative). Skipped with a message when the file
 * is absent (set DERM7PT_STATS_VECTORS to point at it). One test per statistic family, one step
 * per entry; a summary of mapped / out-of-scope entries is printed.
 */
import { skipNote, statsVectorsFile } from "../_helpers.ts";
import { compare, Entry, mapEntry } from "./_reference.ts";

const file = statsVectorsFile();
if (!file) {
  skipNote(
    "stats reference vectors not found: set DERM7PT_STATS_VECTORS or provide ../shared/reference/stats_vectors.json",
  );
}
const entries: Entry[] = file ? JSON.parse(Deno.readTextFileSync(file)) : [];
const families = [...new Set(entries.map((e) => e.statistic))];
const tally = { entries: entries.length, mapped: 0, outOfScope: [] as string[], skippedKeys: [] as string[] };

for (const family of families) {
  Deno.test(`reference vectors: ${family}`, async (t) => {
    for (const e of entries.filter((x) => x.statistic === family)) {
      const mapped = mapEntry(e);
      if ("outOfScope" in mapped) {
        tally.outOfScope.push(`${e.id}: ${mapped.outOfScope}`);
        continue;
      }
      tally.mapped++;
      for (const s of mapped.skipped) tally.skippedKeys.push(`${e.id}.${s.key}: ${s.why}`);
      await t.step(`${e.id} (${e.kind})`, () => {
        const problems: string[] = [];
        for (const c of mapped.comparisons) {
          const r = compare(c.actual, c.expected, e.tolerance, c.key);
          if (r) problems.push(`${c.key}: ${r}`);
        }
        if (!mapped.comparisons.length) problems.push("no comparison made");
        if (problems.length) throw new Error(`${e.id}: ${problems.join("; ")}`);
      });
    }
  });
}

Deno.test({
  name: "reference vectors: summary of what maps",
  ignore: !file,
  fn() {
    console.log(
      `stats_vectors.json: ${tally.entries} entries, ${tally.mapped} mapped and checked, ${tally.outOfScope.length} out of scope`,
    );
    for (const o of tally.outOfScope) console.log(`  out of scope: ${o}`);
    for (const s of tally.skippedKeys) console.log(`  key not checked: ${s}`);
  },
});
