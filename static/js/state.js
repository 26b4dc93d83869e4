// The only module that reads or writes the URL. The field table comes from the server
// (app/state.py) inside the page, so client and server never disagree about a field.
const constants = JSON.parse(document.getElementById("page-constants").textContent);

export const FIELDS = constants.fields;
export const PRESETS = Object.fromEntries(constants.presets.map((p) => [p.name, p]));
export const LINK_PROBLEMS = constants.problems;
export const PLOTLY_URL = constants.plotly;
export const RATE_FIELDS = FIELDS.filter((f) => f.kind === "rate").map((f) => f.name);
export const CUSTOM_CHOICES = ["in_share", "in_time", "rec_share", "rec_time"];
export const VERSION = constants.version;
export const TRAINED_SHAPE = constants.trained_shape;
const BY_NAME = Object.fromEntries(FIELDS.map((f) => [f.name, f]));

/** Each state version keeps its own defaults (app/state.py DEFAULTS): v=1 links have weights=random. */
function isDefault(field, value, version) {
  const fallback = (constants.defaults[version] ?? constants.defaults[VERSION])[field.name];
  if (field.kind === "rate" || field.kind === "int") return Number(value) === Number(fallback);
  return String(value) === String(fallback ?? "");
}

/** A query string for a state: sorted, defaults of its version omitted, v always (the server canonicalises). */
export function toQuery(values) {
  const all = { ...values, v: values.v ?? VERSION };
  const parts = [];
  for (const name of Object.keys(all).sort()) {
    const field = BY_NAME[name];
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

/** The view (timestep, layer, larger text for a projector) lives in the hash: not part of the state, never sent to the API. */
export function readView() {
  const hash = new URLSearchParams(location.hash.slice(1));
  return {
    t: Number(hash.get("t") ?? 0) || 0,
    layer: Number(hash.get("layer") ?? 0) || 0,
    big: hash.get("big") === "1",
  };
}

export function writeView(view) {
  const hash = new URLSearchParams();
  if (view.t) hash.set("t", String(view.t));
  if (view.layer) hash.set("layer", String(view.layer));
  if (view.big) hash.set("big", "1");
  const text = hash.toString();
  history.replaceState(null, "", location.pathname + location.search + (text ? `#${text}` : ""));
}
