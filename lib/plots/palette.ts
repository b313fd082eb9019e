/**
 * The one palette of every figure: each class of the study has one colour wherever it appears
 * (management NONE / CLNC / EXC, the diagnosis groups, the binary NOEXC / EXC of MClass-D), each
 * approach one colour (management inferred from the diagnosis, predicted directly), and generic
 * series (folds, losses) draw from the rest. Colours come from two colour-blind-safe sets:
 * Okabe & Ito 2008 ("Color Universal Design") for management, approaches and series, and Paul
 * Tol's "muted" scheme (https://personal.sron.nl/~pault/) for the diagnosis groups, so a diagnosis
 * never shares a colour with a management class or an approach.
 *
 * Classes are looked up by their short code or their long name (plots see plain strings only).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classColor, CLASS_COLORS } from "./palette.ts";
 * assert.equal(classColor("EXC"), CLASS_COLORS.EXC);
 * assert.equal(classColor("excision"), CLASS_COLORS.EXC);
 * assert.equal(classColor("melanoma"), classColor("MEL"));
 * ```
 *
 * @module
 */

/** Okabe-Ito colours, black last: generic series (not classes). */
export const PALETTE: readonly string[] = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#D55E00", // vermillion
  "#F0E442", // yellow
  "#000000",
];

/** One colour per class, by short code. */
export const CLASS_COLORS: Readonly<
  Record<"NONE" | "CLNC" | "EXC" | "NOEXC" | "BCC" | "NEV" | "MEL" | "MISC" | "SK", string>
> = Object.freeze({
  // management: a traffic light (Okabe-Ito green, orange, vermillion)
  NONE: "#009E73",
  CLNC: "#E69F00",
  EXC: "#D55E00",
  // MClass-D's binary management: excision keeps EXC's colour
  NOEXC: "#7F7F7F",
  // diagnosis groups (Tol muted: indigo, teal, wine, sand, olive)
  BCC: "#332288",
  NEV: "#44AA99",
  MEL: "#882255",
  MISC: "#DDCC77",
  SK: "#999933",
});

/** Long names of the classes (as the vocabulary spells them) and their codes. */
const LONG_NAMES: Readonly<Record<string, keyof typeof CLASS_COLORS>> = Object.freeze({
  "no further examination": "NONE",
  "clinical follow up": "CLNC",
  "excision": "EXC",
  "basal cell carcinoma": "BCC",
  "nevus": "NEV",
  "melanoma": "MEL",
  "miscellaneous": "MISC",
  "seborrheic keratosis": "SK",
});

/** The two approaches of the study: management inferred from the diagnosis, and predicted directly. */
export const APPROACH_COLORS: Readonly<{ infr: string; pred: string }> = Object.freeze({
  infr: "#CC79A7",
  pred: "#0072B2",
});

/** Dash patterns that tell the approaches apart where colour shows the class (ROC/PR per class). */
export const APPROACH_DASHES: Readonly<{ infr: string; pred: string | undefined }> = Object.freeze({
  infr: "6,3",
  pred: undefined as string | undefined,
});

/** Dermatologists (points on ROC curves) and their majority. */
export const READER_COLORS: Readonly<{ dermatologist: string; majority: string }> = Object.freeze({
  dermatologist: "#000000",
  majority: "#555555",
});

/**
 * The colour of a class by code ("EXC") or long name ("excision").
 * @throws {RangeError} for a name that is no class of the study.
 */
export function classColor(name: string): string {
  const code = (name in CLASS_COLORS ? name : LONG_NAMES[name]) as keyof typeof CLASS_COLORS | undefined;
  if (!code) {
    throw new RangeError(
      `Cannot colour class: expected one of ${Object.keys(CLASS_COLORS).join(", ")} or a long name, found "${name}"`,
    );
  }
  return CLASS_COLORS[code];
}

/** Colours of several classes in order. */
export function classColors(names: readonly string[]): string[] {
  return names.map(classColor);
}

/** Whether `name` is a class with a fixed colour. */
export function isClass(name: string): boolean {
  return name in CLASS_COLORS || name in LONG_NAMES;
}
