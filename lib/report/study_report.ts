/**
 * Every table and figure of notebooks 03-05 written from run folders (`deno task cli report`), each
 * table from the same DataFrame or records the notebooks show, with provenance.
 *
 * @example
 * ```ts ignore
 * import { loadStudyRuns } from "./study.ts";
 * import { writeStudyReport } from "./study_report.ts";
 * writeStudyReport(loadStudyRuns("outputs/synthetic/runs"), "outputs/synthetic/report", prov, { seed: 2021 });
 * ```
 *
 * @module
 */
import { DEFAULT_PENALTY, distanceComparison, PUBLISHED_SOURCE } from "../analysis/mod.ts";
import { Prng } from "../util/prng.ts";
import type { Provenance } from "../util/provenance.ts";
import { exportFigure, Figure, pValueMatrixFigure, reliabilityFigure } from "../plots/mod.ts";
import { exportTable } from "./export_table.ts";
import {
  ablationMcnemar,
  ablationRecords,
  ablationTables,
  abstractRecords,
  BINARY_NA_NOTE,
  binaryBaselineRecords,
  distanceRecords,
  foldTables,
  infrVsPred,
  mcnemarPairRecords,
  OVER_EXCISION_NA_NOTE,
  overExcisionRecords,
  priorsRecords,
  runNote,
  StudyRun,
  studyVsRunNote,
} from "./study.ts";
import {
  curveFigures,
  decisionCurve,
  distanceFigure,
  fig2Figure,
  fig3Figure,
  managementConfusionFigure,
  multitaskConfusionFigures,
  reliabilityPanels,
} from "./study_figures.ts";
import { cvFrame, metricsFrame, studyTableFrame, studyVsRunFrame } from "./study_frames.ts";

/** Options of {@linkcode writeStudyReport}. */
export interface StudyReportOptions {
  /** Seed of the distances' subsampling (also written into the provenance). */
  seed: number;
  /** Subsamples for the distance CIs (default 1000, the study's). */
  samples?: number;
}

