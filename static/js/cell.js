// The LSTM cell at one timestep, in colah's conventions: yellow boxes are learned layers,
// pink circles pointwise operations. Under each gate: the mask on x_t and the mask on
// h_{t-1} that this gate saw at this step (dark = dropped), and whether the gates share them.
import { gateSlice, row, sameArray } from "./decode.js";

const NS = "http://www.w3.org/2000/svg";
const GATES = [
  { key: "f", k: 1, label: "σ", name: "forget f", x: 150 },
  { key: "i", k: 0, label: "σ", name: "input i", x: 290 },
  { key: "g", k: 2, label: "tanh", name: "candidate g", x: 430 },
  { key: "o", k: 3, label: "σ", name: "output o", x: 570 },
];
const STRIP_W = 110;

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

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
  return v >= 0 ? `rgb(${Math.round(255 - 200 * a)},${Math.round(255 - 150 * a)},255)` : `rgb(255,${Math.round(255 - 170 * a)},${Math.round(255 - 200 * a)})`;
}

function strip(g, x, y, values, color, title) {
  const w = STRIP_W / values.length;
  const group = el("g", { class: "strip" });
  group.appendChild(el("title", {}, title));
  for (let d = 0; d < values.length; d++) {
    group.appendChild(el("rect", { x: (x + d * w).toFixed(2), y, width: (w + 0.15).toFixed(2), height: 10, fill: color(values[d]) }));
  }
  group.appendChild(el("rect", { x, y, width: STRIP_W, height: 10, fill: "none", stroke: "#8a94a6", "stroke-width": 0.6 }));
  g.appendChild(group);
}

const keepColor = (v) => (v ? "#e3e9f3" : "#12355b");

function count(bits) {
  let n = 0;
  for (const b of bits) n += b === 0;
  return n;
}

/** Draw the cell at step t. layer: decoded arrays of one layer; embKeep: the embedding mask at
 * t (first layer only); outKeep: the output dropout's mask on h(T) before Dense (last layer, last
 * step, only when that dropout is on). */
