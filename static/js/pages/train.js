// The training lab: controls -> canonical link -> /api/train (server-sent events) -> progress and
// the time left, live curves (the mean over seeds, each seed faint), then the server's sentence,
// the comparisons with their 95% intervals and the table. ?study=NAME replays a recorded study
// (the form hidden, the study named). Test hooks: window.labEvents (every event of the current
// run but `progress`), window.labProgress (the last progress event), body[data-run] (idle,
// connecting, busy, running, done, stopped, error, dropped, problems), body[data-progress] (epoch
// trainings done), body[data-stream] (open, closed: the request to /api/train is over) and
// body[data-compared] (the comparisons drawn: the run's query and their count).
import { LINK_PROBLEMS, PLOTLY_URL, PRESENT } from "../constants.js";
import { fitted } from "../figures/common.js";
import { loadPlotly, render } from "../plot.js";
import { modelCode, modelNote, presetTitle } from "../lab/configs.js";
import { differencesFigure, renderComparisons } from "../lab/comparisons.js";
import { CONFIG_TITLES, LINKED } from "../lab/constants.js";
import { curvesFigure } from "../lab/curves.js";
import { bindForm, checkValues, describeConfigs, focusProblem, formValues, lockForm, showProblems } from "../lab/form.js";
import { labQuery, showLink, stateValues } from "../lab/link.js";
import { renderProgress } from "../lab/progress.js";
import { ACTIVE, active, apply, doneCount, fraction, isStudy, newRun, titlesOf } from "../lab/run.js";
import { openRun } from "../lab/stream.js";
import { clearTable, renderTable, setMetricTitle } from "../lab/table.js";
import { bindTeaching, emphasised } from "../lab/teaching.js";
import { bindView, view } from "../lab/view.js";

const $ = (id) => document.getElementById(id);
const model = stateValues(LINKED.state);
const INTRO = document.getElementById("answer").textContent.trim().replace(/\s+/g, " ");
const STUDY = LINKED.study ?? ""; // a recorded study replayed (?study=NAME), or ""
const TRAIN = STUDY ? "Replay" : "Train";
const AGAIN = STUDY
  ? "Press Replay to try again."
  : "Press Train to try again: a run still training is joined, a finished one replayed.";

let query = LINKED.query; // the controls' canonical query (the last valid one)
let run = null; // the current run (lab/run.js)
let stream = null;
let quarter = 0; // progress announced in the status, by quarters
let plotly = false;
let ticker = 0; // the time left, counted down once a second between progress events
window.labEvents = [];
window.labProgress = null;

/** The status line (aria-live); `spoken` is read out but not shown (it is on the page already). */
function setStatus(text, spoken = "") {
  const quiet = document.createElement("span");
  quiet.className = "visually-hidden";
  quiet.textContent = spoken ? ` ${spoken}` : "";
  $("status").replaceChildren(text, quiet);
}

function setPhase(phase) {
  if (run) run.phase = phase;
  document.body.dataset.run = phase;
  const busy = ACTIVE.has(phase);
  $("train").textContent = busy ? "Stop" : TRAIN;
  $("train").classList.toggle("stop", busy);
  lockForm(busy);
  clearInterval(ticker);
  if (phase === "running") ticker = setInterval(() => renderProgress(run), 1000);
}

// -- drawing: at most once a frame (a replayed run arrives all at once); the curves only when
// they changed (an epoch, the view, the text size), and while a run streams at most every
// CURVES_EVERY ms: each redraw of up to 22 curves costs the cores the training runs on --
const CURVES_EVERY = 500;
let frame = 0;
let later = 0; // the timer of a redraw held back while a run streams
let curvesAt = -Infinity;
let figure = 0; // bumped by whatever changes the curves
let drawnFigure = -1;
function draw(curves = false) {
  if (curves) figure += 1;
  if (!frame) frame = requestAnimationFrame(paint);
}

function paint() {
  frame = 0;
  renderProgress(run);
  document.body.dataset.progress = String(run ? doneCount(run) : 0);
  if (!plotly || drawnFigure === figure) return;
  const wait = run && !run.done ? curvesAt + CURVES_EVERY - performance.now() : 0;
  if (wait > 0) {
    if (!later) later = setTimeout(() => ((later = 0), draw()), wait);
    return;
  }
  curvesAt = performance.now();
  drawnFigure = figure;
  const titles = run?.start ? titlesOf(run, CONFIG_TITLES) : CONFIG_TITLES;
  render("fig-curves", curvesFigure(run, view.view, titles, emphasised()));
  paintDifferences(titles);
  document.body.dataset.drawn = run ? `${run.query}|${run.events.length}` : "";
}

