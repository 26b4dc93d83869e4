// The plain answer first: are a Dropout after the Embedding and the LSTM's dropout the same?
// The words are the server's (trace.plan.verdict, app/engine/verdict.py) and follow the state;
// the jargon (framework internals, versions) waits in a "details" disclosure.
function node(tag, text, cls) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (cls) n.className = cls;
  return n;
}

const LAB_WORDS = "the training lab";

function link(href, text) {
  const a = node("a", text);
  a.href = href;
  return a;
}

/** diffName: what the "#diff-title" panel is called ("against no dropout", or "B − A" in compare mode);
 * lab: the training lab's link for this model (where "will it make any difference?" is answered). */
export function renderVerdict(container, plan, diffName = "against no dropout", lab = null) {
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
  container.replaceChildren(...parts);
  container.dataset.answer = v.answer;
}
