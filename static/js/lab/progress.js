// The progress bar and its line of text. The time left comes from the pace of the last seconds,
// not from the start: a run joined halfway, or replayed, arrives in a burst first.
import { epochsDone, fraction, total } from "./run.js";

const $ = (id) => document.getElementById(id);
const count = (n) => n.toLocaleString("en");
const WINDOW = 10_000; // ms of progress the pace is measured over

let samples = []; // [ms, batches] of `sampled`, oldest first
let sampled = null;

function left(run, now) {
  if (sampled !== run) [samples, sampled] = [[], run];
  if (!samples.length || now - samples.at(-1)[0] >= 250) samples.push([now, run.batches]);
  while (samples.length > 2 && now - samples[1][0] > WINDOW) samples.shift();
  const [t0, b0] = samples[0];
  const rate = (run.batches - b0) / (now - t0); // batches per ms
  if (now - t0 < 2000 || !(rate > 0)) return "";
  const rest = Math.round((total(run) - run.batches) / rate / 1000);
  return rest > 0 ? ` · about ${rest} s left` : "";
}

export function renderProgress(run, now = performance.now()) {
  const bar = $("progress");
  const text = $("progress-text");
  bar.value = run ? fraction(run) : 0;
  if (!run) {
    text.textContent = "Not started.";
  } else if (run.phase === "connecting") {
    text.textContent = "Connecting…";
  } else if (run.phase === "busy") {
    text.textContent = `Busy: trying again in ${run.wait} s.`;
  } else if (run.start) {
    const s = run.start;
    const share = Math.round(100 * fraction(run));
    const where = run.done ? "Done" : `Epoch ${Math.min(s.epochs, epochsDone(run) + 1)} of ${s.epochs}`;
    text.textContent =
      `${where} · ${count(Math.min(run.batches, total(run)))} of ${count(total(run))} batches (${share}%)` +
      (run.phase === "running" ? left(run, now) : "");
  }
  bar.setAttribute("aria-valuetext", `${Math.round(100 * bar.value)}%`);
}
