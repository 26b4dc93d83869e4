// A run as its events made it (pure: no DOM). The page feeds every event to `apply` and draws
// from the result; `events` keeps every event but `progress` (the last one is kept instead), for
// tests and for anyone reading window.labEvents.
//
// Events (app/lab/worker.py): start {query, configs, titles, seeds, epochs, total, metric,
// metric_title, study, links, study_title?, study_question?}; epoch {config, seed, epoch, ...};
// progress {done, total, elapsed} after each epoch event (none in a recorded study's replay);
// done {metric, metric_title, table, comparisons, sentence, seconds}; stopped / error {message}.

/** The phases of a run still under way (Train is then Stop, and the settings are locked). */
export const ACTIVE = new Set(["connecting", "busy", "running"]);

export function active(run) {
  return Boolean(run && ACTIVE.has(run.phase));
}

export function newRun(query) {
  return {
    query, // the lab query asked for
    phase: "connecting", // connecting | busy | running | done | stopped | error | dropped | problems
    start: null, // the start event
    progress: null, // the last progress event {done, total, elapsed}, and `at`: when it arrived (ms)
    epochs: 0, // epoch events so far
    rows: {}, // arm -> its epoch events in arrival order (each with its seed)
    done: null, // the done event
    message: "",
    events: [],
  };
}

/** Epoch events in the whole run: arms x seeds x epochs. */
export function total(run) {
  const s = run.start;
  if (!s) return 0;
  return s.total ?? s.configs.length * (s.seeds ?? 1) * s.epochs;
}

/** Epoch events so far: the last progress event's count (or the epochs seen, for a replayed study). */
export function doneCount(run) {
  return Math.max(run.progress?.done ?? 0, run.epochs);
}

export function fraction(run) {
  if (run.done) return 1;
  const n = total(run);
  return n ? Math.min(1, doneCount(run) / n) : 0;
}

/** The arms' titles: {arm: title}, from the start event (any names: a recorded study's arms). */
export function titlesOf(run, fallback = {}) {
  const s = run?.start;
  if (!s) return {};
  return Object.fromEntries(s.configs.map((c, i) => [c, s.titles?.[i] ?? fallback[c] ?? c]));
}

/** Seconds left at `now` (ms, performance.now()): the last progress event's `left` (the worker's
 * estimate from each configuration's pace and the schedule of the trainings still to come; else
 * elapsed x (total - done) / done), counted down since it arrived. null before the first one. */
export function secondsLeft(run, now) {
  const p = run?.progress;
  if (!p || !(p.done > 0)) return null;
  const estimate = p.left ?? (p.elapsed * (p.total - p.done)) / p.done;
  return Math.max(0, estimate - (now - p.at) / 1000);
}

export function apply(run, name, data, now = 0) {
  if (name === "progress") {
    run.progress = { ...data, at: now };
    return run;
  }
  if (name === "queued") {
    run.queued = data; // {ahead, seconds}: waiting for a lab worker (with Redis), before its start
    return run;
  }
  run.events.push([name, data]);
  if (name === "start") {
    run.start = data;
    run.phase = "running";
    run.progress = null;
    run.epochs = 0;
    run.rows = Object.fromEntries(data.configs.map((c) => [c, []]));
  } else if (name === "epoch") {
    run.epochs += 1;
    (run.rows[data.config] ??= []).push(data);
  } else if (name === "done") {
    run.done = data;
    run.phase = "done";
  } else if (name === "stopped" || name === "error") {
    run.phase = name;
    run.message = data.message ?? "";
  }
  return run;
}

/** A recorded study replayed from the package (no progress events: it is done at once). */
export function isStudy(run) {
  return Boolean(run?.start?.study);
}
