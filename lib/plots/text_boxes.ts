/**
 * Readability check of an exported SVG: every piece of text gets a box in canvas coordinates
 * (advance width from the bundled font's metrics with kerning, height from the glyphs' ascent and
 * descent; positions through x/y/dx/dy in px or em, text-anchor, nested <svg> viewports and
 * translate/rotate/scale/matrix transforms), and `textProblems` lists every pair of boxes that
 * overlap, every box outside the canvas, and every box clipped by the viewport of the chart that
 * holds it. Boxes are approximate (kerning is kept, hinting is not): within a fraction of a pixel
 * of what resvg draws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textProblems } from "./text_boxes.ts";
 * const svg = (y2: number) =>
 *   `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">` +
 *   `<text x="10" y="20" font-size="12">first line</text><text x="10" y="${y2}" font-size="12">second</text></svg>`;
 * assert.deepEqual(textProblems(svg(40)), []);
 * assert.equal(textProblems(svg(25)).length, 1); // the lines overlap
 * assert.match(textProblems(svg(70))[0], /outside the canvas/);
 * ```
 *
 * @module
 */
import { parseHTML } from "linkedom";
import { TEXT_ASCENT, TEXT_DESCENT, textAdvance } from "./fonts.ts";

/** An affine matrix [a, b, c, d, e, f] (x' = a x + c y + e, y' = b x + d y + f). */
export type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** An axis-aligned box in canvas px: left `x0`, top `y0`, right `x1`, bottom `y1` (y grows downwards). */
export interface Rect {
  /** Left edge. */
  x0: number;
  /** Top edge. */
  y0: number;
  /** Right edge. */
  x1: number;
  /** Bottom edge. */
  y1: number;
}

/** One run of text and its box in canvas coordinates. */
export interface TextBox extends Rect {
  /** The run's text as written (a <text> element's, or one <tspan>'s or text node's). */
  text: string;
  /** Font size in px as set or inherited (before transforms; the box has them applied). */
  fontSize: number;
  /** Whether it is set in bold. */
  bold: boolean;
  /** The viewport that clips it (the nearest enclosing <svg>), in canvas coordinates. */
  clip: Rect;
}

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

/** Parses an SVG transform list. */
export function parseTransform(s: string | null): Matrix {
  let m: Matrix = IDENTITY;
  if (!s) return m;
  for (const [, fn, args] of s.matchAll(/(\w+)\s*\(([^)]*)\)/g)) {
    const a = args.split(/[\s,]+/).filter(Boolean).map(Number);
    let n: Matrix = IDENTITY;
    if (fn === "translate") n = [1, 0, 0, 1, a[0] ?? 0, a[1] ?? 0];
    else if (fn === "scale") n = [a[0], 0, 0, a[1] ?? a[0], 0, 0];
    else if (fn === "matrix") n = a.slice(0, 6) as Matrix;
    else if (fn === "rotate") {
      const r = ((a[0] ?? 0) * Math.PI) / 180, cos = Math.cos(r), sin = Math.sin(r);
      n = [cos, sin, -sin, cos, 0, 0];
      if (a.length >= 3) n = multiply(multiply([1, 0, 0, 1, a[1], a[2]], n), [1, 0, 0, 1, -a[1], -a[2]]);
    } else throw new RangeError(`Cannot read SVG transform: expected translate/scale/rotate/matrix, found "${fn}"`);
    m = multiply(m, n);
  }
  return m;
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

function boxOf(m: Matrix, r: Rect): Rect {
  const pts = [apply(m, r.x0, r.y0), apply(m, r.x1, r.y0), apply(m, r.x0, r.y1), apply(m, r.x1, r.y1)];
  return {
    x0: Math.min(...pts.map((p) => p[0])),
    y0: Math.min(...pts.map((p) => p[1])),
    x1: Math.max(...pts.map((p) => p[0])),
    y1: Math.max(...pts.map((p) => p[1])),
  };
}

