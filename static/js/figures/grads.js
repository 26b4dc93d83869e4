// Gradients through time (/api/grads): how far the loss's gradient reaches back along the
// sentence, with the state's masks and without dropout, and dL/de(t) beside the embedding mask:
// a dropped element passes nothing forward and gets exactly 0 gradient back.
import { rowsOf } from "../decode.js";
import { DROPPED } from "../gates.js";
import { SIGNED_SCALE, baseLayout, heatmapCursor, maxAbs } from "./common.js";

const WITH = { name: "with these masks", line: { color: "#0b3d91", width: 2.5 } };
const WITHOUT = { name: "no dropout", line: { color: "#d55e00", width: 2, dash: "dot" } };
const axis = (k) => (k ? String(k + 1) : "");

/** Ticks 1, 2, 5 x 10^k over [lo, hi] (every digit when that gives fewer than 3; powers of ten,
 * thinned, when more than 8), at full size: Plotly writes a log axis's in-between labels smaller,
 * too small on a projector. */
function logTicks(lo, hi) {
  const within = (digits) => {
    const out = [];
    for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) for (const m of digits) out.push(Number((m * 10 ** k).toPrecision(1)));
    return out.filter((v) => v >= lo / 1.05 && v <= hi * 1.05);
  };
  let values = within([1, 2, 5]);
  if (values.length < 3) values = within([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  if (values.length > 8) {
    const powers = within([1]);
    const stride = Math.ceil(powers.length / 8);
    values = powers.filter((_, i) => i % stride === 0);
  }
  const text = (v) => (v >= 1e-3 && v < 1e4 ? String(v) : v.toExponential(0).replace("e-", "e−"));
  return { tickvals: values, ticktext: values.map(text) };
}

/** rows: [{title, with: Float32Array (T,), without: Float32Array (T,)}], stacked, one x axis
 * of words; log scale when every value is above 0 (a gradient fading over steps is exponential).
 * Solid: with the state's masks; dotted: without dropout (the detail line says so). */
export function gradNormsFigure(rows, labels, title, detail) {
  const n = rows.length;
  const gap = 0.1;
  const h = (1 - gap * (n - 1)) / n;
  const layout = baseLayout(title, 110 + 150 * n, { showlegend: false, margin: { l: 56, r: 8, t: 64, b: 40 } }, detail);
  const data = [];
  rows.forEach((row, k) => {
    const top = 1 - k * (h + gap);
    const values = [...row.with, ...row.without];
    const positive = values.every((v) => v > 0);
    layout[`xaxis${axis(k)}`] = { anchor: `y${axis(k)}`, showticklabels: k === n - 1, ...(k ? { matches: "x" } : {}) };
    layout[`yaxis${axis(k)}`] = {
      domain: [top - h, top],
      anchor: `x${axis(k)}`,
      ...(positive ? { type: "log", ...logTicks(Math.min(...values), Math.max(...values)) } : { type: "linear" }),
    };
    (layout.annotations ??= []).push({
      text: row.title,
      xref: "paper",
      yref: `y${axis(k)} domain`,
      x: 0,
      y: 1,
      yshift: 2,
      xanchor: "left",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 12 },
    });
    for (const [look, values] of [[WITH, row.with], [WITHOUT, row.without]]) {
      data.push({
        type: "scatter",
        mode: "lines+markers",
        ...look,
        x: labels,
        y: Array.from(values),
        xaxis: `x${axis(k)}`,
        yaxis: `y${axis(k)}`,
        marker: { size: 4, color: look.line.color },
        hovertemplate: `%{x}<br>${row.title}<br>%{y:.3g}<extra>${look.name}</extra>`,
      });
    }
  });
  return { data, layout, cursor: { kind: "line", axes: rows.map((_, k) => ({ x: `x${axis(k)}`, y: `y${axis(k)}` })) } };
}

/** dL/de(t) (T, E) as time x element, like the embedding mask beside it; exact zeros are
 * drawn in the mask's "dropped" colour on top, so the two pictures can be matched square by square. */
export function embeddingGradFigure(grad, labels, title, detail) {
  const bound = maxAbs(grad.data);
  const zeros = new Float32Array(grad.data.length);
  for (let i = 0; i < zeros.length; i++) zeros[i] = grad.data[i] === 0 ? 1 : NaN;
  return {
    data: [
      {
        type: "heatmap",
        z: rowsOf(grad),
        x: labels,
        colorscale: SIGNED_SCALE,
        reversescale: true,
        zmin: -bound,
        zmax: bound,
        colorbar: { thickness: 10, len: 0.9, exponentformat: "power" },
        hovertemplate: "%{x}<br>element %{y}<br>dL/de = %{z:.3g}<extra></extra>",
      },
      {
        type: "heatmap",
        z: rowsOf({ data: zeros, shape: grad.shape }),
        x: labels,
        colorscale: [
          [0, DROPPED],
          [1, DROPPED],
        ],
        showscale: false,
        hoverinfo: "skip",
        name: "exactly 0",
      },
    ],
    layout: baseLayout(title, 250, { yaxis: { title: { text: "element" }, autorange: "reversed" } }, detail),
    cursor: heatmapCursor("element", grad.shape[1]),
  };
}
