/**
 * Command-line options: the shape of one option, the usage error, the readers that turn an option's
 * value into a checked number, choice or path, and one option table per concept that several
 * commands share (the release, a run folder, a new case, the backbone, the engine, seeds, output),
 * so a concept is described once and reads the same in every command's `--help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intOption, UsageError } from "./options.ts";
 * assert.equal(intOption("folds", { k: "5" }, "k", 3, 2, 100), 5);
 * assert.equal(intOption("folds", {}, "k", 3, 2, 100), 3);
 * assert.throws(
 *   () => intOption("folds", { k: "1" }, "k", 3, 2, 100),
 *   (e) => e instanceof UsageError && /expected --k to be an integer in \[2, 100\], found "1"/.test(e.message),
 * );
 * ```
 *
 * @module
 */
import { type BackendName, BACKENDS } from "../model/backend.ts";
import { type EngineChoice, ENGINES } from "../model/engine.ts";
import type { MetadataVariable } from "../data/vocabulary.ts";
import { BACKBONE_SOURCES, type BackboneSource, FEATURES_PRESET, type Precision, PRECISIONS } from "../model/config.ts";
import { readHdf5File } from "../model/keras_h5.ts";
import { exists } from "../util/fs.ts";
import { join } from "node:path";

/** One option of a command, as node:util parseArgs takes it, with its --help line. */
export type OptionSpec = {
  /** A string value (`--out DIR`) or a flag (`--quiet`). */
  type: "string" | "boolean";
  /** Whether the option may be repeated (its value is then a list). */
  multiple?: boolean;
  /** One-letter alias. */
  short?: string;
  /** The value when the option is not given (shown in --help). */
  default?: string | boolean;
  /** One line for --help. */
  help: string;
  /** Placeholder shown in --help (e.g. DIR). */
  arg?: string;
};

/** The parsed values of a command line, by option name. */
export type OptionValues = Record<string, unknown>;

/** Thrown for a bad command line; main prints the message and exits with status 2. */
export class UsageError extends Error {}

/**
 * A required string option.
 * @throws {UsageError} "expected --NAME WHAT, found none" when it is missing or empty.
 */
export function requireOption(cmd: string, values: OptionValues, name: string, what: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") {
    throw new UsageError(`Cannot run "${cmd}": expected --${name} ${what}, found none`);
  }
  return v;
}

/**
 * An option that must be one of `choices` (`fallback` when not given).
 * @throws {UsageError} naming the choices and the value found.
 */
export function choiceOption<T extends string>(
  cmd: string,
  values: OptionValues,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = (values[name] as string | undefined) ?? fallback;
  if (!choices.includes(v as T)) {
    throw new UsageError(`Cannot run "${cmd}": expected --${name} to be one of ${choices.join("|")}, found "${v}"`);
  }
  return v as T;
}

/** The bounds of an integer option as --help and errors say them: "", " >= 1", " <= 9" or " in [1, 9]". */
function boundsText(min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return "";
  if (max === Infinity) return ` >= ${min}`;
  if (min === -Infinity) return ` <= ${max}`;
  return ` in [${min}, ${max}]`;
}

/**
 * An integer option within [min, max] (`fallback` when not given).
 * @throws {UsageError} naming the bounds and the value found.
 */
export function intOption(
  cmd: string,
  values: OptionValues,
  name: string,
  fallback: number,
  min = -Infinity,
  max = Infinity,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const v = /^\s*-?\d+\s*$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(
      `Cannot run "${cmd}": expected --${name} to be an integer${boundsText(min, max)}, found "${raw}"`,
    );
  }
  return v;
}

/** A finite number option accepted by `ok`, described by `what` in the error. */
function numberOption(
  cmd: string,
  values: OptionValues,
  name: string,
  fallback: number,
  ok: (v: number) => boolean,
  what: string,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (String(raw).trim() === "" || !Number.isFinite(v) || !ok(v)) {
    throw new UsageError(`Cannot run "${cmd}": expected --${name} to be ${what}, found "${raw}"`);
  }
  return v;
}

/**
 * A number option >= 0 (`fallback` when not given).
 * @throws {UsageError} when the value is not a finite number >= 0.
 */
export function nonNegativeNumberOption(cmd: string, values: OptionValues, name: string, fallback: number): number {
  return numberOption(cmd, values, name, fallback, (v) => v >= 0, "a number >= 0");
}

/**
 * A number option > 0 (`fallback` when not given).
 * @throws {UsageError} when the value is not a finite positive number.
 */
export function positiveNumberOption(cmd: string, values: OptionValues, name: string, fallback: number): number {
  return numberOption(cmd, values, name, fallback, (v) => v > 0, "a positive number");
}

