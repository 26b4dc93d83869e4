// The explorer: controls -> state -> /api/trace -> figures. The first paint uses the trace the
// server embedded in the page; later changes fetch only what changed and redraw only the
// figures whose data changed.
import { getJSON } from "../api.js";
import { drawCell } from "../cell.js";
import { decode, row } from "../decode.js";
import { renderPlan } from "../explain.js";
import { stepLabels } from "../figures/common.js";
import { diffFigure, stateFigure, unitFigure } from "../figures/gates.js";
import { embeddingMaskFigure, extraMaskFigure, gateMaskFigure, weightMaskFigure } from "../figures/masks.js";
import { outputFigure } from "../figures/output.js";
import { clear, render } from "../plot.js";
import {
  CUSTOM_CHOICES,
  FIELDS,
  LINK_PROBLEMS,
  PLOTLY_URL,
  PRESETS,
  RATE_FIELDS,
  TRAINED_SHAPE,
  readView,
  showState,
  toQuery,
  withoutDropout,
  writeView,
} from "../state.js";

const $ = (id) => document.getElementById(id);
const STATE_KEYS = new Set(FIELDS.map((f) => f.name));
const MC_WORK = 20000; // the server's bound on samples x layers x steps

let trace = JSON.parse($("initial-trace").textContent);
let view = readView();
let tokensMode = trace.config.tokens !== null;
let lastQuery = null;
let request = 0;
let inflight = null;
let unit = null;
let codeTab = "keras3";
const side = { baseline: null, baselineKey: null, mc: null, mcKey: null, code: null, codeKey: null };
const drawn = new Map();
const pending = new Map(); // figure id -> [signature, build, onClick], drawn when seen or idle
const visible = new Set();
let flushing = false;
let timer = null;
let sideTimer = null;
let plotlyReady = false;

function stateValues(config) {
  const values = {};
  for (const [k, v] of Object.entries(config)) if (STATE_KEYS.has(k)) values[k] = v;
  if (values.tokens) values.tokens = values.tokens.join(",");
  return values;
}

function controlValues() {
  const values = stateValues(trace.config);
  for (const f of FIELDS) {
    const input = $(f.name);
    if (!input || f.name === "text") continue;
    if (input.disabled) {
      if (f.kind === "rate") values[f.name] = 0;
      else delete values[f.name];
      continue;
    }
    values[f.name] = input.value;
  }
  if (tokensMode) {
    delete values.text;
  } else {
    delete values.tokens;
    values.text = $("text").value;
  }
  return values;
}

function layerData(tr, n) {
  const layer = tr.layers[n];
  const d = { x: decode(layer.x), c: decode(layer.c), h: decode(layer.h), masks: {} };
  for (const g of ["i", "f", "g", "o"]) d[g] = decode(layer.gates[g]);
  for (const [name, spec] of Object.entries(layer.masks)) if (typeof spec === "object") d.masks[name] = decode(spec);
  return d;
}

/** Draw a figure unless it already shows exactly this (same signature). A figure out of
 * sight is drawn when it comes into view or when the browser is idle, whichever is first:
 * a change of control costs only the figures a student is looking at. */
function draw(id, signature, build, onClick) {
  if (!plotlyReady || drawn.get(id) === signature) {
    pending.delete(id);
    return;
  }
  if (!visible.has(id)) {
    pending.set(id, [signature, build, onClick]);
    flushSoon();
    return;
  }
  pending.delete(id);
  drawNow(id, signature, build, onClick);
}

function drawNow(id, signature, build, onClick) {
  const fig = build();
  const box = $(id);
  if (!fig) {
    clear(id);
    box.hidden = true;
  } else {
    box.hidden = false;
    render(id, fig, onClick);
  }
  drawn.set(id, signature);
}

function currentLayer() {
  return Math.min(view.layer, trace.layers.length - 1);
}

function renderAll() {
  renderPanels();
  renderFigures();
}

