// The explorer's one store: the trace shown, the view (the hash: t, layer, unit, diff, code,
// big), and who listens. Modules read `lab` and announce changes with emit(); nothing else is
// shared between them.
import { readView, writeView } from "../state.js";

export const lab = {
  trace: JSON.parse(document.getElementById("initial-trace").textContent),
  view: readView(),
};

const listeners = new Map();

/** topics: "trace" (a new trace), "cursor" (t or unit), "layer", "style" (text size), "side". */
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, []);
  listeners.get(topic).push(fn);
}

export function emit(topic) {
  for (const fn of listeners.get(topic) ?? []) fn();
}

/** Change the view and keep the hash in step. */
export function setView(changes) {
  Object.assign(lab.view, changes);
  writeView(lab.view);
}

export function currentLayer() {
  return Math.min(lab.view.layer, lab.trace.layers.length - 1);
}

export function currentStep() {
  return Math.min(lab.view.t, lab.trace.tokens.length - 1);
}

/** The unit chosen, if it exists in this trace. */
export function currentUnit() {
  const u = lab.view.unit;
  return u !== null && u < lab.trace.config.units ? u : null;
}
