// Loading what the controls and "Compare with..." describe: model A's trace and, in compare mode,
// model B's (A with the vs. fields), fetched together so that a knob change redraws both at once.
// A's 422 puts each problem beside its control, B's beside "Compare with...". Afterwards the side
// data of what is shown (no-dropout baseline, Monte Carlo draws, code, gradients) is loaded.
import { getJSON, warm } from "../api.js";
import { compareLink, compareQuery, linkValues, rawCompareLink, showState, toQuery } from "../state.js";
import { showCompareProblems } from "./compare-control.js";
import { clearProblems, controlValues, setControls, setStatus, showProblems } from "./controls.js";
import { loadSide } from "./side-data.js";
import { emit, shownKey, store } from "./store.js";

/** The address bar: A's canonical state and B's differing fields (app/link/compare.py), or the vs.
 * fields B could not take, so that a reload names the same problems. */
export function pageLink() {
  const { trace, vs } = store.compare;
  if (trace) return compareLink(store.trace.state, trace.state);
  return vs.length ? rawCompareLink(store.trace.state, vs) : store.trace.state;
}

/** B's problems as the page shows them: the API names the plain field, the page vs.FIELD. */
function asCompared(body, status) {
  const problems = body?.problems ?? [{ field: "", message: `The server answered ${status}.` }];
  return problems.map((p) => ({ ...p, field: `vs.${p.field}`, message: `In the compared model: ${p.message}` }));
}

/** The side data of what is shown: A's Monte Carlo draws, code and gradients (the rule's label,
 * and the one chosen), and B's draws in compare mode, else the no-dropout baseline. */
function sideJobs() {
  const a = store.trace;
  const b = store.compare.trace;
  const jobs = [["mc", a], ["code", a], ["grads", a, null]];
  if (store.view.label !== null) jobs.push(["grads", a, store.view.label]);
  jobs.push(b ? ["mc", b] : ["baseline", a]);
  return jobs;
}

let sideTimer = null;
export function scheduleSide(delay = 150) {
  clearTimeout(sideTimer);
  sideTimer = setTimeout(async () => {
    const key = shownKey();
    await loadSide(sideJobs());
    if (shownKey() !== key) return;
    emit("side");
    document.body.dataset.side = key;
  }, delay);
}

const wanted = (a, vs) => `${a}|${vs.length ? compareQuery(a, vs) : ""}`;
let aQuery = null; // the query of A's trace shown
let bQuery = null; // the query of B's trace shown (null: none)
let shown = null; // wanted() of what is shown
let lastKey = null; // wanted() of the last request
let inflight = null;
let request = 0;

/** vs: the vs. pairs to show B for (null: keep those in effect). Resolves to whether what was
 * asked for is shown; a vs. change that B cannot take is not applied (its problem is shown). */
async function update(vs = null) {
  const a = toQuery(controlValues());
  const pairs = vs ?? store.compare.vs;
  const key = wanted(a, pairs);
  if (key === lastKey) return key === shown;
  lastKey = key;
  const b = pairs.length ? compareQuery(a, pairs) : null;
  inflight?.abort();
  inflight = new AbortController();
  const mine = ++request;
  performance.mark("lab-change");
  document.body.dataset.busy = "true";
  const aChanged = a !== aQuery;
  try {
    const [ra, rb] = await Promise.all([
      aChanged ? getJSON(`/api/trace?${a}`, inflight.signal) : { ok: true, body: store.trace },
      b === null || b === bQuery ? { ok: true, body: b && store.compare.trace } : getJSON(`/api/trace?${b}`, inflight.signal),
    ]);
    if (mine !== request) return false;
    if (!ra.ok) {
      showProblems(ra.body?.problems ?? [{ field: "", message: `The server answered ${ra.status}.` }]);
      return false;
    }
    if (aChanged) clearProblems();
    if (!rb.ok && !aChanged) {
      showCompareProblems(asCompared(rb.body, rb.status));
      return false;
    }
    store.trace = ra.body;
    store.compare = rb.ok ? { vs: pairs, trace: rb.body, problems: [] } : { vs: pairs, trace: null, problems: asCompared(rb.body, rb.status) };
    aQuery = a;
    bQuery = rb.ok ? b : null;
    shown = key;
    showState(pageLink());
    emit("trace");
    performance.mark("lab-redrawn");
    performance.measure("lab-redraw", "lab-change", "lab-redrawn");
    scheduleSide();
    return true;
  } catch (err) {
    if (err.name !== "AbortError") setStatus(`Could not reach the server (${err.message}); the last picture stays.`);
    return false;
  } finally {
    if (mine === request) document.body.dataset.busy = "false";
  }
}

let timer = null;

/** A control changed: load after `delay` ms (a slider being dragged asks once). */
export function schedule(delay = 0) {
  clearTimeout(timer);
  timer = setTimeout(update, delay);
}

/** "Compare with..." changed: show B for these vs. pairs ([] ends compare mode). */
export function setCompare(vs) {
  clearTimeout(timer);
  return update(vs);
}

/** Show a link (a lesson step's: A's state and its vs. fields) through the controls' own path: the
 * controls take its values, then A and B load together. Resolves to whether it is shown. */
export function showLink(link) {
  const { values, vs } = linkValues(link);
  setControls(values);
  return setCompare(vs);
}

/** Ask for a link's traces ahead (a lesson's next step): the browser's cache keeps them (the API
 * sends max-age), so showing the link later waits for no computation. */
export function prefetchLink(link) {
  const { values, vs } = linkValues(link);
  const a = toQuery(values);
  const queries = vs.length ? [a, compareQuery(a, vs)] : [a];
  for (const q of queries) if (q !== aQuery && q !== bQuery) warm(`/api/trace?${q}`);
}

/** What the page was rendered with is what is shown. */
export function startLoader() {
  aQuery = toQuery(controlValues());
  bQuery = store.compare.trace ? compareQuery(aQuery, store.compare.vs) : null;
  shown = lastKey = wanted(aQuery, store.compare.vs);
}
