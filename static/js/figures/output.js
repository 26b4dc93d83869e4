// The output probability of this trace and its spread over Monte Carlo mask draws.
import { baseLayout } from "./common.js";

/** The x range: around the values (a spread of 0.002 is invisible on 0..1), within 0..1. */
function span(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max(0.01, (hi - lo) * 0.4);
  return [Math.max(0, lo - pad), Math.min(1, hi + pad)];
}

export function outputFigure(probability, mc) {
  const data = [
    {
      type: "scatter",
      mode: "markers",
      name: "this trace",
      x: [probability],
      y: ["this trace"],
      marker: { size: 16, color: "#d55e00", symbol: "diamond" },
      hovertemplate: "p = %{x:.5f}<extra></extra>",
    },
  ];
  const title = `p = ${probability.toFixed(4)}`;
  let detail = "";
  if (mc) {
    data.push({
      type: "box",
      name: `${mc.samples} draws`,
      x: mc.probability,
      y: mc.probability.map(() => `${mc.samples} draws`),
      orientation: "h",
      boxpoints: "all",
      jitter: 0.4,
      pointpos: 0,
      marker: { color: "#0072b2", size: 6, opacity: 0.7 },
      line: { color: "#0b3d91" },
      hovertemplate: "p = %{x:.5f}<extra></extra>",
    });
    detail = `${mc.samples} mask draws: mean ${mc.probability_mean.toFixed(4)}, std ${mc.probability_std.toFixed(4)}`;
  }
  return {
    data,
    layout: baseLayout(
      title,
      210,
      {
        xaxis: { range: span(mc ? [probability, ...mc.probability] : [probability]), title: { text: "p(positive)" } },
        yaxis: { automargin: true },
        showlegend: false,
        margin: { l: 90, r: 8, t: 44, b: 40 },
      },
      detail,
    ),
  };
}