export function drawCell(container, { t, word, layer, embKeep, outKeep }) {
  const svg = el("svg", { viewBox: "0 0 760 440", "aria-hidden": "true" });
  const inKeep = GATES.map((gate) => row(gateSlice(layer.masks.input, gate.k), t));
  const recKeep = GATES.map((gate) => row(gateSlice(layer.masks.recurrent, gate.k), t));
  const inShared = inKeep.every((m) => sameArray(m, inKeep[0]));
  const recShared = recKeep.every((m) => sameArray(m, recKeep[0]));

  svg.appendChild(el("text", { x: 20, y: 22, "font-size": 15, "font-weight": 600 }, `Step ${t}: “${word}”`));
  svg.appendChild(el("rect", { x: 70, y: 40, width: 640, height: 290, rx: 18, fill: "#fbfbfc", stroke: "#9aa3b2" }));
  // cell state line c_{t-1} -> x f -> + i*g -> c_t
  svg.appendChild(el("line", { x1: 20, y1: 80, x2: 740, y2: 80, stroke: "#333", "stroke-width": 2.5 }));
  svg.appendChild(el("text", { x: 18, y: 70, "font-size": 12 }, "c(t-1)"));
  svg.appendChild(el("text", { x: 705, y: 70, "font-size": 12 }, "c(t)"));
  // h bus from the left, x_t from below
  svg.appendChild(el("line", { x1: 20, y1: 395, x2: 640, y2: 395, stroke: "#333", "stroke-width": 2 }));
  svg.appendChild(el("text", { x: 18, y: 385, "font-size": 12 }, "h(t-1)"));
  svg.appendChild(el("line", { x1: 100, y1: 432, x2: 100, y2: 395, stroke: "#333", "stroke-width": 2 }));
  svg.appendChild(el("text", { x: 108, y: 430, "font-size": 12 }, "x(t), after embedding dropout"));
  if (embKeep) strip(svg, 300, 420, embKeep, keepColor, `embedding mask at step ${t}: ${count(embKeep)} of ${embKeep.length} dropped`);

  const op = (cx, cy, label) => {
    svg.appendChild(el("circle", { cx, cy, r: 15, fill: "#f4a6b7", stroke: "#a14d63" }));
    svg.appendChild(el("text", { x: cx, y: cy + 5, "text-anchor": "middle", "font-size": label.length > 1 ? 10 : 16 }, label));
  };
  const wire = (x1, y1, x2, y2) => svg.appendChild(el("line", { x1, y1, x2, y2, stroke: "#555", "stroke-width": 1.6 }));

  // forget: f -> x on the c line; input: i x g -> + on the c line; output: tanh(c) x o -> h
  wire(205, 250, 205, 95);
  wire(345, 250, 345, 175);
  wire(485, 250, 485, 175);
  wire(345, 175, 415, 175);
  wire(485, 175, 415, 175);
  wire(415, 160, 415, 95);
  wire(640, 80, 640, 130);
  wire(640, 160, 640, 190);
  wire(625, 250, 625, 205);
  wire(655, 205, 740, 205);
  op(205, 80, "×");
  op(415, 175, "×");
  op(415, 80, "+");
  op(640, 145, "tanh");
  op(640, 205, "×");
  svg.appendChild(el("text", { x: 700, y: 198, "font-size": 12 }, "h(t)"));

  const gates = { i: layer.i, f: layer.f, g: layer.g, o: layer.o };
  GATES.forEach((gate, j) => {
    const x0 = gate.x;
    const values = row(gates[gate.key], t);
    let mean = 0;
    for (const v of values) mean += v;
    mean /= values.length;
    wire(x0 + 55, 286, x0 + 55, 395);
    svg.appendChild(el("rect", { x: x0, y: 250, width: STRIP_W, height: 36, rx: 6, fill: "#f6c85f", stroke: "#b08a1e" }));
    svg.appendChild(el("text", { x: x0 + 7, y: 273, "font-size": 13, "font-weight": 600 }, gate.label));
    svg.appendChild(el("text", { x: x0 + STRIP_W - 6, y: 273, "font-size": 11, "text-anchor": "end" }, `${gate.key} ≈ ${mean.toFixed(2)}`));
    strip(svg, x0, 232, values, gate.key === "g" ? signed : viridis, `${gate.name}: values of the ${values.length} units at step ${t}`);
    const nIn = count(inKeep[j]);
    const nRec = count(recKeep[j]);
    strip(svg, x0, 300, inKeep[j], keepColor, `mask on x(t) into ${gate.name}: ${nIn} of ${inKeep[j].length} dropped`);
    strip(svg, x0, 316, recKeep[j], keepColor, `mask on h(t-1) into ${gate.name}: ${nRec} of ${recKeep[j].length} dropped`);
    svg.appendChild(el("text", { x: x0 - 4, y: 309, "font-size": 10, "text-anchor": "end" }, "x"));
    svg.appendChild(el("text", { x: x0 - 4, y: 325, "font-size": 10, "text-anchor": "end" }, "h"));
    svg.appendChild(el("text", { x: x0, y: 342, "font-size": 10 }, `x: ${nIn} dropped${inShared ? "" : ", own"}`));
    svg.appendChild(el("text", { x: x0, y: 354, "font-size": 10 }, `h: ${nRec} dropped${recShared ? "" : ", own"}`));
  });
  const sharing = (shared, n, what) => (n === 0 ? `no mask on ${what}` : shared ? `one mask on ${what}, shared by the four gates` : `four different masks on ${what}, one per gate`);
  const nInAll = inKeep.reduce((a, m) => a + count(m), 0);
  const nRecAll = recKeep.reduce((a, m) => a + count(m), 0);
  svg.appendChild(el("text", { x: 80, y: 372, "font-size": 12 }, `${sharing(inShared, nInAll, "x(t)")}; ${sharing(recShared, nRecAll, "h(t-1)")}.`));
  if (outKeep) {
    const nOut = count(outKeep);
    strip(svg, 645, 212, outKeep, keepColor, `output dropout on h(t) before Dense: ${nOut} of ${outKeep.length} dropped`);
    svg.appendChild(el("text", { x: 755, y: 182, "font-size": 10, "text-anchor": "end" }, `to Dense: ${nOut} dropped`));
  }
  if (layer.masks.candidate) {
    const nC = count(row(layer.masks.candidate, t));
    svg.appendChild(el("text", { x: 430, y: 228, "font-size": 10 }, `candidate mask: ${nC} dropped`));
  }
  // legend
  svg.appendChild(el("rect", { x: 470, y: 12, width: 12, height: 12, fill: "#12355b" }));
  svg.appendChild(el("text", { x: 486, y: 22, "font-size": 11 }, "dropped"));
  svg.appendChild(el("rect", { x: 545, y: 12, width: 12, height: 12, fill: "#e3e9f3", stroke: "#8a94a6" }));
  svg.appendChild(el("text", { x: 561, y: 22, "font-size": 11 }, "kept"));
  svg.appendChild(el("rect", { x: 600, y: 12, width: 12, height: 12, fill: "#f6c85f" }));
  svg.appendChild(el("text", { x: 616, y: 22, "font-size": 11 }, "layer"));
  svg.appendChild(el("circle", { cx: 670, cy: 18, r: 6, fill: "#f4a6b7" }));
  svg.appendChild(el("text", { x: 680, y: 22, "font-size": 11 }, "pointwise"));
  container.replaceChildren(svg);
  container.setAttribute(
    "aria-label",
    `LSTM cell at step ${t} (${word}): ${sharing(inShared, nInAll, "x(t)")}; ${sharing(recShared, nRecAll, "h(t-1)")}.`,
  );
}
