// The same model in code: one tab per framework (its choice kept in the hash: code), with the
// line that says whether the framework's own layers do exactly what the plan says.
import { CODE_TABS } from "../state.js";
import { side } from "./side-data.js";
import { setView, store } from "./store.js";

const $ = (id) => document.getElementById(id);

export function renderCode() {
  const code = side("code", store.trace);
  const tab = store.view.code;
  for (const name of CODE_TABS) {
    const button = $(`tab-${name}`);
    button.setAttribute("aria-selected", String(name === tab));
    button.tabIndex = name === tab ? 0 : -1;
  }
  if (!code) return;
  const fidelity = code.fidelity[tab];
  const verdict = $("code-fidelity");
  verdict.textContent = fidelity.exact
    ? `Exact with the framework's own layers: ${fidelity.how}.`
    : `The built-in layers cannot do this; the code defines ${fidelity.custom.join(" and ")}: ${fidelity.how}.`;
  verdict.classList.toggle("custom", !fidelity.exact);
  $("code").textContent = code[tab];
  $("code-notes").replaceChildren(
    ...code.notes.map((n) => {
      const li = document.createElement("li");
      li.textContent = n;
      return li;
    }),
  );
}

export function bindCodeTabs() {
  const tabs = CODE_TABS.map((name) => $(`tab-${name}`));
  const select = (k) => {
    setView({ code: CODE_TABS[k] });
    renderCode();
  };
  tabs.forEach((tab, k) => {
    tab.addEventListener("click", () => select(k));
    tab.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = (k + step + tabs.length) % tabs.length;
      tabs[next].focus();
      select(next);
    });
  });
}