/** What needs no Plotly: the plan in words, the model strip, the cell diagram. */
function renderPanels() {
  renderPlan($("plan"), trace.plan);
  updateStrip();
  updateScrubber();
  updateCell();
  document.body.dataset.state = trace.state;
}

function renderFigures() {
  const labels = stepLabels(trace.tokens);
  const lkey = `${trace.tokens.length}|${labels.join("\u0001")}`;
  const n = currentLayer();
  const layer = trace.layers[n];
  const d = layerData(trace, n);
  const emb = decode(trace.embedding.mask);
  const planKey = JSON.stringify(trace.plan.masks);

  draw("fig-embedding-mask", `${trace.embedding.mask.bdata}|${lkey}|${planKey}`, () =>
    embeddingMaskFigure(emb, trace.embedding.mask_scale, labels, trace.plan),
  );
  draw("fig-input-mask", `${n}|${layer.masks.input.bdata}|${layer.masks.input_scale}|${lkey}`, () =>
    gateMaskFigure(d.masks.input, layer.masks.input_scale, labels, `Mask on x(t) into the gates, layer ${n}`),
  );
  draw("fig-recurrent-mask", `${n}|${layer.masks.recurrent.bdata}|${layer.masks.recurrent_scale}|${lkey}`, () =>
    gateMaskFigure(d.masks.recurrent, layer.masks.recurrent_scale, labels, `Mask on h(t-1) into the gates, layer ${n}`),
  );
  const extras = ["candidate", "zoneout_c", "zoneout_h", "between"].map((k) => layer.masks[k]?.bdata ?? "").join("|");
  draw("fig-extra-mask", `${n}|${extras}|${lkey}`, () => extraMaskFigure(d.masks, labels));
  draw("fig-weight-mask", `${n}|${layer.masks.weight_drop?.bdata ?? ""}`, () =>
    weightMaskFigure(d.masks.weight_drop, layer.masks.weight_drop_scale),
  );
  for (const g of ["i", "f", "g", "o"]) {
    draw(`fig-gate-${g}`, `${n}|${layer.gates[g].bdata}|${lkey}`, () => stateFigure(g, d[g], labels), pickUnit);
  }
  draw("fig-c", `${n}|${layer.c.bdata}|${lkey}`, () => stateFigure("c", d.c, labels), pickUnit);
  draw("fig-h", `${n}|${layer.h.bdata}|${lkey}`, () => stateFigure("h", d.h, labels), pickUnit);
  renderUnit();
  renderDiff();
  renderOutput();
  flushSoon();
}

/** Draw the figures out of sight one by one when the browser is idle; when none is left, the
 * page says which state every figure shows (data-plotted, for tests and benchmarks). */
function flushSoon() {
  if (!plotlyReady) return;
  if (!pending.size) {
    document.body.dataset.plotted = trace.state;
    performance.mark("lab-plotted-all");
    return;
  }
  if (flushing) return;
  flushing = true;
  const idle = window.requestIdleCallback ?? ((fn) => setTimeout(fn, 16));
  idle(
    () => {
      flushing = false;
      const [id, args] = pending.entries().next().value;
      pending.delete(id);
      drawNow(id, ...args);
      flushSoon();
    },
    { timeout: 200 },
  );
}

function watchVisibility() {
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const id = entry.target.id;
        if (entry.isIntersecting) {
          visible.add(id);
          const args = pending.get(id);
          if (args && plotlyReady) {
            pending.delete(id);
            drawNow(id, ...args);
            flushSoon();
          }
        } else visible.delete(id);
      }
    },
    { rootMargin: "150px" },
  );
  for (const fig of document.querySelectorAll(".fig")) observer.observe(fig);
}

