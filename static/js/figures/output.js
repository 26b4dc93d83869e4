// The output probability of each model shown and its spread over Monte Carlo mask draws: one row
// for the trace (a diamond) and one for the draws (a box with every draw), per model.
import { baseLayout } from "./common.js";

/** The x range: around the values (a spread of 0.002 is invisible on 0..1), within 0..1. */
function span(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max(0.01, (hi - lo) * 0.4);
  return [Math.max(0, lo - pad), Math.min(1, hi + pad)];
}

const LOOKS = [
  { diamond: "#d55e00", box: "#0072b2", line: "#0b3d91", symbol: "diamond" },
  { diamond: "#cc79a7", box: "#009e73", line: "#00543d", symbol: "square" },
];

/** models: [{name, probability, mc}] (name "": the page's one model, rows "this trace" and
 * "N draws"; in compare mode "A" and "B"). mc: /api/mc's answer or null while it loads. */
export function outputFigure(models) {
  const data = [];
  const details = [];
  const values = [];
  models.forEach(({ name, probability, mc }, k) => {
    const look = LOOKS[k % LOOKS.length];
    const row = name || "this trace";
    values.push(probability);
    data.push({
      type: "scatter",
      mode: "markers",
      name: row,
      x: [probability],
      y: [row],
      marker: { size: 16, color: look.diamond, symbol: look.symbol },
      hovertemplate: "p = %{x:.5f}<extra></extra>",
    });
    if (!mc) return;
    const draws = name ? `${name}: ${mc.samples} draws` : `${mc.samples} draws`;
    values.push(...mc.probability);
    data.push({
      type: "box",
      name: draws,
      x: mc.probability,
      y: mc.probability.map(() => draws),
      orientation: "h",
      boxpoints: "all",
      jitter: 0.4,
      pointpos: 0,
      marker: { color: look.box, size: 6, opacity: 0.7 },
      line: { color: look.line },
      hovertemplate: "p = %{x:.5f}<extra></extra>",
    });
    details.push(`${name ? `${name}: ` : `${mc.samples} mask draws: `}mean ${mc.probability_mean.toFixed(4)}, std ${mc.probability_std.toFixed(4)}`);
  });
  const title = models.map(({ name, probability }) => `${name ? `${name}: ` : ""}p = ${probability.toFixed(4)}`).join(" · ");
  const rows = data.length;
  return {
    data,
    layout: baseLayout(
      title,
      150 + 30 * rows,
      {
        xaxis: { range: span(values), title: { text: "p(positive)" } },
        yaxis: { automargin: true, autorange: "reversed" },
        showlegend: false,
        margin: { l: 90, r: 8, t: 44, b: 40 },
      },
      details.join(" · ") + (models.length > 1 && details.length ? ` (${models.map((m) => m.mc?.samples ?? "…").join(" and ")} draws)` : ""),
    ),
  };
}
