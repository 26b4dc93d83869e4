// The cell at the cursor: the diagram (cell/diagram.js) with every mask on the wire it multiplies,
// what reaches each gate (cell/reach-view.js), the key to the equations, and the compact cell in
// the sticky bar, which keeps the step, the unit and each gate in view wherever the page is
// scrolled. In compare mode B's cell is drawn beside A's (stacked when narrow), each titled with
// its plan and p; "The forum answer beside it" turns compare mode on with B = A under preset forum.
import { drawCell } from "../cell/diagram.js";
import { cellLayout } from "../cell/geometry.js";
import { renderReach } from "../cell/reach-view.js";
import { decode, row } from "../decode.js";
import { equationKey } from "../equations.js";
import { GATES } from "../gates.js";
import { reachAt } from "../reach.js";
import { layerData } from "../trace-data.js";
import { setCompare } from "./loader.js";
import { currentLayer, currentStep, currentUnit, modelB, store } from "./store.js";

const $ = (id) => document.getElementById(id);
const FORUM = ["preset", "forum"];

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

// Text sizes in px: normal pages, and large type (classroom mode, "Larger text"): >= 18 px.
const NORMAL = { title: 16, text: 15, small: 14, eq: 15, op: 17, mark: 13 };
const LARGE = { title: 22, text: 19.5, small: 18.5, eq: 21.5, op: 21, mark: 18.5 };

// Measured once, then kept up to date by observers (watchCellWidth): reading them at every step
// would force a style and layout pass of the whole page after each redraw (~15 ms a step).
let scaleNow = null; // the root font size / 16
const widths = new WeakMap(); // box -> its content width (px), from the ResizeObserver

function pageScale() {
  scaleNow ??= parseFloat(getComputedStyle(document.documentElement).fontSize) / 16;
  return scaleNow;
}

/** The width the diagram will take in box (px): its box, up to the svg's max-width (62rem). */
function drawnWidth(box) {
  if (!widths.has(box)) widths.set(box, box.clientWidth);
  return Math.min(widths.get(box) || 760, 62 * 16 * pageScale());
}

/** The layout for box and its fonts in viewBox units, so that text renders at the page's size. */
function sized(box) {
  const scale = pageScale();
  const large = scale >= 1.2;
  const width = drawnWidth(box);
  const g = cellLayout(width, large ? 1.3 : 1);
  const k = width / g.width; // px per viewBox unit
  const target = large ? LARGE : NORMAL;
  const font = Object.fromEntries(Object.entries(g.font).map(([key, design]) => [key, Math.min(Math.max(target[key] / k, design * 0.8), design * 1.35)]));
  return { g, font };
}

/** One model's cell at the cursor in box; returns reachAt(...) for it. */
function drawOne(box, trace) {
  const n = Math.min(currentLayer(), trace.layers.length - 1);
  const t = Math.min(currentStep(), trace.tokens.length - 1);
  const u = currentUnit();
  const unit = u !== null && u < trace.config.units ? u : null;
  const layer = layerData(trace, n);
  const reach = reachAt(trace, n, t);
  drawnAt.set(box, Math.round(widths.get(box) ?? box.clientWidth));
  const masks = drawCell(box, { ...sized(box), trace, n, layer, t, reach, unit });
  const where = masks.length ? ` Masks drawn: ${masks.map((m) => `${m.key} drops ${m.dropped}`).join(", ")}.` : " No mask acts at this step.";
  box.setAttribute("aria-label", `LSTM cell of ${trace.plan.title} at step ${t} (${trace.tokens[t].word}): ${reach.gates.map((g) => `${g.key} gets ${g.x.reach} of ${g.x.values.length} elements of x and ${g.h.reach} of ${g.h.values.length} units of h`).join("; ")}.${where}`);
  box.dataset.state = trace.state;
  return reach;
}

const drawnAt = new WeakMap(); // box -> the width (px) its diagram was drawn for

const pOf = (trace) => `p = ${trace.output.probability.toFixed(4)}`;

function isForum(trace) {
  return trace?.plan?.preset === "forum";
}

/** One cell or two (before drawing: each draws for its own width). */
function layoutPair() {
  const b = modelB();
  $("cells").classList.toggle("two", Boolean(b));
  $("cell-b-figure").hidden = !b;
  $("cell-caption-a").hidden = !b;
}

/** B's cell beside A's in compare mode; the captions name each model, its plan and its p. */
function renderPair() {
  const a = store.trace;
  const b = modelB();
  if (b) {
    $("cell-caption-a").textContent = `A: ${a.plan.title} · ${pOf(a)}`;
    $("cell-caption-b").textContent = `B: ${b.plan.title} · ${pOf(b)}`;
    drawOne($("cell-b"), b);
  } else $("cell-b").replaceChildren();
  const forum = Boolean(b) && isForum(b) && !isForum(a);
  $("forum-toggle").checked = forum;
  $("forum-caption").hidden = !forum;
}

export function renderCell() {
  const trace = store.trace;
  const n = currentLayer();
  const t = currentStep();
  const unit = currentUnit();
  const layer = layerData(trace, n);
  layoutPair();
  const reach = drawOne($("cell"), trace);
  renderPair();
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

/** "The forum answer beside it": on, B = A with preset forum; off, B's preset goes back to A's. */
function bindForumToggle() {
  const box = $("forum-toggle");
  box.addEventListener("change", async () => {
    const note = $("forum-problem");
    note.hidden = true;
    const rest = store.compare.vs.filter(([k]) => k !== "preset");
    const shown = await setCompare(box.checked ? [FORUM] : rest);
    if (!shown && box.checked) {
      box.checked = false;
      note.textContent = `The forum answer cannot be drawn for this model: ${$("compare-error")?.textContent.trim() || "the server refused it"}`;
      note.hidden = false;
    }
  });
}

/** Redraw when a diagram's box changes width (the layout and the text size follow it), and bind
 * the forum toggle (called once, at start). */
export function watchCellWidth() {
  bindForumToggle();
  let frame = 0;
  const observer = new ResizeObserver((entries) => {
    for (const e of entries) widths.set(e.target, e.contentRect.width);
    const changed = entries.some((e) => {
      const w = Math.round(e.contentRect.width);
      return w > 0 && drawnAt.has(e.target) && Math.abs(drawnAt.get(e.target) - w) > 1;
    });
    if (!changed) return;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(renderCell);
  });
  observer.observe($("cell"));
  observer.observe($("cell-b"));
  // "Larger text" and classroom mode change the root's class or style: the text size follows
  new MutationObserver(() => {
    const scale = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16;
    if (scale === scaleNow) return;
    scaleNow = scale;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(renderCell);
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["class", "style"] });
}
