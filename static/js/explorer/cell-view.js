// The cell at the cursor: the diagram (cell/diagram.js), what reaches each gate (cell/reach-view.js),
// the key to the equations, and the compact cell in the sticky bar, which keeps the step, the
// unit and each gate in view wherever the page is scrolled.
import { drawCell } from "../cell/diagram.js";
import { cellLayout } from "../cell/geometry.js";
import { renderReach } from "../cell/reach-view.js";
import { decode, row } from "../decode.js";
import { equationKey } from "../equations.js";
import { GATES } from "../gates.js";
import { reachAt } from "../reach.js";
import { layerData } from "../trace-data.js";
import { currentLayer, currentStep, currentUnit, store } from "./store.js";

const $ = (id) => document.getElementById(id);

function chip(gate, value, r) {
  const span = document.createElement("span");
  span.className = `chip gate-${gate.key}`;
  span.dataset.gate = gate.key;
  const b = document.createElement("b");
  b.textContent = `${gate.key} ${value.toFixed(2)}`;
  const small = document.createElement("small");
  small.textContent = ` x ${r.x.reach}/${r.x.values.length} · h ${r.h.reach}/${r.h.values.length}`;
  span.append(b, small);
  return span;
}

/** Lines of text where "_k" is a subscript (m_i), as list items. */
function list(container, lines) {
  container.replaceChildren(
    ...lines.map((text) => {
      const li = document.createElement("li");
      for (const part of text.split(/(_[A-Za-z0-9]+)/)) {
        if (part.startsWith("_")) li.append(Object.assign(document.createElement("sub"), { textContent: part.slice(1) }));
        else li.append(part);
      }
      return li;
    }),
  );
}

/** At the last step of the last layer, h(T) goes to Dense through the output dropout, if on. */
function outputLine(trace, n, t) {
  const entry = trace.plan.masks.output;
  if (!entry?.active || n !== trace.layers.length - 1 || !trace.output.mask) return [];
  const keep = decode(trace.output.mask).data;
  const dropped = keep.reduce((a, v) => a + (v === 0), 0);
  const when = t === trace.tokens.length - 1 ? "Now" : "At the last step";
  return [`${when}, h goes on to Dense through the output Dropout (${entry.words}): ${dropped} of ${keep.length} units dropped.`];
}

export function renderCell() {
  const trace = store.trace;
  const n = currentLayer();
  const t = currentStep();
  const unit = currentUnit();
  const layer = layerData(trace, n);
  const reach = reachAt(trace, n, t);
  const box = $("cell");
  drawCell(box, { g: cellLayout(box.clientWidth || 760), trace, n, layer, t, reach, unit });
  box.setAttribute("aria-label", `LSTM cell at step ${t} (${trace.tokens[t].word}): ${reach.gates.map((g) => `${g.key} gets ${g.x.reach} of ${g.x.values.length} elements of x and ${g.h.reach} of ${g.h.values.length} units of h`).join("; ")}.`);
  renderReach($("reach"), reach, unit);
  $("reach-step").textContent = t === 0 ? "" : ` (orange: changed since step ${t - 1})`;
  list($("equation-key"), [...equationKey(trace.plan, n), ...outputLine(trace, n, t)]);

  const word = trace.tokens[t].word;
  $("timestep-word").textContent = `${t}: ${word}`;
  $("cursor-word").textContent = `Step ${t}: “${word}”${unit !== null ? ` · unit ${unit}` : ""}`;
  const mean = (v) => v.reduce((a, x) => a + x, 0) / v.length;
  $("compact-cell").replaceChildren(
    ...GATES.map((g) => {
      const values = row(layer[g.key], t);
      return chip(g, unit !== null ? values[unit] : mean(values), reach.gates[g.k]);
    }),
  );
  $("compact-cell").title = unit !== null ? `unit ${unit} at step ${t}; x, h: how many reach each gate` : `mean over units at step ${t}; x, h: how many reach each gate`;
}

/** Redraw when the diagram's box crosses between the wide and the narrow layout. */
export function watchCellWidth() {
  let last = null;
  new ResizeObserver(([entry]) => {
    const g = cellLayout(entry.contentRect.width);
    if (last !== null && g !== last) renderCell();
    last = g;
  }).observe($("cell"));
}
