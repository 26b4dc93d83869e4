// Which figure shows what: every plotted view of the traces, with the signature of the data it
// shows (the scheduler redraws a figure only when that changes) and what a click on it picks.
// In compare mode each view of a model has a twin for model B (its id + "-b") beside it, the two
// on one colour scale, and "B − A" subtracts A from B; without a comparison that panel subtracts
// these masks from no dropout (the same weights and input, every rate 0).
import { decode } from "../decode.js";
import { stepLabels, tagged } from "../figures/common.js";
import { diffFigure, stateFigure, unitFigure } from "../figures/gates.js";
import { embeddingMaskFigure, extraMaskFigure, gateMaskFigure, weightMaskFigure } from "../figures/masks.js";
import { outputFigure } from "../figures/output.js";
import { GATE_KEYS } from "../gates.js";
import { layerData } from "../trace-data.js";
import { pickPoint } from "./cursor.js";
import { side, sideKey } from "./side-data.js";
import { currentLayer, currentUnit, lab, modelB } from "./store.js";

const $ = (id) => document.getElementById(id);
const unitClick = pickPoint("unit");
const elementClick = pickPoint("element");
const TWIN = "-b";
const STATES = [...GATE_KEYS, "c", "h"];
const MODEL_FIGURES = [
  "fig-embedding-mask",
  "fig-input-mask",
  "fig-recurrent-mask",
  "fig-extra-mask",
  "fig-weight-mask",
  ...STATES.map((s) => (GATE_KEYS.includes(s) ? `fig-gate-${s}` : `fig-${s}`)),
];

function labelsKey(trace) {
  return `${trace.tokens.length}|${stepLabels(trace.tokens).join("\u0001")}`;
}

const layerOf = (trace) => Math.min(currentLayer(), trace.layers.length - 1);

/** Every figure of one model. who: "" (the page's one model), "A" or "B" (drawn in the twins);
 * other: the model it is compared with (for one colour scale), or null. */
function modelFigures(scheduler, trace, other, who) {
  const labels = stepLabels(trace.tokens);
  const lkey = labelsKey(trace);
  const n = layerOf(trace);
  const layer = trace.layers[n];
  const d = layerData(trace, n);
  const plan = trace.plan;
  const phase = trace.config.phase;
  const words = (name) => `${plan.masks[name]?.active}|${plan.masks[name]?.words}`;
  const layers = trace.layers.length > 1 ? `, layer ${n + 1}` : "";
  const twin = who === "B";
  const draw = (id, signature, build, onClick) =>
    scheduler.draw(twin ? id + TWIN : id, `${who}|${signature}`, () => tagged(build(), who), onClick, twin ? id : null);

  draw("fig-embedding-mask", `${trace.embedding.mask.bdata}|${lkey}|${words("embedding")}|${phase}`, () =>
    embeddingMaskFigure(decode(trace.embedding.mask), trace.embedding.mask_scale, labels, plan, phase), elementClick);
  draw("fig-input-mask", `${n}|${layer.masks.input.bdata}|${layer.masks.input_scale}|${lkey}|${words("input")}|${phase}`, () =>
    gateMaskFigure(d.masks.input, layer.masks.input_scale, labels, { title: `Mask on x(t) into the gates${layers}`, entry: plan.masks.input, phase, rows: "element" }), elementClick);
  draw("fig-recurrent-mask", `${n}|${layer.masks.recurrent.bdata}|${layer.masks.recurrent_scale}|${lkey}|${words("recurrent")}|${phase}`, () =>
    gateMaskFigure(d.masks.recurrent, layer.masks.recurrent_scale, labels, { title: `Mask on h(t-1) into the gates${layers}`, entry: plan.masks.recurrent, phase, rows: "unit" }), unitClick);
  const extras = ["candidate", "zoneout_c", "zoneout_h", "between"].map((k) => `${layer.masks[k]?.bdata ?? ""}${words(k)}`).join("|");
  draw("fig-extra-mask", `${n}|${extras}|${lkey}`, () => extraMaskFigure(d.masks, labels, plan), unitClick);
  draw("fig-weight-mask", `${n}|${layer.masks.weight_drop?.bdata ?? ""}`, () => weightMaskFigure(d.masks.weight_drop, layer.masks.weight_drop_scale, plan));
  const o = other ? layerOf(other) : 0;
  const also = other ? layerData(other, o) : null;
  for (const s of STATES) {
    const spec = GATE_KEYS.includes(s) ? layer.gates[s] : layer[s];
    const otherSpec = other ? (GATE_KEYS.includes(s) ? other.layers[o].gates[s] : other.layers[o][s]) : null;
    draw(GATE_KEYS.includes(s) ? `fig-gate-${s}` : `fig-${s}`, `${n}|${spec.bdata}|${otherSpec?.bdata ?? ""}|${lkey}`, () => stateFigure(s, d[s], labels, also?.[s] ?? null), unitClick);
  }
}

