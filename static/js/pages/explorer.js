// The explorer: controls -> state -> /api/trace -> every view. The first paint uses the trace the
// server embedded in the page (no Plotly needed: verdict, strip, plan, cell); plotly.js comes
// after it. A control change fetches the new trace, redraws what changed and is in view, and
// then loads the side data (no-dropout baseline, Monte Carlo draws, code).
import { getJSON } from "../api.js";
import { LINK_PROBLEMS, PLOTLY_URL } from "../constants.js";
import { renderPlan } from "../explain.js";
import { loadPlotly, setTextScale } from "../plot.js";
import { DIFF_CHOICES, showState, toQuery } from "../state.js";
import { renderVerdict } from "../verdict.js";
import { bindActions } from "../explorer/actions.js";
import { renderCell, watchCellWidth } from "../explorer/cell-view.js";
import { bindCodeTabs, renderCode } from "../explorer/code-tabs.js";
import { applyPresetRules, bindControls, clearProblems, controlValues, explainRates, setStatus, showProblems } from "../explorer/controls.js";
import { cursorShapes } from "../figures/common.js";
import { bindCursor, updateScrubber } from "../explorer/cursor.js";
import { renderDiff, renderFigures, renderOutput, renderUnit } from "../explorer/figure-table.js";
import { updateStrip } from "../explorer/model-strip.js";
import { createScheduler } from "../explorer/scheduler.js";
import { loadSide } from "../explorer/side-data.js";
import { currentStep, currentUnit, emit, lab, on, setView } from "../explorer/store.js";
import { bindVocabulary, renderUnknownWords } from "../explorer/unknown-words.js";

const $ = (id) => document.getElementById(id);

const scheduler = createScheduler({
  overlay: {
    key: () => `${currentStep()}|${currentUnit()}`,
    shapes: (cursor) => cursorShapes(cursor, currentStep(), currentUnit()),
  },
  onAllDrawn: () => {
    document.body.dataset.plotted = lab.trace.state;
  },
});

/** What needs no Plotly: the verdict, the plan, the model strip, the cell. */
function renderPanels() {
  const trace = lab.trace;
  renderVerdict($("verdict"), trace.plan);
  renderPlan($("plan"), trace.plan);
  updateStrip();
  explainRates(trace);
  renderUnknownWords();
  updateScrubber();
  renderCell();
  document.body.dataset.state = trace.state;
  document.body.dataset.phase = trace.config.phase;
}

let sideTimer = null;
function scheduleSide() {
  clearTimeout(sideTimer);
  sideTimer = setTimeout(async () => {
    const trace = lab.trace;
    await loadSide(trace);
    if (lab.trace !== trace) return;
    emit("side");
    document.body.dataset.side = trace.state;
  }, 150);
}

let lastQuery = null;
let inflight = null;
let request = 0;

async function update() {
  const query = toQuery(controlValues());
  if (query === lastQuery) return;
  lastQuery = query;
  inflight?.abort();
  inflight = new AbortController();
  const mine = ++request;
  performance.mark("lab-change");
  document.body.dataset.busy = "true";
  try {
    const res = await getJSON(`/api/trace?${query}`, inflight.signal);
    if (mine !== request) return;
    if (!res.ok) {
      showProblems(res.body?.problems ?? [{ field: "", message: `The server answered ${res.status}.` }]);
      return;
    }
    clearProblems();
    lab.trace = res.body;
    showState(lab.trace.state);
    emit("trace");
    performance.mark("lab-redrawn");
    performance.measure("lab-redraw", "lab-change", "lab-redrawn");
    scheduleSide();
  } catch (err) {
    if (err.name !== "AbortError") setStatus(`Could not reach the server (${err.message}); the last picture stays.`);
  } finally {
    if (mine === request) document.body.dataset.busy = "false";
  }
}

let timer = null;
function schedule(delay = 0) {
  clearTimeout(timer);
  timer = setTimeout(update, delay);
}

/** Figures are laid out for the width of their box (plot.js: narrow below 600 px): a window
 * crossing one of these widths redraws them. */
const WIDTHS = [600, 900, 1200, 1500];
const widthBand = () => WIDTHS.filter((w) => window.innerWidth >= w).length;

function styleKey() {
  return `${lab.view.big ? "big" : ""}|${widthBand()}|`;
}

function restyle() {
  setTextScale(lab.view.big ? 1.5 : 1);
  scheduler.setStyle(styleKey());
}

function listen() {
  on("trace", () => {
    renderPanels();
    renderFigures(scheduler);
    renderCode();
  });
  on("cursor", () => {
    renderCell();
    scheduler.refreshOverlay();
  });
  on("unit", () => renderUnit(scheduler));
  on("layer", () => {
    renderCell();
    renderFigures(scheduler);
  });
  on("style", () => {
    restyle();
    renderCell();
    renderFigures(scheduler);
  });
  on("side", () => {
    renderDiff(scheduler);
    renderUnit(scheduler);
    renderOutput(scheduler);
    renderCode();
    scheduler.flushSoon();
  });
  let band = widthBand();
  window.addEventListener("resize", () => {
    if (band === widthBand()) return;
    band = widthBand();
    emit("style");
  });
}

function start() {
  performance.mark("lab-start");
  $("diff-of").replaceChildren(...DIFF_CHOICES.map((name) => new Option(name, name)));
  $("diff-of").value = lab.view.diff;
  $("diff-of").addEventListener("change", () => {
    setView({ diff: $("diff-of").value });
    renderDiff(scheduler);
  });
  scheduler.observe();
  bindControls(schedule);
  bindCursor();
  bindCodeTabs();
  bindActions(setStatus);
  bindVocabulary();
  applyPresetRules();
  listen();
  restyle();
  watchCellWidth();
  lastQuery = toQuery(controlValues());
  if (!LINK_PROBLEMS.length) showState(lab.trace.state);
  renderPanels();
  renderCode();
  performance.mark("lab-first-paint");
  document.body.dataset.busy = "false";
  requestAnimationFrame(() =>
    setTimeout(async () => {
      try {
        await loadPlotly(PLOTLY_URL);
      } catch (err) {
        setStatus(`${err.message}: the charts cannot be drawn, the rest of the page works.`);
        return;
      }
      performance.mark("lab-plotly-loaded");
      scheduler.start();
      renderFigures(scheduler);
      performance.mark("lab-first-plot");
      scheduleSide();
    }, 0),
  );
}

start();
