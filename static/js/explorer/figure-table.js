// Which figure shows what: every plotted view of the traces, with the signature of the data it
// shows (the scheduler redraws a figure only when that changes) and what a click on it picks.
// In compare mode each view of a model has a twin for model B (its id + "-b") beside it, the two
// on one colour scale, and "B − A" subtracts A from B; without a comparison that panel subtracts
// these masks from no dropout (the same weights and input, every rate 0).
import { stepLabels, tagged } from "../figures/common.js";
import { MODEL_FIGURES, STATES, comparable, diffOf, incomparable, modelFigure, outputOf, stateId, unitsOf } from "../figures/by-id.js";
import { unitFigure } from "../figures/gates.js";
import { layerData } from "../trace-data.js";
import { pickPoint, setCursor } from "./cursor.js";
import { side, sideKey } from "./side-data.js";
import { currentLayer, currentUnit, modelB, store } from "./store.js";

const $ = (id) => document.getElementById(id);
const unitClick = pickPoint("unit");
const elementClick = pickPoint("element");
const TWIN = "-b";

function labelsKey(trace) {
  return `${trace.tokens.length}|${stepLabels(trace.tokens).join("\u0001")}`;
}

const layerOf = (trace) => Math.min(currentLayer(), trace.layers.length - 1);

/** Every figure of one model (figures/by-id.js), each redrawn when its signature changes.
 * who: "" (the page's one model), "A" or "B" (drawn in the twins); other: the model it is
 * compared with (for one colour scale), or null. */
function modelFigures(scheduler, trace, other, who) {
  const lkey = labelsKey(trace);
  const n = layerOf(trace);
  const layer = trace.layers[n];
  const { plan } = trace;
  const { phase } = trace.config;
  const words = (name) => `${plan.masks[name]?.active}|${plan.masks[name]?.words}`;
  const twin = who === "B";
  const beside = other ? { trace: other, n: layerOf(other) } : null;
  const draw = (id, signature, onClick) =>
    scheduler.draw(twin ? id + TWIN : id, `${who}|${signature}`, () => tagged(modelFigure(id, trace, n, beside), who), onClick, twin ? id : null);

  draw("fig-embedding-mask", `${trace.embedding.mask.bdata}|${lkey}|${words("embedding")}|${phase}`, elementClick);
  draw("fig-input-mask", `${n}|${layer.masks.input.bdata}|${layer.masks.input_scale}|${lkey}|${words("input")}|${phase}`, elementClick);
  draw("fig-recurrent-mask", `${n}|${layer.masks.recurrent.bdata}|${layer.masks.recurrent_scale}|${lkey}|${words("recurrent")}|${phase}`, unitClick);
  const extras = ["candidate", "zoneout_c", "zoneout_h", "between", "gate_output"].map((k) => `${layer.masks[k]?.bdata ?? ""}${words(k)}`).join("|");
  draw("fig-extra-mask", `${n}|${extras}|${lkey}`, unitClick);
  draw("fig-weight-mask", `${n}|${layer.masks.weight_drop?.bdata ?? ""}`);
  for (const s of STATES) {
    const of = (t, k) => (s === "c" || s === "h" ? t.layers[k][s] : t.layers[k].gates[s]);
    draw(stateId(s), `${n}|${of(trace, n).bdata}|${beside ? of(other, beside.n).bdata : ""}|${lkey}`, unitClick);
  }
}

export function renderFigures(scheduler) {
  const a = store.trace;
  const b = modelB();
  modelFigures(scheduler, a, b, b ? "A" : "");
  if (b) modelFigures(scheduler, b, a, "B");
  else for (const id of MODEL_FIGURES) scheduler.remove(id + TWIN);
  renderUnit(scheduler);
  renderDiff(scheduler);
  renderOutput(scheduler);
  scheduler.flushSoon();
}

/** The model A is set against: B in compare mode, else no dropout (side data, null while loading). */
function against() {
  const b = modelB();
  return b ? { trace: b, name: "B" } : { trace: side("baseline", store.trace), name: "no dropout" };
}

export function renderUnit(scheduler) {
  const trace = store.trace;
  const u = currentUnit();
  $("unit-hint").hidden = u !== null;
  if (u === null) return scheduler.draw("fig-unit", "none", () => null);
  const n = currentLayer();
  const other = against();
  const shown = other.trace && comparable(trace, other.trace, n) ? other.trace : null;
  scheduler.draw("fig-unit", `${trace.state}|${n}|${u}|${shown?.state ?? ""}`, () =>
    unitFigure(layerData(trace, n), u, stepLabels(trace.tokens), shown ? { layer: layerData(shown, n), name: other.name === "B" ? "h of B" : "h, no dropout" } : null), pickPoint("unit"));
}

/** A click on a line of "Units under the words": the cursor moves to that step and follows that unit. */
function unitLineClick(point) {
  const t = point.pointIndex ?? point.pointNumber;
  if (typeof t === "number") setCursor({ t, unit: point.data.meta?.unit ?? store.view.unit });
}

let unitsBound = false;

/** "Units under the words": the units whose value (its select: h, c or a gate) B, or no dropout,
 * moves most from A, drawn with the caption measured on them. Drawn with B − A (the same pair). */
export function renderUnits(scheduler) {
  const select = $("units-of");
  if (!select) return;
  if (!unitsBound) {
    unitsBound = true;
    select.addEventListener("change", () => {
      renderUnits(scheduler);
      scheduler.flushSoon();
    });
  }
  const a = store.trace;
  const { trace: b, name: bName } = against();
  if (!b) return;
  const caption = $("units-caption");
  const n = currentLayer();
  if (!comparable(a, b, n)) {
    caption.textContent = incomparable(a, b);
    return scheduler.draw("fig-units", "none", () => null);
  }
  const name = select.value;
  scheduler.draw(
    "fig-units",
    `${a.state}|${b.state}|${n}|${name}|${bName}`,
    () => {
      const view = unitsOf(a, b, n, name, bName === "B");
      caption.textContent = view.caption;
      caption.dataset.units = view.units.join(",");
      return view.fig;
    },
    unitLineClick,
  );
}

export function renderDiff(scheduler) {
  renderUnits(scheduler);
  const a = store.trace;
  const { trace: b, name: bName } = against();
  const comparing = bName === "B";
  $("diff-title").textContent = comparing ? "B − A: what the change does" : "Against no dropout";
  if (!b) return;
  const n = currentLayer();
  const ok = comparable(a, b, n);
  const note = $("diff-note");
  note.hidden = ok;
  note.textContent = ok ? "" : incomparable(a, b);
  if (!ok) return scheduler.draw("fig-diff", "none", () => null);
  const name = store.view.diff;
  scheduler.draw("fig-diff", `${a.state}|${b.state}|${n}|${name}|${bName}`, () => diffOf(a, b, n, name, comparing), unitClick);
}

export function renderOutput(scheduler) {
  const a = store.trace;
  const b = modelB();
  scheduler.draw("fig-output", `${a.state}|${b?.state ?? ""}|${sideKey("mc", a)}|${sideKey("mc", b)}`, () =>
    outputOf(a, b, side("mc", a), b ? side("mc", b) : null));
}
