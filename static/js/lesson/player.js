// The lesson player. The step is the URL (/lessons/<slug>/<n>, the page's parameters and view
// kept). A step this page can draw (the explorer: any explorer step; the lab: a step of the same
// run) is shown without a reload: the page loads the step's link through its own path, the
// address gets a new history entry (Back returns to the step before), the focus comes into view
// and is framed. A step of the other view, and the end of the lesson, are other pages.
// Previous / Next, the progress links and the left / right arrow keys move; test hook:
// body[data-step] (the step shown, once its link is loaded and drawn). A step's question comes
// before its answer (lesson/reveal.js); in classroom mode the teacher reveals it with the button
// "Reveal the answer" or the A key.
import { LESSON, NEXT_LESSON, PRESENT, STEP } from "../constants.js";
import { ownsKey, plain } from "../keys.js";
import {
  freePage,
  lessonsURL,
  nextLessonURL,
  pageHide,
  showStep,
  stepOfLocation,
  stepURL,
  withHide,
} from "../state.js";
import { bringIntoView, markStep } from "./highlight.js";
import { renderChanged, renderStep } from "./panel.js";
import { conceal, update } from "./reveal.js";

const $ = (id) => document.getElementById(id);
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/**
 * page: {view: "explorer" | "lab",
 *        canShow(step): can this page draw the step without a reload,
 *        show(link): Promise<boolean>, the step's link loaded and drawn,
 *        prefetch(link)?: ask ahead for a step's data,
 *        current()?: the link shown now (to say when it is no longer the step's),
 *        scrollTo(step)?: the id to bring into view instead of the focus (or null)}
 * Returns {refresh(): call it when the page shows another link (a control changed); realign():
 * bring the focus back after figures drawn above it moved it (unless the reader scrolled)}.
 */
export function startLesson(page) {
  const total = LESSON.steps.length;
  let n = STEP;
  let going = 0;
  let moved = false; // the reader scrolled since the focus was brought into view
  let boxes = []; // the step's question boxes
  // to play freely: the step's page, hiding what this page's link hides (a state field there)
  const urls = { stepURL, page: (step) => freePage(step.view === "explorer" ? `/?${withHide(step.link, pageHide())}` : step.page) };

  function bring() {
    const step = LESSON.steps[n - 1];
    bringIntoView(step, page.scrollTo?.(step) ?? step.focus);
    moved = false;
  }
  /** Figures drawn above the focus push it down: bring it back, unless the reader scrolled away. */
  function realign() {
    if (!moved) bring();
  }
  for (const event of ["wheel", "touchmove"]) window.addEventListener(event, () => (moved = true), { passive: true });
  window.addEventListener("keydown", (e) => {
    if (["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown", " "].includes(e.key)) moved = true;
  });

  function refresh() {
    const step = LESSON.steps[n - 1];
    const current = page.current?.();
    const changed = Boolean(current !== undefined && current !== step.link && step.view === page.view);
    renderChanged(changed, freePage(`${step.view === "lab" ? "/train" : "/"}?${current ?? ""}`));
  }

  /** Fill the lesson panel for step k, and hide what its questions reveal until they are answered. */
  function render(k) {
    boxes = renderStep(LESSON, k, urls, answeredNow);
    conceal(LESSON, k);
  }
  /** A question answered (or revealed, or cleared): show what it hid, and bring its feedback and
   * the words it revealed up into the panel's view (the panel scrolls, not the page). */
  function answeredNow() {
    const open = update(LESSON, n);
    const body = $("lesson-body");
    const target = open ? boxes.findLast((box) => box.dataset.answered)?.querySelector(".feedback") : null;
    if (!target) return;
    const top = target.getBoundingClientRect().top - body.getBoundingClientRect().top;
    if (top > body.clientHeight * 0.6) body.scrollTop += top - body.clientHeight * 0.25;
  }
  /** The teacher's reveal: every question of the step shows its answer, and what it hid. */
  function reveal() {
    for (const box of boxes) box.reveal();
    answeredNow();
  }

  async function go(k, { push = true } = {}) {
    if (k < 1) return;
    if (k > total) return location.assign(NEXT_LESSON ? nextLessonURL(NEXT_LESSON.slug) : lessonsURL());
    const step = LESSON.steps[k - 1];
    if (!page.canShow(step)) return location.assign(stepURL(k, { hash: false })); // another page: its own view
    const mine = ++going;
    performance.mark("lesson-step");
    n = k;
    if (push) showStep(k);
    render(k);
    markStep(step);
    bring();
    $("lesson-announce").textContent = `Step ${k} of ${total}: ${step.title}`;
    await page.show(step.link);
    await nextFrame(); // figures coming into view are drawn by their observer, then painted
    if (mine !== going) return;
    realign();
    performance.mark("lesson-step-drawn");
    performance.measure("lesson-step", "lesson-step", "lesson-step-drawn");
    refresh();
    document.body.dataset.step = String(k);
    ahead(k);
  }

  function ahead(k) {
    for (const j of [k + 1, k - 1]) {
      const step = LESSON.steps[j - 1];
      if (step && page.prefetch && page.canShow(step)) page.prefetch(step.link);
    }
  }

  $("lesson-reveal")?.addEventListener("click", reveal);
  $("lesson-prev").addEventListener("click", () => go(n - 1));
  $("lesson-next").addEventListener("click", () => go(n + 1));
  $("lesson-reset").addEventListener("click", () => go(n, { push: false }));
  $("lesson-progress").addEventListener("click", (e) => {
    const a = e.target.closest("a[data-step]");
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go(Number(a.dataset.step));
  });
  document.addEventListener("keydown", (e) => {
    if (!plain(e) || e.shiftKey || ownsKey(e.target, e.key)) return;
    if (e.key === "ArrowRight") go(n + 1);
    else if (e.key === "ArrowLeft") go(n - 1);
    else if (PRESENT && e.key.toLowerCase() === "a" && $("lesson").hasAttribute("data-awaiting")) reveal();
    else return;
    e.preventDefault();
  });
  window.addEventListener("popstate", () => {
    const k = stepOfLocation();
    if (k === null) location.reload();
    else if (k !== n) go(k, { push: false });
  });
  const toggle = $("lesson-toggle");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide the text" : "Show the text";
    document.documentElement.classList.toggle("lesson-folded", !open);
  });

  // phones: the page keeps room for the sheet along the bottom (lesson.css --lesson-h)
  new ResizeObserver(([entry]) => {
    document.documentElement.style.setProperty("--lesson-h", `${Math.ceil(entry.borderBoxSize[0].blockSize)}px`);
  }).observe($("lesson"));

  const step = LESSON.steps[n - 1];
  render(n);
  markStep(step);
  bring();
  document.body.dataset.step = String(n);
  refresh();
  ahead(n);
  return { refresh, realign };
}
