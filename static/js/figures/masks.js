// Mask heatmaps over time x feature: stripes = one mask for the sequence, speckle = fresh per step.
import { gateSlice, rowsOf, sameArray } from "../decode.js";
import { baseLayout, maskTrace } from "./common.js";

const GATES = ["i", "f", "g", "o"];

function dropped(keep) {
  let n = 0;
  for (let i = 0; i < keep.length; i++) n += keep[i] === 0;
  return n;
}

export function embeddingMaskFigure(mask, scale, labels, plan) {
  const entry = plan.masks.embedding;
  const what = entry.active ? `rate ${entry.rate}, ${entry.sharing}, ${entry.timing === "step" ? "fresh every step" : "same every step"}` : "nothing dropped";
  return {
    data: [maskTrace(rowsOf(mask), labels)],
    layout: baseLayout(
      "Embedding dropout mask",
      240,
      { yaxis: { title: { text: "feature" }, autorange: "reversed" } },
      `${what} · ${dropped(mask.data)} of ${mask.data.length} dropped · kept ×${scale.toFixed(3)}`,
    ),
  };
}

/** A (T, 4, D) gate mask: one heatmap when the four gates share it, else one per gate. */
export function gateMaskFigure(mask, scale, labels, title) {
  const slices = GATES.map((_, k) => gateSlice(mask, k));
  const shared = slices.every((s) => sameArray(s.data, slices[0].data));
  const n = dropped(slices[0].data);
  const total = slices[0].data.length;
  if (shared) {
    const note = n === 0 ? "nothing dropped" : `one mask shared by i, f, g, o · ${n} of ${total} dropped · kept ×${scale.toFixed(3)}`;
    return {
      data: [maskTrace(rowsOf(slices[0]), labels, { name: "shared" })],
      layout: baseLayout(title, 240, { yaxis: { title: { text: "element" }, autorange: "reversed" } }, note),
    };
  }
  const data = slices.map((s, k) =>
    maskTrace(rowsOf(s), labels, { name: GATES[k], xaxis: `x${k ? k + 1 : ""}`, yaxis: `y${k ? k + 1 : ""}`, showscale: k === 0 }),
  );
  const layout = baseLayout(title, 430, {
    grid: { rows: 2, columns: 2, pattern: "independent", xgap: 0.08, ygap: 0.18 },
    annotations: GATES.map((g, k) => ({
      text: `gate ${g}: ${dropped(slices[k].data)} dropped`,
      xref: `x${k ? k + 1 : ""} domain`,
      yref: `y${k ? k + 1 : ""} domain`,
      x: 0,
      y: 1.08,
      xanchor: "left",
      showarrow: false,
      font: { size: 11 },
    })),
  }, `four different masks, one per gate · kept ×${scale.toFixed(3)}`);
  for (let k = 0; k < 4; k++) layout[`yaxis${k ? k + 1 : ""}`] = { autorange: "reversed", showticklabels: k % 2 === 0 };
  for (let k = 0; k < 4; k++) layout[`xaxis${k ? k + 1 : ""}`] = { showticklabels: k >= 2 };
  return { data, layout };
}

/** Candidate, zoneout, between-layer masks: (T, H) each, side by side; null when none. */
export function extraMaskFigure(masks, labels) {
  const names = ["candidate", "zoneout_c", "zoneout_h", "between"].filter((n) => masks[n]);
  if (!names.length) return null;
  const data = names.map((n, k) =>
    maskTrace(rowsOf(masks[n]), labels, { name: n, xaxis: `x${k ? k + 1 : ""}`, yaxis: `y${k ? k + 1 : ""}`, showscale: k === 0 }),
  );
  const layout = baseLayout(
    `Other masks: ${names.join(", ")}`,
    250,
    { grid: { rows: 1, columns: names.length, pattern: "independent", xgap: 0.06 } },
    names.some((n) => n.startsWith("zoneout")) ? "zoneout: 0 = the unit keeps its previous value" : "",
  );
  for (let k = 0; k < names.length; k++) layout[`yaxis${k ? k + 1 : ""}`] = { autorange: "reversed", title: { text: names[k] } };
  return { data, layout };
}

/** The DropConnect mask on the recurrent kernel U (H, 4H): one per forward pass, not per step. */
export function weightMaskFigure(mask, scale) {
  if (!mask) return null;
  const [H, H4] = mask.shape;
  const units = H4 / 4;
  const x = Array.from({ length: H4 }, (_, j) => `${"ifgo"[Math.floor(j / units)]} ${j % units}`);
  return {
    data: [
      maskTrace(rows(mask), x, {
        hovertemplate: "h(t-1) unit %{y} to %{x}: %{z}<extra>1 = kept</extra>",
      }),
    ],
    layout: baseLayout(
      "Weight-drop mask on the recurrent kernel U",
      260,
      { xaxis: { title: { text: "gate and unit (column of U)" } }, yaxis: { title: { text: "h(t-1) unit" }, autorange: "reversed" } },
      `DropConnect: the same missing weights at every step · ${dropped(mask.data)} of ${mask.data.length} dropped · kept ×${scale.toFixed(3)}`,
    ),
  };
}

function rows(mask) {
  const [H, H4] = mask.shape;
  return Array.from({ length: H }, (_, r) => mask.data.subarray(r * H4, (r + 1) * H4));
}
