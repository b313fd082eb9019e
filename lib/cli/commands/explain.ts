/** `case` and `card`: a case report with explanation maps, and a run's model card. */
import { join } from "node:path";
import { cacheDirectory } from "../../data/location.ts";
import { loadRelease } from "../../data/release.ts";
import { BackendName, BACKENDS } from "../../model/backend.ts";
import {
  buildCaseReport,
  caseFromFiles,
  caseFromRelease,
  caseSummaryLines,
  openExplainedRun,
  writeCaseReport,
} from "../../report/case_report.ts";
import { buildModelCard, writeModelCard } from "../../report/model_card.ts";
import { readRunRecord, runProvenance } from "../../model/run.ts";
import {
  choiceOption,
  Command,
  ENGINE_OPTION,
  engineOption,
  intOption,
  requireOption,
  UsageError,
} from "../command.ts";

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
    run: { type: "string", arg: "DIR", help: "a run folder written by train" },
    case: { type: "string", arg: "N", help: "case_num of a case of the run's release" },
    data: { type: "string", arg: "DIR", help: "the release (default: the one the run was trained on)" },
    clinical: { type: "string", arg: "FILE", help: "clinical image of a new case" },
    derm: { type: "string", arg: "FILE", help: "dermoscopic image of a new case" },
    sex: { type: "string", arg: "S", help: "female|male" },
    location: { type: "string", arg: "L", help: "body location (as in meta.csv)" },
    elevation: { type: "string", arg: "E", help: "flat|nodular|palpable" },
    out: { type: "string", arg: "DIR", help: "output folder (default <run>/cases)" },
    name: { type: "string", arg: "NAME", help: "file name stem (default case_<N> or new_case)" },
    backend: { type: "string", arg: "NAME", help: "tfjs backend (default: the run's)" },
    engine: ENGINE_OPTION,
  },
  async run(values) {
    const dir = requireOption("case", values, "run", "DIR (a run folder)");
    if (values.case === undefined && !values.clinical && !values.derm && !values.sex) {
      throw new UsageError(
        'Cannot run "case": expected --case N, or a new case (--clinical/--derm and metadata), found neither',
      );
    }
    const backend = values.backend
      ? choiceOption("case", values, "backend", BACKENDS, "auto") as BackendName
      : undefined;
    const opened = await openExplainedRun(dir, {
      cacheDir: cacheDirectory(),
      dataDir: values.data as string | undefined,
      backend,
      engine: engineOption("case", values),
      quiet: true,
    });
    const input = values.case !== undefined
      ? await caseFromRelease(opened.ex, opened.release, intOption("case", values, "case", 0, 0))
      : await caseFromFiles(opened.ex, {
        clinical: values.clinical as string | undefined,
        derm: values.derm as string | undefined,
        metadata: {
          sex: values.sex as string,
          location: values.location as string,
          elevation: values.elevation as string,
        },
      });
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

export const cardCommand: Command = {
  name: "card",
  summary:
    "Write a run's model card (Markdown + HTML + JSON): use, data, backbone, metrics with CIs, calibration, failure modes, robustness, environment.",
  description:
    "Robustness re-runs the model on --robustness-cases test cases (stratified; 0 = skip) under brightness x0.7/x1.3,\n" +
    "blur sigma 2 px and rotation 30 degrees, and with each input removed (replaced by the training mean).",
  options: {
    run: { type: "string", arg: "DIR", help: "a run folder written by train" },
    out: { type: "string", arg: "DIR", help: "output folder (default <run>/card)" },
    data: { type: "string", arg: "DIR", help: "the release (default: the one the run was trained on)" },
    seed: { type: "string", arg: "S", default: "2021", help: "seed of the bootstrap and the robustness subset" },
    bootstrap: { type: "string", arg: "B", default: "1000", help: "bootstrap resamples" },
    "robustness-cases": {
      type: "string",
      arg: "N",
      default: "100",
      help: "test cases for the robustness checks (0: skip)",
    },
    backend: { type: "string", arg: "NAME", help: "tfjs backend for the robustness checks (default: the run's)" },
    engine: ENGINE_OPTION,
    workers: { type: "string", arg: "W", default: "2", help: "feature-extraction workers" },
  },
  async run(values) {
    const dir = requireOption("card", values, "run", "DIR (a run folder)");
    const cases = intOption("card", values, "robustness-cases", 100, 0, 100000);
    const backend = values.backend
      ? choiceOption("card", values, "backend", BACKENDS, "auto") as BackendName
      : undefined;
    const card = await buildModelCard(dir, {
      cacheDir: cacheDirectory(),
      seed: intOption("card", values, "seed", 2021),
      bootstrap: intOption("card", values, "bootstrap", 1000, 10, 100000),
      robustness: cases === 0 ? false : { cases },
      release: values.data ? loadRelease(String(values.data), { quiet: true }) : undefined,
      backend,
      engine: engineOption("card", values),
      workers: intOption("card", values, "workers", 2, 1, 64),
    });
    const prov = runProvenance(`card:${dir}`, readRunRecord(dir), card.settings.seed);
    const out = (values.out as string) ?? join(dir, "card");
    const files = writeModelCard(card, out, prov);
    console.log(`wrote ${files.length} files to ${out} (card.md, card.html, card.json, reliability figure)`);
  },
};