/**
 * `--head-weights`: each named head's weight in the summed loss, as "head=w,head=w" (a head not named weighs
 * 1, and so does one named with weight 1, which is left out), or "equal" for the study's plain sum; `undefined`
 * when the option is not given.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headWeightsOption } from "./options.ts";
 * const heads = ["diagnosis", "management"] as const;
 * assert.deepEqual(headWeightsOption("train", { "head-weights": "management=3" }, heads), { management: 3 });
 * assert.deepEqual(headWeightsOption("train", { "head-weights": "equal" }, heads), {});
 * assert.deepEqual(headWeightsOption("train", { "head-weights": "management=1, diagnosis=0.5" }, heads), { diagnosis: 0.5 });
 * assert.throws(() => headWeightsOption("train", { "head-weights": "management=2,management=3" }, heads), /twice/);
 * assert.throws(() => headWeightsOption("train", { "head-weights": "management=0x10" }, heads), /found "management=0x10"/);
 * assert.throws(() => headWeightsOption("train", { "head-weights": "streaks=2" }, heads), /--head-weights.*diagnosis, management/);
 * ```
 * @throws {UsageError} naming the entry that is not "head=w" with a head of `heads` and a weight > 0.
 */
export function headWeightsOption(
  cmd: string,
  values: OptionValues,
  heads: readonly string[],
): Record<string, number> | undefined {
  const raw = values["head-weights"];
  if (raw === undefined) return undefined;
  if (String(raw).trim() === "equal") return {};
  const out: Record<string, number> = {};
  for (const entry of String(raw).split(",")) {
    const [head, weight, ...rest] = entry.split("=").map((x) => x.trim());
    const w = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(weight ?? "") ? Number(weight) : NaN;
    if (head in out) {
      throw new UsageError(
        `Cannot run "${cmd}": expected --head-weights to name each head once, found "${head}" twice`,
      );
    }
    if (!heads.includes(head) || rest.length || !Number.isFinite(w) || w <= 0) {
      throw new UsageError(
        `Cannot run "${cmd}": expected --head-weights to be "equal" or HEAD=W entries with HEAD among ${
          heads.join(", ")
        } and W > 0, found "${entry}"`,
      );
    }
    if (w !== 1) out[head] = w; // weight 1 is the default: the same run as not naming the head
  }
  return out;
}

/** `--data`: a release folder, with the default every data-reading command uses. */
export const RELEASE_OPTION: OptionSpec = {
  type: "string",
  arg: "DIR",
  help: "release folder with meta/meta.csv (default $DERM7PT_DIR, else data/synthetic)",
};

/** `--data` of the commands that open a run: the release, by default the one the run was trained on. */
export const RUN_RELEASE_OPTION: OptionSpec = {
  type: "string",
  arg: "DIR",
  help: "the release (default: the one the run was trained on)",
};

/** `--run`: a run folder written by `train`. */
export const RUN_OPTION: OptionSpec = { type: "string", arg: "DIR", help: "a run folder written by train" };

/** `--backend` of the commands that open a run: a tfjs backend, by default the run's. */
export const RUN_BACKEND_OPTION: OptionSpec = {
  type: "string",
  arg: "NAME",
  help: "tfjs backend (default: the run's)",
};

/** The value of `--backend` for a command that opens a run: undefined (the run's) when not given. */
export function runBackendOption(cmd: string, values: OptionValues): BackendName | undefined {
  return values.backend ? choiceOption(cmd, values, "backend", BACKENDS, "auto") : undefined;
}

/** The `--engine` option of every command that runs the frozen backbone. */
export const ENGINE_OPTION: OptionSpec = {
  type: "string",
  arg: ENGINES.join("|"),
  default: "auto",
  help: "engine of the frozen backbone: onnx (ONNX Runtime, every core), tfjs, auto = onnx where it loads",
};

/** The value of `--engine`. */
export function engineOption(cmd: string, values: OptionValues): EngineChoice {
  return choiceOption(cmd, values, "engine", ENGINES, "auto");
}

/** `--workers` of the commands that extract features with the tfjs engine. */
export const WORKERS_OPTION: OptionSpec = {
  type: "string",
  arg: "W",
  default: "2",
  help: "feature-extraction workers of the tfjs engine",
};

/** The options of a new case (images and metadata), as `predict` and `case` take them. */
export const NEW_CASE_OPTIONS: Readonly<Record<"clinical" | "derm" | MetadataVariable, OptionSpec>> = {
  clinical: { type: "string", arg: "FILE", help: "clinical image of a new case" },
  derm: { type: "string", arg: "FILE", help: "dermoscopic image of a new case" },
  sex: { type: "string", arg: "S", help: "female|male" },
  location: {
    type: "string",
    arg: "L",
    help: "abdomen|acral|back|buttocks|chest|genital areas|head neck|lower limbs|upper limbs",
  },
  elevation: { type: "string", arg: "E", help: "flat|nodular|palpable" },
};

/** A new case as the options describe it: image files and metadata. */
export interface NewCaseFiles {
  /** The clinical image, when given. */
  clinical?: string;
  /** The dermoscopic image, when given. */
  derm?: string;
  /** Sex, location and elevation as given (checked against the vocabulary where the run needs them). */
  metadata: Record<MetadataVariable, string>;
}

/**
 * The new case of `--clinical/--derm/--sex/--location/--elevation`, or null when none of them is given
 * (`--location` or `--elevation` alone do not start a case; the run's input check names what is missing).
 */
