// The training lab: controls -> canonical link -> /api/train (server-sent events) -> progress,
// live curves, the table and the sentence. Test hooks: window.labEvents (every event of the
// current run but `progress`), body[data-run] (idle, connecting, busy, running, done, stopped,
// error, dropped, problems), body[data-progress] (batches done) and body[data-stream] (open, closed:
// the request to /api/train is over).
import { LINK_PROBLEMS, PLOTLY_URL } from "../constants.js";
import { loadPlotly, render } from "../plot.js";
import { modelCode, modelNote, presetTitle } from "../lab/configs.js";
import { CONFIG_TITLES, LINKED } from "../lab/constants.js";
import { curvesFigure } from "../lab/curves.js";
import { bindForm, checkValues, describeConfigs, focusProblem, formValues, lockForm, showProblems } from "../lab/form.js";
import { labQuery, showLink, stateValues } from "../lab/link.js";
import { renderProgress } from "../lab/progress.js";
import { ACTIVE, active, apply, fraction, newRun } from "../lab/run.js";
import { openRun } from "../lab/stream.js";
import { clearTable, renderTable } from "../lab/table.js";
import { bindTeaching, emphasised } from "../lab/teaching.js";
import { bindView, view } from "../lab/view.js";

const $ = (id) => document.getElementById(id);
const model = stateValues(LINKED.state);
const INTRO = document.getElementById("answer").textContent.trim().replace(/\s+/g, " ");
const AGAIN = "Press Train to try again: a run still training is joined, a finished one replayed.";

let query = LINKED.query; // the controls' canonical query (the last valid one)
let run = null; // the current run (lab/run.js)
let stream = null;
let quarter = 0; // progress announced in the status, by quarters
let plotly = false;
window.labEvents = [];

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
  $("train").textContent = busy ? "Stop" : "Train";
  $("train").classList.toggle("stop", busy);
  lockForm(busy);
}

// -- drawing: at most once a frame (a replayed run arrives all at once); the curves only when
// they changed (an epoch, the view, the text size), never for a batch's progress --
let frame = 0;
let figure = 0; // bumped by whatever changes the curves
let drawnFigure = -1;
function draw(curves = false) {
  if (curves) figure += 1;
  if (!frame) frame = requestAnimationFrame(paint);
}

function paint() {
  frame = 0;
  renderProgress(run);
  document.body.dataset.progress = String(run?.batches ?? 0);
  if (!plotly || drawnFigure === figure) return;
  drawnFigure = figure;
  render("fig-curves", curvesFigure(run, view.view, CONFIG_TITLES, emphasised()));
  document.body.dataset.drawn = run ? `${run.query}|${run.events.length}` : "";
}

function setAnswer(text, note = "", state = "") {
  $("answer").textContent = text;
  $("answer-note").textContent = note;
  $("answer-box").dataset.state = state;
}

function runSummary(start, values) {
  const n = start.configs.length;
  return (
    `${n} configuration${n > 1 ? "s" : ""} × ${start.epochs} epochs on ${Number(values.train_size).toLocaleString("en")} ` +
    `training sentences (${Math.round(100 * values.label_noise)}% of their labels flipped), validated on clean ` +
    `sentences; ${values.optimizer} at ${Number(values.lr)}, batch ${Number(values.batch)}, data seed ${Number(values.data_seed)}.`
  );
}

/** Results on screen that another link made: say so. */
function markStale() {
  const stale = Boolean(run && run.query !== query && !active(run));
  document.querySelector(".results").classList.toggle("stale", stale);
  $("stale-note").hidden = !stale;
}

// -- one run's events --
function onEvent(name, data) {
  apply(run, name, data);
  if (name === "progress") {
    const q = Math.floor(4 * fraction(run));
    if (q > quarter && q < 4) {
      quarter = q;
      setStatus(`${25 * q}% trained.`);
    }
  } else if (name === "start") {
    quarter = 0;
    if (data.query !== query) {
      query = data.query; // the server's canonical form wins
      run.query = query;
      showLink(query);
    }
    setPhase("running");
    const n = data.configs.length;
    setStatus(`Training ${n > 1 ? `${n} configurations side by side` : "1 configuration"}, ${data.epochs} epochs each.`);
    setAnswer(`Training… the answer comes when every configuration has finished its ${data.epochs} epochs.`, "", "running");
  } else if (name === "done") {
    setPhase("done");
    renderTable($("results-body"), data.table);
    setAnswer(data.sentence, runSummary(run.start, run.values), "done");
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
  const problems = checkValues(values);
  showProblems(problems);
  if (problems.length) {
    focusProblem(problems);
    setStatus("Fix the settings marked in the form first.");
    return;
  }
  query = labQuery(LINKED.state, values);
  showLink(query);
  stream?.close();
  run = newRun(query);
  run.values = values;
  window.labEvents = run.events;
  setPhase("connecting");
  markStale();
  clearTable($("results-body"), "Training: the table comes at the end of the run.");
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
      : "Stopped. The server ends the run unless someone else is watching it. Press Train to start again.",
  );
  setAnswer("Stopped before the end: no answer yet. Press Train to train again.");
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
  clearTable($("results-body"), "Press Train: one row per configuration comes here.");
  setPhase("idle");
  bindTeaching(() => draw(true));
  paint();
  if (view.run) start();
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