/** The comparisons of a finished run in words (no Plotly needed), or none: the section hidden. */
function showComparisons() {
  const comparisons = run?.done?.comparisons ?? [];
  $("lab-comparisons").hidden = !comparisons.length;
  renderComparisons($("comparison-list"), comparisons, titlesOf(run, CONFIG_TITLES));
}

/** The chart of the comparisons, once Plotly is there (drawn with the curves). */
function paintDifferences(titles) {
  const comparisons = run?.done?.comparisons ?? [];
  if (!comparisons.length) {
    document.body.dataset.compared = "";
    return;
  }
  const box = $("fig-differences");
  const scale = view.big || PRESENT ? 1.5 : 1;
  const fig = differencesFigure(comparisons, titles, { width: box.clientWidth, scale });
  // not plot.js's narrow layout (upright ticks, a toolbar band): a small chart of few rows, no toolbar
  const layout = fitted(fig.layout, { scale });
  window.Plotly.react(box, fig.data, layout, { responsive: true, displayModeBar: false });
  document.body.dataset.compared = `${run.query}|${comparisons.length}`;
}

function setAnswer(text, note = "", state = "") {
  $("answer").textContent = text;
  $("answer").classList.toggle("long", text.length > 360); // several comparisons: plain weight, easier to read
  $("answer-note").textContent = note;
  $("answer-box").dataset.state = state;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function runSummary(start, values) {
  const n = start.configs.length;
  return (
    `${plural(n, "configuration")} × ${plural(start.seeds ?? 1, "seed")} × ${plural(start.epochs, "epoch")} on ` +
    `${Number(values.train_size).toLocaleString("en")} training sentences (${Math.round(100 * values.label_noise)}% of ` +
    `their labels flipped), validated on clean sentences; ${values.optimizer} at ${Number(values.lr)}, batch ` +
    `${Number(values.batch)}, data seed ${Number(values.data_seed)}.`
  );
}

/** What the start event says of a recorded study: its title and question. */
function showStudy(start) {
  if (!$("study-box")) return;
  if (start.study_title) $("study-title").textContent = start.study_title;
  $("study-question").textContent = start.study_question ?? "";
  $("study-question").hidden = !start.study_question;
  if (start.study) $("study-command").textContent = `dropout-lab study ${start.study}`;
}

/** Results on screen that another link made: say so. */
function markStale() {
  const stale = Boolean(run && run.query !== query && !active(run));
  document.querySelector(".results").classList.toggle("stale", stale);
  $("stale-note").hidden = !stale;
}

// -- one run's events --
function onEvent(name, data) {
  apply(run, name, data, performance.now());
  if (name === "progress") {
    window.labProgress = data;
    const q = Math.floor(4 * fraction(run));
    if (q > quarter && q < 4) {
      quarter = q;
      setStatus(`${25 * q}% trained.`);
    }
  } else if (name === "queued") {
    const runs = data.ahead === 1 ? "1 run" : `${data.ahead} runs`;
    setStatus(`Waiting for a lab worker: ${runs} ahead of this one, about ${data.seconds} s. It starts by itself.`);
    setAnswer("Waiting in the lab's queue…", "", "running");
  } else if (name === "start") {
    quarter = 0;
    if (!STUDY && data.query !== query) {
      // the server's canonical form wins (not a recorded study's: its link is ?study=NAME)
      query = data.query;
      run.query = query;
      showLink(query);
    }
    setPhase("running");
    const n = data.configs.length;
    const seeds = data.seeds ?? 1;
    if (data.study) {
      showStudy(data);
      setStatus(`Replaying the recorded study: ${plural(n, "configuration")} × ${plural(seeds, "seed")}.`);
      setAnswer("Replaying the recorded study…", "", "running");
    } else {
      const what = n > 1 ? `${n} configurations side by side` : "1 configuration";
      setStatus(`Training ${what}, ${plural(seeds, "seed")} × ${plural(data.epochs, "epoch")} each.`);
      const wait = `Training… the answer comes when every configuration has finished its ${plural(seeds, "seed")}.`;
      setAnswer(wait, "", "running");
    }
  } else if (name === "done") {
    setPhase("done");
    setMetricTitle($("results-table"), data.metric_title);
    renderTable($("results-body"), data.table);
    showComparisons();
    const s = run.start;
    const study = isStudy(run);
    const size = `${plural(s.configs.length, "configuration")} × ${plural(s.seeds ?? 1, "seed")} × ${plural(s.epochs, "epoch")}`;
    const recorded = `Replayed from the recorded study${s.study_title ? ` “${s.study_title}”` : ""}: ${size}.`;
    setAnswer(data.sentence, study ? recorded : runSummary(s, run.values), "done");
    const seconds = `${study ? "Recorded" : "Trained"} in ${Math.round(data.seconds)} s.`; // the run's wall time
    $("run-seconds").textContent = data.seconds === undefined ? "" : seconds;
    setStatus("", `Done. ${data.sentence}`);
  } else if (name === "error" || name === "stopped") {
    setPhase(name);
    const what = name === "error" ? `The training failed: ${data.message}` : `The run was stopped on the server${data.message ? `: ${data.message}` : ""}.`;
    setStatus(`${what} ${AGAIN}`);
    setAnswer(what, "", "error");
  }
  draw(name !== "progress");
}

const handlers = {
  event: onEvent,
  busy(seconds) {
    run.wait = seconds;
    setPhase("busy");
    setStatus(`The lab is busy: every worker is training another run. It tries again by itself in ${seconds} s (Stop cancels).`);
    setAnswer("Waiting for a free worker…", "", "running");
    draw();
  },
  waiting(left) {
    run.wait = left;
    draw();
  },
  problems(problems) {
    setPhase("problems");
    const rest = showProblems(problems);
    focusProblem(problems);
    const where = rest.length ? ` ${rest.map((p) => p.message).join(" ")}` : "";
    setStatus(`The server did not accept these settings: see the message beside each control.${where}`);
    setAnswer(INTRO);
    draw();
  },
  dropped(message) {
    setPhase("dropped");
    setStatus(`${message} ${AGAIN}`);
    setAnswer(`${message} The curves so far stay below.`, "", "error");
    draw();
  },
};

function start() {
  const values = formValues();
  if (STUDY) {
    query = LINKED.query; // a recorded study: the link as the server read it (the form is hidden)
  } else {
    const problems = checkValues(values);
    showProblems(problems);
    if (problems.length) {
      focusProblem(problems);
      setStatus("Fix the settings marked in the form first.");
      return;
    }
    query = labQuery(LINKED.state, values);
  }
  showLink(query);
  stream?.close();
  run = newRun(query);
  run.values = values;
  window.labEvents = run.events;
  setPhase("connecting");
  markStale();
  clearTable($("results-body"), "Training: the table comes at the end of the run.");
  $("run-seconds").textContent = "";
  showComparisons(); // none yet: hidden
  setAnswer("Training… the answer comes when every configuration has finished.", "", "running");
  setStatus("Connecting to the lab…");
  document.body.dataset.stream = "open";
  const opened = openRun(query, {
    ...handlers,
    closed: () => stream === opened && (document.body.dataset.stream = "closed"),
  });
  stream = opened;
  draw(true);
  const box = document.querySelector(".run").getBoundingClientRect(); // the progress in sight (a phone, #run=1)
  if (box.top < 0 || box.top > innerHeight - 120) document.querySelector(".run").scrollIntoView({ block: "start" });
}

function stop() {
  const waiting = run?.phase === "busy";
  stream?.close();
  stream = null;
  setPhase("stopped");
  setStatus(
    waiting
      ? "Stopped waiting for a free worker. Press Train to try again."
      : `Stopped. The server ends the run unless someone else is watching it. Press ${TRAIN} to start again.`,
  );
  setAnswer(`Stopped before the end: no answer yet. Press ${TRAIN} to start again.`);
  draw();
}

function onEdit() {
  const values = formValues();
  const problems = checkValues(values);
  showProblems(problems);
  if (problems.length) return;
  query = labQuery(LINKED.state, values);
  showLink(query);
  markStale();
}

function bindTrain() {
  $("train").addEventListener("click", (event) => {
    if (!active(run)) return; // Train: the form's submit (Enter in a field does the same)
    event.preventDefault();
    stop();
  });
}

function init() {
  $("model-preset").textContent = presetTitle(model);
  $("model-code").textContent = modelCode(model);
  $("model-note").textContent = modelNote(model);
  describeConfigs(model);
  if (!LINK_PROBLEMS.length) showLink(LINKED.query);
  bindForm(onEdit, start);
  bindTrain();
  bindView(() => draw(true), setStatus);
  const empty = STUDY ? "The recorded study's table comes here." : "Press Train: one row per configuration comes here.";
  clearTable($("results-body"), empty);
  setPhase("idle");
  bindTeaching(() => draw(true));
  paint();
  if (view.run || STUDY) start(); // a recorded study is replayed at once
  requestAnimationFrame(() =>
    setTimeout(async () => {
      try {
        await loadPlotly(PLOTLY_URL);
      } catch (err) {
        setStatus(`${err.message}: the curves cannot be drawn; the progress and the table still work.`);
        return;
      }
      plotly = true;
      document.body.dataset.plotly = "ready";
      paint();
    }, 0),
  );
}

init();
