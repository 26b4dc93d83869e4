// Page actions: copy link, download the trace, "Larger text" for a projector, and the controls
// drawer of narrow layouts (phones; a projector with larger text), opened from the sticky bar.
import { emit, setView, store } from "./store.js";

const $ = (id) => document.getElementById(id);

/** Narrow layouts keep the controls in a drawer (CSS decides: the bar's button shows). */
export function drawerMode() {
  return getComputedStyle($("open-controls")).display !== "none";
}

export function setDrawer(open) {
  const mode = drawerMode();
  document.body.classList.toggle("controls-open", open);
  document.body.dataset.drawer = String(mode);
  $("open-controls").setAttribute("aria-expanded", String(open));
  $("controls").toggleAttribute("inert", mode && !open);
}

function applyBig() {
  document.documentElement.classList.toggle("present", store.view.big);
  $("larger-text").setAttribute("aria-pressed", String(store.view.big));
}

export function bindActions(setStatus) {
  applyBig();
  $("larger-text").addEventListener("click", () => {
    setView({ big: !store.view.big });
    applyBig();
    setDrawer(false);
    emit("style");
  });
  $("open-controls").addEventListener("click", () => {
    const open = !document.body.classList.contains("controls-open");
    setDrawer(open);
    if (open) $("close-controls").focus();
  });
  $("close-controls").addEventListener("click", () => {
    setDrawer(false);
    $("open-controls").focus();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && document.body.classList.contains("controls-open")) setDrawer(false);
  });
  // closed drawers are inert (out of the tab order); the wide layout has no drawer
  const sync = () => setDrawer(document.body.classList.contains("controls-open") && drawerMode());
  window.matchMedia("(max-width: 899px)").addEventListener("change", sync);
  window.matchMedia("(max-width: 1499px)").addEventListener("change", sync);
  sync();
  for (const button of document.querySelectorAll("[data-focus]")) {
    button.addEventListener("click", () => {
      const target = $(button.dataset.focus);
      const hidden = Boolean(target.closest("[data-link-hidden]")); // hidden by the link (hide.js): show the figure only
      if (drawerMode() && !hidden) setDrawer(true);
      else $(button.dataset.scroll)?.scrollIntoView({ behavior: "smooth", block: "center" });
      if (hidden) return;
      if (target.closest("details")) target.closest("details").open = true;
      target.focus();
    });
  }
  $("copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setStatus("Link copied: it reopens exactly these masks, numbers and this view.");
    } catch {
      setStatus(`Copy this link: ${location.href}`);
    }
  });
  $("download-trace").addEventListener("click", async () => {
    const res = await fetch(`/api/trace?${store.trace.state}`);
    const blob = await res.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "lstm-dropout-lab-trace.json";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}
