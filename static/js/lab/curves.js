// The learning curves of a run (pure: run -> {data, layout}). Per arm one colour: the mean over the
// seeds received so far, validation solid (the legend entry) and training dashed, and each seed's
// validation curve thin and faint behind them (not drawn for a single seed: it is the mean). The
// epoch axis spans the whole run from the start, so the curves grow left to right.
import { baseLayout } from "../figures/common.js";
import { armColors } from "./configs.js";

const VIEWS = {
  acc: { train: "train_acc", val: "val_acc", title: "Accuracy per epoch", tick: ".0%", hover: "%{y:.1%}" },
  loss: { train: "train_loss", val: "val_loss", title: "Loss per epoch (binary cross-entropy)", tick: "", hover: "%{y:.3f}" },
};
const DETAIL = "thick: mean over the seeds · thin: each seed · solid: validation · dashed: training";
const DETAIL_ONE = "solid: validation · dashed: training";

/** An accuracy axis from a round number below the lowest point to just above 100%. */
function accuracyRange(data) {
  const ys = data.flatMap((t) => t.y).filter((y) => y !== null);
  const low = ys.length ? Math.min(...ys) : 0.5;
  return [Math.min(0.5, Math.floor((low - 0.02) * 20) / 20), 1.01];
}

/** An arm's rows by seed: {seed: [rows in epoch order]} (a row without a seed is seed 0). */
function bySeed(rows) {
  const seeds = {};
  for (const r of rows) (seeds[r.seed ?? 0] ??= []).push(r);
  for (const list of Object.values(seeds)) list.sort((a, b) => a.epoch - b.epoch);
  return seeds;
}

/** The mean of `key` at each epoch over the seeds that reached it: {x, y, n}. */
function meanCurve(rows, key) {
  const at = new Map();
  for (const r of rows) {
    const cell = at.get(r.epoch) ?? { sum: 0, n: 0 };
    cell.sum += r[key];
    cell.n += 1;
    at.set(r.epoch, cell);
  }
  const x = [...at.keys()].sort((a, b) => a - b);
  return { x, y: x.map((e) => at.get(e).sum / at.get(e).n), n: x.map((e) => at.get(e).n) };
}

/** emphasis: the arm a lesson step points at (its lines thicker, the others paler), or null. */
function style(arm, emphasis) {
  return { k: emphasis === arm ? 2.2 : 1, pale: Boolean(emphasis && emphasis !== arm) };
}

function meanTrace(arm, title, color, rows, key, kind, mode, hover, emphasis, seeds) {
  const { k, pale } = style(arm, emphasis);
  const val = kind === "validation";
  const m = meanCurve(rows, key);
  const what = seeds > 1 ? `${kind}, mean of %{customdata} seed(s)` : kind;
  return {
    opacity: pale ? 0.35 : 1,
    type: "scatter",
    mode,
    name: title,
    legendgroup: arm,
    showlegend: val,
    x: m.x,
    y: m.y,
    customdata: m.n,
    line: { color, width: (val ? 2.5 : 1.6) * k, dash: val ? "solid" : "dash" },
    marker: { color, size: val ? 6 : 4 },
    hovertemplate: `${title}, ${what}<br>epoch %{x}: ${hover}<extra></extra>`,
    meta: { arm, kind, stat: "mean" },
  };
}

function seedTrace(arm, title, color, seed, rows, key, hover, emphasis) {
  const { k, pale } = style(arm, emphasis);
  return {
    opacity: pale ? 0.12 : 0.3,
    type: "scatter",
    mode: "lines",
    name: `${title}, seed ${seed}`,
    legendgroup: arm,
    showlegend: false,
    x: rows.map((r) => r.epoch),
    y: rows.map((r) => r[key]),
    line: { color, width: 1 * k, dash: "solid" },
    hovertemplate: `${title}, validation, seed ${seed}<br>epoch %{x}: ${hover}<extra></extra>`,
    meta: { arm, kind: "validation", stat: "seed", seed: Number(seed) },
  };
}

/** The figure of `run` (run.js) in `view` ("acc" or "loss"); titles: arm -> its title;
 * emphasis: an arm drawn thicker (a lesson's highlight), or null. */
export function curvesFigure(run, view, titles, emphasis = null) {
  const v = VIEWS[view] ?? VIEWS.acc;
  const arms = run?.start?.configs ?? [];
  const epochs = run?.start?.epochs ?? 0;
  const seeds = run?.start?.seeds ?? 1;
  const colors = armColors(arms);
  const mode = epochs && epochs <= 15 ? "lines+markers" : "lines";
  const faint = [];
  const means = [];
  for (const arm of arms) {
    const rows = run.rows[arm] ?? [];
    const title = titles[arm] ?? arm;
    const perSeed = bySeed(rows);
    if (seeds > 1 || Object.keys(perSeed).length > 1) {
      for (const [seed, list] of Object.entries(perSeed)) {
        faint.push(seedTrace(arm, title, colors[arm], seed, list, v.val, v.hover, emphasis));
      }
    }
    means.push(meanTrace(arm, title, colors[arm], rows, v.val, "validation", mode, v.hover, emphasis, seeds));
    means.push(meanTrace(arm, title, colors[arm], rows, v.train, "training", mode, v.hover, emphasis, seeds));
  }
  const data = [...faint, ...means]; // the means drawn last, on top
  const yaxis = { title: { text: view === "loss" ? "loss" : "accuracy" }, tickformat: v.tick, zeroline: false, gridcolor: "#e3e7ee" };
  if (view !== "loss") Object.assign(yaxis, { range: accuracyRange(data), autorange: false });
  const layout = baseLayout(
    seeds > 1 ? `${v.title}, ${seeds} seeds` : v.title,
    380,
    {
      xaxis: {
        title: { text: "epoch" },
        range: [0.5, Math.max(epochs, 2) + 0.5],
        autorange: false,
        ...(epochs <= 12 ? { dtick: 1, tick0: 1 } : {}),
        zeroline: false,
        gridcolor: "#e3e7ee",
      },
      yaxis,
      legend: { orientation: "h", x: 0, xanchor: "left", y: -0.22, yanchor: "top" },
      hovermode: "closest",
      margin: { l: 56, r: 12, t: 46, b: 40 },
    },
    seeds > 1 ? DETAIL : DETAIL_ONE,
  );
  if (!arms.length) {
    layout.annotations = [
      { text: run ? "The curves grow here, epoch by epoch." : "Press Train: the curves grow here, epoch by epoch.", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { size: 13 } },
    ];
  }
  return { data, layout };
}
