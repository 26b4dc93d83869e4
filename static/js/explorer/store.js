// The explorer's one store: model A's trace, the comparison (model B: A with the vs. fields),
// the view (the hash: t, layer, unit, diff, code, label, big), and who listens. Modules read
// `store` and announce changes with emit(); nothing else is shared between them.
import { COMPARE } from "../constants.js";
import { readView, writeView } from "../state.js";

const embedded = (id) => JSON.parse(document.getElementById(id)?.textContent ?? "null");

export const store = {
  trace: embedded("initial-trace"),
  /** vs: the vs. pairs asked for; trace: B's trace (null: no comparison shown); problems: why not. */
  compare: { vs: COMPARE.vs, trace: embedded("compare-trace"), problems: COMPARE.problems },
  view: readView(),
};

const listeners = new Map();

/** topics: "trace" (new traces: A, B or both), "cursor" (t or unit), "layer", "style" (text
 * size), "side" (side data loaded). */
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, []);
  listeners.get(topic).push(fn);
}

export function emit(topic) {
  for (const fn of listeners.get(topic) ?? []) fn();
}

/** Change the view and keep the hash in step. */
export function setView(changes) {
  Object.assign(store.view, changes);
  writeView(store.view);
}

/** Model B's trace when a comparison is shown, else null. */
export function modelB() {
  return store.compare.trace;
}

/** What the page shows, as one string: A's state, and B's in compare mode (body[data-state]). */
export function shownKey() {
  return store.compare.trace ? `${store.trace.state} vs ${store.compare.trace.state}` : store.trace.state;
}

export function currentLayer() {
  return Math.min(store.view.layer, store.trace.layers.length - 1);
}

export function currentStep() {
  return Math.min(store.view.t, store.trace.tokens.length - 1);
}

/** The unit chosen, if it exists in this trace. */
export function currentUnit() {
  const u = store.view.unit;
  return u !== null && u < store.trace.config.units ? u : null;
}
