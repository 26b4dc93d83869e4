// The `done` event's comparisons (app/lab/compare.py): each pairs two arms seed by seed, with the
// mean difference b - a of the metric and its paired 95% interval, and a verdict ("a better",
// "b better", "no clear difference"). Drawn twice: a chart of the differences with their intervals
// as error bars (pure: differencesFigure), and a list in words, each item carrying the numbers
// (data-verdict, data-a, data-b, data-lo, data-hi, data-difference). Nothing here decides a verdict:
// it is read off the event.
import { baseLayout, heightScale } from "../figures/common.js";

const CLEAR = "#0b3d91"; // the page's accent: an interval that excludes 0
const UNCLEAR = "#8a94a6";
const MINUS = "−";

/** +1.2 / −0.4: a difference in percentage points, signed, with a real minus sign. */
export function points(x, digits = 1) {
  const p = 100 * x;
  const text = Math.abs(p).toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return `${p > 0 ? "+" : MINUS}${text}`;
}

/** "both − the LSTM's dropout only": what a comparison's difference is. */
export function label(c, titles) {
  return `${titles[c.b] ?? c.b} ${MINUS} ${titles[c.a] ?? c.a}`;
}

/** The verdict in words, with the arm's title. */
export function verdictWords(c, titles) {
  if (c.verdict === "b better") return `${titles[c.b] ?? c.b} did better`;
  if (c.verdict === "a better") return `${titles[c.a] ?? c.a} did better`;
  return "no clear difference";
}

const clear = (c) => c.verdict === "a better" || c.verdict === "b better";

/** Break a label at its minus sign when it would not fit on one line of a chart `width` px wide. */
function wrapped(text, width, scale) {
  return text.length * 7 * scale > 0.9 * width ? text.replace(` ${MINUS} `, `<br>${MINUS} `) : text;
}

/** A figure layout's title-less top: the rows are labelled, the section above has the title. */
const TOP = 12;
const BOTTOM = 44; // the x axis: its ticks and title

/** The chart: one row per comparison (the first on top), its difference in points with the 95%
 * interval as an error bar, a line at 0; a row whose interval excludes 0 in colour, the rest grey.
 * Each row is labelled above its bar, so long titles never squeeze the plot. */
export function differencesFigure(comparisons, titles, { width = 800, scale = 1 } = {}) {
  const labels = comparisons.map((c) => wrapped(label(c, titles), width, scale));
  const lines = labels.some((t) => t.includes("<br>")) ? 2 : 1;
  const line = 15 * scale; // px of one line of a label
  const row = Math.round(34 * scale + line * lines); // px per comparison: its bar, and its label above it
  const gap = (12 * scale) / row; // the label's bottom above its bar, in rows
  const n = comparisons.length;
  const data = [];
  const annotations = [];
  let lo = 0;
  let hi = 0;
  comparisons.forEach((c, i) => {
    const y = n - 1 - i;
    const d = 100 * c.difference;
    const [a, b] = c.interval.map((v) => 100 * v);
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
    const color = clear(c) ? CLEAR : UNCLEAR;
    const seeds = (c.differences ?? []).map((v) => 100 * v);
    lo = Math.min(lo, ...seeds);
    hi = Math.max(hi, ...seeds);
    data.push({
      type: "scatter",
      mode: "markers",
      x: seeds,
      y: seeds.map(() => y),
      customdata: seeds.map((_, k) => k),
      name: `${label(c, titles)}: each seed`,
      showlegend: false,
      marker: { color, size: 7, symbol: "circle-open", opacity: 0.6 },
      hovertemplate: `${label(c, titles)}<br>seed %{customdata}: %{x:+.1f} points<extra></extra>`,
      meta: { a: c.a, b: c.b, seeds: true },
    });
    data.push({
      type: "scatter",
      mode: "markers",
      x: [d],
      y: [y],
      name: label(c, titles),
      showlegend: false,
      marker: { color, size: 11, symbol: "diamond" },
      error_x: { type: "data", symmetric: false, array: [b - d], arrayminus: [d - a], color, thickness: 2.5, width: 7 },
      hovertemplate:
        `${label(c, titles)}<br>${points(c.difference)} points (95% interval ${points(c.interval[0])} to ` +
        `${points(c.interval[1])}), ${c.seeds} seeds<br>${verdictWords(c, titles)}<extra></extra>`,
      meta: { a: c.a, b: c.b, verdict: c.verdict },
    });
    annotations.push({
      text: labels[i],
      xref: "paper",
      yref: "y",
      x: 0,
      y: y + gap,
      xanchor: "left",
      yanchor: "bottom",
      align: "left",
      showarrow: false,
      bgcolor: "rgba(255,255,255,0.9)", // over the line at 0 and the grid, the words stay whole
      font: { size: 12, color: clear(c) ? CLEAR : "#3d4656" },
    });
  });
  const pad = Math.max(0.5, 0.08 * (hi - lo));
  const top = n - 1 + gap + (line * lines + 4) / row;
  const bottom = -(16 * scale) / row;
  const layout = baseLayout(
    "",
    Math.round(((TOP + BOTTOM) * scale + row * (top - bottom)) / heightScale(scale)), // fitted() scales it back
    {
      xaxis: {
        title: { text: "difference in percentage points" },
        range: [lo - pad, hi + pad],
        zeroline: false,
        gridcolor: "#e3e7ee",
        ticksuffix: "",
      },
      yaxis: { range: [bottom, top], showticklabels: false, showgrid: false, zeroline: false, fixedrange: true },
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: 0, x1: 0, y0: 0, y1: 1, line: { color: "#1d2430", width: 1.5 } }],
      annotations,
      hovermode: "closest",
      margin: { l: 12, r: 12, t: TOP, b: BOTTOM },
    },
  );
  return { data, layout };
}

/** The comparisons in words, into `list` (an <ol>): one item each, its numbers in data attributes. */
export function renderComparisons(list, comparisons, titles) {
  list.replaceChildren(
    ...comparisons.map((c) => {
      const li = document.createElement("li");
      li.className = "comparison";
      li.dataset.verdict = c.verdict;
      li.dataset.a = c.a;
      li.dataset.b = c.b;
      li.dataset.difference = String(c.difference);
      li.dataset.lo = String(c.interval[0]);
      li.dataset.hi = String(c.interval[1]);
      li.dataset.clear = String(clear(c));
      const what = document.createElement("strong");
      what.textContent = label(c, titles);
      const numbers = document.createElement("span");
      numbers.className = "numbers";
      const [lo, hi] = c.interval.map((v) => points(v));
      numbers.textContent = `${points(c.difference)} points, 95% interval ${lo} to ${hi} (${c.seeds} seeds)`;
      const verdict = document.createElement("span");
      verdict.className = "verdict";
      verdict.textContent = verdictWords(c, titles);
      li.append(what, ": ", numbers, ": ", verdict, ".");
      return li;
    }),
  );
}