export function renderFigures(scheduler) {
  const a = lab.trace;
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
  return b ? { trace: b, name: "B" } : { trace: side("baseline", lab.trace), name: "no dropout" };
}

/** Can B − A be taken at layer n (same steps, units and that layer)? */
function comparable(a, b, n) {
  return b.layers.length > n && b.tokens.length === a.tokens.length && b.config.units === a.config.units;
}

export function renderUnit(scheduler) {
  const trace = lab.trace;
  const u = currentUnit();
  $("unit-hint").hidden = u !== null;
  if (u === null) return scheduler.draw("fig-unit", "none", () => null);
  const n = currentLayer();
  const other = against();
  const shown = other.trace && comparable(trace, other.trace, n) ? other.trace : null;
  scheduler.draw("fig-unit", `${trace.state}|${n}|${u}|${shown?.state ?? ""}`, () =>
    unitFigure(layerData(trace, n), u, stepLabels(trace.tokens), shown ? { layer: layerData(shown, n), name: other.name === "B" ? "h of B" : "h, no dropout" } : null), pickPoint("unit"));
}

export function renderDiff(scheduler) {
  const a = lab.trace;
  const { trace: b, name: bName } = against();
  const comparing = bName === "B";
  $("diff-title").textContent = comparing ? "B − A: what the change does" : "Against no dropout";
  if (!b) return;
  const n = currentLayer();
  const ok = comparable(a, b, n);
  const note = $("diff-note");
  note.hidden = ok;
  note.textContent = ok ? "" : `B − A needs the same steps, units and layer: A has ${a.tokens.length} steps and ${a.config.units} units, B ${b.tokens.length} steps, ${b.config.units} units and ${b.layers.length} layer(s).`;
  if (!ok) return scheduler.draw("fig-diff", "none", () => null);
  const name = lab.view.diff;
  const words = comparing
    ? { title: `${name} of B − ${name} of A`, detail: "same weights and input, B with its own fields" }
    : { title: `${name} with no dropout − ${name} with these masks`, detail: "same weights, same input; only the masks differ" };
  scheduler.draw("fig-diff", `${a.state}|${b.state}|${n}|${name}|${bName}`, () =>
    diffFigure(layerData(b, n)[name], layerData(a, n)[name], stepLabels(a.tokens), words), unitClick);
}

export function renderOutput(scheduler) {
  const a = lab.trace;
  const b = modelB();
  const models = b
    ? [
        { name: "A", probability: a.output.probability, mc: side("mc", a) },
        { name: "B", probability: b.output.probability, mc: side("mc", b) },
      ]
    : [{ name: "", probability: a.output.probability, mc: side("mc", a) }];
  scheduler.draw("fig-output", `${a.state}|${b?.state ?? ""}|${sideKey("mc", a)}|${sideKey("mc", b)}`, () => outputFigure(models));
}
