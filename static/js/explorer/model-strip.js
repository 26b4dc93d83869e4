// The model as a strip of blocks; each dropout block is on (dashed orange) only when the plan
// says its mask acts, and says why when it does not (off at inference, does nothing here). In
// compare mode model B has its own strip under A's, saying which fields make it B.
import { modelLayers } from "../model-line.js";
import { pairsInWords } from "./compare-choices.js";
import { modelB, store } from "./store.js";

const $ = (id) => document.getElementById(id);

function show(trace, id, rateId, entries, rate, what) {
  const on = entries.some((e) => e?.active);
  let text;
  if (!rate) text = "off";
  else if (on) text = what;
  else if (trace.config.phase === "infer") text = `${what}, off at inference`;
  else text = `${what}: does nothing here`;
  $(rateId).textContent = text;
  const button = $(id);
  button.classList.toggle("off", !on);
  button.dataset.on = String(on);
  button.setAttribute("aria-label", `${button.dataset.name}: ${text}`);
}

/** One model's strip; prefix: "strip" (A, the page's model) or "strip-b" (B). */
function fill(trace, prefix) {
  const c = trace.config;
  const m = trace.plan.masks;
  show(trace, `${prefix}-emb-drop`, `${prefix}-emb-rate`, [m.embedding], c.emb_dropout, `${c.emb_dropout} (${c.emb_mode})`);
  const dropWhere = m.between ? " (between layers)" : m.gate_output ? " (on the gate outputs)" : "";
  show(trace, `${prefix}-dropout`, `${prefix}-dropout-rate`, [m.input, m.between, m.gate_output], c.dropout, `${c.dropout}${dropWhere}`);
  show(trace, `${prefix}-recurrent`, `${prefix}-recurrent-rate`, [m.recurrent], c.recurrent_dropout, `${c.recurrent_dropout}`);
  show(trace, `${prefix}-out-drop`, `${prefix}-out-rate`, [m.output], c.out_dropout, `${c.out_dropout}`);
  const layer = Object.fromEntries(modelLayers(c).map((l) => [l.layer, l]));
  $(`${prefix}-units`).textContent = `(${layer.lstm.size})`;
  $(`${prefix}-embedding`).textContent = `(${layer.embedding.size})`;
  $(`${prefix}-probability`).textContent = trace.output.probability.toFixed(4);
}

export function updateStrip() {
  const a = store.trace;
  const b = modelB();
  fill(a, "strip");
  $("strip-who").hidden = !b;
  $("strip-b").hidden = !b;
  const p = a.output.probability.toFixed(4);
  if (!b) {
    $("bar-probability").textContent = p;
    return;
  }
  fill(b, "strip-b");
  $("strip-b-vs").textContent = b.state === a.state ? "B = A: the same model" : `B = A with ${pairsInWords(store.compare.vs)}`;
  const dp = b.output.probability - a.output.probability;
  $("bar-probability").textContent = `A ${p} · B ${b.output.probability.toFixed(4)} (B − A ${dp >= 0 ? "+" : "−"}${Math.abs(dp).toFixed(4)})`;
}
