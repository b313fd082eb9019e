/**
 * `report`: every table and figure of the study's Derm7pt analyses, from run folders.
 *
 * @module
 */
import { loadStudyRuns, StudyRun } from "../../report/study.ts";
import { writeStudyReport } from "../../report/study_report.ts";
import { provenance } from "../../util/provenance.ts";
import { readRunRecord } from "../../model/run.ts";
import type { Command } from "../command.ts";
import { intOption, UsageError } from "../options.ts";

/** `deno task cli report`: every table and figure of notebooks 03-05 from run folders. */
export const reportCommand: Command = {
  name: "report",
  summary:
    "Regenerate all tables (CSV/MD/TeX/JSON) and figures (SVG + 300-dpi PNGs) of notebooks 03-05 from run folders.",
  description: "--runs names one or more folders holding run folders named as notebook 02 names them:\n" +
    "diag-CDM, mgmt-CDM, multi-CDM (required), multi-<inputs> (ablation), <kind>-CDM-fold<i> (cross-validation).\n" +
    "Example: deno task cli report --runs outputs/synthetic/runs --out outputs/synthetic/report",
  options: {
    runs: { type: "string", multiple: true, arg: "DIR", help: "folder(s) of run folders (repeatable)" },
    out: { type: "string", arg: "DIR", help: "output folder" },
    seed: { type: "string", arg: "S", default: "2021", help: "seed of the distance subsampling" },
    samples: { type: "string", arg: "N", default: "1000", help: "subsamples for the distance CIs" },
  },
  run(values) {
    const dirs = (values.runs as string[] | undefined) ?? [];
    if (!dirs.length) throw new UsageError('Cannot run "report": expected at least one --runs DIR, found none');
    if (!values.out) throw new UsageError('Cannot run "report": expected --out DIR, found none');
    const runs: Record<string, StudyRun> = Object.assign({}, ...dirs.map((d) => loadStudyRuns(d)));
    const first = Object.values(runs)[0];
    const prov = provenance({
      run_id: `report:${Object.keys(runs).join(",")}`,
      // the runs' data fingerprints (one, unless runs on different data were mixed)
      data_fingerprint: [...new Set(Object.values(runs).map((r) => readRunRecord(r.dir).data.fingerprint))].join("+"),
      synthetic_data: first?.config.synthetic ?? false,
      runs: dirs,
    });
    const files = writeStudyReport(runs, String(values.out), prov, {
      seed: intOption("report", values, "seed", 2021),
      samples: intOption("report", values, "samples", 1000, 10, 100000),
    });
    console.log(`wrote ${files.length} files to ${values.out} from ${Object.keys(runs).length} runs`);
  },
};
