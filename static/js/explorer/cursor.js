// One cursor across every view: the timestep and the unit. The scrubber, the step buttons, Play
// (and Space) and a click on any heatmap move it; everything that shows a step or a unit follows
// (the cell, the compact cell, the column and row outlined on every heatmap, one unit over time).
import { currentStep, emit, setView, store } from "./store.js";

const $ = (id) => document.getElementById(id);
const PLAY_MS = 900;
let playing = null;

export function setCursor({ t = store.view.t, unit = store.view.unit }) {
  const steps = store.trace.tokens.length;
  const next = { t: Math.max(0, Math.min(steps - 1, t)), unit };
  const unitChanged = next.unit !== store.view.unit;
  if (next.t === store.view.t && !unitChanged) return;
  performance.mark("lab-cursor");
  setView(next);
  $("timestep").value = String(next.t);
  emit("cursor");
  if (unitChanged) emit("unit");
  performance.mark("lab-cursor-done");
  performance.measure("lab-cursor", "lab-cursor", "lab-cursor-done");
}

/** A click on a figure: heatmaps give (row, column) = (unit or element, step); lines give a step. */
export function pickPoint(rows) {
  return (point) => {
    const index = point.pointIndex ?? point.pointNumber;
    if (Array.isArray(index)) setCursor({ t: index[1], unit: rows === "unit" ? index[0] : store.view.unit });
    else if (typeof index === "number") setCursor({ t: index });
  };
}

function setPlaying(on) {
  clearInterval(playing);
  playing = null;
  const button = $("play");
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "Pause" : "Play";
  if (!on) return;
  if (currentStep() >= store.trace.tokens.length - 1) setCursor({ t: 0 });
  playing = setInterval(() => {
    if (currentStep() >= store.trace.tokens.length - 1) setPlaying(false);
    else setCursor({ t: currentStep() + 1 });
  }, PLAY_MS);
}

export function togglePlay() {
  setPlaying(playing === null);
}

/** The scrubber's bounds follow the trace's length; the layer menu its layers. */
export function updateScrubber() {
  const steps = store.trace.tokens.length;
  const slider = $("timestep");
  slider.max = String(steps - 1);
  slider.value = String(currentStep());
  const select = $("layer-shown");
  const layers = store.trace.layers.length;
  if (select.options.length !== layers) {
    select.replaceChildren(
      ...store.trace.layers.map((_, n) => {
        const opt = document.createElement("option");
        opt.value = String(n);
        opt.textContent = `${n + 1} of ${layers}`;
        return opt;
      }),
    );
  }
  select.value = String(Math.min(store.view.layer, layers - 1));
  select.disabled = layers === 1;
  select.hidden = layers === 1; // one layer: nothing to choose
  select.labels[0].hidden = layers === 1;
}

const TYPING = new Set(["INPUT", "SELECT", "TEXTAREA", "BUTTON", "SUMMARY", "A", "OPTION", "PRE"]);

export function bindCursor() {
  $("timestep").addEventListener("input", () => setCursor({ t: Number($("timestep").value) }));
  $("step-prev").addEventListener("click", () => setCursor({ t: currentStep() - 1 }));
  $("step-next").addEventListener("click", () => setCursor({ t: currentStep() + 1 }));
  $("play").addEventListener("click", togglePlay);
  $("layer-shown").addEventListener("change", () => {
    setView({ layer: Number($("layer-shown").value) });
    emit("layer");
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== " " || e.ctrlKey || e.altKey || e.metaKey) return;
    const target = e.target;
    if (TYPING.has(target.tagName) || target.isContentEditable || target.closest?.("[role=tab], [role=tablist]")) return;
    e.preventDefault();
    togglePlay();
  });
}
