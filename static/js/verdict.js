// The plain answer first: are a Dropout after the Embedding and the LSTM's dropout the same?
// The words are the server's (trace.plan.verdict, app/engine/verdict.py) and follow the state;
// the jargon (framework internals, versions) waits in a "details" disclosure. In classroom mode
// (html.classroom) and on a phone the answer is all the first screen shows of it: its points, the
// difference and the jargon wait behind "The details" (a button; shown, they are in the page for
// screen readers too).
function node(tag, text, cls) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (cls) n.className = cls;
  return n;
}

const LAB_WORDS = "the training lab";
let open = false; // "The details" shown (classroom mode, phones), kept while the state changes

function link(href, text) {
  const a = node("a", text);
  a.href = href;
  return a;
}

/** diffName: what the "#diff-title" panel is called ("against no dropout", or "B − A" in compare mode);
 * lab: the training lab's link for this model (where "will it make any difference?" is answered). */
export function renderVerdict(container, plan, diffName = "against no dropout", lab = null, brief = isBrief()) {
  const v = plan.verdict;
  const answer = node("p", v.answer, "verdict-answer");
  answer.id = "verdict-answer";
  const points = node("ol", undefined, "verdict-points");
  for (const p of v.points) {
    const li = node("li");
    li.dataset.key = p.key;
    li.append(node("strong", `${p.title}. `), p.text);
    points.append(li);
  }
  const difference = node("p", undefined, "verdict-difference");
  // "the training lab" in the server's words becomes the link to it, for this model
  const [before, ...after] = v.difference.split(LAB_WORDS);
  if (lab && after.length) {
    const train = link(lab, LAB_WORDS);
    train.id = "verdict-lab";
    difference.append(before, train, after.join(LAB_WORDS), " ");
  } else difference.append(`${v.difference} `);
  difference.append("See ", link("#diff-title", diffName), " and ", link("#output-title", "the Monte Carlo spread"), ".");
  const parts = [answer, points, difference];
  if (v.details.length) {
    const details = node("details", undefined, "verdict-details");
    details.append(node("summary", "Details: what the frameworks do inside"));
    const list = node("ul");
    for (const d of v.details) list.append(node("li", d));
    details.append(list);
    parts.push(details);
  }
  container.replaceChildren(...(brief ? briefly(answer, parts.slice(1)) : parts));
  container.dataset.answer = v.answer;
}

/** Classroom mode, or a phone (where the whole verdict would fill the first screen and more). */
function isBrief() {
  return document.documentElement.classList.contains("classroom") || window.matchMedia("(max-width: 599px)").matches;
}

/** The answer, then a button "The details" that shows the rest. */
function briefly(answer, rest) {
  const more = node("div", undefined, "verdict-more");
  more.id = "verdict-more";
  more.append(...rest);
  more.hidden = !open;
  const toggle = node("button", "The details", "verdict-more-toggle");
  Object.assign(toggle, { type: "button", id: "verdict-more-toggle" });
  toggle.setAttribute("aria-controls", more.id);
  toggle.setAttribute("aria-expanded", String(open));
  toggle.addEventListener("click", () => {
    open = more.hidden;
    more.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  });
  const head = node("div", undefined, "verdict-head");
  head.append(answer, toggle);
  return [head, more];
}
