// /embed?<state>&view=<view>: one figure of the explorer in an iframe (a course page, a blog).
// The first paint uses the trace the server embedded (no request); plotly.js is loaded only for a
// Plotly view (not for the cell). The cell shows one step: a slider moves it, and the step lives
// in the hash (#t=, as in the explorer; #layer= and #unit= too). On a heatmap, #t= or #unit=
// frames that step or unit. The figure is redrawn when the frame's size changes.
// ?present=1 (classroom mode): larger type and chart text, as on the other pages; the link to the
// explorer keeps it. body[data-plotted] = "<view>|<state>" once the figure is drawn (tests wait for it).
import { COMPARE, PLOTLY_URL, PRESENT } from "../constants.js";
import { loadSide, side } from "../explorer/side-data.js";
import { cursorShapes } from "../figures/common.js";
import { isNarrow, loadPlotly, render, setTextScale } from "../plot.js";
import { pageQuery, readView, writeView } from "../state.js";
import { modelLayers } from "../model-line.js";

const $ = (id) => document.getElementById(id);
const embedded = (id) => JSON.parse($(id)?.textContent ?? "null");
const VIEW = document.querySelector("main.embed").dataset.view;
/** What a view is called while its figure is not drawn (loading, or nothing to show). */
const WHAT = {
  "fig-diff": "Against no dropout",
  "fig-output": "The output",
  "fig-grads": "Gradients through time",
  "fig-extra-mask": "Other masks",
  "fig-weight-mask": "Weight-drop mask",
};

const trace = embedded("initial-trace");
const b = embedded("compare-trace"); // only in the views that use it (fig-diff, fig-output)
const view = readView();
const layer = () => Math.min(view.layer, trace.layers.length - 1);
const step = () => Math.min(view.t, trace.tokens.length - 1);
const unit = () => (view.unit !== null && view.unit < trace.config.units ? view.unit : null);
const box = $("embed-box");
const figure = $("embed-figure");

function say(id, text) {
  $(id).textContent = text;
  $(id).hidden = !text;
}

/** The model as a reader would write it in code: "Keras 3 (3.8 and later) · Dropout(0.25) +
 * LSTM(dropout=0.5, recurrent_dropout=0.5)"; config: a trace's config. */
function modelLine(config) {
  const layers = modelLayers(config, { sizes: false });
  const none = layers.length === 1 && !layers[0].rates.length ? ", no dropout" : "";
  const phase = config.phase === "infer" ? " · at inference" : "";
  return `${config.preset_title ?? config.preset} · ${layers.map((l) => l.code).join(" + ")}${none}${phase}`;
}

/** The compare link's vs. pairs, in words ("emb_dropout=0"). */
const vsWords = () => COMPARE.vs.map(([k, v]) => `${k}=${v}`).join(", ");

function header(what, detail) {
  say("embed-what", what);
  const model = modelLine(trace.config);
  if (b) say("embed-model", `· A: ${model} · B: A with ${vsWords()}`);
  else if (COMPARE.query) say("embed-model", `· ${model} (model A of a comparison: this view shows A alone)`);
  else say("embed-model", `· ${model}`);
  say("embed-detail", detail);
  // a short frame shows the title on one line: the whole of it on hover
  document.querySelector(".embed-title").title = document.querySelector(".embed-title").textContent.replace(/\s+/g, " ").trim();
}

/** Problems of the vs. fields join the link's own (rendered by the server) above the figure. */
function compareProblems() {
  if (!COMPARE.problems.length) return;
  const list = $("embed-problems-list");
  for (const p of COMPARE.problems) {
    const li = document.createElement("li");
    li.append(Object.assign(document.createElement("code"), { textContent: p.field }), `: ${p.message}`);
    list.append(li);
  }
  const fields = [...list.querySelectorAll("code")].map((c) => c.textContent);
  $("embed-problems-summary").textContent = `${fields.length} problem${fields.length === 1 ? "" : "s"} in this link: ${fields.join(", ")}`;
  $("embed-problems").hidden = false;
}

/** The explorer's element this view shows: the figure of the same id, or the cell's diagram. */
const TARGET = VIEW === "cell" ? "cell" : VIEW;

/** The link's vs. pairs as written (a comparison the server refused keeps them: the explorer names
 * the same problems beside "Compare with..."). */
const vsAsWritten = () => COMPARE.vs.map(([k, v]) => `vs.${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");

/** The explorer at the same state, the same comparison (every view: B is the explorer's to show
 * even where this view draws A alone) and the same view, opened at this figure: the hash starts
 * with its id (explorer/open-at.js scrolls there), then the view's t=, unit=, ... */
function updateLink() {
  const state = COMPARE.link ?? [trace.state, vsAsWritten()].filter(Boolean).join("&");
  const view = location.hash.slice(1);
  $("embed-open").href = `/?${pageQuery(state)}#${[TARGET, view].filter(Boolean).join("&")}`;
}

/** A short frame (240 px high) lays out its title on one line (embed.css html.short). */
const SHORT = 300;
const setShort = (on) => document.documentElement.classList.toggle("short", on);

/** The size note: a frame too small for the whole figure at a readable size says what size it
 * needs (the figure's box scrolls meanwhile). Measured on the page as drawn, without the note, in
 * the layout the frame would have at that size (a taller frame's title takes more lines). */
