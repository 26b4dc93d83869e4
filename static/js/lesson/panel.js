// The lesson panel's step: "step n of N", the progress (one link per step), the step's title and
// words (Markdown rendered by the server, raw HTML off: app/lessons/model.py), its questions, the
// words its questions reveal (hidden until they are answered: lesson/reveal.js), the tested facts
// it rests on, and the links to play with it freely. The shell (lesson title, the
// index link, Previous / Next) is the template's (_lesson.html) and stays put, so a focused button
// keeps its focus across steps.
import { NEXT_LESSON } from "../constants.js";
import { questionBox } from "./questions.js";

const $ = (id) => document.getElementById(id);

function node(tag, text, cls) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (cls) n.className = cls;
  return n;
}

const VIEW_NAMES = { explorer: "the explorer", lab: "the training lab" };

/** The progress: one link per step (the current one aria-current), sized to fill the bar. */
function progress(lesson, n, stepURL) {
  return lesson.steps.map((step, i) => {
    const li = node("li");
    const a = node("a", String(i + 1));
    a.href = stepURL(i + 1, { hash: false });
    a.dataset.step = String(i + 1);
    a.setAttribute("aria-label", `Step ${i + 1}: ${step.title}`);
    a.title = step.title;
    if (i + 1 === n) a.setAttribute("aria-current", "step");
    if (i + 1 < n) a.classList.add("done");
    li.append(a);
    return li;
  });
}

function facts(step) {
  if (!step.claims.length) return [];
  const details = node("details", undefined, "facts");
  details.append(node("summary", `Tested facts behind this step (${step.claims.length})`));
  const list = node("ul");
  for (const claim of step.claims) {
    const li = node("li", `${claim.statement} `);
    li.append(node("code", claim.id, "claim-id"), node("span", `Checked on ${claim.checked}`, "claim-checked"));
    list.append(li);
  }
  details.append(list, node("p", "Each is checked in CI by a test; beside it, what that test runs against (a framework version, or the engine with the source read).", "hint"));
  return [details];
}

/** Fill the panel for step n of `lesson`. urls: {stepURL(k, opts), page(step), index};
 * onAnswer(): a question of the step was answered, revealed or cleared. Returns the question boxes. */
export function renderStep(lesson, n, urls, onAnswer = () => {}) {
  const step = lesson.steps[n - 1];
  const total = lesson.steps.length;
  $("lesson-count").textContent = `Step ${n} of ${total}`;
  $("lesson-progress").replaceChildren(...progress(lesson, n, urls.stepURL));
  $("lesson-progress").style.setProperty("--steps", String(total));
  $("step-title").textContent = step.title;
  // the server's rendering of the lesson's own Markdown (markdown-it-py, raw HTML off): safe HTML
  $("step-text").innerHTML = step.html;
  const boxes = step.questions.map((q, i) => questionBox(q, `${lesson.slug}-${n}-${i}`, onAnswer));
  $("step-questions").replaceChildren(...boxes);
  $("step-reveal").innerHTML = step.reveal_html; // the server's rendering too
  $("step-facts").replaceChildren(...facts(step));
  const prev = $("lesson-prev");
  prev.setAttribute("aria-disabled", String(n === 1));
  const next = $("lesson-next");
  const last = NEXT_LESSON ? `Next lesson: ${NEXT_LESSON.title} →` : "Finish: all lessons";
  next.textContent = n === total ? last : "Next →";
  const open = $("lesson-open");
  open.href = urls.page(step);
  open.textContent = `Open this step in ${VIEW_NAMES[step.view]}`;
  $("lesson-body").scrollTop = 0;
  document.title = `${step.title} · ${lesson.title} · LSTM Dropout Lab`;
  return boxes;
}

/** "You changed this step's model": the way back, and the way out with what you made. */
export function renderChanged(changed, mine) {
  $("lesson-changed").hidden = !changed;
  if (changed) $("lesson-mine").href = mine;
}
