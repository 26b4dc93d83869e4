// "Predict, then reveal": a step's question as buttons, one per choice. Answering marks the chosen
// choice right or wrong (in words as well as colour), and says why: the chosen choice's
// explanation, and the right one's when the answer was wrong. The feedback is a live region, so a
// screen reader hears it; "Try again" clears the answer. In classroom mode the teacher may reveal
// the answer without a choice (reveal(): the right choice marked, its explanation). Answers are
// remembered per step for the browser tab (sessionStorage): going back to a step, or reloading it,
// shows its answer. What the step hides until then is lesson/reveal.js's.
const STORE = "lesson-answers";
const REVEALED = -1; // the answer shown by the teacher, no choice made

function stored() {
  try {
    return new Map(JSON.parse(sessionStorage.getItem(STORE) ?? "[]"));
  } catch {
    return new Map(); // storage refused (a sandbox, privacy mode): answers live as long as the page
  }
}
const answers = stored(); // question key -> chosen index, or REVEALED

function remember() {
  try {
    sessionStorage.setItem(STORE, JSON.stringify([...answers]));
  } catch {
    // kept in memory only
  }
}

/** Has the question ``key`` an answer (a choice, or the teacher's reveal)? */
export function answered(key) {
  return answers.has(key);
}

function node(tag, text, cls) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (cls) n.className = cls;
  return n;
}

const LETTERS = "ABCDEF";

/** One question q ({prompt, choices, answer, explanations}); key: unique among the lessons;
 * onChange(): called when it is answered, revealed or cleared. Returns the box, with box.reveal():
 * show the answer without a choice (nothing if it is answered already). */
export function questionBox(q, key, onChange = () => {}) {
  const box = node("section", undefined, "question");
  const promptId = `q-${key}-prompt`;
  box.setAttribute("aria-labelledby", promptId);
  box.dataset.question = key;
  box.append(node("p", "Predict, then reveal", "question-kicker"));
  const prompt = node("p", q.prompt, "question-prompt");
  prompt.id = promptId;
  const list = node("ol", undefined, "choices");
  const feedback = node("div", undefined, "feedback");
  feedback.setAttribute("aria-live", "polite");
  feedback.id = `q-${key}-feedback`;
  const buttons = q.choices.map((text, i) => {
    const button = node("button", undefined, "choice");
    button.type = "button";
    button.dataset.index = String(i);
    button.append(node("span", LETTERS[i], "choice-letter"), node("span", text, "choice-text"), node("span", "", "choice-mark"));
    button.addEventListener("click", () => {
      answers.set(key, i);
      remember();
      show(true);
      onChange();
    });
    const li = node("li");
    li.append(button);
    list.append(li);
    return button;
  });

  function show(announce) {
    const chosen = answers.get(key);
    const answered = chosen !== undefined;
    const revealed = chosen === REVEALED;
    box.dataset.answered = !answered ? "" : revealed ? "revealed" : chosen === q.answer ? "right" : "wrong";
    for (const [i, button] of buttons.entries()) {
      button.disabled = answered;
      const mark = button.querySelector(".choice-mark");
      const right = i === q.answer;
      button.dataset.verdict = !answered ? "" : right ? "right" : i === chosen ? "wrong" : "";
      mark.textContent = !answered ? "" : right ? (i === chosen ? "✓ your answer, right" : "✓ the answer") : i === chosen ? "✗ your answer" : "";
    }
    if (!answered) {
      feedback.replaceChildren();
      return;
    }
    const right = chosen === q.answer;
    const parts = [];
    if (!revealed) {
      const first = node("p", undefined, right ? "verdict-right" : "verdict-wrong");
      first.append(node("strong", right ? "Right. " : `Not quite: ${LETTERS[chosen]} is not it. `), q.explanations[chosen]);
      parts.push(first);
    }
    if (!right) {
      const answer = node("p", undefined, "verdict-answer-line");
      answer.append(node("strong", `The answer is ${LETTERS[q.answer]}: ${q.choices[q.answer]} `), q.explanations[q.answer]);
      parts.push(answer);
    }
    const again = node("button", "Try again", "try-again");
    again.type = "button";
    again.addEventListener("click", () => {
      answers.delete(key);
      remember();
      show(false);
      onChange();
      buttons[0].focus();
    });
    parts.push(again);
    feedback.replaceChildren(...parts);
    if (announce) again.focus({ preventScroll: true }); // the choices are disabled now: the focus stays in the question
  }

  box.append(prompt, list, feedback);
  show(false);
  box.reveal = () => {
    if (answered(key)) return;
    answers.set(key, REVEALED);
    remember();
    show(false);
    onChange();
  };
  return box;
}
