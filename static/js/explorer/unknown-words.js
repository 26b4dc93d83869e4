// Words the model does not know become <unk>: they are named beside the input, with the
// vocabulary one click away.
import { VOCABULARY } from "../constants.js";
import { store } from "./store.js";

const $ = (id) => document.getElementById(id);

export function renderUnknownWords() {
  const words = store.trace.unknown_words ?? [];
  const box = $("unknown-words");
  box.hidden = !words.length;
  $("unknown-list").textContent = words.join(", ");
  $("unknown-count").textContent = words.length === 1 ? "This word is" : `These ${words.length} words are`;
}

/** The vocabulary, listed the first time its disclosure opens. */
export function bindVocabulary() {
  const details = $("vocabulary");
  details.addEventListener("toggle", () => {
    const list = $("vocabulary-words");
    if (!details.open || list.childElementCount) return;
    list.replaceChildren(
      ...VOCABULARY.map((w, id) => {
        const li = document.createElement("li");
        li.textContent = w;
        li.title = `id ${id}`;
        return li;
      }),
    );
  });
}