function updateStrip() {
  const c = trace.config;
  const masks = trace.plan.masks;
  const infer = c.phase === "infer";
  const when = (on, text) => (infer && on ? `${text}, off at inference` : text);
  $("strip-emb-rate").textContent = c.emb_dropout ? when(true, `${c.emb_dropout} (${c.emb_mode})`) : "off";
  $("strip-emb-drop").classList.toggle("off", !masks.embedding.active);
  const between = masks.between;
  const dropoutText =
    c.preset === "pytorch"
      ? `${c.dropout} (between layers${between && !between.active && c.layers === 1 ? ": does nothing with one layer" : ""})`
      : `${c.dropout}`;
  $("strip-dropout-rate").textContent = when(c.dropout > 0, dropoutText);
  $("strip-dropout").classList.toggle("off", !(masks.input.active || between?.active));
  $("strip-recurrent-rate").textContent = when(c.recurrent_dropout > 0, `${c.recurrent_dropout}`);
  $("strip-recurrent").classList.toggle("off", !masks.recurrent.active);
  $("strip-out-rate").textContent = c.out_dropout ? when(true, `${c.out_dropout}`) : "off";
  $("strip-out-drop").classList.toggle("off", !masks.output.active);
  $("strip-units").textContent = `(${c.units}${c.layers > 1 ? ` × ${c.layers}` : ""})`;
  $("strip-embedding").textContent = `(${c.vocab} → ${c.emb})`;
  $("strip-probability").textContent = trace.output.probability.toFixed(4);
}

function updateScrubber() {
  const steps = trace.tokens.length;
  const slider = $("timestep");
  slider.max = String(steps - 1);
  view.t = Math.min(view.t, steps - 1);
  slider.value = String(view.t);
  const select = $("layer-shown");
  if (select.options.length !== trace.layers.length) {
    select.replaceChildren(
      ...trace.layers.map((_, n) => {
        const opt = document.createElement("option");
        opt.value = String(n);
        opt.textContent = `${n + 1} of ${trace.layers.length}`;
        return opt;
      }),
    );
  }
  select.value = String(currentLayer());
  select.disabled = trace.layers.length === 1;
}

function updateCell() {
  const n = currentLayer();
  const d = layerData(trace, n);
  const t = view.t;
  const word = trace.tokens[t].word;
  $("timestep-word").textContent = `${t}: ${word}`;
  const embKeep = n === 0 ? row(decode(trace.embedding.mask), t) : null;
  const last = n === trace.layers.length - 1 && t === trace.tokens.length - 1;
  const outKeep = last && trace.plan.masks.output.active ? decode(trace.output.mask).data : null;
  drawCell($("cell"), { t, word, layer: d, embKeep, outKeep });
}

function pickUnit(point) {
  unit = typeof point.y === "number" ? point.y : Number(point.pointIndex?.[0] ?? 0);
  const t = Array.isArray(point.pointIndex) ? point.pointIndex[1] : null;
  if (t !== null && t !== undefined) {
    view.t = t;
    writeView(view);
    updateScrubber();
    updateCell();
  }
  renderUnit();
}

function renderUnit() {
  if (unit === null) return draw("fig-unit", "none", () => null);
  const n = currentLayer();
  const u = Math.min(unit, trace.config.units - 1);
  const base = side.baseline && side.baselineKey === baselineQuery() ? layerData(side.baseline, n) : null;
  draw("fig-unit", `${trace.state}|${n}|${u}|${base ? side.baselineKey : ""}`, () =>
    unitFigure(layerData(trace, n), u, stepLabels(trace.tokens), base),
  );
}

function baselineQuery() {
  return toQuery(withoutDropout(stateValues(trace.config)));
}

function renderDiff() {
  if (!side.baseline || side.baselineKey !== baselineQuery()) return;
  const n = currentLayer();
  const name = $("diff-of").value;
  const a = layerData(trace, n)[name];
  const b = layerData(side.baseline, n)[name];
  draw("fig-diff", `${trace.state}|${n}|${name}`, () => diffFigure(name, a, b, stepLabels(trace.tokens)));
}

function mcSamples() {
  return Math.max(1, Math.min(30, Math.floor(MC_WORK / (trace.layers.length * trace.tokens.length))));
}

function renderOutput() {
  const key = `${trace.state}&samples=${mcSamples()}`;
  const mc = side.mc && side.mcKey === key ? side.mc : null;
  draw("fig-output", `${trace.state}|${mc ? key : ""}`, () => outputFigure(trace.output.probability, mc));
}

