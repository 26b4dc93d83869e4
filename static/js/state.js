// The only module that reads or writes the URL.
//
// The query string holds the state (the model, its masks, the sentence): what the API computes.
// In compare mode it also holds vs.FIELD=VALUE pairs (app/link/compare.py): model B is model A with
// those fields changed, and the link is A's canonical string plus the vs. fields whose value
// differs from A's, sorted (compareLink), so equal comparisons share one link.
// The hash holds the view of that state, never sent to the API:
//   t      the timestep under the cursor (0 = the first word; omitted when 0)
//   layer  the layer shown, 0-based (omitted when 0)
//   unit   the unit followed over time and highlighted on every heatmap (omitted: none chosen)
//   diff   what "B - A" (or "Against no dropout") subtracts: h, c, i, f, g or o (omitted when h)
//   code   the code tab: keras3, tfkeras2 or pytorch (omitted when keras3)
//   label  the label of the loss in "Gradients through time": 0 or 1 (omitted: the toy rule's)
//   big    1 = "Larger text" for a projector (omitted when off)
// e.g. /?preset=tfkeras2&v=2&vs.emb_dropout=0#t=4&unit=37&diff=c&code=pytorch&label=0&big=1
//
// The page's own parameters ride along in every URL the page writes: present=1 (classroom mode,
// app/web/pages/explorer.py page_params). On a lesson step (/lessons/<slug>/<n>, the lab's too) the path is
// the step: the state shown is the step's and stays out of the URL, whose query holds only the
// page's parameters (present, and hide: the controls a teacher's link hides); the hash is kept.
// Every write announces itself with a "lab:url" event on window (the share panel's QR follows it).
import { DEFAULTS, FIELD, LESSON, PRESENT, RATE_FIELDS, VERSION } from "./constants.js";

const encode = (value) => encodeURIComponent(String(value)).replace(/%2C/g, ",");

export const DIFF_CHOICES = ["h", "c", "i", "f", "g", "o"];
export const CODE_TABS = ["keras3", "tfkeras2", "pytorch"];

/** Each state version keeps its own defaults (app/link/state.py DEFAULTS): v=1 links have weights=random. */
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
    parts.push(`${name}=${encode(value)}`);
  }
  return parts.join("&");
}

/** [name, raw value] pairs of a query string (values left encoded). */
function pairsOf(query) {
  return query ? query.split("&").map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]) : [];
}

/** B's query: A's query with the vs. fields instead of A's (app/link/compare.py parse_b): a text
 * replaces A's word ids, word ids replace A's text. vs: [[field, decoded value]...]. */
export function compareQuery(aQuery, vs) {
  const given = new Set(vs.map(([k]) => k));
  const base = pairsOf(aQuery).filter(
    ([k]) => !given.has(k) && !(k === "tokens" && given.has("text")) && !(k === "text" && given.has("tokens")),
  );
  return [...base.map(([k, v]) => `${k}=${v}`), ...vs.map(([k, v]) => `${k}=${encode(v)}`)].sort().join("&");
}

/** A field's value in a canonical string, encoded as the server writes it (app/link/state.py _format):
 * omitted means its version's default; word ids leave the text unset. */
function canonicalValue(map, name) {
  if (map.has(name)) return map.get(name);
  if (name === "text" && map.has("tokens")) return "";
  const value = (DEFAULTS[map.get("v")] ?? DEFAULTS[VERSION])[name];
  return value === null || value === undefined ? "" : encode(value);
}

/** The canonical compare link (app/link/compare.py canonical): A's canonical string and every vs.
 * field where B's canonical state differs from A's, sorted. Equal models: A's string alone. */
export function compareLink(aState, bState) {
  const a = new Map(pairsOf(aState));
  const b = new Map(pairsOf(bState));
  const parts = pairsOf(aState).map(([k, v]) => `${k}=${v}`);
  for (const { name } of Object.values(FIELD)) {
    if (name === "v" || (name === "text" && b.has("tokens"))) continue;
    const value = canonicalValue(b, name);
    if (value !== canonicalValue(a, name)) parts.push(`vs.${name}=${value}`);
  }
  return parts.sort().join("&");
}

/** A link that keeps vs. fields the server could not apply, so a reload names the same problems. */
export function rawCompareLink(aState, vs) {
  return [...pairsOf(aState).map(([k, v]) => `${k}=${v}`), ...vs.map(([k, v]) => `vs.${k}=${encode(v)}`)].sort().join("&");
}

/** The state's values, rate fields of a state with no dropout at all (same weights, same input). */
export function withoutDropout(values) {
  const out = { ...values, phase: "train" };
  for (const name of RATE_FIELDS) out[name] = 0;
  return out;
}

