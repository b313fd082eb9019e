/**
 * The vocabulary of the dermatologists' answers in MClass answer sheets: each answer is read as
 * excise (1) or not (0), and anything this vocabulary does not decide is an error naming the cell.
 *
 * The answer is lower-cased and its punctuation (except "/") turned into spaces; then, in order:
 *
 * 1. codes: `1`, `exc`, `excise`, `excision`, `biopsy` = excise; `0`, `noexc`, `reassure` = not;
 * 2. **negations first**: a negation word (`no`, `not`, `don't`, `dont`, `never`, `without`,
 *    `none`, `nothing`) before an action term (below) means not excise: "no excision", "do not
 *    excise", "no biopsy needed", "no further treatment";
 * 3. an action term alone means excise: `biops*` (biopsy, biopsies), `excis*` (excise, excision),
 *    `further treatment`, `remov*`, `surg*` ("biopsy/further treatment" in the benchmark's sheet);
 * 4. a reassurance term alone means not excise: `reassur*` ("reassure the patient"), `follow*`
 *    (follow up), `monitor*`, `observ*`, `benign`;
 * 5. an answer with both action and reassurance terms and no negation ("biopsy or reassure"), or
 *    with neither, is not decided: an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerToExcision } from "./answers.ts";
 * assert.equal(answerToExcision("biopsy/further treatment", "cell"), 1);
 * assert.equal(answerToExcision("reassure the patient", "cell"), 0);
 * assert.equal(answerToExcision("No biopsy needed", "cell"), 0);
 * assert.equal(answerToExcision("do not excise", "cell"), 0);
 * assert.throws(() => answerToExcision("maybe", "answers.csv line 2, column \"a.jpg\""), /line 2, column "a\.jpg"/);
 * ```
 *
 * @module
 */

const CODES: Readonly<Record<string, number>> = Object.freeze({
  "1": 1,
  exc: 1,
  excise: 1,
  excision: 1,
  biopsy: 1,
  "0": 0,
  noexc: 0,
  reassure: 0,
});
const NEGATION = /\b(no|not|don't|dont|never|without|none|nothing)\b/;
const ACTION = /\b(biops\w*|excis\w*|further treatment|remov\w*|surg\w*)/;
const REASSURE = /\b(reassur\w*|follow\w*|monitor\w*|observ\w*|benign)/;

/**
 * Maps one answer to 1 (excise) or 0 (do not), by the vocabulary above.
 * @throws {Error} naming `where` (the file and cell) for an answer the vocabulary does not decide.
 */
export function answerToExcision(answer: unknown, where: string): number {
  const raw = String(answer ?? "");
  const s = raw.toLowerCase().replace(/[^\p{L}\p{N}/']+/gu, " ").replace(/\s+/g, " ").trim();
  if (s in CODES) return CODES[s];
  const action = ACTION.exec(s);
  if (action) {
    const negation = NEGATION.exec(s);
    if (negation && negation.index < action.index) return 0;
    if (!REASSURE.test(s)) return 1;
  } else if (REASSURE.test(s)) return 0;
  throw new Error(
    `Cannot read ${where}: expected an answer the MClass vocabulary decides (excise: "biopsy", "excision", 1, EXC; not: "reassure", "no excision", 0, NOEXC; see lib/mclass/answers.ts), found "${raw}"`,
  );
}
