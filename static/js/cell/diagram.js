// The LSTM cell at one timestep, in colah's conventions: yellow boxes are learned layers, pink
// circles pointwise operations. Each gate gets two wires in, x(t) and h(t-1); every mask the plan
// has is drawn on the wire it multiplies (cell/masks.js), as dark (dropped) and pale (kept)
// squares in a dashed orange frame, with data-mask and data-dropped. Above each box, its
// activation: a colour strip, labelled, so that nobody reads it as a mask. Under each gate: its
// mean value (or the chosen unit's), and how many elements of x(t) and units of h(t-1) reach it
// through every mask (reach.js); below the cell, each gate's equation with its masks
// (equations.js). Coordinates: geometry.js.
import { row } from "../decode.js";
import { equations } from "../equations.js";
import { DROPPED, GATES, KEPT, LAYER_FILL, OP_FILL } from "../gates.js";
import { cellHeight } from "./geometry.js";
import { cellMasks } from "./masks.js";
import { el, mathText, pixelRow } from "./svg.js";

export const MASK_FRAME = "#d55e00";

function viridis(v) {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(1, Math.max(0, v)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return stops[i].map((a, j) => Math.round(a + (stops[i + 1][j] - a) * f));
}

function signed(v) {
  const a = Math.min(1, Math.abs(v));
  return v >= 0 ? [Math.round(255 - 200 * a), Math.round(255 - 150 * a), 255] : [255, Math.round(255 - 170 * a), Math.round(255 - 200 * a)];
}

const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
const DROPPED_RGB = hex(DROPPED);
const KEPT_RGB = hex(KEPT);

/** A gate's activation: one colour per unit (values[d] -> colour), as one image; unit: framed, or null. */
function strip(svg, box, values, colour, title, unit) {
  const { x, y, width, height } = box;
  const w = width / values.length;
  const group = el("g", { class: "strip activation" });
  group.appendChild(el("title", {}, title));
  group.appendChild(pixelRow(box, Array.from(values, colour)));
  group.appendChild(el("rect", { x, y, width, height, fill: "none", stroke: "#8a94a6", "stroke-width": 0.6 }));
  if (unit !== null && unit < values.length) {
    group.appendChild(el("rect", { x: x + unit * w - 1, y: y - 2, width: w + 2, height: height + 4, fill: "none", stroke: "#000", "stroke-width": 1.5, class: "unit-mark" }));
  }
  svg.appendChild(group);
}

/** A mask on a wire: its keep-bits as dark (0) and pale (1) squares in a dashed orange frame;
 * data-mask names it, data-dropped counts its zeros at this step. */
function maskMark(svg, { x, y, width, height }, m) {
  const n = m.bits.length;
  const group = el("g", { class: "mask-mark", "data-mask": m.key, "data-dropped": m.dropped });
  group.appendChild(el("title", {}, `${m.key}: ${m.what}; ${m.dropped} of ${n} ${m.key.startsWith("zoneout") ? "keep their old value" : "dropped"} at this step`));
  group.appendChild(el("rect", { x: x - 2, y: y - 2, width: width + 4, height: height + 4, fill: "#ffffff" }));
  group.appendChild(pixelRow({ x, y, width, height }, Array.from(m.bits, (v) => (v === 0 ? DROPPED_RGB : KEPT_RGB))));
  group.appendChild(el("rect", { x: x - 2, y: y - 2, width: width + 4, height: height + 4, fill: "none", stroke: MASK_FRAME, "stroke-width": 1.6, "stroke-dasharray": "4 2.5" }));
  svg.appendChild(group);
}

const mean = (values) => values.reduce((a, v) => a + v, 0) / values.length;

/** Draw the cell of layer n at step t. g: geometry; reach: reachAt(...); unit: chosen or null;
 * font: the font sizes in viewBox units (default: the layout's own). */
export function drawCell(container, { g, trace, n, layer, t, reach, unit, font = g.font }) {
  const word = trace.tokens[t].word;
  const lines = equations(trace.plan, n);
  const height = cellHeight(g, lines.length);
  const svg = el("svg", { viewBox: `0 0 ${g.width} ${height}`, class: g.eqColumns === 1 ? "narrow" : "wide" });
  const text = (x, y, s, attrs = {}) => svg.appendChild(el("text", { x, y, "font-size": font.text, ...attrs }, s));
  const label = (x, y, s, attrs = {}) => text(x, y, s, { "font-size": font.mark, class: "mark-label", ...attrs });
  const line = ([x1, y1, x2, y2], attrs = {}) => svg.appendChild(el("line", { x1, y1, x2, y2, stroke: "#555", "stroke-width": 1.6, ...attrs }));
  const masks = cellMasks(trace, n, t);
  const byKey = new Map(masks.map((m) => [m.key, m]));
  const wide = g.eqColumns > 1;

  text(4, 20, `Step ${t}: “${word}”${trace.layers.length > 1 ? ` · layer ${n + 1}` : ""}`, { "font-size": font.title, "font-weight": 600 });
  const box = g.cellBox;
  svg.appendChild(el("rect", { ...box, rx: 16, fill: "#fbfbfc", stroke: "#9aa3b2" }));
  line([2, g.cLine, g.width - 2, g.cLine], { stroke: "#333", "stroke-width": 2.5 });
  text(4, g.cLine - 17, "c(t-1)", { "font-size": font.small });
  text(g.width - 4, g.cLine - 17, "c(t)", { "font-size": font.small, "text-anchor": "end" });
  // the buses: h(t-1) into every gate's right wire, x(t) into every gate's left wire
  line([2, g.hBus, g.hBusEnd, g.hBus], { stroke: "#333", "stroke-width": 2 });
  text(g.hBusEnd + 6, g.hBus + 5, "h(t-1)", { "font-size": font.small });
  line([g.xIn.x, g.xBus, Math.max(...Object.values(g.gateX).map((cx) => g.inside(cx).x)), g.xBus], { stroke: "#333", "stroke-width": 2 });
  line([g.xIn.x, g.xBus, g.xIn.x, g.xIn.top - 16], { stroke: "#333", "stroke-width": 2 });
  const into = n === 0 ? `x(t): the embedding of “${word}”` : `x(t): h(t) of layer ${n}`;
  text(g.xIn.x - 14, g.xIn.top, into, { "font-size": font.small });
  for (const w of g.wires) line(w);
  // where an x wire crosses the h(t-1) bus: a gap, so the two inputs read as two wires
  for (const cx of Object.values(g.gateX)) {
    const x = g.inside(cx).x;
    svg.appendChild(el("line", { x1: x, y1: g.hBus - 4, x2: x, y2: g.hBus + 4, stroke: "#fbfbfc", "stroke-width": 5 }));
    line([x, g.hBus - 5, x, g.hBus + 5]);
  }
  text(g.hOut.x, g.hOut.y + 16, "h(t)", { "font-size": font.small, "text-anchor": "middle" });
  for (const op of g.ops) {
    if (op.rx) svg.appendChild(el("ellipse", { cx: op.x, cy: op.y, rx: op.rx, ry: g.r, fill: OP_FILL, stroke: "#a14d63" }));
    else svg.appendChild(el("circle", { cx: op.x, cy: op.y, r: g.r, fill: OP_FILL, stroke: "#a14d63" }));
    const small = op.label.length > 1;
    text(op.x, op.y + (small ? 4 : 6), op.label, { "text-anchor": "middle", "font-size": small ? font.mark : font.op });
  }

  for (const gate of GATES) {
    const cx = g.gateX[gate.key];
    const x0 = cx - g.gateW / 2;
    const values = row(layer[gate.key], t);
    const r = reach.gates[gate.k];
    const shown = unit !== null && unit < values.length ? values[unit] : mean(values);
    strip(
      svg,
      { x: x0, y: g.gate.stripY, width: g.gateW, height: g.gate.stripH },
      values,
      gate.key === "g" ? signed : viridis,
      `${gate.name}: its activation, the ${values.length} units at step ${t}${unit !== null ? ` (unit ${unit} framed)` : ""} (colour, not a mask)`,
      unit,
    );
    svg.appendChild(el("rect", { x: x0, y: g.gate.top, width: g.gateW, height: g.gate.height, rx: 6, fill: LAYER_FILL, stroke: "#b08a1e", class: `gate-box gate-${gate.key}` }));
    text(cx, g.gate.top + 22, gate.act, { "text-anchor": "middle", "font-size": font.text, "font-weight": 600 });
    text(cx, g.rows.value, wide ? `${gate.key} ${unit !== null ? "=" : "≈"} ${shown.toFixed(2)}` : `${gate.key} ${shown.toFixed(2)}`, { "text-anchor": "middle", "font-weight": 600, class: `gate-value gate-${gate.key}` });
    text(cx, g.rows.x, `x ${r.x.reach}/${r.x.values.length}`, { "text-anchor": "middle", "font-size": font.small, class: "reach-x" });
    text(cx, g.rows.h, `h ${r.h.reach}/${r.h.values.length}`, { "text-anchor": "middle", "font-size": font.small, class: "reach-h" });
    for (const part of ["x", "h"]) {
      const m = byKey.get(`${part}:${gate.key}`);
      if (m) maskMark(svg, g.mark[part](cx), m);
    }
    const out = byKey.get(`gate:${gate.key}`) ?? (gate.key === "g" ? byKey.get("candidate") : undefined);
    if (out) maskMark(svg, g.mark.gate(cx), out);
  }
  // the activation strips, named where they are (the legend says it too)
  const first = g.gateX.f - g.gateW / 2;
  if (wide) label(first - 6, g.gate.stripY + 9, "activation", { "text-anchor": "end" });
  else label(4, g.gate.stripY - 4, "activation", { class: "mark-label halo" });
  if (byKey.has("gate:i") && wide) label(first - 6, g.mark.gate(g.gateX.f).y + 9, "masks on i, f, g, o", { "text-anchor": "end", class: "mark-label halo" });
  else if (byKey.has("candidate")) label(g.gateX.g + g.gateW * 0.3 + 4, g.mark.gate(g.gateX.g).y + 9, "candidate", { class: "mark-label halo" });

  const zc = byKey.get("zoneout:c");
  if (zc) {
    maskMark(svg, g.mark.zoneoutC, zc);
    label(g.width - 4, g.cLine + 22, "zoneout", { "text-anchor": "end" });
  }
  for (const [key, where, words] of [["zoneout:h", g.mark.zoneoutH, "zoneout"], ["output", g.mark.output, wide ? "Dropout → Dense" : "Dropout"]]) {
    const m = byKey.get(key);
    if (!m) continue;
    maskMark(svg, where, m);
    const half = words.length * font.mark * 0.3; // about half the label's width
    const centre = where.x + where.width / 2;
    const fits = centre + half <= g.width - 4;
    label(fits ? centre : g.width - 4, where.y + where.height + 16, words, { "text-anchor": fits ? "middle" : "end", class: "mark-label halo" });
  }
  const input = byKey.get("embedding") ?? byKey.get("between");
  if (input) {
    maskMark(svg, g.mark.input, input);
    label(g.mark.input.x + g.mark.input.width + 8, g.mark.input.y + 9, input.key === "embedding" ? "Dropout after the Embedding" : "dropout between layers");
  }
  if (!masks.length) {
    const words = trace.config.phase === "infer" ? "No masks at inference: every element reaches every gate" : "No masks: every element reaches every gate";
    label(g.xIn.x + 10, g.mark.input.y + 9, words, { class: "mark-label no-masks" });
  }

  const colW = g.width / g.eqColumns;
  const rowsPerCol = Math.ceil(lines.length / g.eqColumns);
  lines.forEach((eq, j) => {
    const col = Math.floor(j / rowsPerCol);
    const y = g.eq.top + (j % rowsPerCol) * g.eq.line;
    svg.appendChild(mathText({ x: 4 + col * colW, y, "font-size": font.eq, class: `eq eq-${eq.key}` }, eq.text));
  });
  text(4, g.eq.top - 24, "Equations at this step (⊙: element by element)", { "font-size": font.small, fill: "#5b6577" });
  container.replaceChildren(svg);
  return masks;
}
