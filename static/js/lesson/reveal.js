// Questions before answers (issue 18): a step with a question hides what gives its answer away
// until the question is answered. Hidden are the elements carrying data-reveal: the step's own
// revealed words (#step-reveal, "text") and the page's panels the step names (step.hides, focus
// targets, with model B's twins: "panel"). They are hidden while the lesson panel carries
// data-awaiting (lesson.css): the server renders it on a step with a question, so the words stay
// hidden from the first paint, and a <noscript> style shows everything without JavaScript.
// Once every question of the step has an answer (a choice, or the teacher's reveal in classroom
// mode) the step is open, and stays open while the tab lives, "Try again" or not.
import { answered } from "./questions.js";

const $ = (id) => document.getElementById(id);
const OPENED = "lesson-opened";

function opened() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(OPENED) ?? "[]"));
  } catch {
    return new Set();
  }
}
const open = opened(); // the steps ("slug-n") whose questions were answered

let panels = []; // the page's elements the current step hides

/** The question keys of step n of the lesson (the keys panel.js gives its question boxes). */
export function questionKeys(lesson, n) {
  return lesson.steps[n - 1].questions.map((_, i) => `${lesson.slug}-${n}-${i}`);
}

/** Is step n open: no question, or each answered (now or before, in this tab)? */
export function isOpen(lesson, n) {
  const keys = questionKeys(lesson, n);
  if (keys.every(answered) || open.has(`${lesson.slug}-${n}`)) {
    if (keys.length) remember(`${lesson.slug}-${n}`);
    return true;
  }
  return false;
}

function remember(step) {
  if (open.has(step)) return;
  open.add(step);
  try {
    sessionStorage.setItem(OPENED, JSON.stringify([...open]));
  } catch {
    // kept in memory only
  }
}

/** Mark what step n hides (replacing the previous step's marks) and hide or show it. */
export function conceal(lesson, n) {
  for (const el of panels) el.removeAttribute("data-reveal");
  const step = lesson.steps[n - 1];
  panels = step.hides.flatMap((id) => [$(id), $(`${id}-b`)]).filter(Boolean);
  for (const el of panels) el.dataset.reveal = "panel";
  return update(lesson, n);
}

/** Hide or show what step n hides, as its questions now stand; returns whether it is open. */
export function update(lesson, n) {
  const shown = isOpen(lesson, n);
  $("lesson").toggleAttribute("data-awaiting", !shown);
  const button = $("lesson-reveal"); // classroom mode's
  if (button) button.hidden = shown;
  return shown;
}
