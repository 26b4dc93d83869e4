// What a lesson step brings forward (focus: an element id of its page, app/lessons/targets.py)
// and what it marks (highlight: "kind:name"). The focus is scrolled to the top of the view, under
// the sticky bar, and framed; the highlight frames the figures that show it (model B's twins
// too) and, through body[data-highlight] and CSS, the parts drawn afresh at every redraw: a gate of
// the cell diagram, its chip and its row in "what reaches each gate", a mask's line in the plan, a
// configuration's row in the lab's table. The lab's curve is drawn thicker by the curves figure.
const $ = (id) => document.getElementById(id);

const MASK_FIGURES = {
  embedding: "fig-embedding-mask",
  input: "fig-input-mask",
  recurrent: "fig-recurrent-mask",
  candidate: "fig-extra-mask",
  zoneout_c: "fig-extra-mask",
  zoneout_h: "fig-extra-mask",
  between: "fig-extra-mask",
  gate_output: "fig-extra-mask",
  weight_drop: "fig-weight-mask",
  output: "fig-output",
};
const STRIP_BUTTONS = { emb_dropout: "emb-drop", dropout: "dropout", recurrent_dropout: "recurrent", out_dropout: "out-drop" };

/** The ids of the elements a highlight frames (figures with their B twins, strip buttons). */
export function markedIds(highlight) {
  const [kind, name] = (highlight ?? "").split(":");
  if (kind === "mask" && MASK_FIGURES[name]) return [MASK_FIGURES[name], `${MASK_FIGURES[name]}-b`];
  if (kind === "strip" && STRIP_BUTTONS[name]) return [`strip-${STRIP_BUTTONS[name]}`, `strip-b-${STRIP_BUTTONS[name]}`];
  return [];
}

/** The element to bring into view: the focus, or its panel when the focus itself is not shown
 * (a figure with nothing to draw for this state, the code hidden by the link). */
function shownTarget(id) {
  const el = $(id);
  if (!el) return null;
  if (el.checkVisibility()) return el;
  const panel = el.closest(".panel, section");
  return panel?.checkVisibility() ? panel : null;
}

/** Mark a step's focus and highlight on the page (replacing the previous step's). */
export function markStep(step) {
  for (const el of document.querySelectorAll(".lesson-focus, .lesson-mark")) el.classList.remove("lesson-focus", "lesson-mark");
  $(step.focus)?.classList.add("lesson-focus");
  for (const id of markedIds(step.highlight)) $(id)?.classList.add("lesson-mark");
  document.body.dataset.highlight = step.highlight ?? "";
  document.body.dataset.focus = step.focus;
}

/** Scroll the step's focus (or the element the page names instead) to the top of the view, just
 * under the explorer's sticky bar. */
export function bringIntoView(step, id = step.focus) {
  const el = shownTarget(id);
  if (!el) return;
  const bar = document.querySelector(".cursor-bar");
  const under = bar && getComputedStyle(bar).position === "sticky" ? bar.getBoundingClientRect().height : 0;
  window.scrollTo({ top: el.getBoundingClientRect().top + window.scrollY - under - 16, behavior: "instant" });
}