export function newCaseOption(values: OptionValues): NewCaseFiles | null {
  if (!values.clinical && !values.derm && !values.sex) return null;
  return {
    clinical: values.clinical as string | undefined,
    derm: values.derm as string | undefined,
    metadata: {
      sex: values.sex as string,
      location: values.location as string,
      elevation: values.elevation as string,
    },
  };
}

/** `--backbone`, `--weights` and `--size` (train and extract; `--layers` differs in its default). */
export const BACKBONE_OPTIONS: Readonly<Record<"backbone" | "weights" | "size" | "precision", OptionSpec>> = {
  backbone: { type: "string", arg: "SOURCE", default: "nsfwjs", help: BACKBONE_SOURCES.join("|") },
  weights: { type: "string", arg: "PATH", help: "weights file/folder for imagenet, keras-h5 or tfjs backbones" },
  size: { type: "string", arg: "PX", default: "299", help: "input size" },
  precision: {
    type: "string",
    arg: PRECISIONS.join("|"),
    help: `frozen backbone's arithmetic on the onnx engine (default ${FEATURES_PRESET.precision} for features)`,
  },
};

/**
 * Checks `--weights` before any work: an HDF5 file for keras-h5/imagenet, a folder with model.json for tfjs.
 * @throws {UsageError} when it names the wrong kind of thing or comes with a backbone that takes no weights.
 */
function checkWeightsOption(cmd: string, source: BackboneSource, path: string): void {
  if (source === "tfjs") {
    if (!exists(join(path, "model.json"))) {
      throw new UsageError(
        `Cannot run "${cmd}": expected --weights to name a tfjs model folder with model.json, found none at ${path}`,
      );
    }
  } else if (source === "keras-h5" || source === "imagenet") {
    readHdf5File(path, "--weights");
  } else {
    throw new UsageError(`Cannot run "${cmd}": expected --weights only with --backbone imagenet, keras-h5 or tfjs`);
  }
}

/** The backbone that `--backbone`, `--weights`, `--size` and `--precision` name. */
export interface BackboneChoice {
  /** Where the weights come from. */
  source: BackboneSource;
  /** Input side in pixels (32..1024). */
  size: number;
  /** The weights file or folder (`--weights`), when given. */
  path?: string;
  /** The arithmetic (`--precision`), when given. */
  precision?: Precision;
}

/**
 * The values of `--backbone`, `--weights` (checked before any work), `--size` and `--precision`.
 * @throws {UsageError} for an unknown source, a keras-h5/tfjs backbone without weights, weights of the
 * wrong kind, or a size outside 32..1024.
 */
export function backboneOption(cmd: string, values: OptionValues): BackboneChoice {
  const source = choiceOption(cmd, values, "backbone", BACKBONE_SOURCES, "nsfwjs");
  if ((source === "keras-h5" || source === "tfjs") && !values.weights) {
    throw new UsageError(`Cannot run "${cmd}": expected --weights PATH with --backbone ${source}, found none`);
  }
  if (values.weights) checkWeightsOption(cmd, source, String(values.weights));
  return {
    source,
    size: intOption(cmd, values, "size", 299, 32, 1024),
    ...(values.weights ? { path: String(values.weights) } : {}),
    ...(values.precision !== undefined
      ? { precision: choiceOption(cmd, values, "precision", PRECISIONS, FEATURES_PRESET.precision) }
      : {}),
  };
}

/** `--seeds N` and `--seed-list a,b,c`: several seeds (study and tune). */
export const SEEDS_OPTIONS: Readonly<Record<"seeds" | "seed-list", OptionSpec>> = {
  seeds: { type: "string", arg: "N", default: "3", help: "train with seeds 1..N" },
  "seed-list": { type: "string", arg: "S1,S2", help: "train with these seeds instead" },
};

/**
 * The seeds of `--seeds N` (1..N) or `--seed-list a,b,c`.
 * @throws {UsageError} when the list is empty, not integers or repeats a seed, or N is outside 1..20.
 */
export function seedsOption(cmd: string, values: OptionValues): number[] {
  if (values["seed-list"] !== undefined) {
    const raw = String(values["seed-list"]);
    const seeds = raw.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
    if (!seeds.length || !seeds.every(Number.isInteger) || new Set(seeds).size !== seeds.length) {
      throw new UsageError(
        `Cannot run "${cmd}": expected --seed-list to be distinct integers like 1,2,3, found "${raw}"`,
      );
    }
    return seeds;
  }
  const n = intOption(cmd, values, "seeds", 3, 1, 20);
  return [...Array(n).keys()].map((i) => i + 1);
}

/** `--out FILE` of the commands that print a table: write it to a file instead of stdout. */
export const OUT_FILE_OPTION: OptionSpec = {
  type: "string",
  arg: "FILE",
  help: "write to FILE (atomically) instead of stdout",
};

/** `--quiet`: no progress line. */
export const QUIET_OPTION: OptionSpec = { type: "boolean", help: "no progress line" };
