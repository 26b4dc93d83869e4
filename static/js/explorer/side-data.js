// Side data: what the main trace does not carry, loaded after it, as one table. Each source
// names the key its data depends on (a state string) and the URL to fetch; a source is fetched
// only when its key changed, and its data is offered only while its key is still current.
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

/** Monte Carlo draws per request: as many as the server's work bound allows, up to its cap. */
export function mcSamples(trace) {
  const perSample = trace.layers.length * trace.tokens.length;
  return Math.max(1, Math.min(LIMITS.mc_samples_max, Math.floor(LIMITS.mc_max_work / perSample)));
}

const SOURCES = {
  baseline: { key: (tr) => toQuery(withoutDropout(stateValues(tr.config))), url: (key) => `/api/trace?${key}` },
  mc: { key: (tr) => `${tr.state}&samples=${mcSamples(tr)}`, url: (key) => `/api/mc?${key}` },
  code: { key: (tr) => tr.state, url: (key) => `/api/code?${key}` },
};

const loaded = Object.fromEntries(Object.keys(SOURCES).map((name) => [name, { key: null, body: null }]));

/** The data of a source for this trace, or null while it is not loaded. */
export function side(name, trace) {
  const entry = loaded[name];
  return entry.key !== null && entry.key === SOURCES[name].key(trace) ? entry.body : null;
}

/** The key of a loaded source (for figure signatures), or "". */
export function sideKey(name, trace) {
  return side(name, trace) ? loaded[name].key : "";
}

/** Fetch every source whose key changed, together; resolves when all have answered. */
export async function loadSide(trace) {
  const jobs = Object.entries(SOURCES)
    .map(([name, source]) => [name, source.key(trace)])
    .filter(([name, key]) => loaded[name].key !== key)
    .map(([name, key]) =>
      getJSON(SOURCES[name].url(key)).then((r) => {
        if (r.ok) loaded[name] = { key, body: r.body };
      }),
    );
  await Promise.allSettled(jobs);
}
