// "Units under the words" (after LSTMVis): the few units whose h (or c, or a gate) a change moves
// most, as lines over the sentence's words, model A solid and B (or no dropout) dashed in one
// colour per unit. Pure: two layers' (T, H) arrays in, Plotly traces and a caption out; the
// caption's every number is measured on the arrays.
import { GATES, SERIES_COLOURS } from "../gates.js";
import { baseLayout, stepLabels } from "./common.js";

/** The values the panel can show (its select): h, c, then the four gates. */
export const UNIT_STATES = ["h", "c", "i", "f", "g", "o"];
/** How many units it draws. */
export const UNITS_SHOWN = 5;

// one colour per unit, from the app's palette (gates.js), none of them the cursor's orange
const COLOURS = [GATES[0].colour, GATES[1].colour, GATES[3].colour, SERIES_COLOURS.c, "#e69f00"];

/** The (up to) k units whose a and b (both (T, H)) differ most: ranked by the max over steps of
 * |b − a|, ties by the lower unit number; a unit that never differs is not moved and left out.
 * Each: {unit, max, t (the step of the max), d (b − a there)}. */
export function unitsMoved(a, b, k = UNITS_SHOWN) {
  const [T, H] = a.shape;
  const moved = [];
  for (let u = 0; u < H; u++) {
    let max = 0;
    let at = 0;
    let d = 0;
    for (let t = 0; t < T; t++) {
      const x = b.data[t * H + u] - a.data[t * H + u];
      if (Math.abs(x) > max) {
        max = Math.abs(x);
        at = t;
        d = x;
      }
    }
    if (max > 0) moved.push({ unit: u, max, t: at, d });
  }
  moved.sort((p, q) => q.max - p.max || p.unit - q.unit);
  return moved.slice(0, k);
}

/** A difference as the caption writes it: 2 decimals, 2 significant digits below 0.01. */
export function formatDiff(x) {
  return x >= 0.01 ? x.toFixed(2) : x.toPrecision(2);
}

function list(numbers) {
  return numbers.length === 1 ? `${numbers[0]}` : `${numbers.slice(0, -1).join(", ")} and ${numbers.at(-1)}`;
}

/** The one-sentence caption: which units move most and the largest difference, where. */
function captionOf(moved, name, units, tokens, names, k) {
  if (!moved.length) return `No unit's ${name} differs between ${names.a} and ${names.b} at any step of this layer.`;
  const ids = moved.map((m) => m.unit);
  const who = ids.length === 1 ? `Unit ${ids[0]}` : `Units ${list(ids)}`;
  const verb = ids.length === 1 ? "moves" : "move";
  const lead = ids.length < k ? `Only ${who.toLowerCase()} ${verb} (of ${units})` : `${who} ${verb} most (of ${units})`;
  const top = moved[0];
  const way = top.d > 0 ? "higher" : "lower";
  return `${lead}: unit ${top.unit}'s ${name} is ${formatDiff(top.max)} ${way} ${names.inB} than ${names.inA} at “${tokens[top.t].word}” (step ${top.t}).`;
}

/**
 * a, b: layer data (trace-data.js layerData) of the two models at one layer, same shapes; tokens:
 * the sentence; name: one of UNIT_STATES; comparing: b is a compare link's model B (else the same
 * model without dropout); where: the layer for the title (", layer 2") or "". Returns
 * {fig: {data, layout, cursor} (null: no unit moves), caption, units: [unit numbers]}.
 */
export function unitsFigure(a, b, tokens, name, comparing, where = "", k = UNITS_SHOWN) {
  const A = a[name];
  const B = b[name];
  const [T, H] = A.shape;
  const names = comparing
    ? { a: "A", b: "B", inA: "in A", inB: "in B", diff: "B − A", solid: "A solid, B dashed" }
    : { a: "these masks", b: "no dropout", inA: "with these masks", inB: "without dropout", diff: "no dropout − masks", solid: "masks solid, no dropout dashed" };
  const moved = unitsMoved(A, B, k);
  const labels = stepLabels(tokens).slice(0, T);
  const series = (arr, u) => Array.from({ length: T }, (_, t) => arr.data[t * H + u]);
  const data = [];
  moved.forEach(({ unit }, j) => {
    const colour = COLOURS[j % COLOURS.length];
    const ya = series(A, unit);
    const yb = series(B, unit);
    const diff = yb.map((v, t) => v - ya[t]);
    const line = (y, who, dash) => ({
      type: "scatter",
      mode: dash === "solid" ? "lines+markers" : "lines", // B's markers would cost a third of the draw
      name: `unit ${unit}`,
      legendgroup: `unit ${unit}`,
      showlegend: dash === "solid",
      meta: { unit },
      x: labels,
      y,
      customdata: diff,
      line: { color: colour, width: dash === "solid" ? 2.5 : 2, dash },
      marker: { size: 6, color: colour },
      hovertemplate: `unit ${unit} · ${who}<br>%{x}<br>${name} = %{y:.4f}<br>${names.diff} = %{customdata:.4f}<extra>click: follow this unit</extra>`,
    });
    data.push(line(ya, names.a, "solid"), line(yb, names.b, "dash"));
  });
  const rule = `top ${k} by max over steps of |${names.diff}|`;
  const layout = baseLayout(
    `The units whose ${name} moves most${where}`,
    340,
    {
      legend: { orientation: "h", y: -0.28, x: 0, title: { text: names.solid, side: "top" } },
      xaxis: { type: "category", range: [-0.5, T - 0.5] },
      yaxis: { title: { text: name }, zeroline: false },
      hovermode: "closest",
    },
    rule,
  );
  layout.margin = { ...layout.margin, b: 70 }; // the legend's room under the words
  return {
    fig: moved.length ? { data, layout, cursor: { kind: "line", axes: [{ x: "x", y: "y" }] } } : null,
    caption: captionOf(moved, name, H, tokens, names, k),
    units: moved.map((m) => m.unit),
  };
}
