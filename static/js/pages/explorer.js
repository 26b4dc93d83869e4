// The explorer: controls -> state -> /api/trace -> every view; in compare mode model B (A with
// the vs. fields) beside A. The first paint uses the traces the server embedded in the page (no
// Plotly needed: verdict, strips, plan, cell); plotly.js comes after it. A control change fetches
// the new traces (explorer/loader.js), redraws what changed and is in view, and then loads the
// side data (no-dropout baseline, Monte Carlo draws, code, gradients).
import { COMPARE, LINK_PROBLEMS, PLOTLY_URL, PRESENT } from "../constants.js";
import { renderPlan } from "../explain.js";
import { loadPlotly, setTextScale } from "../plot.js";
import { DIFF_CHOICES, freePage, showState } from "../state.js";
import { renderVerdict } from "../verdict.js";
import { bindActions } from "../explorer/actions.js";
import { renderCell, watchCellWidth } from "../explorer/cell-view.js";
import { bindCodeTabs, renderCode } from "../explorer/code-tabs.js";
import { bindCompareControl, renderCompareControl } from "../explorer/compare-control.js";
import { applyPresetRules, bindControls, explainRates, setStatus } from "../explorer/controls.js";
import { cursorShapes } from "../figures/common.js";
import { bindCursor, updateScrubber } from "../explorer/cursor.js";
import { renderDiff, renderFigures, renderOutput, renderUnit } from "../explorer/figure-table.js";
import { bindGradients, renderGradients } from "../explorer/gradients.js";
import { pageLink, schedule, scheduleSide, setCompare, startLoader } from "../explorer/loader.js";
import { updateStrip } from "../explorer/model-strip.js";
import { createScheduler } from "../explorer/scheduler.js";
import { currentStep, currentUnit, emit, modelB, on, setView, shownKey, store } from "../explorer/store.js";
import { bindTeaching } from "../explorer/teaching.js";
import { openAtFragment } from "../explorer/open-at.js";
import { bindVocabulary, renderUnknownWords } from "../explorer/unknown-words.js";
import { keepViewInForm } from "../your-model.js";

const $ = (id) => document.getElementById(id);

const scheduler = createScheduler({
  overlay: {
    key: () => `${currentStep()}|${currentUnit()}`,
    shapes: (cursor) => cursorShapes(cursor, currentStep(), currentUnit()),
  },
  onAllDrawn: () => {
    document.body.dataset.plotted = shownKey();
  },
});

/** What needs no Plotly: the verdict, the plan, the model strips, the cell, "Compare with...". */
function renderPanels() {
  const trace = store.trace;
  const comparing = Boolean(modelB());
  document.body.classList.toggle("comparing", comparing);
  $("cell-who").hidden = !comparing;
  renderVerdict($("verdict"), trace.plan, comparing ? "B − A" : undefined, freePage(`/train?${trace.state}`));
  $("verdict-title").textContent = comparing ? "The answer, for model A below" : "The answer, for the model below";
  renderPlan($("plan"), trace.plan);
  updateStrip();
  renderCompareControl();
  explainRates(trace);
  renderUnknownWords();
  updateScrubber();
  renderCell();
  document.body.dataset.state = shownKey();
  document.body.dataset.phase = trace.config.phase;
}

/** Figures are laid out for the width of their box (plot.js: narrow below 600 px): a window
 * crossing one of these widths redraws them. */
const WIDTHS = [600, 900, 1200, 1500];
const widthBand = () => WIDTHS.filter((w) => window.innerWidth >= w).length;

const bigText = () => store.view.big || PRESENT; // classroom mode: large type everywhere

function styleKey() {
  return `${bigText() ? "big" : ""}|${widthBand()}|`;
}

function restyle() {
  setTextScale(bigText() ? 1.5 : 1);
  scheduler.setStyle(styleKey());
}

function drawAll() {
  renderFigures(scheduler);
  renderGradients(scheduler);
}

function listen() {
  on("trace", () => {
    renderPanels();
    drawAll();
    renderCode();
  });
  on("cursor", () => {
    renderCell();
    scheduler.refreshOverlay();
  });
  on("unit", () => renderUnit(scheduler));
  on("layer", () => {
    renderCell();
    drawAll();
  });
  on("style", () => {
    restyle();
    renderCell();
    drawAll();
  });
  on("side", () => {
    renderDiff(scheduler);
    renderUnit(scheduler);
    renderOutput(scheduler);
    renderGradients(scheduler);
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
  $("diff-of").value = store.view.diff;
  $("diff-of").addEventListener("change", () => {
    setView({ diff: $("diff-of").value });
    renderDiff(scheduler);
  });
  scheduler.observe();
  bindControls(schedule);
  bindCompareControl(setCompare);
  bindCursor();
  bindCodeTabs();
  bindGradients(scheduler);
  bindActions(setStatus);
  bindVocabulary();
  keepViewInForm(); // "Open my model" keeps "Larger text"
  applyPresetRules();
  listen();
  restyle();
  watchCellWidth();
  startLoader();
  // a link with problems stays as written (each problem is shown beside its control)
  if (!LINK_PROBLEMS.length && !COMPARE.problems.length) showState(COMPARE.link ?? pageLink());
  renderPanels();
  renderCode();
  const teaching = bindTeaching();
  performance.mark("lab-first-paint");
  openAtFragment(); // an embed's "Open in...": #<figure id>&t=...
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
      drawAll();
      performance.mark("lab-first-plot");
      requestAnimationFrame(teaching.afterFirstPlot); // a lesson's focus, where the figures drawn above it left it
      scheduleSide();
    }, 0),
  );
}

start();
