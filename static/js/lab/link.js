// The lab page's URL: the only lab module that reads or writes it (as state.js for the explorer).
//
// The query string is the run: the explorer's state (the model) and the lab's fields, written as
// app/link/lab_query.py LabQuery.canonical writes them: the state's canonical parts plus each lab
// field that differs from its default, all sorted; `v` is kept (it is in the state's part). The
// server's `start` event carries its own canonical query, and the page adopts it (showLink), so
// the address bar never drifts from the server's form.
// The hash is the view, never sent to the server:
//   run   1 = start (or join) the run when the page opens (a teacher's link for the class)
//   big   1 = "Larger text" for a projector
//   view  loss = the loss curves instead of accuracy
// e.g. /train?epochs=20&v=2#run=1&big=1
// The page's own parameters (present=1) and a lesson step's address are state.js's, shared with
// the explorer: on a lesson step the address is the step's, not the run's.
import { DEFAULTS, FIELD, LESSON, VERSION } from "../constants.js";
import { pageQuery, replaceURL } from "../state.js";
import { CONFIGS, LAB_DEFAULTS, LAB_FIELDS } from "./constants.js";

/** The configurations in canonical order (none, emb, cell, both), each once. */
export function canonicalConfigs(names) {
  return CONFIGS.filter((c) => names.includes(c));
}

/** A lab field's default in the state version `version` (lab defaults changed with v3). */
function defaultOf(f, version) {
  const d = LAB_DEFAULTS[version]?.[f.name];
  return d === undefined ? f.default : d;
}

function isDefault(f, value, version) {
  const d = defaultOf(f, version);
  if (f.kind === "names") return canonicalConfigs(value).join(",") === canonicalConfigs(d).join(",");
  if (f.kind === "choice") return String(value) === String(d);
  return Number(value) === Number(d);
}

/** A value as Python writes it (shortest round trip; 2.0 -> "2"): JS's String does the same here. */
function text(f, value) {
  if (f.kind === "names") return canonicalConfigs(value).join(",");
  if (f.kind === "choice") return String(value);
  return String(Number(value));
}

/** The canonical lab query of a state (its canonical query string) and the lab's values. */
export function labQuery(stateQuery, values) {
  const parts = stateQuery ? stateQuery.split("&") : [];
  const version = new URLSearchParams(stateQuery).get("v") ?? String(VERSION);
  for (const f of LAB_FIELDS) {
    const value = values[f.name];
    if (value === undefined || isDefault(f, value, version)) continue;
    parts.push(`${f.name}=${encodeURIComponent(text(f, value)).replace(/%2C/g, ",")}`);
  }
  return parts.sort().join("&");
}

/** The state's values from its canonical query (fields at their version's defaults are omitted). */
export function stateValues(stateQuery) {
  const pairs = new URLSearchParams(stateQuery);
  const version = pairs.get("v") ?? String(VERSION);
  const values = { ...(DEFAULTS[version] ?? DEFAULTS[VERSION]) };
  for (const [name, raw] of pairs) {
    const kind = FIELD[name]?.kind;
    values[name] = kind === "rate" || kind === "int" ? Number(raw) : raw;
  }
  return values;
}

/** Put the canonical run in the address bar, without a reload; the view stays in the hash. */
export function showLink(query) {
  if (LESSON) return;
  replaceURL(`/train?${pageQuery(query)}${location.hash}`);
}

/** The address of the run with `#run=1`: opening it starts (or joins) the run. */
export function runLink() {
  const hash = new URLSearchParams(location.hash.slice(1));
  hash.set("run", "1");
  return `${location.origin}${location.pathname}${location.search}#${hash}`;
}

export function readView() {
  const hash = new URLSearchParams(location.hash.slice(1));
  return { run: hash.get("run") === "1", big: hash.get("big") === "1", view: hash.get("view") === "loss" ? "loss" : "acc" };
}

export function writeView(view) {
  const hash = new URLSearchParams();
  if (view.run) hash.set("run", "1");
  if (view.big) hash.set("big", "1");
  if (view.view === "loss") hash.set("view", "loss");
  const text = hash.toString();
  replaceURL(location.pathname + location.search + (text ? `#${text}` : ""));
}
