// Which figure shows what: every plotted view of the trace, with the signature of the data it
// shows (the scheduler redraws a figure only when that changes) and what a click on it picks.
import { decode } from "../decode.js";
import { stepLabels } from "../figures/common.js";
import { diffFigure, stateFigure, unitFigure } from "../figures/gates.js";
import { embeddingMaskFigure, extraMaskFigure, gateMaskFigure, weightMaskFigure } from "../figures/masks.js";
import { outputFigure } from "../figures/output.js";
import { GATE_KEYS } from "../gates.js";
import { layerData } from "../trace-data.js";
import { pickPoint } from "./cursor.js";
import { side, sideKey } from "./side-data.js";
import { currentLayer, currentUnit, lab } from "./store.js";

const $ = (id) => document.getElementById(id);
const unitClick = pickPoint("unit");
const elementClick = pickPoint("element");

function labelsKey(trace) {
  return `${trace.tokens.length}|${stepLabels(trace.tokens).join("\u0001")}`;
}

export function renderFigures(scheduler) {
  const trace = lab.trace;
  const labels = stepLabels(trace.tokens);
  const lkey = labelsKey(trace);
  const n = currentLayer();
  const layer = trace.layers[n];
  const d = layerData(trace, n);
  const plan = trace.plan;
  const phase = trace.config.phase;
  const words = (name) => `${plan.masks[name]?.active}|${plan.masks[name]?.words}`;
  const draw = scheduler.draw;

  draw("fig-embedding-mask", `${trace.embedding.mask.bdata}|${lkey}|${words("embedding")}|${phase}`, () =>
    embeddingMaskFigure(decode(trace.embedding.mask), trace.embedding.mask_scale, labels, plan, phase), elementClick);
  draw("fig-input-mask", `${n}|${layer.masks.input.bdata}|${layer.masks.input_scale}|${lkey}|${words("input")}|${phase}`, () =>
    gateMaskFigure(d.masks.input, layer.masks.input_scale, labels, {
      title: `Mask on x(t) into the gates${trace.layers.length > 1 ? `, layer ${n + 1}` : ""}`,
      entry: plan.masks.input,
      phase,
      rows: "element",
    }), elementClick);
  draw("fig-recurrent-mask", `${n}|${layer.masks.recurrent.bdata}|${layer.masks.recurrent_scale}|${lkey}|${words("recurrent")}|${phase}`, () =>
    gateMaskFigure(d.masks.recurrent, layer.masks.recurrent_scale, labels, {
      title: `Mask on h(t-1) into the gates${trace.layers.length > 1 ? `, layer ${n + 1}` : ""}`,
      entry: plan.masks.recurrent,
      phase,
      rows: "unit",
    }), unitClick);
  const extras = ["candidate", "zoneout_c", "zoneout_h", "between"].map((k) => `${layer.masks[k]?.bdata ?? ""}${words(k)}`).join("|");
  draw("fig-extra-mask", `${n}|${extras}|${lkey}`, () => extraMaskFigure(d.masks, labels, plan), unitClick);
  draw("fig-weight-mask", `${n}|${layer.masks.weight_drop?.bdata ?? ""}`, () => weightMaskFigure(d.masks.weight_drop, layer.masks.weight_drop_scale, plan));
  for (const g of GATE_KEYS) draw(`fig-gate-${g}`, `${n}|${layer.gates[g].bdata}|${lkey}`, () => stateFigure(g, d[g], labels), unitClick);
  draw("fig-c", `${n}|${layer.c.bdata}|${lkey}`, () => stateFigure("c", d.c, labels), unitClick);
  draw("fig-h", `${n}|${layer.h.bdata}|${lkey}`, () => stateFigure("h", d.h, labels), unitClick);
  renderUnit(scheduler);
  renderDiff(scheduler);
  renderOutput(scheduler);
  scheduler.flushSoon();
}

export function renderUnit(scheduler) {
  const trace = lab.trace;
  const u = currentUnit();
  $("unit-hint").hidden = u !== null;
  if (u === null) return scheduler.draw("fig-unit", "none", () => null);
  const n = currentLayer();
  const baseline = side("baseline", trace);
  scheduler.draw("fig-unit", `${trace.state}|${n}|${u}|${sideKey("baseline", trace)}`, () =>
    unitFigure(layerData(trace, n), u, stepLabels(trace.tokens), baseline ? layerData(baseline, n) : null), pickPoint("unit"));
}

export function renderDiff(scheduler) {
  const trace = lab.trace;
  const baseline = side("baseline", trace);
  if (!baseline) return;
  const n = currentLayer();
  const name = lab.view.diff;
  scheduler.draw("fig-diff", `${trace.state}|${n}|${name}`, () =>
    diffFigure(name, layerData(trace, n)[name], layerData(baseline, n)[name], stepLabels(trace.tokens)), unitClick);
}

export function renderOutput(scheduler) {
  const trace = lab.trace;
  const mc = side("mc", trace);
  scheduler.draw("fig-output", `${trace.state}|${sideKey("mc", trace)}`, () => outputFigure(trace.output.probability, mc));
}
