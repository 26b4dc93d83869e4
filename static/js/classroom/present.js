// Classroom mode (?present=1 on any page): large type and high contrast are the CSS's
// (html.classroom); this module gives the room its keys. F: full screen (the Fullscreen API;
// Escape, the browser's, leaves it), plus the page's own: the explorer's up / down (next /
// previous timestep, as on the Timestep slider) and R (resample the masks); the lesson's left /
// right are the player's. The legend of the keys is in the classroom bar (_classroom.html).
// On the explorer the first screen is the answer and the cell: fitCell() gives the cell the
// width at which it fits the height left above the bar.
import { wideFrom } from "../cell/geometry.js";
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

// The least width (px) at which the cell keeps its wide layout in large type (below it the
// diagram is drawn in its narrow, taller layout).
const MIN_CELL = Math.ceil(wideFrom(1.3));

/** The cell as wide as fits the screen's height under what is above it (the answer) and over
 * the classroom bar; not while "The details" of the verdict are open (the first screen is then
 * the teacher's choice), never so narrow that it takes its narrow layout. */
function fitCell() {
  const cell = $("cell");
  if (!cell || !cell.offsetWidth || !cell.offsetHeight || $("verdict-more")?.hidden === false) return;
  const box = cell.getBoundingClientRect();
  // the drawing's own width (an SVG stops at its max-width, short of a wide box)
  const drawn = Math.max(...[...cell.children].map((c) => c.getBoundingClientRect().right)) - box.left;
  const ratio = Math.min(drawn, box.width) / box.height;
  const room = window.innerHeight - ($("classroom-bar")?.offsetHeight ?? 0) - (box.top + window.scrollY) - 10;
  const width = Math.max(MIN_CELL, Math.floor(room * ratio));
  if (Math.abs(width - (parseFloat(cell.style.maxWidth) || 0)) > 2) cell.style.maxWidth = `${width}px`;
}

function watchCell() {
  if (!$("cell") || document.documentElement.classList.contains("lesson")) return;
  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fitCell();
    });
  };
  const observer = new ResizeObserver(soon);
  for (const el of document.querySelectorAll("#cell, .verdict-panel, .strip, #cursor-bar")) observer.observe(el);
  window.addEventListener("resize", soon);
  soon();
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
  watchCell();
}