/** Computes and exports every table and figure of notebooks 03-05 into `outDir`; returns the file list. */
export function writeStudyReport(
  runs: Record<string, StudyRun>,
  outDir: string,
  prov: Provenance,
  options: StudyReportOptions,
): string[] {
  const files: string[] = [];
  const note = runNote(runs);
  const p = { ...prov, seed: options.seed, backbone: Object.values(runs)[0]?.config.backbone ?? null };
  const r = infrVsPred(runs);
  const folds = foldTables(runs);
  const metrics = metricsFrame(runs);
  files.push(
    ...exportTable(outDir, "priors_mgmt_given_diagnosis", priorsRecords(runs["diag-CDM"].priors), p, {
      caption: "p(MGMT | DIAG) from the training split",
      digits: 4,
    }),
  );
  files.push(
    ...exportTable(outDir, "table2_infr_vs_pred", studyTableFrame(metrics, { infr: "diag-CDM", pred: "mgmt-CDM" }), p, {
      caption: "Table 2: MGMT_infr,all vs MGMT_pred,all (test split)",
      digits: 4,
    }),
  );
  if (folds.infr.length) {
    files.push(
      ...exportTable(outDir, "table2_cv", cvFrame(metrics, { infr: "diag-CDM", pred: "mgmt-CDM" }), p, {
        caption: "Table 2: 3-fold cross-validation (mean ± SD)",
      }),
    );
  }
  files.push(
    ...exportTable(outDir, "binary_baseline", binaryBaselineRecords(r), p, {
      caption: "Binary baseline (EXC vs NOEXC) beside the 3-class models: correct, wrongly excised, severity",
      digits: 4,
      naNote: BINARY_NA_NOTE,
    }),
  );
  files.push(
    ...exportTable(outDir, "over_excision", overExcisionRecords(r), p, {
      caption:
        `Over-excision of MGMT_infr,all vs MGMT_pred,all; penalty (rows truth NONE/CLNC/EXC, columns prediction) ${
          JSON.stringify(DEFAULT_PENALTY)
        }`,
      digits: 4,
      naNote: OVER_EXCISION_NA_NOTE,
    }),
  );
  const distances = distanceComparison(r.truth, r.infrProbs, r.predProbs, {
    prng: new Prng(options.seed).fork("distances"),
    samples: options.samples,
  });
  files.push(
    ...exportTable(outDir, "distances", distanceRecords(distances), p, {
      caption: "Distances to one-hot targets: mean [95% CI] (1000 subsamples of N/2), Wilcoxon, Cohen's d",
      digits: 4,
      pValueColumns: ["Wilcoxon p"],
    }),
  );
  const exportFig = (fig: Figure, name: string) => {
    const e = exportFigure(fig, outDir, name, p);
    files.push(...e.files, e.manifest);
  };
  exportFig(fig2Figure(r, distances, note, { samples: options.samples }), "fig2");
  exportFig(distanceFigure(r, distances, note, { samples: options.samples }), "fig2a_distances");
  const curves = curveFigures(r, note);
  exportFig(curves.roc, "roc_infr_vs_pred");
  exportFig(curves.pr, "pr_infr_vs_pred");
  exportFig(managementConfusionFigure(r, "infr", note), "fig2d_confusion_inferred");
  exportFig(managementConfusionFigure(r, "pred", note), "fig2e_confusion_predicted");
  exportFig(decisionCurve(r, note), "decision_curve_excision");
  if (runs["multi-CDM"]) {
    const multi = runs["multi-CDM"];
    files.push(
      ...exportTable(outDir, "table3_multitask", studyTableFrame(metrics, { multi: "multi-CDM" }), p, {
        caption: "Table 3: the multi-task model's management (test split)",
        digits: 4,
      }),
    );
    if (folds.multi.length) {
      files.push(
        ...exportTable(outDir, "table3_cv", cvFrame(metrics, { multi: "multi-CDM" }), p, {
          caption: "Table 3: 3-fold cross-validation (mean ± SD)",
        }),
      );
    }
    const m3 = multitaskConfusionFigures(multi.table, note);
    exportFig(fig3Figure(multi.table, note), "fig3");
    exportFig(m3.management, "fig3c_confusion_multitask_management");
    exportFig(m3.diagnosis, "fig3d_confusion_diagnosis");
    exportFig(
      reliabilityFigure(reliabilityPanels(multi), { caption: `Multi-task model, test split, 10 bins. ${note}` }),
      "reliability_multitask",
    );
  }
  const abl = ablationTables(runs);
  if (Object.keys(abl).length >= 2) {
    files.push(
      ...exportTable(outDir, "table4_ablation", ablationRecords(abl), p, {
        caption: "Table 4: input ablation of the multi-task model (averages; test split)",
        digits: 4,
      }),
    );
    const mm = ablationMcnemar(runs);
    const rows = mcnemarPairRecords(mm);
    files.push(
      ...exportTable(outDir, "table4_mcnemar", rows, p, {
        caption: "Mid-p McNemar tests between the ablation models (raw and Holm-adjusted)",
        digits: 5,
        pValueColumns: ["mid-p", "Holm-adjusted"],
      }),
    );
    exportFig(
      pValueMatrixFigure(mm.names, mm.p, {
        title: "Fig. 4: mid-p McNemar tests between input sets",
        caption:
          `Multi-task model's management on the test split; raw p-values (Holm-adjusted in table4_mcnemar). ${note}`,
      }),
      "fig4_mcnemar",
    );
    exportFig(
      pValueMatrixFigure(mm.names, mm.holm, {
        title: "Mid-p McNemar tests, Holm-adjusted",
        caption: `As Fig. 4 with Holm's adjustment over the ${
          (mm.names.length * (mm.names.length - 1)) / 2
        } pairs. ${note}`,
      }),
      "fig4_mcnemar_holm",
    );
  }
  const abs = abstractRecords(folds);
  if (abs.length) {
    files.push(
      ...exportTable(outDir, "abstract_comparisons", abs, p, {
        caption: "The abstract's comparisons over the 3 folds",
      }),
    );
  }
  files.push(
    ...exportTable(outDir, "study_vs_run", studyVsRunFrame(runs, r, metrics, distances), p, {
      caption: `Every number of the study this run can produce (${PUBLISHED_SOURCE}). ${studyVsRunNote(runs)}`,
    }),
  );
  return files;
}
