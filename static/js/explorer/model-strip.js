// The model as a strip of blocks; each dropout block is on (dashed orange) only when the plan
// says its mask acts, and says why when it does not (off at inference, does nothing here).
import { lab } from "./store.js";

const $ = (id) => document.getElementById(id);

function show(id, rateId, entries, rate, what) {
  const on = entries.some((e) => e?.active);
  const c = lab.trace.config;
  let text;
  if (!rate) text = "off";
  else if (on) text = what;
  else if (c.phase === "infer") text = `${what}, off at inference`;
  else text = `${what}: does nothing here`;
  $(rateId).textContent = text;
  const button = $(id);
  button.classList.toggle("off", !on);
  button.dataset.on = String(on);
  button.setAttribute("aria-label", `${button.dataset.name}: ${text}`);
}

export function updateStrip() {
  const trace = lab.trace;
  const c = trace.config;
  const m = trace.plan.masks;
  show("strip-emb-drop", "strip-emb-rate", [m.embedding], c.emb_dropout, `${c.emb_dropout} (${c.emb_mode})`);
  show("strip-dropout", "strip-dropout-rate", [m.input, m.between], c.dropout, m.between ? `${c.dropout} (between layers)` : `${c.dropout}`);
  show("strip-recurrent", "strip-recurrent-rate", [m.recurrent], c.recurrent_dropout, `${c.recurrent_dropout}`);
  show("strip-out-drop", "strip-out-rate", [m.output], c.out_dropout, `${c.out_dropout}`);
  $("strip-units").textContent = `(${c.units}${c.layers > 1 ? ` × ${c.layers}` : ""})`;
  $("strip-embedding").textContent = `(${c.vocab} → ${c.emb})`;
  const p = trace.output.probability.toFixed(4);
  $("strip-probability").textContent = p;
  $("bar-probability").textContent = p;
}
