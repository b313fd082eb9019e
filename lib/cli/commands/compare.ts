/**
 * `compare`: two prediction sets against the same truth — metrics and McNemar's test.
 *
 * @module
 */
import { comparePredictions, comparisonRows, readLabelFile } from "../../report/compare_predictions.ts";
import { formatRecords } from "../../util/table_format.ts";
import { type Command, emit } from "../command.ts";
import { choiceOption, OUT_FILE_OPTION, requireOption, UsageError } from "../options.ts";

/** `deno task cli compare`: metrics of two prediction sets against the same truth and McNemar's test. */
export const compareCommand: Command = {
  name: "compare",
  summary: "Metrics of two prediction sets on the same cases and McNemar's test (exact and mid-p) between them.",
  description:
    "Files hold one integer label per line (as the study's released predictions), optionally after a header;\n" +
    "with --column, a CSV column by name. Example (the study's Table 4 rows C and CM):\n" +
    "  deno task cli compare --truth ground_truth_labels.csv --a model_C_predictions.csv --b model_CM_predictions.csv --labels NONE,CLNC,EXC",
  options: {
    truth: { type: "string", arg: "FILE", help: "true labels" },
    a: { type: "string", arg: "FILE", help: "first prediction set" },
    b: { type: "string", arg: "FILE", help: "second prediction set" },
    labels: { type: "string", arg: "L1,L2,..", help: "class names in label order (default 0,1,..)" },
    column: { type: "string", arg: "NAME", help: "CSV column holding the labels" },
    format: { type: "string", arg: "json|table", default: "table", help: "output: JSON, or Markdown tables" },
    out: OUT_FILE_OPTION,
  },
  run(values) {
    const files = ["truth", "a", "b"].map((k) => requireOption("compare", values, k, "FILE"));
    const column = values.column as string | undefined;
    const declared = values.labels ? String(values.labels).split(",") : undefined;
    // the classes: as declared by --labels, else the labels of --truth (0..max)
    const truth = readLabelFile(
      files[0],
      { column, ...(declared ? { classes: { count: declared.length, from: `the ${declared.length} --labels` } } : {}) },
    );
    const count = declared?.length ?? Math.max(...truth) + 1;
    if (!declared && count > truth.length) {
      throw new UsageError(
        `Cannot run "compare": the labels of --truth go up to ${
          count - 1
        }, more classes than its ${truth.length} cases; expected --labels to declare the classes`,
      );
    }
    const classes = {
      count,
      from: declared ? `the ${count} --labels` : "the labels of --truth; --labels declares more",
    };
    const [a, b] = files.slice(1).map((f) => readLabelFile(f, { column, classes }));
    for (const [i, name] of [[1, "a"], [2, "b"]] as const) {
      if ([a, b][i - 1].length !== truth.length) {
        throw new UsageError(
          `Cannot run "compare": expected --${name} to hold ${truth.length} labels like --truth, found ${
            [a, b][i - 1].length
          } in ${files[i]}`,
        );
      }
    }
    const format = choiceOption("compare", values, "format", ["json", "table"] as const, "table");
    const r = comparePredictions(truth, a, b, { labels: declared ?? [...Array(count).keys()].map(String) });
    if (format === "json") {
      emit(JSON.stringify({ files: { truth: files[0], a: files[1], b: files[2] }, ...r }, null, 2) + "\n", values.out);
      return;
    }
    const perClass = r.labels.flatMap((label, c) =>
      [["A", r.a], ["B", r.b]].map(([name, m]) => {
        const mm = m as typeof r.a;
        return {
          predictions: name as string,
          class: label,
          sensitivity: mm.sensitivity[c],
          specificity: mm.specificity[c],
          precision: mm.precision[c],
          support: mm.support[c],
        };
      })
    );
    const text = [
      `A = ${files[1]}\nB = ${files[2]}\ntruth = ${files[0]} (${r.n} cases)\n`,
      formatRecords(comparisonRows(r), "md", { digits: 4, caption: "Macro averages (one-vs-rest) and accuracy" }),
      formatRecords(perClass, "md", { digits: 4, caption: "Per class" }),
      formatRecords(
        [
          {
            test: "McNemar exact (conditional binomial)",
            b: r.mcnemar.exact.b,
            c: r.mcnemar.exact.c,
            statistic: r.mcnemar.exact.statistic,
            p: r.mcnemar.exact.pValue,
          },
          {
            test: "McNemar mid-p (Fagerland et al. 2013)",
            b: r.mcnemar.midp.b,
            c: r.mcnemar.midp.c,
            statistic: r.mcnemar.midp.statistic,
            p: r.mcnemar.midp.pValue,
          },
        ],
        "md",
        {
          digits: 8,
          caption: "McNemar's test on the correct/incorrect table (b = A right, B wrong; c = A wrong, B right)",
        },
      ),
    ].join("\n");
    emit(text, values.out);
  },
};
