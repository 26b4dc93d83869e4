// Pure helpers shared by the figure builders: trace data in, {data, layout, cursor} out.
// `cursor` says which axes of a figure run over time (and whether its rows are units), so the
// page can draw the timestep column and the chosen unit's row on it (cursorShapes).
import { CHANGED, DROPPED, KEPT } from "../gates.js";

export const KEEP_SCALE = [
  [0, DROPPED],
  [0.5, DROPPED],
  [0.5, KEPT],
  [1, KEPT],
]; // dropped: dark navy, kept: pale
export const SIGMOID_SCALE = "Viridis";
export const SIGNED_SCALE = "RdBu";
const BASE_FONT = 12; // tick labels and axis words: 12 px, 18 px presenting (x 1.5)
const TITLE_FONT = 15;
const LEAST_FONT = 12; // no chart text below this (before the text scale): annotations too
// the title's second line (the figure's key fact): 85 % of the title, 12.75 px, 19.1 px presenting.
// A span, not <sup> (Plotly draws <sup> at 70 %, 9.8 px), and still "what<br>...detail..." for embed/fit.js.
const DETAIL_STYLE = "font-size:85%";

export function stepLabels(tokens) {
  return tokens.map((tok, t) => `${t} ${tok.word}`);
}

/** A figure's layout; the title's details go on a smaller second line (keep them short). */
export function baseLayout(title, height, extra = {}, detail = "") {
  return {
    title: {
      text: detail ? `${title}<br><span style="${DETAIL_STYLE}">${detail}</span>` : title,
      font: { size: TITLE_FONT },
      x: 0,
      xanchor: "left",
    },
    height,
    margin: { l: 48, r: 8, t: detail ? 50 : 32, b: 40 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { size: BASE_FONT },
    ...extra,
  };
}

const FONT_KEYS = new Set(["font", "tickfont", "titlefont"]);

/** Scale every font size found in a layout (titles, annotations, axes), none under LEAST_FONT
 * before the scale, returning a copy. */
function scaleFonts(value, k) {
  if (Array.isArray(value)) return value.map((v) => scaleFonts(v, k));
  if (!value || typeof value !== "object") return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    const size = Math.max(LEAST_FONT, v?.size ?? BASE_FONT);
    if (FONT_KEYS.has(key) && v && typeof v === "object") out[key] = { ...v, size: Math.round(size * k * 10) / 10 };
    else out[key] = key === "shapes" ? v : scaleFonts(v, k);
  }
  return out;
}

const AXIS = /^[xy]axis\d*$/;

/** How much taller fitted() draws a figure at a text scale (70 % of the text's growth). */
export const heightScale = (scale) => 1 + (scale - 1) * 0.7;

/** The layout as drawn: fonts and margins scaled for a projector (scale 1.5: 16.5 px ticks), and
 * on a narrow screen the toolbar gets its own band above the title and tick labels their room. */
export function fitted(layout, { scale = 1, narrow = false }) {
  const out = scaleFonts(layout, scale);
  out.font = { ...(out.font ?? {}), size: Math.max(LEAST_FONT, layout.font?.size ?? BASE_FONT) * scale };
  const m = layout.margin ?? {};
  out.margin = { ...m, l: Math.round((m.l ?? 48) * scale), t: Math.round((m.t ?? 30) * scale), b: Math.round((m.b ?? 40) * scale) };
  out.height = Math.round(layout.height * heightScale(scale));
  // the title's lines hang from the top of the figure, below the toolbar's band when narrow
  // (Plotly's "auto" centres them in the top margin, where a second line runs into the plot's own
  // labels); Plotly anchors a title's top at its first line, so the other lines are counted
  const band = narrow ? 30 : 0;
  const lines = (out.title?.text ?? "").split("<br>").length;
  const line = (out.title?.font?.size ?? TITLE_FONT) * 1.1;
  if (narrow) {
    // the toolbar gets a band of its own above the title; the words under a time axis stand
    // upright with room below them (a fixed height would clip them: "1 mc")
    out.margin.t += band;
    out.margin.b += 40;
    out.height += 70;
    for (const key of Object.keys(out)) {
      if (AXIS.test(key)) out[key] = { ...out[key], automargin: true, ...(key[0] === "x" ? { tickangle: -90 } : {}) };
    }
  }
  if (out.title?.text) {
    out.margin.t += Math.round(6 * scale * (lines - 1)); // the detail line is 12.75 px now, not <sup>'s 9.8
    const y = 1 - (band + Math.round(6 * scale) + line * (lines - 1)) / out.height;
    out.title = { ...out.title, yref: "container", y, yanchor: "top" };
  }
  for (const key of Object.keys(out)) if (AXIS.test(key) && key.startsWith("x") && scale !== 1) out[key] = { ...out[key], automargin: true };
  return out;
}

/** The cursor on a figure: a column outline at step t on every time axis, and the unit's row
 * framed on the axes whose rows are units. Pure; plot.js puts these shapes on the figure. */
export function cursorShapes(cursor, t, unit) {
  const shapes = [];
  for (const a of cursor.axes) {
    if (cursor.kind === "line") {
      shapes.push({ type: "line", xref: a.x, yref: `${a.y} domain`, x0: t, x1: t, y0: 0, y1: 1, line: { color: CHANGED, width: 2 }, name: "cursor-t" });
      continue;
    }
    shapes.push({ type: "rect", xref: a.x, yref: `${a.y} domain`, x0: t - 0.5, x1: t + 0.5, y0: 0, y1: 1, line: { color: CHANGED, width: 2 }, name: "cursor-t" });
    if (a.rows === "unit" && unit !== null && unit < a.n) {
      shapes.push({ type: "rect", xref: `${a.x} domain`, yref: a.y, x0: 0, x1: 1, y0: unit - 0.5, y1: unit + 0.5, line: { color: "#000000", width: 1.5 }, name: "cursor-unit" });
    }
  }
  return shapes;
}

/** cursor spec of a one-plot heatmap: rows are units or input elements, n of them. */
export function heatmapCursor(rows, n) {
  return { kind: "heatmap", axes: [{ x: "x", y: "y", rows, n }] };
}

export function maskTrace(z, x, extra = {}) {
  return {
    type: "heatmap",
    z,
    x,
    zmin: 0,
    zmax: 1,
    colorscale: KEEP_SCALE,
    colorbar: { tickvals: [0.25, 0.75], ticktext: ["dropped", "kept"], thickness: 10, len: 0.9, ticklabelposition: "outside" },
    hovertemplate: "%{x}<br>element %{y}: %{z}<extra>1 = kept</extra>",
    ...extra,
  };
}

/** In compare mode every figure of a model says which one it is: "A · title", "B · title". */
export function tagged(fig, tag) {
  if (!fig || !tag) return fig;
  const title = fig.layout.title;
  return { ...fig, layout: { ...fig.layout, title: { ...title, text: `${tag} · ${title.text}` } } };
}

export function maxAbs(data) {
  let m = 0;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]));
  return m || 1;
}
