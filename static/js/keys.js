// Which key presses belong to the element with the focus, and not to the page's shortcuts (the
// lesson's arrows, classroom mode's letters): a text box or menu takes every key, a slider, tabs
// or radio buttons their arrows, a scrolling text ([data-scrolls]) up and down, an open dialog
// everything.
const TYPING = new Set(["INPUT", "SELECT", "TEXTAREA"]);
const ARROWS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"]);

export function ownsKey(target, key) {
  if (!(target instanceof Element)) return false;
  if (target.closest("dialog[open]")) return true;
  if (target.isContentEditable || TYPING.has(target.tagName)) return target.type !== "checkbox";
  if ((key === "ArrowUp" || key === "ArrowDown") && target.closest("[data-scrolls]")) return true;
  if (ARROWS.has(key)) return Boolean(target.closest("[role=tablist], [role=slider], [role=radiogroup], [role=listbox], [role=menu]"));
  return false;
}

/** A plain key press (no Ctrl, Alt, Meta: those are the browser's). */
export function plain(e) {
  return !(e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey);
}
