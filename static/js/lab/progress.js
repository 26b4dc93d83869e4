// The progress bar and its line of text: epochs trained of the run's total (the `progress` events),
// and the time left, elapsed x (total - done) / done as of the last progress event, counted down
// second by second until the next one (run.js secondsLeft). Someone joining a run gets the replayed
// events first, then live ones: the same estimate. A recorded study has no progress events: it is
// replayed at once.
import { doneCount, fraction, isStudy, secondsLeft, total } from "./run.js";

const $ = (id) => document.getElementById(id);
const count = (n) => n.toLocaleString("en");

/** "about 12 s left", "about 2 min 5 s left", "starting…". */
export function leftText(run, now) {
  const left = secondsLeft(run, now);
  if (left === null) return "starting…";
  const s = Math.ceil(left);
  if (s <= 0) return "finishing…";
  return s < 120 ? `about ${s} s left` : `about ${Math.floor(s / 60)} min ${s % 60} s left`;
}

export function renderProgress(run, now = performance.now()) {
  const bar = $("progress");
  const text = $("progress-count");
  const left = $("time-left");
  bar.value = run ? fraction(run) : 0;
  let where = "Not started.";
  let when = "";
  if (run?.phase === "connecting" && run.queued) {
    const runs = run.queued.ahead === 1 ? "1 run" : `${count(run.queued.ahead)} runs`;
    where = `In the queue: ${runs} ahead, about ${count(run.queued.seconds)} s.`;
  } else if (run?.phase === "connecting") {
    where = "Connecting…";
  } else if (run?.phase === "busy") {
    where = `Busy: trying again in ${run.wait} s.`;
  } else if (run?.start && isStudy(run)) {
    where = run.done ? "Recorded study: replayed." : "Recorded study: replaying…";
  } else if (run?.start) {
    const n = total(run);
    const share = Math.round(100 * fraction(run));
    if (run.done) {
      const seconds = run.done.seconds;
      where = `Done · ${count(n)} epochs trained` + (seconds !== undefined ? ` in ${Math.round(seconds)} s` : "");
    } else {
      where = `${count(Math.min(doneCount(run), n))} of ${count(n)} epochs trained (${share}%)`;
      if (run.phase === "running") when = leftText(run, now);
    }
  }
  text.textContent = where;
  left.textContent = when;
  left.hidden = !when;
  bar.setAttribute("aria-valuetext", `${Math.round(100 * bar.value)}%${when ? `, ${when}` : ""}`);
}
