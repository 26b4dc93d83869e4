// The learning curves of a run (pure: run -> {data, layout}). Per configuration one colour:
// validation solid (legend entry), training dashed; after the run a star at the best validation
// epoch. The epoch axis spans the whole run from the start, so the curves grow left to right.
import { baseLayout } from "../figures/common.js";
import { CONFIG_COLORS } from "./configs.js";

const VIEWS = {
  acc: { train: "train_acc", val: "val_acc", title: "Accuracy per epoch", tick: ".0%", hover: "%{y:.1%}" },
  loss: { train: "train_loss", val: "val_loss", title: "Loss per epoch (binary cross-entropy)", tick: "", hover: "%{y:.3f}" },
};
const DETAIL = "solid: validation · dashed: training";

/** An accuracy axis from a round number below the lowest point to just above 100%. */
function accuracyRange(data) {
  const ys = data.flatMap((t) => t.y);
  const low = ys.length ? Math.min(...ys) : 0.5;
  return [Math.min(0.5, Math.floor((low - 0.02) * 20) / 20), 1.01];
}

/** emphasis: the configuration a lesson step points at (its lines thicker, the others paler), or null. */
function curve(config, title, rows, key, kind, mode, hover, emphasis) {
  const color = CONFIG_COLORS[config];
  const val = kind === "validation";
  const k = emphasis === config ? 2.2 : 1;
  return {
    opacity: emphasis && emphasis !== config ? 0.35 : 1,
    type: "scatter",
    mode,
    name: title,
    legendgroup: config,
    showlegend: val,
    x: rows.map((r) => r.epoch),
    y: rows.map((r) => r[key]),
    line: { color, width: (val ? 2.5 : 1.6) * k, dash: val ? "solid" : "dash" },
    marker: { color, size: val ? 6 : 4 },
    hovertemplate: `${title}, ${kind}<br>epoch %{x}: ${hover}<extra></extra>`,
  };
}

function bestStar(config, title, rows, row, key) {
  const at = rows.find((r) => r.epoch === row.best_epoch);
  return {
    type: "scatter",
    mode: "markers",
    name: `${title}: best`,
    legendgroup: config,
    showlegend: false,
    x: [row.best_epoch],
    y: [at ? at[key] : null],
    marker: { symbol: "star", size: 15, color: CONFIG_COLORS[config], line: { color: "#ffffff", width: 1 } },
    hovertemplate: `${title}: best validation accuracy ${(row.best_val_acc * 100).toFixed(1)}% at epoch ${row.best_epoch}<extra></extra>`,
  };
}

/** The figure of `run` (run.js) in `view` ("acc" or "loss"); titles: config -> its title;
 * emphasis: a configuration drawn thicker (a lesson's highlight), or null. */
export function curvesFigure(run, view, titles, emphasis = null) {
  const v = VIEWS[view] ?? VIEWS.acc;
  const configs = run?.start?.configs ?? [];
  const epochs = run?.start?.epochs ?? 0;
  const mode = epochs && epochs <= 15 ? "lines+markers" : "lines";
  const data = [];
  for (const c of configs) {
    const rows = run.rows[c] ?? [];
    data.push(curve(c, titles[c], rows, v.val, "validation", mode, v.hover, emphasis));
    data.push(curve(c, titles[c], rows, v.train, "training", mode, v.hover, emphasis));
  }
  for (const row of run?.done?.table ?? []) data.push(bestStar(row.config, titles[row.config], run.rows[row.config] ?? [], row, v.val));
  const yaxis = { title: { text: view === "loss" ? "loss" : "accuracy" }, tickformat: v.tick, zeroline: false, gridcolor: "#e3e7ee" };
  if (view !== "loss") Object.assign(yaxis, { range: accuracyRange(data.slice(0, 2 * configs.length)), autorange: false });
  const layout = baseLayout(
    v.title,
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
    DETAIL,
  );
  if (!configs.length) {
    layout.annotations = [
      { text: run ? "The curves grow here, epoch by epoch." : "Press Train: the curves grow here, epoch by epoch.", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { size: 13 } },
    ];
  }
  return { data, layout };
}