/** Replace (or push) the address without a reload, and say so. */
function setURL(url, push = false) {
  if (url === location.pathname + location.search + location.hash) return;
  history[push ? "pushState" : "replaceState"](null, "", url);
  window.dispatchEvent(new Event("lab:url"));
}

/** A page's query: its state (or run) and its own parameters (present=1 in classroom mode). */
export function pageQuery(query) {
  return [query, PRESENT ? "present=1" : ""].filter(Boolean).join("&");
}

/** Show the canonical state (or compare link) in the address bar, without a reload; the view
 * stays in the hash. On a lesson step the address is the step's and stays as it is. */
export function showState(canonical) {
  if (LESSON) return;
  setURL(`/?${pageQuery(canonical)}${location.hash}`);
}

// -- lesson steps: /lessons/<slug>/<n>?<page parameters>#<view> --

/** The address of step n (1-based) of the page's lesson, with this page's parameters and view. */
export function stepURL(n, { hash = true } = {}) {
  return `/lessons/${LESSON.slug}/${n}${location.search}${hash ? location.hash : ""}`;
}

/** Go to step n's address without a reload (a new history entry; popstate brings it back). */
export function showStep(n) {
  setURL(stepURL(n), true);
}

/** The step of the page's lesson in the address bar (after back / forward), or null. */
export function stepOfLocation() {
  const m = location.pathname.match(/^\/lessons\/([^/]+)\/(\d+)$/);
  return m && LESSON && m[1] === LESSON.slug ? Number(m[2]) : null;
}

/** The lessons' index, in the page's mode. */
/** The first step of the next lesson, in the same mode and with the same hidden controls. */
export function nextLessonURL(slug) {
  return `/lessons/${slug}/1${location.search}`;
}

export function lessonsURL() {
  return `/lessons${PRESENT ? "?present=1" : ""}`;
}

/** The explorer (or lab) page of a link, to play freely, in the page's mode. */
export function freePage(page) {
  return `${page}${PRESENT ? `${page.includes("?") ? "&" : "?"}present=1` : ""}`;
}

/** hide on a lesson step's address: the controls a teacher's link hides (a page parameter there;
 * names outside the field table's choices are ignored). Elsewhere hide is part of the state. */
export function pageHide() {
  if (!LESSON) return [];
  const raw = new URLSearchParams(location.search).get("hide") ?? "";
  const names = raw.split(",");
  return FIELD.hide.choices.filter((name) => names.includes(name));
}

/** A lesson step's address with these hidden controls (canonical order), present kept. */
export function stepWithHide(names, n) {
  const hide = FIELD.hide.choices.filter((name) => names.includes(name));
  const query = [PRESENT ? "present=1" : "", hide.length ? `hide=${hide.join(",")}` : ""].filter(Boolean).join("&");
  return `/lessons/${LESSON.slug}/${n}${query ? `?${query}` : ""}`;
}

/** A canonical query (a state, or a compare link) with these controls hidden instead of its own
 * hide (the field table's order, the pairs sorted as the server sorts them). */
export function withHide(query, names) {
  const hide = FIELD.hide.choices.filter((name) => names.includes(name));
  const parts = pairsOf(query).filter(([k]) => k !== "hide").map(([k, v]) => `${k}=${v}`);
  if (hide.length) parts.push(`hide=${hide.join(",")}`);
  return parts.sort().join("&");
}

/** Put an address of this page (same path, another query) in the bar without a reload. */
export function replaceURL(url) {
  setURL(url);
}

// -- links: a state (or compare link) as values --

/** A link's values (A: the version's defaults and the link's fields, decoded) and its vs. pairs
 * ([[field, decoded value]...]), as "Compare with..." takes them. */
export function linkValues(link) {
  const pairs = [...new URLSearchParams(link)];
  const version = pairs.find(([k]) => k === "v")?.[1] ?? String(VERSION);
  const values = { ...(DEFAULTS[version] ?? DEFAULTS[VERSION]) };
  const vs = [];
  for (const [k, v] of pairs) {
    if (k.startsWith("vs.")) vs.push([k.slice(3), v]);
    else values[k] = v;
  }
  if (pairs.some(([k]) => k === "tokens")) values.text = null;
  return { values, vs };
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
  const label = hash.get("label");
  return {
    t: whole(hash.get("t")) ?? 0,
    layer: whole(hash.get("layer")) ?? 0,
    unit: whole(hash.get("unit")),
    diff: DIFF_CHOICES.includes(diff) ? diff : "h",
    code: CODE_TABS.includes(code) ? code : "keras3",
    label: label === "0" || label === "1" ? Number(label) : null,
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
  if (view.label !== null && view.label !== undefined) hash.set("label", String(view.label));
  if (view.big) hash.set("big", "1");
  const text = hash.toString();
  setURL(location.pathname + location.search + (text ? `#${text}` : ""));
}