function renderCode() {
  if (!side.code) return;
  const fidelity = side.code.fidelity[codeTab];
  const verdict = $("code-fidelity");
  verdict.textContent = fidelity.exact
    ? `Exact with the framework's own layers: ${fidelity.how}.`
    : `The built-in layers cannot do this; the code defines ${fidelity.custom.join(" and ")}: ${fidelity.how}.`;
  verdict.classList.toggle("custom", !fidelity.exact);
  $("code").textContent = side.code[codeTab];
  $("code-notes").replaceChildren(
    ...side.code.notes.map((n) => {
      const li = document.createElement("li");
      li.textContent = n;
      return li;
    }),
  );
}

async function loadSide() {
  const state = trace.state;
  const base = baselineQuery();
  const mcKey = `${state}&samples=${mcSamples()}`;
  const jobs = [];
  if (side.baselineKey !== base) {
    jobs.push(
      getJSON(`/api/trace?${base}`).then((r) => {
        if (r.ok) Object.assign(side, { baseline: r.body, baselineKey: base });
      }),
    );
  }
  if (side.mcKey !== mcKey) {
    jobs.push(
      getJSON(`/api/mc?${mcKey}`).then((r) => {
        if (r.ok) Object.assign(side, { mc: r.body, mcKey });
      }),
    );
  }
  if (side.codeKey !== state) {
    jobs.push(
      getJSON(`/api/code?${state}`).then((r) => {
        if (r.ok) Object.assign(side, { code: r.body, codeKey: state });
      }),
    );
  }
  await Promise.allSettled(jobs);
  if (trace.state !== state) return;
  renderDiff();
  renderUnit();
  renderOutput();
  renderCode();
  flushSoon();
  document.body.dataset.side = state;
}

function scheduleSide() {
  clearTimeout(sideTimer);
  sideTimer = setTimeout(loadSide, 150);
}

function setStatus(text) {
  $("status").textContent = text;
}

function showProblems(problems) {
  clearProblems();
  const loose = [];
  for (const p of problems) {
    const box = $(`${p.field}-error`);
    if (box) {
      box.textContent = p.message;
      box.hidden = false;
    } else loose.push(p.message);
  }
  setStatus(loose.length ? loose.join(" ") : "This state has a problem: see the message beside its control.");
}

function clearProblems() {
  for (const box of document.querySelectorAll(".field-error")) {
    box.hidden = true;
    box.textContent = "";
  }
  setStatus("");
}

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
    trace = res.body;
    showState(trace.state);
    renderAll();
    performance.mark("lab-redrawn");
    performance.measure("lab-redraw", "lab-change", "lab-redrawn");
    scheduleSide();
  } catch (err) {
    if (err.name !== "AbortError") setStatus(`Could not reach the server (${err.message}); the last picture stays.`);
  } finally {
    if (mine === request) document.body.dataset.busy = "false";
  }
}

function schedule(delay = 0) {
  clearTimeout(timer);
  timer = setTimeout(update, delay);
}

function setEnabled(name, on, why) {
  const input = $(name);
  input.disabled = !on;
  const field = input.closest(".field");
  let note = field.querySelector(".why");
  if (!note) {
    note = document.createElement("p");
    note.className = "hint why";
    field.appendChild(note);
  }
  note.textContent = on ? "" : why;
  note.hidden = on;
}

function applyPresetRules() {
  const preset = PRESETS[$("preset").value];
  for (const name of RATE_FIELDS) {
    if (name === "emb_dropout" || name === "out_dropout") continue; // layers of the model, any preset
    setEnabled(name, preset.knobs.includes(name), `Not part of ${preset.title}.`);
  }
  for (const name of CUSTOM_CHOICES) {
    setEnabled(name, preset.name === "custom", "Only with Custom: a framework decides this itself.");
  }
  const trained = $("weights").value === "trained";
  setEnabled("units", !trained, `The trained weights have ${TRAINED_SHAPE.units} units: choose random weights to change it.`);
  setEnabled("init_seed", !trained, "Only random weights have a seed; the trained ones are fixed.");
}

