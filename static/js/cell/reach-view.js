// "What reaches each gate": for each gate, the multiplier on every element of x(t) and every unit
// of h(t-1) (every mask and scale on the way multiplied, reach.js), with what changed since the
// previous step marked. One row for the four gates when they get the same.
import { CHANGED, DROPPED, GATES, KEPT } from "../gates.js";
import { el } from "./svg.js";

const CELL = 6; // viewBox units per element; the strip stretches to its box

function stripSvg(side, what, unit) {
  const n = side.values.length;
  const svg = el("svg", { viewBox: `0 0 ${n * CELL} 16`, preserveAspectRatio: "none", class: "reach-strip", role: "img" });
  svg.setAttribute("aria-label", `${what}: ${side.reach} of ${n} reach`);
  for (let d = 0; d < n; d++) {
    svg.appendChild(el("rect", { x: d * CELL, y: 4, width: CELL, height: 12, fill: side.values[d] === 0 ? DROPPED : KEPT }));
    if (side.changed?.[d]) svg.appendChild(el("rect", { x: d * CELL, y: 0, width: CELL, height: 3, fill: CHANGED, class: "changed" }));
  }
  if (unit !== null && unit < n) {
    svg.appendChild(el("rect", { x: unit * CELL, y: 3, width: CELL, height: 13, fill: "none", stroke: "#000000", "stroke-width": 2, "vector-effect": "non-scaling-stroke", class: "unit-mark" }));
  }
  return svg;
}

function sideText(side, t) {
  const scale = side.scales.length === 1 && side.scales[0] !== 1 ? `, each ×${side.scales[0]}` : "";
  const moved = t === 0 ? "" : side.nChanged ? ` · ${side.nChanged} changed since step ${t - 1}` : ` · same as step ${t - 1}`;
  return `${side.reach} of ${side.values.length} reach${scale}${moved}`;
}

function node(tag, cls, text) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined) n.textContent = text;
  return n;
}

/** reach: reachAt(trace, n, t); unit: the chosen unit (framed on the h strips), or null. */
export function renderReach(container, reach, unit) {
  const rows = [];
  const groups =
    reach.xShared && reach.hShared
      ? [{ label: "every gate (all four get the same)", short: "i, f, g, o", gate: reach.gates[0] }]
      : reach.gates.map((gate, k) => ({ label: GATES[k].name, short: gate.key, gate }));
  for (const { label, short, gate } of groups) {
    const r = node("div", "reach-row");
    r.dataset.gate = gate.key;
    r.append(node("span", "reach-gate", label));
    for (const [part, what] of [["x", "x(t)"], ["h", "h(t-1)"]]) {
      const cell = node("div", `reach-side reach-${part}`);
      cell.append(node("span", "reach-what", `${what} → ${short}`), stripSvg(gate[part], `${what} into ${label}`, part === "h" ? unit : null), node("span", "reach-count", sideText(gate[part], reach.t)));
      r.append(cell);
    }
    rows.push(r);
  }
  container.replaceChildren(...rows);
}
