// The only module that reads or writes the URL.
//
// The query string holds the state (the model, its masks, the sentence): what the API computes.
// The hash holds the view of that state, never sent to the API:
//   t      the timestep under the cursor (0 = the first word; omitted when 0)
//   layer  the layer shown, 0-based (omitted when 0)
//   unit   the unit followed over time and highlighted on every heatmap (omitted: none chosen)
//   diff   what "Against no dropout" subtracts: h, c, i, f, g or o (omitted when h)
//   code   the code tab: keras3, tfkeras2 or pytorch (omitted when keras3)
//   big    1 = "Larger text" for a projector (omitted when off)
// e.g. /?preset=tfkeras2&v=2#t=4&unit=37&diff=c&code=pytorch&big=1
import { DEFAULTS, FIELD, RATE_FIELDS, VERSION } from "./constants.js";

export const DIFF_CHOICES = ["h", "c", "i", "f", "g", "o"];
export const CODE_TABS = ["keras3", "tfkeras2", "pytorch"];

/** Each state version keeps its own defaults (app/state.py DEFAULTS): v=1 links have weights=random. */
function isDefault(field, value, version) {
  const fallback = (DEFAULTS[version] ?? DEFAULTS[VERSION])[field.name];
  if (field.kind === "rate" || field.kind === "int") return Number(value) === Number(fallback);
  return String(value) === String(fallback ?? "");
}

/** A query string for a state: sorted, defaults of its version omitted, v always (the server canonicalises). */
export function toQuery(values) {
  const all = { ...values, v: values.v ?? VERSION };
  const parts = [];
  for (const name of Object.keys(all).sort()) {
    const field = FIELD[name];
    const value = all[name];
    if (!field || value === undefined || value === null || value === "") continue;
    if (name !== "v" && isDefault(field, value, all.v)) continue;
    parts.push(`${name}=${encodeURIComponent(String(value)).replace(/%2C/g, ",")}`);
  }
  return parts.join("&");
}

/** The state's values, rate fields of a state with no dropout at all (same weights, same input). */
export function withoutDropout(values) {
  const out = { ...values, phase: "train" };
  for (const name of RATE_FIELDS) out[name] = 0;
  return out;
}

/** Show the canonical state in the address bar, without a reload; the view stays in the hash. */
export function showState(canonical) {
  const url = `/?${canonical}${location.hash}`;
  if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
}

function whole(text, lo = 0) {
  const n = Number(text);
  return text !== null && Number.isInteger(n) && n >= lo ? n : null;
}

/** The view in the hash; anything missing or malformed reads as its default. */
export function readView() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const diff = hash.get("diff");
  const code = hash.get("code");
  return {
    t: whole(hash.get("t")) ?? 0,
    layer: whole(hash.get("layer")) ?? 0,
    unit: whole(hash.get("unit")),
    diff: DIFF_CHOICES.includes(diff) ? diff : "h",
    code: CODE_TABS.includes(code) ? code : "keras3",
    big: hash.get("big") === "1",
  };
}

export function writeView(view) {
  const hash = new URLSearchParams();
  if (view.t) hash.set("t", String(view.t));
  if (view.layer) hash.set("layer", String(view.layer));
  if (view.unit !== null && view.unit !== undefined) hash.set("unit", String(view.unit));
  if (view.diff && view.diff !== "h") hash.set("diff", view.diff);
  if (view.code && view.code !== "keras3") hash.set("code", view.code);
  if (view.big) hash.set("big", "1");
  const text = hash.toString();
  const url = location.pathname + location.search + (text ? `#${text}` : "");
  if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
}
