// The controls a teacher's link hides (hide=... in the state, app/link/state.py HIDEABLE; on a lesson
// step a page parameter, state.js pageHide). Hidden controls are not shown and cannot be reached
// with the keyboard (display: none). The controls say that some are hidden, and "Show them here"
// brings them back for the person at the keyboard only: the link stays as it is, and so does every
// other screen that opens it.
import { FIELD, HIDE_LABELS } from "../constants.js";
import { pageHide } from "../state.js";
import { store } from "./store.js";

const $ = (id) => document.getElementById(id);

/** The elements each name hides: a field's box, or these (the code panel, "Compare with..."). */
const TARGETS = {
  advanced: ["advanced"],
  compare: ["compare", "strip-compare", "strip-b-compare"],
  code: ["code-panel"],
};

export const HIDEABLE = FIELD.hide.choices;

function targets(name) {
  if (TARGETS[name]) return TARGETS[name].map($).filter(Boolean);
  return [...document.querySelectorAll(`#controls [data-field="${name}"]`)];
}

/** What the page calls a control (a field's label, a panel's title: app/link/state.py), for the
 * note and the link builder. */
export function controlLabel(name) {
  return HIDE_LABELS[name] ?? name;
}

let revealed = false;

/** The names hidden by the link shown (its state's hide and the page's). */
export function hiddenNames() {
  const names = new Set([...(store.trace.config.hide ?? []), ...pageHide()]);
  return HIDEABLE.filter((name) => names.has(name));
}

/** Is this control hidden from the person at the keyboard right now? */
export function isHidden(name) {
  return !revealed && hiddenNames().includes(name);
}

/** Hide what the link hides (or show it all, once revealed); say so in the controls. */
export function applyHide() {
  const hidden = hiddenNames();
  for (const name of HIDEABLE) {
    const off = !revealed && hidden.includes(name);
    for (const el of targets(name)) el.toggleAttribute("data-link-hidden", off);
  }
  const note = $("hidden-note");
  note.hidden = !hidden.length;
  const words = hidden.map(controlLabel).join(", ");
  $("hidden-text").textContent = revealed
    ? `Shown on this screen only; this link hides them from students: ${words}.`
    : `Some controls are hidden by this link: ${words}.`;
  $("hidden-reveal").textContent = revealed ? "Hide them again" : "Show them here";
  $("hidden-reveal").setAttribute("aria-pressed", String(revealed));
  const count = revealed ? 0 : hidden.length;
  $("open-controls").textContent = count ? `Controls (${count} hidden)` : "Controls";
  document.body.dataset.hidden = hidden.join(",");
}

export function bindHide() {
  $("hidden-reveal").addEventListener("click", () => {
    revealed = !revealed;
    applyHide();
  });
  applyHide();
}
