// Gate activations and states over time x unit, B - A (model B against model A, or no dropout
// against these masks), one unit over time.
import { rowsOf } from "../decode.js";
import { GATES, SERIES_COLOURS } from "../gates.js";
import { SIGMOID_SCALE, SIGNED_SCALE, baseLayout, heatmapCursor, maxAbs } from "./common.js";

const TITLES = {
  ...Object.fromEntries(GATES.map((g) => [g.key, `${g.name} = ${g.act === "σ" ? "sigmoid" : "tanh"}(...)`])),
  c: "cell state c",
  h: "hidden state h = o * tanh(c)",
};

function range(data) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    lo = Math.min(lo, data[i]);
    hi = Math.max(hi, data[i]);
  }
  return lo < hi ? [lo, hi] : [lo - 1e-6, hi + 1e-6];
}

const joint = (a, b) => [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
const isSigmoid = (name) => GATES.some((g) => g.key === name && g.act === "σ");

/** Colour range from the data (the colour bar shows it): with small random weights the gates
 * stay near their midpoints, and a fixed 0..1 scale would hide every effect of dropout. `also`:
 * the same array of the other model in compare mode, so that A and B share one colour scale. */
export function stateFigure(name, arr, labels, also = null) {
  const sigmoid = isSigmoid(name);
  const bound = also ? Math.max(maxAbs(arr.data), maxAbs(also.data)) : maxAbs(arr.data);
  const [lo, hi] = also ? joint(range(arr.data), range(also.data)) : range(arr.data);
  return {
    data: [
      {
        type: "heatmap",
        z: rowsOf(arr),
        x: labels,
        colorscale: sigmoid ? SIGMOID_SCALE : SIGNED_SCALE,
        reversescale: !sigmoid,
        zmin: sigmoid ? lo : -bound,
        zmax: sigmoid ? hi : bound,
        colorbar: { thickness: 10, len: 0.9 },
        hovertemplate: `%{x}<br>unit %{y}<br>${name} = %{z:.4f}<extra>click: follow this unit</extra>`,
      },
    ],
    layout: baseLayout(TITLES[name], 250, { yaxis: { title: { text: "unit" }, autorange: "reversed" } }),
    cursor: heatmapCursor("unit", arr.shape[1]),
  };
}

/** B - A of one state (both (T, H), same shape). words: {title, detail}. */
export function diffFigure(b, a, labels, { title, detail }) {
  const d = new Float32Array(a.data.length);
  for (let i = 0; i < d.length; i++) d[i] = b.data[i] - a.data[i];
  const bound = maxAbs(d);
  const zero = d.every((v) => v === 0);
  return {
    data: [
      {
        type: "heatmap",
        z: rowsOf({ data: d, shape: a.shape }),
        x: labels,
        colorscale: SIGNED_SCALE,
        reversescale: true,
        zmin: -bound,
        zmax: bound,
        colorbar: { thickness: 10, len: 0.9 },
        hovertemplate: `%{x}<br>unit %{y}<br>B − A = %{z:.4f}<extra></extra>`,
      },
    ],
    layout: baseLayout(
      title,
      280,
      { yaxis: { title: { text: "unit" }, autorange: "reversed" } },
      zero ? `${detail} · 0 everywhere` : `${detail} · largest |B − A| ${bound.toPrecision(3)}`,
    ),
    cursor: heatmapCursor("unit", a.shape[1]),
  };
}

/** Unit `unit` of layer data over time; other: {layer, name} of the model it is compared with
 * (B, or no dropout), whose h is drawn dotted. */
export function unitFigure(layer, unit, labels, other = null) {
  const names = [...GATES.map((g) => g.key), "c", "h"];
  const series = (arr) => Array.from({ length: arr.shape[0] }, (_, t) => arr.data[t * arr.shape[1] + unit]);
  const data = names.map((n) => ({
    type: "scatter",
    mode: "lines+markers",
    name: n,
    x: labels,
    y: series(layer[n]),
    line: { color: SERIES_COLOURS[n], width: n === "h" ? 3 : 1.5 },
    marker: { size: 4 },
  }));
  if (other && unit < other.layer.h.shape[1]) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: other.name,
      x: labels.slice(0, other.layer.h.shape[0]),
      y: series(other.layer.h),
      line: { color: SERIES_COLOURS.h, dash: "dot", width: 2 },
    });
  }
  return {
    data,
    layout: baseLayout(`Unit ${unit} over time`, 300, { legend: { orientation: "h", y: -0.3 }, yaxis: { range: [-1.05, 1.05] }, margin: { l: 48, r: 8, t: 30, b: 60 } }),
    cursor: { kind: "line", axes: [{ x: "x", y: "y" }] },
  };
}
