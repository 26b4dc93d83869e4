// "Compare with...": the choices (compare-choices.js), each checked by the server (/api/state)
// before it is offered; a field = value editor for any field of B; the vs. fields in effect, each
// removable; and beside the control, why B could not be computed (B's problems, named vs.FIELD).
import { getJSON } from "../api.js";
import { FIELD } from "../constants.js";
import { compareQuery } from "../state.js";
import { compareChoices, plainName, plainPairs, samePairs } from "./compare-choices.js";
import { store } from "./store.js";

const $ = (id) => document.getElementById(id);
const NONE = "none";
const OTHER = "other";

let applyVs = async () => false; // set by bindCompareControl
let choices = [];
let choicesKey = "";
const verdicts = new Map(); // B's query -> "" (a valid state) or the server's problems in words

function node(tag, text, cls) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (cls) n.className = cls;
  return n;
}

/** The options for A's config; rebuilt only when they change, so a keyboard walk is not disturbed. */
function buildOptions() {
  const next = compareChoices(store.trace.config);
  const key = JSON.stringify(next);
  if (key === choicesKey) return;
  choicesKey = key;
  choices = next;
  const top = [new Option("Nothing: one model", NONE)];
  const groups = new Map();
  for (const c of choices) {
    const option = new Option(c.label, c.id);
    if (!c.group) top.push(option);
    else {
      if (!groups.has(c.group)) groups.set(c.group, Object.assign(document.createElement("optgroup"), { label: c.group }));
      groups.get(c.group).append(option);
    }
  }
  const other = new Option("Other: the fields below", OTHER);
  other.disabled = true;
  $("compare-with").replaceChildren(...top, ...groups.values(), other);
}

function optionOf(id) {
  return [...$("compare-with").options].find((o) => o.value === id);
}

/** Disable the choices the server refused (or that would be A itself), and say why under the menu. */
function markChecked() {
  const refused = [];
  for (const c of choices) {
    const problem = c.vs.length ? verdicts.get(compareQuery(store.trace.state, c.vs)) : "";
    const option = optionOf(c.id);
    option.disabled = !c.vs.length || Boolean(problem);
    option.textContent = problem ? `${c.label} (not possible here)` : c.label;
    if (problem) refused.push(`${c.label}: ${problem}`);
  }
  const box = $("compare-refused");
  box.textContent = refused.length ? `Not offered for this model: ${refused.join(" ")}` : "";
  box.hidden = !refused.length;
}

/** Ask the server about every choice not asked about yet (cheap: /api/state computes no arrays). */
async function checkChoices() {
  const base = store.trace.state;
  const todo = [...new Set(choices.filter((c) => c.vs.length).map((c) => compareQuery(base, c.vs)))].filter((q) => !verdicts.has(q));
  await Promise.all(
    todo.map(async (query) => {
      const r = await getJSON(`/api/state?${query}`);
      verdicts.set(query, r.ok ? "" : (r.body?.problems ?? []).map((p) => p.message).join(" ") || `The server answered ${r.status}.`);
    }),
  );
  if (store.trace.state !== base) return;
  markChecked();
  $("compare-with").dataset.checked = base; // every choice asked about, for this A
}

function selectCurrent() {
  const vs = store.compare.vs;
  const match = vs.length ? choices.find((c) => c.vs.length && samePairs(c.vs, vs)) : null;
  $("compare-with").value = !vs.length ? NONE : (match?.id ?? OTHER);
}

/** B's problems (or those of a choice just refused) beside the control. */
export function showCompareProblems(problems) {
  const box = $("compare-error");
  box.replaceChildren(
    ...problems.map((p) => {
      const line = node("span", undefined, "problem");
      line.append(node("code", p.field), ` ${p.message}`);
      return line;
    }),
  );
  box.hidden = !problems.length;
}

function renderFields() {
  const vs = store.compare.vs;
  $("compare-fields").replaceChildren(
    ...vs.map(([k, v]) => {
      const li = node("li");
      const remove = node("button", "✕");
      remove.type = "button";
      remove.setAttribute("aria-label", `Stop changing ${plainName(k)} in B`);
      remove.addEventListener("click", () => {
        applyVs(vs.filter(([name]) => name !== k));
        $("compare-with").focus();
      });
      // plain words first, the link's own name beside them as a small code hint
      li.append(node("span", `${plainName(k)}: ${v}`, "compare-plain"), node("code", `vs.${k}=${v}`), remove);
      return li;
    }),
  );
  $("compare-fields").hidden = !vs.length;
}

/** What the compare control shows after a new trace (A's or B's). */
export function renderCompareControl() {
  buildOptions();
  markChecked();
  selectCurrent();
  renderFields();
  showCompareProblems(store.compare.problems);
  const b = store.compare.trace;
  const note = $("compare-note");
  note.hidden = !b;
  if (b) {
    note.textContent =
      b.state === store.trace.state
        ? "B is the same model as A (every vs. field equals A's): B − A is 0 everywhere, and the link leaves these fields out."
        : `B is A with ${plainPairs(store.compare.vs)}. Both run on the same weights and input.`;
  }
}

/** The editor's value box starts from B's value of the field, else A's. */
function fillValue() {
  const name = $("compare-field").value;
  const given = store.compare.vs.find(([k]) => k === name);
  const mine = store.trace.config[name];
  $("compare-value").value = given ? given[1] : Array.isArray(mine) ? mine.join(",") : String(mine ?? "");
  $("compare-allowed").replaceChildren(node("code", `vs.${name}`), ` (${plainName(name)}): ${FIELD[name].allowed}.`);
}

/** apply(vs) -> Promise<boolean>: show B for these vs. pairs (false: not applied, the problem is shown). */
export function bindCompareControl(apply) {
  const select = $("compare-with");
  applyVs = async (vs) => {
    const applied = await apply(vs);
    if (!applied) selectCurrent();
    return applied;
  };
  select.addEventListener("focus", checkChoices);
  select.addEventListener("pointerdown", checkChoices);
  select.addEventListener("change", () => {
    if (select.value === NONE) return applyVs([]);
    const choice = choices.find((c) => c.id === select.value);
    if (choice) applyVs(choice.vs);
  });
  $("compare-field").addEventListener("change", fillValue);
  const set = () => {
    const name = $("compare-field").value;
    const value = $("compare-value").value.trim();
    const rest = store.compare.vs.filter(([k]) => k !== name && !(name === "text" && k === "tokens") && !(name === "tokens" && k === "text"));
    applyVs([...rest, [name, value]]);
  };
  $("compare-set").addEventListener("click", set);
  $("compare-value").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    set();
  });
  fillValue();
  renderCompareControl();
}
