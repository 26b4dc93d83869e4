// The training lab for a class: a lesson's lab steps (a step of the same run needs no reload: its
// highlight draws one configuration's curves thicker), the share panel, and classroom mode's keys
// (F; the lesson's arrows are the player's).
import { LESSON, PRESENT } from "../constants.js";
import { startClassroom } from "../classroom/present.js";
import { bindShare } from "../classroom/share.js";
import { startLesson } from "../lesson/player.js";
import { LINKED } from "./constants.js";

/** The configuration a lesson step highlights ("curve:both" -> "both"), or null. */
export function emphasised() {
  const [kind, name] = (document.body.dataset.highlight ?? "").split(":");
  return kind === "curve" ? name : null;
}

/** redraw(): the curves are drawn again (their emphasis may have changed). */
export function bindTeaching(redraw) {
  bindShare();
  if (PRESENT) startClassroom();
  if (!LESSON) return;
  startLesson({
    view: "lab",
    canShow: (step) => step.view === "lab" && step.link === LINKED.query,
    show: async () => {
      redraw();
      return true;
    },
    // curves still to grow: the Train button above them comes into view with them
    scrollTo: (step) => (step.focus === "lab-curves" && document.body.dataset.run === "idle" ? "lab-run" : null),
  });
}
