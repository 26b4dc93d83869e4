// "Gradients through time": /api/grads for A's state and the chosen label (the toy rule's unless
// the hash says label=0|1), loaded with the other side data and cached per state and label. The
// norms of dL/de(t), dL/dh(t) and dL/dc(t) over the steps with the masks and without dropout,
// dL/de(t) beside the embedding mask, and what the numbers say, in words computed from them.
import { decode } from "../decode.js";
import { stepLabels, tagged } from "../figures/common.js";
import { gradNorms, modelFigure } from "../figures/by-id.js";
import { embeddingGradFigure } from "../figures/grads.js";
import { GATES } from "../gates.js";
import { embeddingMask, layerData } from "../trace-data.js";
import { pickPoint } from "./cursor.js";
import { loadSide, refusal, side } from "./side-data.js";
import { currentLayer, modelB, setView, store } from "./store.js";

const $ = (id) => document.getElementById(id);
const elementClick = pickPoint("element");
const NAMES = { 0: "negative", 1: "positive" };

/** {rule, label, grads}: the rule's answer (null until loaded), the label shown, its answer. */
function shown() {
  const rule = side("grads", store.trace, null);
  if (!rule) return { rule: null, label: store.view.label, grads: null };
  const label = store.view.label ?? rule.label;
  return { rule, label, grads: label === rule.label ? rule : side("grads", store.trace, label) };
}

function renderLabel(rule, label) {
  const select = $("grad-label");
  const options = [1, 0].map((v) => new Option(`${v}: ${NAMES[v]}${rule?.label === v ? " (the toy rule's)" : ""}`, String(v)));
  if ([...select.options].map((o) => o.text).join() !== options.map((o) => o.text).join()) select.replaceChildren(...options);
  select.value = String(label ?? 1);
}

/** Elements of e(t) at 0 gradient, and why: dropped by the embedding mask; or kept by it and
 * dropped by the LSTM's input mask for all four gates (layer 1 reads e(t) only through it); or,
 * at the first step, let through to the forget gate alone, which multiplies c(-1) = 0. */
function zeroCounts(trace, grads) {
  const grad = decode(grads.embedding.grad);
  const g = grad.data;
  const E = grad.shape[1];
  const mask = embeddingMask(trace).data;
  const input = layerData(trace, 0).masks.input.data; // (T, 4, E)
  const reaches = (t, e, k) => input[(t * 4 + k) * E + e] !== 0;
  const out = { n: g.length, zeros: 0, dropped: 0, droppedZero: 0, gates: 0, forget: 0 };
  for (let i = 0; i < g.length; i++) {
    const t = Math.floor(i / E);
    const e = i % E;
    const zero = g[i] === 0;
    out.zeros += zero;
    if (mask[i] === 0) {
      out.dropped += 1;
      out.droppedZero += zero;
      continue;
    }
    const open = GATES.filter((gate) => reaches(t, e, gate.k)).map((gate) => gate.key);
    if (!open.length) out.gates += zero;
    else if (t === 0 && open.length === 1 && open[0] === "f") out.forget += zero;
  }
  return out;
}

const pct = (x) => `${(100 * x).toPrecision(2)}%`;

function sentences(trace, grads, label, z) {
  const w = grads.without_dropout;
  const out = [
    `Label ${label} (${NAMES[label]}): loss ${grads.loss.toFixed(4)} with these masks (p = ${grads.probability.toFixed(4)}), ${w.loss.toFixed(4)} with no dropout (p = ${w.probability.toFixed(4)}).`,
  ];
  if (z.dropped) {
    const all = z.droppedZero === z.dropped ? `every one of them gets exactly 0 gradient` : `${z.droppedZero} of them get exactly 0 gradient`;
    out.push(`The embedding mask dropped ${z.dropped} of ${z.n} elements of e(t): ${all} (dark in both pictures).`);
  } else if (trace.plan.masks.embedding?.active) out.push("The embedding mask dropped no element this time.");
  else out.push("The embedding mask is off here: it blocks no element of e(t).");
  const more = z.zeros - z.droppedZero;
  if (more && more === z.gates + z.forget) {
    const why = [];
    if (z.gates) why.push(`${z.gates} the LSTM's own input mask dropped for all four gates`);
    if (z.forget) why.push(`${z.forget} that reach only the forget gate at the first step, where f multiplies c(-1) = 0`);
    out.push(`The embedding kept ${more} more with exactly 0 gradient: ${why.join("; ")}.`);
  } else if (more) out.push(`${more} more elements of e(t) have exactly 0 gradient.`);
  const e = decode(grads.embedding.norm).data;
  const e0 = decode(w.embedding.norm).data;
  const T = e.length;
  if (T > 1 && e[T - 1] > 0 && e0[T - 1] > 0) {
    out.push(`What reaches the first word: ${pct(e[0] / e[T - 1])} of what reaches the last one with these masks, ${pct(e0[0] / e0[T - 1])} with no dropout.`);
  }
  return out;
}

export function renderGradients(scheduler) {
  const trace = store.trace;
  const { rule, label, grads } = shown();
  renderLabel(rule, label);
  if (rule && store.view.label === rule.label) setView({ label: null });
  if (!grads) {
    const why = refusal("grads", trace, rule ? label : null);
    if (why) $("grads-summary").replaceChildren(Object.assign(document.createElement("li"), { textContent: `No gradients for this state: ${why}` }));
    return;
  }
  const tag = modelB() ? "A" : "";
  const labels = stepLabels(trace.tokens);
  const n = currentLayer();
  const key = `${grads.state}|${grads.label}`;
  let z = null; // the zero counts: a pass over every step and element, made once per answer
  const zeros = () => (z ??= zeroCounts(trace, grads));
  scheduler.draw("fig-grad-norms", `${tag}|${key}|${n}|${labels.join("\u0001")}`, () =>
    tagged(gradNorms(trace, grads, n, "solid: with these masks · dotted: no dropout"), tag), pickPoint("step"));
  scheduler.draw("fig-grad-mask", `${tag}|${trace.embedding.mask.bdata}|${labels.join("\u0001")}`, () =>
    tagged(modelFigure("fig-embedding-mask", trace, 0), tag), elementClick);
  scheduler.draw("fig-grad-embedding", `${tag}|${key}`, () =>
    tagged(embeddingGradFigure(decode(grads.embedding.grad), labels, "dL/de(t): the gradient back at the embedding", `label ${grads.label} · exactly 0 (dark): ${zeros().zeros} of ${zeros().n}`), tag), elementClick);
  if ($("grads-panel").dataset.grads !== key) { // the words: once per answer, not per layer or redraw
    $("grads-summary").replaceChildren(...sentences(trace, grads, grads.label, zeros()).map((s) => Object.assign(document.createElement("li"), { textContent: s })));
    $("grads-notes").replaceChildren(...grads.notes.map((s) => Object.assign(document.createElement("li"), { textContent: s })));
    $("grads-panel").dataset.grads = key;
  }
  scheduler.flushSoon();
}

/** The label menu: the chosen label goes in the hash; its gradients are fetched if not cached. */
export function bindGradients(scheduler) {
  const select = $("grad-label");
  select.addEventListener("change", async () => {
    const rule = side("grads", store.trace, null);
    const v = Number(select.value);
    setView({ label: rule && v === rule.label ? null : v });
    await loadSide([["grads", store.trace, store.view.label]]);
    renderGradients(scheduler);
  });
}
