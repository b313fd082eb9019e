/**
 * `case` and `card`: a case report with explanation maps, and a run's model card.
 *
 * @module
 */
import { join } from "node:path";
import { cacheDirectory } from "../../data/location.ts";
import { loadRelease } from "../../data/release.ts";
import {
  buildCaseReport,
  caseFromFiles,
  caseFromRelease,
  caseSummaryLines,
  writeCaseReport,
} from "../../report/case_report.ts";
import { openExplainedRun } from "../../explain/open_run.ts";
import { buildModelCard, writeModelCard } from "../../report/model_card.ts";
import { readRunRecord, runProvenance } from "../../model/run.ts";
import type { Command } from "../command.ts";
import {
  ENGINE_OPTION,
  engineOption,
  intOption,
  NEW_CASE_OPTIONS,
  newCaseOption,
  requireOption,
  RUN_BACKEND_OPTION,
  RUN_OPTION,
  RUN_RELEASE_OPTION,
  runBackendOption,
  UsageError,
  WORKERS_OPTION,
} from "../options.ts";

/** `deno task cli case`: the case report of one case of a release or a new case. */
export const caseCommand: Command = {
  name: "case",
  summary:
    "Report one case: both images with Grad-CAM maps, every head, the seven-point score, management predicted and inferred, position against the training data.",
  description:
    "A case of the run's release: --case N (its case_num). A new case: --clinical A.jpg --derm B.jpg --sex S --location L --elevation E\n" +
    "(as the run's inputs need). Writes <out>/<name>.html, .json, the figure as .{1col,2col}.{svg,png} and .paper.{1col,2col}.{svg,png,pdf}\n" +
    "with a LaTeX caption, and one 300-dpi PNG per Grad-CAM overlay.\n" +
    "A research second opinion, not a diagnostic device.",
  options: {
    run: RUN_OPTION,
    case: { type: "string", arg: "N", help: "case_num of a case of the run's release" },
    data: RUN_RELEASE_OPTION,
    ...NEW_CASE_OPTIONS,
    out: { type: "string", arg: "DIR", help: "output folder (default <run>/cases)" },
    name: { type: "string", arg: "NAME", help: "file name stem (default case_<N> or new_case)" },
    backend: RUN_BACKEND_OPTION,
    engine: ENGINE_OPTION,
  },
  async run(values) {
    const dir = requireOption("case", values, "run", "DIR (a run folder)");
    const newCase = newCaseOption(values);
    if (values.case === undefined && !newCase) {
      throw new UsageError(
        'Cannot run "case": expected --case N, or a new case (--clinical/--derm and metadata), found neither',
      );
    }
    const opened = await openExplainedRun(dir, {
      cacheDir: cacheDirectory(),
      dataDir: values.data as string | undefined,
      backend: runBackendOption("case", values),
      engine: engineOption("case", values),
      quiet: true,
    });
    const input = values.case !== undefined
      ? await caseFromRelease(opened.ex, opened.release, intOption("case", values, "case", 0, 0))
      : await caseFromFiles(opened.ex, newCase!);
    const report = await buildCaseReport(opened.ex, input, {
      reference: opened.reference,
      release: opened.release,
      synthetic: opened.release.synthetic,
    });
    const name = (values.name as string) ?? (input.caseNum !== null ? `case_${input.caseNum}` : "new_case");
    const files = writeCaseReport(report, (values.out as string) ?? join(dir, "cases"), name, opened.prov);
    console.log(caseSummaryLines(report).join("\n"));
    console.log(`position: ${report.position.percentile.toFixed(1)}th percentile of the training cases' distances`);
    console.log(`wrote ${files.length} files, e.g. ${files.find((f) => f.endsWith(".html"))}`);
  },
};

/** `deno task cli card`: the model card of a run folder. */
export const cardCommand: Command = {
  name: "card",
  summary:
    "Write a run's model card (Markdown + HTML + JSON): use, data, backbone, metrics with CIs, calibration, failure modes, robustness, environment.",
  description:
    "Robustness re-runs the model on --robustness-cases test cases (stratified; 0 = skip) under brightness x0.7/x1.3,\n" +
    "blur sigma 2 px and rotation 30 degrees, and with each input removed (replaced by the training mean).",
  options: {
    run: RUN_OPTION,
    out: { type: "string", arg: "DIR", help: "output folder (default <run>/card)" },
    data: RUN_RELEASE_OPTION,
    seed: { type: "string", arg: "S", default: "2021", help: "seed of the bootstrap and the robustness subset" },
    bootstrap: { type: "string", arg: "B", default: "1000", help: "bootstrap resamples" },
    "robustness-cases": {
      type: "string",
      arg: "N",
      default: "100",
      help: "test cases for the robustness checks (0: skip)",
    },
    backend: { ...RUN_BACKEND_OPTION, help: "tfjs backend for the robustness checks (default: the run's)" },
    engine: ENGINE_OPTION,
    workers: WORKERS_OPTION,
  },
  async run(values) {
    const dir = requireOption("card", values, "run", "DIR (a run folder)");
    const cases = intOption("card", values, "robustness-cases", 100, 0, 100000);
    const card = await buildModelCard(dir, {
      cacheDir: cacheDirectory(),
      seed: intOption("card", values, "seed", 2021),
      bootstrap: intOption("card", values, "bootstrap", 1000, 10, 100000),
      robustness: cases === 0 ? false : { cases },
      release: values.data ? loadRelease(String(values.data), { quiet: true }) : undefined,
      backend: runBackendOption("card", values),
      engine: engineOption("card", values),
      workers: intOption("card", values, "workers", 2, 1, 64),
    });
    const prov = runProvenance(`card:${dir}`, readRunRecord(dir), card.settings.seed);
    const out = (values.out as string) ?? join(dir, "card");
    const files = writeModelCard(card, out, prov);
    console.log(`wrote ${files.length} files to ${out} (card.md, card.html, card.json, reliability figure)`);
  },
};
