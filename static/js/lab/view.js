// The page's view, kept in the hash (link.js): "Larger text" for a projector (the page and the
// chart's fonts), accuracy or loss, the copy buttons, and a redraw when the chart's box crosses
// the width at which plot.js lays figures out for a phone.
import { PRESENT } from "../constants.js";
import { isNarrow, setTextScale } from "../plot.js";
import { readView, runLink, writeView } from "./link.js";

const $ = (id) => document.getElementById(id);

export const view = readView();

function applyBig() {
  document.documentElement.classList.toggle("present", view.big);
  $("larger-text").setAttribute("aria-pressed", String(view.big));
  setTextScale(view.big || PRESENT ? 1.5 : 1); // classroom mode: large type everywhere
}

async function copy(text, what, setStatus) {
  try {
    await navigator.clipboard.writeText(text);
    setStatus(`${what} copied.`);
  } catch {
    setStatus(`Copy this link: ${text}`); // no clipboard (e.g. plain http on a classroom network)
  }
}

/** redraw(): the curves must be drawn again; setStatus(text): the page's status line. */
export function bindView(redraw, setStatus) {
  applyBig();
  $("larger-text").addEventListener("click", () => {
    view.big = !view.big;
    writeView(view);
    applyBig();
    redraw();
  });
  for (const radio of document.querySelectorAll("input[name=view]")) {
    radio.checked = radio.value === view.view;
    radio.addEventListener("change", () => {
      view.view = radio.value;
      writeView(view);
      redraw();
    });
  }
  $("copy-link").addEventListener("click", () => copy(location.href, "Link", setStatus));
  $("copy-run-link").addEventListener("click", () => copy(runLink(), "Link that starts the run on opening", setStatus));
  let narrow = isNarrow($("fig-curves"));
  window.addEventListener("resize", () => {
    if (narrow === isNarrow($("fig-curves"))) return;
    narrow = !narrow;
    redraw();
  });
}
