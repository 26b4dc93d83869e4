// The LSTM cell at one timestep, in colah's conventions: yellow boxes are learned layers, pink
// circles pointwise operations. Under each gate: its mean value (or the chosen unit's), and how
// many elements of x(t) and units of h(t-1) reach it through every mask (reach.js); below the
// cell, each gate's equation with its masks (equations.js). Coordinates: geometry.js.
import { row } from "../decode.js";
import { equations } from "../equations.js";
import { GATES, LAYER_FILL, OP_FILL } from "../gates.js";
import { cellHeight } from "./geometry.js";
import { el, mathText } from "./svg.js";

function viridis(v) {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(1, Math.max(0, v)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((a, j) => Math.round(a + (stops[i + 1][j] - a) * f));
  return `rgb(${c.join(",")})`;
}

function signed(v) {
  const a = Math.min(1, Math.abs(v));
  return v >= 0
    ? `rgb(${Math.round(255 - 200 * a)},${Math.round(255 - 150 * a)},255)`
    : `rgb(255,${Math.round(255 - 170 * a)},${Math.round(255 - 200 * a)})`;
}

/** One row of coloured cells, values[d] -> colour(values[d]); unit: a marked cell, or null. */
function strip(svg, { x, y, width, height }, values, colour, title, unit) {
  const w = width / values.length;
  const group = el("g", { class: "strip" });
  group.appendChild(el("title", {}, title));
  for (let d = 0; d < values.length; d++) {
    group.appendChild(el("rect", { x: (x + d * w).toFixed(2), y, width: (w + 0.15).toFixed(2), height, fill: colour(values[d]) }));
  }
  group.appendChild(el("rect", { x, y, width, height, fill: "none", stroke: "#8a94a6", "stroke-width": 0.6 }));
  if (unit !== null && unit < values.length) {
    group.appendChild(el("rect", { x: x + unit * w - 1, y: y - 2, width: w + 2, height: height + 4, fill: "none", stroke: "#000", "stroke-width": 1.5, class: "unit-mark" }));
  }
  svg.appendChild(group);
}

const mean = (values) => values.reduce((a, v) => a + v, 0) / values.length;

/** Draw the cell of layer n at step t. g: geometry; reach: reachAt(...); unit: chosen or null. */
export function drawCell(container, { g, trace, n, layer, t, reach, unit }) {
  const word = trace.tokens[t].word;
  const lines = equations(trace.plan, n);
  const height = cellHeight(g, lines.length);
  const svg = el("svg", { viewBox: `0 0 ${g.width} ${height}`, class: g.eqColumns === 1 ? "narrow" : "wide" });
  const text = (x, y, s, attrs = {}) => svg.appendChild(el("text", { x, y, "font-size": g.font.text, ...attrs }, s));
  const line = ([x1, y1, x2, y2], attrs = {}) => svg.appendChild(el("line", { x1, y1, x2, y2, stroke: "#555", "stroke-width": 1.6, ...attrs }));

  text(4, 20, `Step ${t}: “${word}”${trace.layers.length > 1 ? ` · layer ${n + 1}` : ""}`, { "font-size": g.font.title, "font-weight": 600 });
  const box = g.cellBox;
  svg.appendChild(el("rect", { ...box, rx: 16, fill: "#fbfbfc", stroke: "#9aa3b2" }));
  line([2, g.cLine, g.width - 2, g.cLine], { stroke: "#333", "stroke-width": 2.5 });
  text(4, g.cLine - 8, "c(t-1)", { "font-size": g.font.small });
  text(g.width - 4, g.cLine - 8, "c(t)", { "font-size": g.font.small, "text-anchor": "end" });
  line([2, g.hBus, g.width * 0.82, g.hBus], { stroke: "#333", "stroke-width": 2 });
  text(g.width * 0.82 + 4, g.hBus + 5, "h(t-1)", { "font-size": g.font.small });
  line([g.xIn.x, g.xIn.top, g.xIn.x, g.hBus], { stroke: "#333", "stroke-width": 2 });
  text(g.xIn.x + 8, g.xIn.top - 4, n === 0 ? "x(t): the embedding, after its dropout" : `x(t): h of layer ${n}`, { "font-size": g.font.small });
  text(g.hOut.x, g.hOut.y - 22, "h(t)", { "font-size": g.font.small, "text-anchor": "end" });
  for (const w of g.wires) line(w);
  for (const op of g.ops) {
    svg.appendChild(el("circle", { cx: op.x, cy: op.y, r: g.r, fill: OP_FILL, stroke: "#a14d63" }));
    const small = op.label.length > 1;
    text(op.x, op.y + (small ? 4 : 6), op.label, { "text-anchor": "middle", "font-size": small ? g.font.small - 2 : g.font.op });
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
      `${gate.name}: the ${values.length} units at step ${t}${unit !== null ? ` (unit ${unit} framed)` : ""}`,
      unit,
    );
    svg.appendChild(el("rect", { x: x0, y: g.gate.top, width: g.gateW, height: g.gate.height, rx: 6, fill: LAYER_FILL, stroke: "#b08a1e", class: `gate-box gate-${gate.key}` }));
    text(cx, g.gate.top + 22, gate.act, { "text-anchor": "middle", "font-size": g.font.text, "font-weight": 600 });
    text(cx, g.rows.value, `${gate.key} ${unit !== null ? "=" : "≈"} ${shown.toFixed(2)}`, { "text-anchor": "middle", "font-weight": 600, class: `gate-value gate-${gate.key}` });
    const xs = r.x;
    const hs = r.h;
    text(cx, g.rows.x, `x ${xs.reach}/${xs.values.length}`, { "text-anchor": "middle", "font-size": g.font.small, class: "reach-x" });
    text(cx, g.rows.h, `h ${hs.reach}/${hs.values.length}`, { "text-anchor": "middle", "font-size": g.font.small, class: "reach-h" });
  }

  const colW = g.width / g.eqColumns;
  const rowsPerCol = Math.ceil(lines.length / g.eqColumns);
  lines.forEach((eq, j) => {
    const col = Math.floor(j / rowsPerCol);
    const y = g.eq.top + (j % rowsPerCol) * g.eq.line;
    svg.appendChild(mathText({ x: 4 + col * colW, y, "font-size": g.font.small, class: `eq eq-${eq.key}` }, eq.text));
  });
  text(4, g.eq.top - 22, "Equations at this step (⊙: element by element)", { "font-size": g.font.small, fill: "#5b6577" });
  container.replaceChildren(svg);
}

