// Side data: what the main traces do not carry, loaded after them, as one table. Each source
// names the key its data depends on (a state string, and for the gradients the label) and the URL
// to fetch; a key is fetched once and kept in a small cache, so going back to a state (or a
// label, or a comparison) costs no request. Data is offered only for the key asked for.
import { getJSON } from "../api.js";
import { FIELD, LIMITS } from "../constants.js";
import { toQuery, withoutDropout } from "../state.js";

/** The state's query values, from a trace's config. */
export function stateValues(config) {
  const values = {};
  for (const [k, v] of Object.entries(config)) if (FIELD[k]) values[k] = v;
  if (values.tokens) values.tokens = values.tokens.join(",");
  return values;
}

/** Monte Carlo draws per request: as many as the server's cost bound admits for this state
 * (the trace's config says how many: app/link/cost.py), up to its cap. */
export function mcSamples(trace) {
  return Math.max(1, Math.min(LIMITS.mc_samples_max, trace.config.mc_samples_max ?? 1));
}

// arg: only "grads" takes one, the label (null: the toy rule's, which the answer names)
const SOURCES = {
  baseline: { key: (tr) => toQuery(withoutDropout(stateValues(tr.config))), url: (key) => `/api/trace?${key}` },
  mc: { key: (tr) => `${tr.state}&samples=${mcSamples(tr)}`, url: (key) => `/api/mc?${key}` },
  code: { key: (tr) => tr.state, url: (key) => `/api/code?${key}` },
  grads: { key: (tr, label) => (label === null ? tr.state : `${tr.state}&label=${label}`), url: (key) => `/api/grads?${key}` },
};

const KEEP = 24; // entries kept (a few states' worth of every source)
const loaded = new Map(); // "name|key" -> body, oldest first
const asked = new Map(); // "name|key" -> promise of the request in flight
const refused = new Map(); // "name|key" -> the server's reason (its problems' sentences)

function keyOf(name, trace, arg = null) {
  return `${name}|${SOURCES[name].key(trace, arg)}`;
}

/** The data of a source for this trace (and arg), or null while it is not loaded. */
export function side(name, trace, arg = null) {
  return trace ? (loaded.get(keyOf(name, trace, arg)) ?? null) : null;
}

/** Why the server refused a source for this trace (and arg), or "" (loaded, loading, or not asked). */
export function refusal(name, trace, arg = null) {
  return trace ? (refused.get(keyOf(name, trace, arg)) ?? "") : "";
}

/** The key of a loaded source (for figure signatures), or "". */
export function sideKey(name, trace, arg = null) {
  return side(name, trace, arg) ? keyOf(name, trace, arg) : "";
}

function fetchOne(name, trace, arg) {
  const id = keyOf(name, trace, arg);
  if (loaded.has(id)) return Promise.resolve();
  if (!asked.has(id)) {
    const key = id.slice(name.length + 1);
    const job = getJSON(SOURCES[name].url(key))
      .then((r) => {
        if (!r.ok) {
          // a refusal (422: over the server's cost bound for this state) is said where the data would be
          if (r.status === 422) refused.set(id, (r.body?.problems ?? []).map((p) => p.message).join(" "));
          return;
        }
        loaded.set(id, r.body);
        while (loaded.size > KEEP) loaded.delete(loaded.keys().next().value);
      })
      .finally(() => asked.delete(id));
    asked.set(id, job);
  }
  return asked.get(id);
}

/** Fetch every job ([source name, trace, arg?]) not loaded yet, together; resolves when all answered. */
export async function loadSide(jobs) {
  await Promise.allSettled(jobs.map(([name, trace, arg = null]) => fetchOne(name, trace, arg)));
}
