// The lab's controls: their values, a check against the field table before any request (the
// server checks again, with the work bound only it knows), each problem beside its control, and
// the settings locked while a run trains.
import { CONFIGS, LAB_FIELDS, LINKED } from "./constants.js";
import { CONFIG_COLORS, describe } from "./configs.js";

const $ = (id) => document.getElementById(id);
const control = (name) => (name === "configs" ? $(`config-${CONFIGS[0]}`) : $(name));
const labelOf = (name) => LAB_FIELDS.find((f) => f.name === name)?.label ?? name;

/** The raw values of the controls: configs as a list, the rest as typed. */
export function formValues() {
  const values = {};
  for (const f of LAB_FIELDS) {
    if (f.kind === "names") values[f.name] = CONFIGS.filter((c) => $(`config-${c}`).checked);
    else if ($(f.name)) values[f.name] = $(f.name).value.trim();
    else values[f.name] = String(LINKED.values?.[f.name] ?? f.default); // no control (study): the link's
  }
  return values;
}

function problem(f, raw) {
  const allowed = f.allowed; // the server's words for the field's kind and bounds
  const got = raw === "" ? "it is empty" : `got “${raw}”`;
  return { field: f.name, message: `${labelOf(f.name)} must be ${allowed}; ${got}.` };
}

/** The problems of `values` against each field's bounds and choices: [{field, message}]. */
export function checkValues(values) {
  const problems = [];
  for (const f of LAB_FIELDS) {
    const raw = values[f.name];
    if (f.kind === "names") {
      if (!raw.length) problems.push({ field: f.name, message: "Pick at least one configuration to train." });
    } else if (f.kind === "choice") {
      if (!f.choices.includes(raw)) problems.push({ field: f.name, message: `${labelOf(f.name)} must be one of ${f.choices.join(", ")}.` });
    } else {
      const x = raw === "" ? NaN : Number(raw);
      const whole = f.kind !== "int" || Number.isInteger(x);
      if (!(Number.isFinite(x) && whole && x >= f.lo && x <= f.hi)) problems.push(problem(f, raw));
    }
  }
  return problems;
}

function setError(name, message) {
  const p = $(`${name}-error`);
  if (!p) return false;
  p.textContent = message;
  p.hidden = !message;
  const inputs = name === "configs" ? CONFIGS.map((c) => $(`config-${c}`)) : [control(name)];
  for (const input of inputs) input?.toggleAttribute("aria-invalid", Boolean(message));
  return true;
}

/** Each problem beside its control; returns those that have no control here (the state's). */
export function showProblems(problems) {
  const messages = {};
  for (const p of problems) messages[p.field] = messages[p.field] ? `${messages[p.field]} ${p.message}` : p.message;
  for (const f of LAB_FIELDS) setError(f.name, messages[f.name] ?? "");
  return problems.filter((p) => !$(`${p.field}-error`));
}

/** Focus the control of the first problem that has one. */
export function focusProblem(problems) {
  const first = problems.find((p) => $(`${p.field}-error`));
  if (first) control(first.field)?.focus();
}

export function lockForm(locked) {
  $("settings").disabled = locked;
}

/** The configurations in words for the model `s`, with their colours. */
export function describeConfigs(s) {
  for (const c of CONFIGS) {
    $(`config-${c}-what`).textContent = describe(c, s);
    document.querySelector(`.swatch[data-config="${c}"]`).style.setProperty("--swatch", CONFIG_COLORS[c]);
  }
}

/** onEdit() after any change of a control (typing settles for 150 ms); onSubmit() on Enter or Train. */
export function bindForm(onEdit, onSubmit) {
  const form = $("lab-form");
  let timer = null;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(onEdit, 150);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    onEdit();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    onSubmit();
  });
}
