// Mask heatmaps over time x element: stripes = one mask for the sequence, speckle = fresh per
// step. How a mask is drawn (shared, per gate, how often) is said in the plan's own words
// (plan.masks[name].words, from the server): no description of masks is written here.
import { gateSlice, rowsOf, sameArray } from "../decode.js";
import { GATES } from "../gates.js";
import { baseLayout, heatmapCursor, maskTrace } from "./common.js";

function dropped(keep) {
  let n = 0;
  for (let i = 0; i < keep.length; i++) n += keep[i] === 0;
  return n;
}

/** "on" detail, or why the mask drops nothing. */
function status(entry, phase) {
  if (entry?.active) return entry.words;
  return phase === "infer" ? "off at inference: every element kept" : "off: nothing dropped";
}

const axisName = (k) => (k ? String(k + 1) : "");

export function embeddingMaskFigure(mask, scale, labels, plan, phase) {
  const entry = plan.masks.embedding;
  const counts = entry.active ? ` · ${dropped(mask.data)} of ${mask.data.length} dropped · kept ×${scale.toFixed(3)}` : "";
  return {
    data: [maskTrace(rowsOf(mask), labels)],
    layout: baseLayout(
      "Embedding dropout mask (on x(t))",
      250,
      { yaxis: { title: { text: "element" }, autorange: "reversed" } },
      `${status(entry, phase)}${counts}`,
    ),
    cursor: heatmapCursor("element", mask.shape[1]),
  };
}

/** A (T, 4, D) gate mask: one heatmap when the four gates share it, else one per gate.
 * rows: "element" (the mask on x(t)) or "unit" (the mask on h(t-1)). */
export function gateMaskFigure(mask, scale, labels, { title, entry, phase, rows }) {
  const slices = GATES.map((g) => gateSlice(mask, g.k));
  const shared = slices.every((s) => sameArray(s.data, slices[0].data));
  const D = mask.shape[2];
  const hover = `%{x}<br>${rows} %{y}: %{z}<extra>1 = kept</extra>`;
  if (shared || !entry?.active) {
    const n = dropped(slices[0].data);
    const counts = entry?.active ? ` · ${n} of ${slices[0].data.length} dropped · kept ×${scale.toFixed(3)}` : "";
    return {
      data: [maskTrace(rowsOf(slices[0]), labels, { name: "shared", hovertemplate: hover })],
      layout: baseLayout(title, 250, { yaxis: { title: { text: rows }, autorange: "reversed" } }, `${status(entry, phase)}${counts}`),
      cursor: heatmapCursor(rows, D),
    };
  }
  const data = slices.map((s, k) =>
    maskTrace(rowsOf(s), labels, { name: GATES[k].key, xaxis: `x${axisName(k)}`, yaxis: `y${axisName(k)}`, showscale: k === 0, hovertemplate: `gate ${GATES[k].key}<br>${hover}` }),
  );
  const layout = baseLayout(
    title,
    470,
    {
      grid: { rows: 2, columns: 2, pattern: "independent", xgap: 0.1, ygap: 0.3 },
      annotations: GATES.map((g, k) => ({
        text: `${g.key}: ${dropped(slices[k].data)} dropped`,
        xref: `x${axisName(k)} domain`,
        yref: `y${axisName(k)} domain`,
        x: 0,
        y: 1,
        yshift: 3,
        xanchor: "left",
        yanchor: "bottom",
        showarrow: false,
        font: { size: 12 },
      })),
      margin: { l: 48, r: 8, t: 64, b: 40 },
    },
    `${entry.words} · kept ×${scale.toFixed(3)}`,
  );
  for (let k = 0; k < 4; k++) layout[`yaxis${axisName(k)}`] = { autorange: "reversed", showticklabels: k % 2 === 0, title: { text: k % 2 === 0 ? rows : "" } };
  for (let k = 0; k < 4; k++) layout[`xaxis${axisName(k)}`] = { showticklabels: k >= 2 };
  return {
    data,
    layout,
    cursor: { kind: "heatmap", axes: GATES.map((_, k) => ({ x: `x${axisName(k)}`, y: `y${axisName(k)}`, rows, n: D })) },
  };
}

const EXTRA_TITLES = { candidate: "candidate (on g)", zoneout_c: "zoneout on c", zoneout_h: "zoneout on h", between: "between layers" };

/** Candidate, zoneout, between-layer masks: (T, H) each, side by side; null when none. */
export function extraMaskFigure(masks, labels, plan) {
  const names = ["candidate", "zoneout_c", "zoneout_h", "between"].filter((n) => masks[n]);
  if (!names.length) return null;
  const data = names.map((n, k) =>
    maskTrace(rowsOf(masks[n]), labels, { name: n, xaxis: `x${axisName(k)}`, yaxis: `y${axisName(k)}`, showscale: k === 0, hovertemplate: `${EXTRA_TITLES[n]}<br>%{x}<br>unit %{y}: %{z}<extra>1 = kept</extra>` }),
  );
  const words = names.map((n) => `${EXTRA_TITLES[n]}: ${plan.masks[n]?.active ? plan.masks[n].words : "off"}`).join(" · ");
  const layout = baseLayout(
    "Other masks",
    270,
    { grid: { rows: 1, columns: names.length, pattern: "independent", xgap: 0.08 } },
    names.some((n) => n.startsWith("zoneout")) ? `${words} · zoneout 0 = the unit keeps its previous value` : words,
  );
  for (let k = 0; k < names.length; k++) layout[`yaxis${axisName(k)}`] = { autorange: "reversed", title: { text: EXTRA_TITLES[names[k]] } };
  const H = masks[names[0]].shape[1];
  return { data, layout, cursor: { kind: "heatmap", axes: names.map((_, k) => ({ x: `x${axisName(k)}`, y: `y${axisName(k)}`, rows: "unit", n: H })) } };
}

/** The DropConnect mask on the recurrent kernel U (H, 4H): one per forward pass, not per step. */
export function weightMaskFigure(mask, scale, plan) {
  if (!mask) return null;
  const [H, H4] = mask.shape;
  const units = H4 / 4;
  const x = Array.from({ length: H4 }, (_, j) => `${GATES[Math.floor(j / units)].key} ${j % units}`);
  const rows = Array.from({ length: H }, (_, r) => mask.data.subarray(r * H4, (r + 1) * H4));
  return {
    data: [maskTrace(rows, x, { hovertemplate: "h(t-1) unit %{y} to %{x}: %{z}<extra>1 = kept</extra>" })],
    layout: baseLayout(
      "Weight-drop mask on the recurrent kernel U",
      270,
      { xaxis: { title: { text: "gate and unit (column of U)" } }, yaxis: { title: { text: "h(t-1) unit" }, autorange: "reversed" } },
      `${plan.masks.weight_drop?.words ?? "DropConnect"} · ${dropped(mask.data)} of ${mask.data.length} dropped · kept ×${scale.toFixed(3)}`,
    ),
  };
}