const intersect = (a: Rect, b: Rect): Rect => ({
  x0: Math.max(a.x0, b.x0),
  y0: Math.max(a.y0, b.y0),
  x1: Math.min(a.x1, b.x1),
  y1: Math.min(a.y1, b.y1),
});

interface Style {
  fontSize: number;
  bold: boolean;
  anchor: "start" | "middle" | "end";
}

function styleValue(el: Element, name: string): string | null {
  const inline = el.getAttribute("style")?.match(new RegExp(`(?:^|;)\\s*${name}\\s*:\\s*([^;]+)`))?.[1]?.trim();
  return inline ?? el.getAttribute(name);
}

function inherit(el: Element, parent: Style): Style {
  const fs = styleValue(el, "font-size");
  const fw = styleValue(el, "font-weight");
  const ta = styleValue(el, "text-anchor");
  const size = fs ? (fs.endsWith("em") ? parseFloat(fs) * parent.fontSize : parseFloat(fs)) : parent.fontSize;
  return {
    fontSize: Number.isFinite(size) ? size : parent.fontSize,
    bold: fw ? fw === "bold" || fw === "bolder" || Number(fw) >= 600 : parent.bold,
    anchor: ta === "middle" || ta === "end" || ta === "start" ? ta : parent.anchor,
  };
}

/** A length attribute (the first of a list) in px; em relative to `fontSize`. */
function length(el: Element, name: string, fontSize: number): number | null {
  const v = el.getAttribute(name);
  if (v === null || v.trim() === "") return null;
  const first = v.trim().split(/[\s,]+/)[0];
  if (first.endsWith("em")) return parseFloat(first) * fontSize;
  if (first.endsWith("%")) return null;
  const n = parseFloat(first);
  return Number.isFinite(n) ? n : null;
}

/**
 * Every text run of a standalone SVG with its box (see module doc).
 * @throws {RangeError} when the text is not an SVG document with a width and height.
 */
