// A run as its events made it (pure: no DOM). The page feeds every event to `apply` and draws
// from the result; `events` keeps every event but `progress` (counted instead), for tests and
// for anyone reading window.labEvents.

/** The phases of a run still under way (Train is then Stop, and the settings are locked). */
export const ACTIVE = new Set(["connecting", "busy", "running"]);

export function active(run) {
  return Boolean(run && ACTIVE.has(run.phase));
}

export function newRun(query) {
  return {
    query, // the lab query asked for
    phase: "connecting", // connecting | busy | running | done | stopped | error | dropped | problems
    start: null, // the start event: {query, configs, titles, epochs, batches}
    batches: 0, // progress events so far (one per batch of one configuration)
    rows: {}, // config -> [{epoch, train_loss, train_acc, val_loss, val_acc}], in epoch order
    done: null, // {table, sentence}
    message: "",
    events: [],
  };
}

/** Batches in the whole run: configurations x epochs x batches per epoch. */
export function total(run) {
  const s = run.start;
  return s ? s.configs.length * s.epochs * s.batches : 0;
}

export function fraction(run) {
  if (run.done) return 1;
  const n = total(run);
  return n ? Math.min(1, run.batches / n) : 0;
}

/** The epoch every configuration has finished (the curves grow together). */
export function epochsDone(run) {
  if (!run.start) return 0;
  return Math.min(...run.start.configs.map((c) => run.rows[c]?.length ?? 0));
}

export function apply(run, name, data) {
  if (name === "progress") {
    run.batches += 1;
    return run;
  }
  run.events.push([name, data]);
  if (name === "start") {
    run.start = data;
    run.phase = "running";
    run.batches = 0;
    run.rows = Object.fromEntries(data.configs.map((c) => [c, []]));
  } else if (name === "epoch") {
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
