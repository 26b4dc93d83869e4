// The text alternative of an embedded figure: what a screen reader says instead of the picture,
// computed from the data drawn. Pure.
import { row } from "../decode.js";
import { KEEP_SCALE } from "../figures/common.js";
import { GATES } from "../gates.js";

const fmt = (v) => (Math.abs(v) >= 100 || v === 0 ? String(Math.round(v)) : v.toPrecision(3));
const word = (label) => String(label).replace(/^\d+ /, "");

function heatmap(trace, rows) {
  const z = trace.z;
  const x = trace.x ?? [];
  const over = x.length && typeof x[0] === "string" && /^\d+ /.test(x[0])
    ? `${x.length} words (columns, “${word(x[0])}” to “${word(x[x.length - 1])}”)`
    : `${x.length} columns`;
  const name = trace.name && trace.name !== "shared" ? `${trace.name}: ` : "";
  if (trace.colorscale === KEEP_SCALE) {
    let dropped = 0;
    let n = 0;
    for (const r of z) for (const v of r) {
      n += 1;
      dropped += v === 0;
    }
    return `${name}${z.length} rows (${rows}) × ${over}; ${dropped} of ${n} dropped (dark), the rest kept (pale).`;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of z) for (const v of r) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return `${name}${z.length} rows (${rows}) × ${over}; values from ${fmt(lo)} to ${fmt(hi)}.`;
}

/** A figure ({data, layout}) with its title {what, detail}, in words. */
export function describeFigure(fig, { what, detail }) {
  const out = [`${what}${detail ? `: ${detail}` : ""}.`];
  const rowsOf = (t) => fig.layout[`yaxis${(t.yaxis ?? "y").slice(1)}`]?.title?.text || "rows";
  const maps = fig.data.filter((t) => t.type === "heatmap");
  for (const t of maps) out.push(heatmap(t, rowsOf(t)));
  if (!maps.length) for (const a of fig.layout.annotations ?? []) if (a.text) out.push(`${a.text}.`);
  const points = fig.data.filter((t) => t.type === "box").map((t) => `${t.name}: p from ${fmt(Math.min(...t.x))} to ${fmt(Math.max(...t.x))}`);
  if (points.length) out.push(`${points.join("; ")}.`);
  return out.join(" ");
}

/** The cell at step t, in words: each gate's value and what reaches it (reach.js). */
export function describeCell(trace, t, reach, n, layer, unit) {
  const mean = (v) => v.reduce((a, x) => a + x, 0) / v.length;
  const gates = GATES.map((g, k) => {
    const values = row(layer[g.key], t);
    const value = unit !== null ? `unit ${unit} = ${values[unit].toFixed(2)}` : `mean ${mean(values).toFixed(2)}`;
    const r = reach.gates[k];
    return `${g.name} (${value}) gets ${r.x.reach} of ${r.x.values.length} elements of x and ${r.h.reach} of ${r.h.values.length} units of h`;
  });
  const where = trace.layers.length > 1 ? `, layer ${n + 1}` : "";
  return `LSTM cell at step ${t} of ${trace.tokens.length - 1}${where}, the word “${trace.tokens[t].word}”: ${gates.join("; ")}.`;
}