function sizeNote() {
  const note = $("embed-size");
  note.hidden = true;
  const over = (a, b) => Math.max(0, Math.ceil(a - b));
  const needAt = (short) => {
    setShort(short);
    return { w: innerWidth + over(box.scrollWidth, box.clientWidth), h: innerHeight + over(box.scrollHeight, box.clientHeight) };
  };
  let need = needAt(true);
  if (need.h > SHORT) need = needAt(false);
  setShort(innerHeight <= SHORT);
  const small = need.w > innerWidth || need.h > innerHeight;
  note.hidden = !small;
  note.textContent = small ? `Needs ${need.w} × ${need.h} px to show it whole: scroll.` : "";
  document.body.dataset.needs = small ? `${need.w}x${need.h}` : "";
}

/** Drawn: a box that scrolls (a frame too small for the figure) is reachable from the keyboard. */
function drawn() {
  sizeNote();
  const scrolls = box.scrollHeight > box.clientHeight || box.scrollWidth > box.clientWidth;
  if (scrolls) box.setAttribute("tabindex", "0");
  else box.removeAttribute("tabindex");
  document.body.dataset.plotted = `${VIEW}|${trace.state}`;
}

// ---- the cell: no Plotly ----

async function startCell() {
  const { drawEmbedCell } = await import("../embed/cell.js");
  const slider = $("embed-t");
  slider.max = String(trace.tokens.length - 1);
  const draw = () => {
    const t = step();
    slider.value = String(t);
    const word = trace.tokens[t].word;
    $("embed-word").textContent = `${t}: ${word}`;
    slider.setAttribute("aria-valuetext", `step ${t} of ${trace.tokens.length - 1}: ${word}`);
    const cell = drawEmbedCell(figure, { width: box.clientWidth, height: box.clientHeight }, { trace, n: layer(), t, unit: unit() });
    say("embed-summary", cell.text);
    // a frame too short for the whole cell shows it from its top (nothing above it cut off) and
    // says what size it needs (sizeNote): the reader scrolls down to the gates
    document.body.dataset.step = String(t);
    updateLink();
    drawn();
  };
  slider.addEventListener("input", () => {
    view.t = Number(slider.value);
    writeView(view);
    draw();
  });
  window.addEventListener("hashchange", () => {
    Object.assign(view, readView());
    draw();
  });
  header(trace.layers.length > 1 ? `Inside the LSTM cell, layer ${layer() + 1}` : "Inside the LSTM cell", "");
  draw();
  return draw;
}

// ---- a Plotly figure ----

async function startPlot() {
  const [{ SIDE, figureOf }, { fitToBox, splitTitle }, { describeFigure }] = await Promise.all([
    import("../embed/figure-of.js"),
    import("../embed/fit.js"),
    import("../embed/summary.js"),
  ]);
  const sides = () => ({
    baseline: side("baseline", trace),
    mc: side("mc", trace),
    mcB: b ? side("mc", b) : null,
    grads: side("grads", trace),
  });
  const scale = PRESENT ? 1.5 : 1; // classroom mode: the explorer's projector text
  setTextScale(scale);
  let plotly = false;
  const draw = () => {
    const shown = figureOf(VIEW, trace, layer(), { b, side: sides(), diffOf: view.diff });
    if (!shown.fig) {
      header(WHAT[VIEW] ?? "LSTM Dropout Lab", "");
      say("embed-message", shown.waiting ? "Loading…" : shown.empty);
      figure.hidden = true;
      if (shown.empty) drawn();
      return;
    }
    const title = splitTitle(shown.fig.layout.title?.text);
    const what = VIEW === "fig-output" ? `${WHAT[VIEW]}: ${title.what}` : title.what;
    header(what, title.detail);
    say("embed-summary", describeFigure(shown.fig, { what, detail: title.detail }));
    if (!plotly) return; // the header first; the plot once plotly.js is here
    say("embed-message", "");
    figure.hidden = false;
    const { fig, height } = fitToBox(shown.fig, { width: box.clientWidth, height: box.clientHeight }, { narrow: isNarrow(figure), scale });
    if (fig.cursor && (view.t > 0 || unit() !== null)) fig.layout.shapes = cursorShapes(fig.cursor, step(), unit());
    figure.style.height = `${height}px`;
    render("embed-figure", fig).then(drawn);
  };
  draw();
  // side data (B − A's baseline, the Monte Carlo draws, the gradients): asked for while plotly.js
  // loads, so it is usually here by the first plot; drawn when it comes
  const jobs = SIDE[VIEW] && !(VIEW === "fig-diff" && b) ? [[SIDE[VIEW], trace]] : [];
  if (VIEW === "fig-output" && b) jobs.push(["mc", b]);
  const sideLoaded = jobs.length ? loadSide(jobs) : Promise.resolve();
  try {
    await loadPlotly(PLOTLY_URL);
  } catch (err) {
    say("embed-message", `${err.message}: the figure cannot be drawn.`);
    return draw;
  }
  plotly = true;
  draw();
  window.addEventListener("hashchange", () => {
    Object.assign(view, readView());
    updateLink();
    draw();
  });
  sideLoaded.then(() => {
    draw();
    if (jobs.length) document.body.dataset.side = trace.state;
  });
  return draw;
}

/** Redraw when the frame's box changes size (a resized iframe, a scroll bar coming or going). */
function followSize(draw) {
  let last = `${box.clientWidth}x${box.clientHeight}`;
  let queued = false;
  new ResizeObserver(() => {
    const now = `${box.clientWidth}x${box.clientHeight}`;
    if (now === last || queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      last = `${box.clientWidth}x${box.clientHeight}`;
      draw();
    });
  }).observe(box);
}

async function start() {
  setShort(innerHeight <= SHORT);
  window.addEventListener("resize", () => setShort(innerHeight <= SHORT));
  compareProblems();
  updateLink();
  const draw = VIEW === "cell" ? await startCell() : await startPlot();
  followSize(draw);
}

start();
