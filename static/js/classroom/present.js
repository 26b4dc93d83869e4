// Classroom mode (?present=1 on any page): large type and high contrast are the CSS's
// (html.classroom); this module gives the room its keys. F: full screen (the Fullscreen API;
// Escape, the browser's, leaves it), plus the page's own: the explorer's up / down (timestep) and
// R (resample the masks); the lesson's left / right are the player's. The legend of the keys is
// in the classroom bar (_classroom.html).
import { ownsKey, plain } from "../keys.js";

const $ = (id) => document.getElementById(id);

export function toggleFullscreen() {
  if (document.fullscreenElement) return document.exitFullscreen().catch(() => {});
  return document.documentElement.requestFullscreen?.().catch(() => {}); // refused (an iframe, a policy): stay
}

function syncButton() {
  const button = $("fullscreen");
  if (!button) return;
  const on = Boolean(document.fullscreenElement);
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "Leave full screen" : "Full screen";
}

/** keys: {key: action} for the page's own keys ("ArrowUp", "r"...); letters are case-blind. */
export function startClassroom(keys = {}) {
  const actions = { f: toggleFullscreen, ...keys };
  document.addEventListener("keydown", (e) => {
    // Escape leaves full screen: the browser's own, and this page's where the browser lets the key
    // through (a kiosk, a headless run)
    if (e.key === "Escape" && document.fullscreenElement) document.exitFullscreen().catch(() => {});
    if (!plain(e) || ownsKey(e.target, e.key)) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const action = actions[key];
    if (!action || (key.length === 1 && e.shiftKey)) return;
    e.preventDefault();
    action();
  });
  $("fullscreen")?.addEventListener("click", toggleFullscreen);
  document.addEventListener("fullscreenchange", syncButton);
  syncButton();
}