function bindControls() {
  const form = $("controls");
  form.addEventListener("submit", (e) => e.preventDefault());
  for (const f of FIELDS) {
    const input = $(f.name);
    if (!input) continue;
    if (f.kind === "rate") {
      input.addEventListener("input", () => {
        $(`${f.name}-value`).textContent = input.value;
        schedule(60);
      });
      input.addEventListener("change", () => schedule(0));
    } else if (f.name === "text") {
      input.addEventListener("input", () => {
        tokensMode = false;
        $("tokens-hint")?.remove();
        schedule(350);
      });
      input.addEventListener("change", () => schedule(0));
    } else {
      input.addEventListener("change", () => {
        if (f.name === "preset" || f.name === "weights") applyPresetRules();
        schedule(0);
      });
      if (input.type === "number") input.addEventListener("input", () => schedule(400));
    }
  }
  $("resample").addEventListener("click", () => {
    $("seed").value = String((Number($("seed").value) + 1) % 4294967296);
    schedule(0);
  });
  $("timestep").addEventListener("input", () => {
    view.t = Number($("timestep").value);
    writeView(view);
    updateCell();
  });
  $("layer-shown").addEventListener("change", () => {
    view.layer = Number($("layer-shown").value);
    writeView(view);
    renderAll();
  });
  $("diff-of").addEventListener("change", renderDiff);
  const bigText = (on) => {
    document.documentElement.classList.toggle("present", on);
    $("larger-text").setAttribute("aria-pressed", String(on));
  };
  bigText(view.big);
  $("larger-text").addEventListener("click", () => {
    view.big = !view.big;
    bigText(view.big);
    writeView(view);
  });
  for (const button of document.querySelectorAll("[data-focus]")) {
    button.addEventListener("click", () => {
      const target = $(button.dataset.focus);
      $(button.dataset.scroll)?.scrollIntoView({ behavior: "smooth", block: "center" });
      if (target.closest("details")) target.closest("details").open = true;
      target.focus();
    });
  }
  $("copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setStatus("Link copied: it reopens exactly these masks and numbers.");
    } catch {
      setStatus(`Copy this link: ${location.href}`);
    }
  });
  $("download-trace").addEventListener("click", async () => {
    const res = await fetch(`/api/trace?${trace.state}`);
    const blob = await res.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "lstm-dropout-lab-trace.json";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
    }
    codeTab = tab.id.replace("tab-", "");
    renderCode();
  };
  tabs.forEach((tab, k) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = tabs[(k + step + tabs.length) % tabs.length];
      next.focus();
      select(next);
    });
  });
}

/** plotly.js (4.8 MB) takes a second or more to evaluate on a slow machine: it is loaded after
 * the first paint of everything that does not need it, never in the way of the controls. */
function loadPlotly() {
  return new Promise((resolve, reject) => {
    if (window.Plotly) return resolve();
    const script = document.createElement("script");
    script.src = PLOTLY_URL;
    script.onload = resolve;
    script.onerror = () => reject(new Error("plotly.js did not load"));
    document.head.appendChild(script);
  });
}

function start() {
  performance.mark("lab-start");
  watchVisibility();
  bindControls();
  applyPresetRules();
  lastQuery = toQuery(controlValues());
  if (!LINK_PROBLEMS.length) showState(trace.state);
  renderPanels();
  performance.mark("lab-first-paint");
  document.body.dataset.busy = "false";
  requestAnimationFrame(() =>
    setTimeout(async () => {
      try {
        await loadPlotly();
      } catch (err) {
        setStatus(`${err.message}: the charts cannot be drawn, the rest of the page works.`);
        return;
      }
      performance.mark("lab-plotly-loaded");
      plotlyReady = true;
      renderFigures();
      performance.mark("lab-first-plot");
      scheduleSide();
    }, 0),
  );
}

start();
