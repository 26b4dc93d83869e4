// The controls: form inputs <-> the state's values, what the chosen preset lets you change,
// each problem beside its control, and a note where a rate is set but does nothing.
import { FIELDS, GOVERNED, PRESETS, TRAINED_SHAPE } from "../constants.js";
import { store } from "./store.js";
import { stateValues } from "./side-data.js";

const $ = (id) => document.getElementById(id);

const knobsOf = (preset) => new Set(preset.knobs);

let tokensMode = store.trace.config.tokens !== null;
let unboxed = {}; // fields without a control (v, tokens, hide, vocab, emb) set by setControls / setUnboxed

/** The state the controls describe (a disabled rate counts as 0, other disabled fields as unset). */
export function controlValues() {
  const values = { ...stateValues(store.trace.config), ...unboxed };
  for (const f of FIELDS) {
    const input = $(f.name);
    if (!input || f.name === "text") continue;
    if (input.disabled) {
      if (f.kind === "rate") values[f.name] = 0;
      else delete values[f.name];
      continue;
    }
    values[f.name] = input.value;
  }
  if (tokensMode) delete values.text;
  else {
    delete values.tokens;
    values.text = $("text").value;
  }
  return values;
}

function note(field, cls) {
  let p = field.querySelector(`.${cls}`);
  if (!p) {
    p = document.createElement("p");
    p.className = `hint ${cls}`;
    field.appendChild(p);
  }
  return p;
}

function setNote(name, cls, text) {
  const input = $(name);
  if (!input) return;
  const p = note(input.closest(".field"), cls);
  p.textContent = text;
  p.hidden = !text;
}

/** Enable or grey out a control; a greyed rate shows 0 (what the model uses) and keeps the value
 * it had, to give it back when the control comes back. */
function setEnabled(name, on, why) {
  const input = $(name);
  if (input.disabled === !on && input.dataset.why === why) return;
  input.disabled = !on;
  input.dataset.why = why;
  if (input.type === "range") {
    if (!on && input.dataset.kept === undefined) {
      input.dataset.kept = input.value;
      input.value = "0";
    } else if (on && input.dataset.kept !== undefined) {
      input.value = input.dataset.kept;
      delete input.dataset.kept;
    }
    $(`${name}-value`).textContent = input.value;
  }
  setNote(name, "why", on ? "" : why);
}

export function applyPresetRules() {
  const preset = PRESETS[$("preset").value];
  const knobs = knobsOf(preset);
  for (const f of FIELDS) {
    if (!GOVERNED.has(f.name) || !$(f.name)) continue;
    const why = f.kind === "rate" ? `Not part of ${preset.title}: 0 here.` : "Only with Custom: a framework decides this itself.";
    setEnabled(f.name, knobs.has(f.name), why);
  }
  const trained = $("weights").value === "trained";
  setEnabled("units", !trained, `The trained weights have ${TRAINED_SHAPE.units} units: choose random weights to change it.`);
  setEnabled("init_seed", !trained, "Only random weights have a seed; the trained ones are fixed.");
}

/** Where a rate is set but the plan says its mask does nothing (PyTorch's dropout with one
 * layer), the plan's own note goes under the slider. */
export function explainRates(trace) {
  const m = trace.plan.masks;
  const c = trace.config;
  const idle = (entries) => entries.filter(Boolean).every((e) => !e.active);
  const why = (entries) => entries.filter(Boolean).flatMap((e) => e.notes).find(Boolean) ?? "";
  const lstm = [m.input, m.between, m.gate_output]; // gate_output: preset forum's masks on i, f, g, o
  setNote("dropout", "idle", c.phase === "train" && c.dropout > 0 && idle(lstm) ? why([m.between, m.input]) : "");
  // the server's sentence over the trace's facts (zoneout still acts at inference)
  setNote("phase", "idle", trace.plan.notes.find((n) => n.startsWith("Inference:")) ?? "");
}

/** Fields without a control take these values from now on (e.g. hide, from the link builder). */
export function setUnboxed(values) {
  unboxed = { ...unboxed, ...values };
}

/** Every control takes the value of `values` (a whole state, as state.js linkValues gives it):
 * a lesson step going through the controls' own path. Greyed-out controls start afresh. */
export function setControls(values) {
  const rest = {};
  for (const f of FIELDS) {
    const input = $(f.name);
    if (f.name === "text") continue;
    if (!input) {
      rest[f.name] = values[f.name];
      continue;
    }
    input.disabled = false;
    delete input.dataset.kept;
    delete input.dataset.why;
    input.value = String(values[f.name] ?? f.default);
    if (input.type === "range") $(`${f.name}-value`).textContent = input.value;
  }
  unboxed = rest;
  tokensMode = values.tokens !== null && values.tokens !== undefined && values.tokens !== "";
  $("text").value = tokensMode ? "" : (values.text ?? "");
  if (tokensMode) unboxed.tokens = Array.isArray(values.tokens) ? values.tokens.join(",") : values.tokens;
  else $("tokens-hint")?.remove();
  applyPresetRules();
  if (values.preset === "custom" || Number(values.layers) > 1) $("advanced").open = true;
}

export function setStatus(text) {
  $("status").textContent = text;
}

export function showProblems(problems) {
  clearProblems();
  const loose = [];
  for (const p of problems) {
    const box = $(`${p.field}-error`);
    if (box) {
      box.textContent = p.message;
      box.hidden = false;
    } else loose.push(p.message);
  }
  setStatus(loose.length ? loose.join(" ") : "This state has a problem: see the message beside its control.");
}

export function clearProblems() {
  for (const box of document.querySelectorAll(".field-error:not(.compare-error)")) {
    box.hidden = true;
    box.textContent = "";
  }
  setStatus("");
}

/** Wire every control of the field table to onChange(delay in ms). */
export function bindControls(onChange) {
  $("controls").addEventListener("submit", (e) => e.preventDefault());
  for (const f of FIELDS) {
    const input = $(f.name);
    if (!input) continue;
    if (f.kind === "rate") {
      input.addEventListener("input", () => {
        $(`${f.name}-value`).textContent = input.value;
        onChange(60);
      });
      input.addEventListener("change", () => onChange(0));
    } else if (f.name === "text") {
      input.addEventListener("input", () => {
        tokensMode = false;
        $("tokens-hint")?.remove();
        onChange(350);
      });
      input.addEventListener("change", () => onChange(0));
    } else {
      input.addEventListener("change", () => {
        if (f.name === "preset" || f.name === "weights") applyPresetRules();
        onChange(0);
      });
      if (input.type === "number") input.addEventListener("input", () => onChange(400));
    }
  }
  $("resample").addEventListener("click", () => {
    const seed = $("seed");
    seed.value = String((Number(seed.value) + 1) % (Number(seed.max) + 1));
    onChange(0);
  });
}