export function svgTextBoxes(svg: string): { width: number; height: number; boxes: TextBox[] } {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${svg}</body></html>`);
  const root = document.querySelector("svg") as unknown as Element | null;
  const width = Number(root?.getAttribute("width")), height = Number(root?.getAttribute("height"));
  if (!root || !(width > 0) || !(height > 0)) {
    throw new RangeError("Cannot read SVG text boxes: expected an <svg> with numeric width and height, found none");
  }
  const boxes: TextBox[] = [];
  const canvas: Rect = { x0: 0, y0: 0, x1: width, y1: height };
  const walk = (el: Element, m: Matrix, style: Style, clip: Rect, isRoot = false) => {
    const tag = el.tagName.toLowerCase();
    if (["style", "metadata", "defs", "title", "desc", "clippath", "mask", "symbol"].includes(tag)) return;
    if (el.getAttribute("display") === "none" || el.getAttribute("visibility") === "hidden") return;
    const s = inherit(el, style);
    let mm = multiply(m, parseTransform(el.getAttribute("transform")));
    let cl = clip;
    if (tag === "svg" && !isRoot) {
      const x = Number(el.getAttribute("x") ?? 0), y = Number(el.getAttribute("y") ?? 0);
      const w = Number(el.getAttribute("width")), h = Number(el.getAttribute("height"));
      mm = multiply(mm, [1, 0, 0, 1, x, y]);
      if (w > 0 && h > 0) {
        cl = intersect(clip, boxOf(mm, { x0: 0, y0: 0, x1: w, y1: h }));
        const vb = el.getAttribute("viewBox")?.split(/[\s,]+/).map(Number);
        if (vb?.length === 4 && vb[2] > 0 && vb[3] > 0) {
          mm = multiply(mm, [w / vb[2], 0, 0, h / vb[3], -vb[0] * (w / vb[2]), -vb[1] * (h / vb[3])]);
        }
      }
    }
    if (tag === "text") {
      textRuns(el, mm, s, cl, boxes);
      return;
    }
    for (const child of el.children) walk(child, mm, s, cl);
  };
  walk(root, IDENTITY, { fontSize: 16, bold: false, anchor: "start" }, canvas, true);
  return { width, height, boxes };
}

function textRuns(el: Element, m: Matrix, style: Style, clip: Rect, out: TextBox[]) {
  let cx = (length(el, "x", style.fontSize) ?? 0) + (length(el, "dx", style.fontSize) ?? 0);
  let cy = (length(el, "y", style.fontSize) ?? 0) + (length(el, "dy", style.fontSize) ?? 0);
  const push = (text: string, s: Style, x: number, y: number) => {
    if (!text.trim()) return 0;
    const w = textAdvance(text, s.fontSize, { bold: s.bold });
    const x0 = s.anchor === "middle" ? x - w / 2 : s.anchor === "end" ? x - w : x;
    const box = boxOf(m, { x0, y0: y - TEXT_ASCENT * s.fontSize, x1: x0 + w, y1: y + TEXT_DESCENT * s.fontSize });
    out.push({ text, fontSize: s.fontSize, bold: s.bold, clip, ...box });
    return w;
  };
  const tspans = [...el.children].filter((c) => c.tagName.toLowerCase() === "tspan");
  if (!tspans.length) {
    push(el.textContent ?? "", style, cx, cy);
    return;
  }
  for (const node of el.childNodes) {
    if (node.nodeType === 3) {
      cx += push(node.textContent ?? "", style, cx, cy) * (style.anchor === "start" ? 1 : 0);
      continue;
    }
    if (node.nodeType !== 1 || (node as Element).tagName.toLowerCase() !== "tspan") continue;
    const t = node as Element;
    const s = inherit(t, style);
    const x = length(t, "x", s.fontSize), y = length(t, "y", s.fontSize);
    if (x !== null) cx = x;
    if (y !== null) cy = y;
    cx += length(t, "dx", s.fontSize) ?? 0;
    cy += length(t, "dy", s.fontSize) ?? 0;
    cx += push(t.textContent ?? "", s, cx, cy) * (s.anchor === "start" ? 1 : 0);
  }
}

const fmt = (b: Rect) => `[${b.x0.toFixed(1)}, ${b.y0.toFixed(1)}, ${b.x1.toFixed(1)}, ${b.y1.toFixed(1)}]`;

/**
 * Every readability problem of an SVG's text: pairs of overlapping boxes (by more than `tolerance`
 * px in both directions), boxes outside the canvas, and boxes clipped by their chart's viewport.
 * One line per problem; empty when the text is clean.
 */
export function textProblems(svg: string, options: { tolerance?: number } = {}): string[] {
  const tol = options.tolerance ?? 0.5;
  const { width, height, boxes } = svgTextBoxes(svg);
  const problems: string[] = [];
  for (const b of boxes) {
    if (b.x0 < -tol || b.y0 < -tol || b.x1 > width + tol || b.y1 > height + tol) {
      problems.push(`"${b.text}" ${fmt(b)} lies outside the canvas ${width} x ${height}`);
    } else if (b.x0 < b.clip.x0 - tol || b.y0 < b.clip.y0 - tol || b.x1 > b.clip.x1 + tol || b.y1 > b.clip.y1 + tol) {
      problems.push(`"${b.text}" ${fmt(b)} is clipped by its chart's viewport ${fmt(b.clip)}`);
    }
  }
  const sorted = [...boxes].sort((a, b) => a.x0 - b.x0);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    for (let j = i + 1; j < sorted.length && sorted[j].x0 < a.x1 - tol; j++) {
      const b = sorted[j];
      const o = intersect(a, b);
      if (o.x1 - o.x0 > tol && o.y1 - o.y0 > tol) {
        problems.push(`"${a.text}" ${fmt(a)} overlaps "${b.text}" ${fmt(b)}`);
      }
    }
  }
  return problems;
}
