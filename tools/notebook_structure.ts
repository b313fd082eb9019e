/**
 * Structure checks of a notebook built from its source (tools/ipynb.py): every prose marker of the
 * source became a markdown cell, the notebook opens with a markdown title followed by what it
 * shows, ends with a markdown cell saying what it shows and what it does not, and no code cell ends
 * in a comment-only block (the sign of prose that lost its marker).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CLOSING_HEADING, structureProblems } from "./notebook_structure.ts";
 * const src = "// %% [markdown]\n// # T\n//\n// Shows x.\n// %% code\n1;\n// %% [markdown]\n" +
 *   "// ## What this notebook shows, and what it does not\n//\n// x, not y.\n";
 * const md = (s: string) => ({ cell_type: "markdown", source: [s] });
 * const nb = { cells: [md("# T\n\nShows x."), { cell_type: "code", source: ["1;"] }, md(CLOSING_HEADING + "\n\nx, not y.")] };
 * assert.deepEqual(structureProblems("t", src, nb), []);
 * ```
 */

/** The heading of the last cell of every notebook. */
export const CLOSING_HEADING = "## What this notebook shows, and what it does not";

export interface NotebookCell {
  cell_type: string;
  source: string[] | string;
}

const text = (c: NotebookCell) => (Array.isArray(c.source) ? c.source.join("") : c.source);

/** Problems found (empty when the notebook is well formed); each names the notebook and the cell. */
export function structureProblems(name: string, source: string, nb: { cells: readonly NotebookCell[] }): string[] {
  const problems: string[] = [];
  const markers = source.split("\n").filter((l) => /^\/\/ %% \[markdown\]\s*$/.test(l)).length;
  const markdown = nb.cells.filter((c) => c.cell_type === "markdown");
  if (markers !== markdown.length) {
    problems.push(
      `${name}: expected ${markers} markdown cells (one per "// %% [markdown]" marker of the source), found ${markdown.length}`,
    );
  }
  const first = nb.cells[0];
  if (!first || first.cell_type !== "markdown" || !/^# \S/.test(text(first))) {
    problems.push(
      `${name}: expected the first cell to be markdown opening with a "# " title, found ${
        first ? `a ${first.cell_type} cell starting ${JSON.stringify(text(first).slice(0, 40))}` : "no cell"
      }`,
    );
  } else if (!text(first).split("\n").slice(1).some((l) => l.trim() && !l.startsWith("#"))) {
    problems.push(`${name}: expected the title cell to say what the notebook shows, found only the title`);
  }
  const last = nb.cells[nb.cells.length - 1];
  if (!last || last.cell_type !== "markdown" || !text(last).startsWith(CLOSING_HEADING)) {
    problems.push(
      `${name}: expected the last cell to be markdown starting "${CLOSING_HEADING}", found ${
        last ? `a ${last.cell_type} cell starting ${JSON.stringify(text(last).slice(0, 40))}` : "no cell"
      }`,
    );
  } else if (!/\bnot\b/.test(text(last).slice(CLOSING_HEADING.length))) {
    problems.push(`${name}: expected the closing cell to say what the notebook does not show, found no "not"`);
  }
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    const lines = text(c).split("\n").map((l) => l.trim()).filter((l) => l !== "");
    if (lines.length && lines[lines.length - 1].startsWith("//")) {
      problems.push(
        `${name}: expected code cell ${i} to end in code, found a comment-only block (${
          JSON.stringify(lines[lines.length - 1].slice(0, 50))
        }): is a "// %% [markdown]" marker missing?`,
      );
    }
  });
  return problems;
}
