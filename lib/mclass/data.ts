/**
 * The MClass-D benchmark (Brinker et al. 2019): 100 dermoscopic ISIC images (20 melanomas, 80 nevi)
 * answered by 157 dermatologists. Loaders for a user's download, each validating what it reads:
 *
 * - the image list `image_name,target` (target 1 = melanoma, 0 = nevus), as MClassD.csv;
 * - the images folder (`<image_name>` files);
 * - the dermatologists' answers: the benchmark's spreadsheet (one row per dermatologist, columns
 *   `Answer 1` ... `Answer 100` in list order), or a plain CSV rater matrix (a `rater` column, then
 *   one column per image name). Answers are read by the vocabulary of answers.ts ("biopsy/further
 *   treatment" = excise, "reassure the patient" = not, negations first, 1/0, EXC/NOEXC); anything it
 *   does not decide is an error naming the cell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadAnswers, loadMclassList } from "./data.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/MClassD.csv`, "image_name,target\nISIC_0000001.jpg,1\nISIC_0000002.jpg,0\n");
 * const answers = "rater,ISIC_0000001,ISIC_0000002\nA,biopsy/further treatment,reassure the patient\n";
 * Deno.writeTextFileSync(`${dir}/answers.csv`, answers);
 * const list = loadMclassList(`${dir}/MClassD.csv`);
 * assert.deepEqual(list.images[0], { name: "ISIC_0000001.jpg", melanoma: true });
 * assert.deepEqual(list.images[1], { name: "ISIC_0000002.jpg", melanoma: false });
 * const panel = loadAnswers(`${dir}/answers.csv`, list); // or the benchmark's .xlsx
 * assert.deepEqual(panel.answers, [[1, 0]]); // answers[rater][image], 1 = excise
 * ```
 *
 * @module
 */
import { join } from "node:path";
import XLSX from "xlsx";
import { parseCsv } from "../util/csv.ts";
import { exists, readTextFile } from "../util/fs.ts";
import { answerToExcision } from "./answers.ts";

/** The benchmark's image list. */
export interface MclassList {
  /** The list file read. */
  file: string;
  /** Each image's file name and whether it is a melanoma, in the list's order. */
  images: { name: string; melanoma: boolean }[];
}

/**
 * Reads the image list.
 * @throws {Error} naming the file, line and column of a missing column, an empty name, a target other
 * than 0/1, or a duplicated image.
 */
export function loadMclassList(path: string): MclassList {
  const t = parseCsv(readTextFile(path, "the MClass-D image list"), { file: path });
  for (const c of ["image_name", "target"]) {
    if (!t.header.includes(c)) {
      throw new Error(
        `Cannot read ${path}: expected a column "${c}" (columns image_name,target), found ${t.header.join(",")}`,
      );
    }
  }
  const ni = t.header.indexOf("image_name"), ti = t.header.indexOf("target");
  const seen = new Set<string>();
  const images = t.rows.map((r) => {
    const name = r.values[ni].trim(), target = r.values[ti].trim();
    if (!name) {
      throw new Error(
        `Cannot read ${path} line ${r.line}, column "image_name": expected an image file name, found an empty field`,
      );
    }
    if (target !== "0" && target !== "1") {
      throw new Error(
        `Cannot read ${path} line ${r.line}, column "target": expected 0 (nevus) or 1 (melanoma), found "${target}"`,
      );
    }
    if (seen.has(name)) {
      throw new Error(
        `Cannot read ${path} line ${r.line}, column "image_name": expected each image once, found "${name}" again`,
      );
    }
    seen.add(name);
    return { name, melanoma: target === "1" };
  });
  return { file: path, images };
}

/** Absolute paths of the list's images in `imagesDir`. @throws {Error} naming the first missing image. */
export function mclassImagePaths(list: MclassList, imagesDir: string): string[] {
  return list.images.map((im) => {
    const candidates = [im.name, `${im.name}.jpg`, `${im.name}.jpeg`, `${im.name}.png`];
    const hit = candidates.map((c) => join(imagesDir, c)).find(exists);
    if (!hit) {
      throw new Error(
        `Cannot find MClass-D image "${im.name}": expected a file in ${imagesDir} (${
          candidates.join(", ")
        }), found none`,
      );
    }
    return hit;
  });
}

/** The dermatologists' answers. */
export interface RaterPanel {
  /** The answers file read. */
  file: string;
  /** Each rater's name (the CSV's rater column, or "dermatologist N" for the spreadsheet). */
  raters: string[];
  /** answers[r][i] in the list's image order: 1 = excise. */
  answers: number[][];
}

/**
 * Reads the dermatologists' answers from the benchmark's spreadsheet (.xlsx) or a CSV rater matrix.
 * @throws {Error} on a wrong shape (not one answer per image), an unknown answer (naming the cell) or
 * an unknown image column.
 */
export function loadAnswers(path: string, list: MclassList): RaterPanel {
  if (!exists(path)) throw new Error(`Cannot read the dermatologists' answers: expected a file at ${path}, found none`);
  return /\.xlsx?$/i.test(path) ? loadSpreadsheet(path, list) : loadRaterCsv(path, list);
}

function loadSpreadsheet(path: string, list: MclassList): RaterPanel {
  const wb = XLSX.read(Deno.readFileSync(path), { type: "buffer" });
  const sheet = wb.Sheets[wb.SheetNames[0]];
  const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(sheet, { defval: "" });
  if (!rows.length) throw new Error(`Cannot read ${path}: expected one row per dermatologist, found none`);
  const n = list.images.length;
  const answerCols = Object.keys(rows[0]).filter((k) => /^Answer\s*\d+$/i.test(k.trim())).sort((a, b) =>
    Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0])
  );
  if (answerCols.length !== n) {
    throw new Error(
      `Cannot read ${path}: expected ${n} columns "Answer 1" ... "Answer ${n}" (one per image of ${list.file}), found ${answerCols.length}`,
    );
  }
  const answers = rows.map((row, r) =>
    answerCols.map((c) => answerToExcision(row[c], `${path} sheet "${wb.SheetNames[0]}" row ${r + 2}, column "${c}"`))
  );
  return { file: path, raters: rows.map((_, r) => `dermatologist ${r + 1}`), answers };
}

function loadRaterCsv(path: string, list: MclassList): RaterPanel {
  const t = parseCsv(readTextFile(path, "rater matrix"), { file: path });
  if (t.header[0] !== "rater") {
    throw new Error(`Cannot read ${path}: expected a first column "rater", found "${t.header[0]}"`);
  }
  const cols = t.header.slice(1);
  const names = list.images.map((im) => im.name);
  if (cols.length !== names.length) {
    throw new Error(
      `Cannot read ${path}: expected ${names.length} image columns (one per image of ${list.file}), found ${cols.length}`,
    );
  }
  const index = names.map((name) => {
    const j = cols.findIndex((c) =>
      c === name || c.replace(/\.(jpe?g|png)$/i, "") === name.replace(/\.(jpe?g|png)$/i, "")
    );
    if (j < 0) throw new Error(`Cannot read ${path}: expected a column for image "${name}", found none`);
    return j + 1;
  });
  const answers = t.rows.map((r) =>
    index.map((j) => answerToExcision(r.values[j], `${path} line ${r.line}, column "${t.header[j]}"`))
  );
  if (!answers.length) throw new Error(`Cannot read ${path}: expected one row per dermatologist, found none`);
  return { file: path, raters: t.rows.map((r) => r.values[0]), answers };
}
