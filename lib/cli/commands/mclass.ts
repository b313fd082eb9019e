/**
 * `mclass`: the model against 157 dermatologists on MClass-D.
 *
 * @module
 */
import { join } from "node:path";
import { cacheDirectory } from "../../data/location.ts";
import { writeMclassReport } from "../../report/mclass.ts";
import { exists } from "../../util/fs.ts";
import { provenance } from "../../util/provenance.ts";
import { sha256Hex } from "../../util/hash.ts";
import type { Command } from "../command.ts";
import { ENGINE_OPTION, engineOption, intOption, requireOption, RUN_OPTION } from "../options.ts";

/** `deno task cli mclass`: a run against the dermatologists of MClass-D. */
export const mclassCommand: Command = {
  name: "mclass",
  summary: "Apply a multi-task run (inputs D) to MClass-D and analyse its agreement with the dermatologists.",
  description: "--data is a folder with MClassD.csv (image_name,target), images/ and the answers\n" +
    "(ResultsDermoscopic.xlsx: one row per dermatologist, Answer 1..Answer 100; or answers.csv: rater, one column per image).\n" +
    "Images can be fetched from the ISIC archive with network access (lib/mclass/isic.ts).",
  options: {
    run: {
      ...RUN_OPTION,
      help: "a run folder of a multi-task model with inputs D (e.g. outputs/synthetic/runs/multi-D)",
    },
    data: { type: "string", arg: "DIR", help: "the benchmark folder" },
    answers: {
      type: "string",
      arg: "FILE",
      help: "answers file (default: <data>/answers.csv or ResultsDermoscopic.xlsx)",
    },
    out: { type: "string", arg: "DIR", help: "output folder" },
    seed: { type: "string", arg: "S", default: "2019", help: "seed of the random draws and bootstrap" },
    draws: { type: "string", arg: "N", default: "1000", help: "random sets of 9 dermatologists + model" },
    bootstrap: { type: "string", arg: "B", default: "1000", help: "bootstrap resamples of the images (0: none)" },
    engine: ENGINE_OPTION,
  },
  async run(values) {
    const runDir = requireOption("mclass", values, "run", "DIR");
    const dataDir = requireOption("mclass", values, "data", "DIR");
    const outDir = requireOption("mclass", values, "out", "DIR");
    const synthetic = exists(join(dataDir, "SYNTHETIC.json"));
    const prov = provenance({
      run_id: `mclass:${runDir}`,
      data_fingerprint: sha256Hex(Deno.readTextFileSync(join(dataDir, "MClassD.csv"))).slice(0, 16),
      synthetic_data: synthetic,
    });
    const { result, files } = await writeMclassReport({
      runDir,
      dataDir,
      answers: values.answers as string | undefined,
      outDir,
      cacheDir: cacheDirectory(),
      engine: engineOption("mclass", values),
      prov,
      seed: intOption("mclass", values, "seed", 2019),
      synthetic,
      draws: intOption("mclass", values, "draws", 1000, 1, 1e6),
      bootstrap: intOption("mclass", values, "bootstrap", 1000, 0, 1e6),
    });
    const a = result.agreement;
    console.log(
      `${synthetic ? "SYNTHETIC benchmark. " : ""}kappa model vs majority ${
        a.kappaModelVsAggregate.toFixed(4)
      }; pairs ${a.kappaPairs.mean.toFixed(4)} ± ${a.kappaPairs.sd.toFixed(4)}; Fleiss ${a.fleissAll.toFixed(4)}`,
    );
    console.log(`wrote ${files.length} files to ${outDir}`);
  },
};
