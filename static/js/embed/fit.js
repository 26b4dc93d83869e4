// An explorer figure laid out for an iframe. Pure. Its title moves to the page's header (HTML,
// beside the model, where it wraps at 320 px instead of running off the plot), and the plot takes
// the height the frame leaves it, never less than a readable minimum (below it the figure's box
// scrolls, the header and the link stay in view).
import { fitted, heightScale } from "../figures/common.js";

const AXIS = /^[xy]axis\d*$/;
const strip = (html) => html.replace(/<[^>]+>/g, "").trim();

/** A builder's title "what<br><sup>detail</sup>" -> {what, detail}. */
export function splitTitle(text = "") {
  const [what, ...rest] = text.split("<br>");
  return { what: strip(what), detail: rest.map(strip).join(" ") };
}

/** The least height (px) a figure of the builder's height stays readable at: every row of a
 * 2 x 2 grid of masks (its pattern of stripes or speckle), every line of the gradients. Below it
 * the frame says what size it needs (pages/embed.js). */
export function minHeight(builderHeight) {
  return Math.round(Math.max(150, builderHeight * 0.55));
}

/**
 * fig: a builder's {data, layout}; box: {width, height} of the figure's box (px); narrow: drawn
 * in plot.js's narrow layout (box under 600 px), which adds a band for the toolbar and room for
 * upright words; scale: plot.js's text scale (1.5 in classroom mode, which also makes the figure
 * taller). Returns the figure to hand to plot.js and the height it will have when drawn.
 */
export function fitToBox(fig, box, { narrow = false, scale = 1 } = {}) {
  const m = fig.layout.margin ?? {};
  // no title on the plot: the top margin is the toolbar's (plot.js adds a band of its own when narrow)
  // narrow: plot.js adds the toolbar's band on top and room for upright words below (automargin
  // takes what the words need, so the builder's own bottom margin would only leave a gap)
  const base = { ...fig.layout, title: { text: "" }, margin: { ...m, t: narrow ? 0 : 26, b: narrow ? 0 : m.b } };
  // tick labels get their room at any width (Plotly turns words upright when they do not fit)
  for (const key of ["xaxis", "yaxis", ...Object.keys(base).filter((k) => AXIS.test(k))]) base[key] = { ...base[key], automargin: true };
  // heatmaps take the whole height; a few rows of points (the output) only so much of it
  const most = fig.data.some((t) => t.type === "heatmap") ? Infinity : Math.max(300, fig.layout.height * 1.6);
  const want = Math.max(minHeight(fig.layout.height), Math.min(most, Math.floor(box.height)));
  // plot.js draws a height h as grow * h + what the narrow layout adds: solve for `want`
  const drawn = (h) => fitted({ ...base, height: h }, { narrow, scale }).height;
  const grow = heightScale(scale);
  const added = drawn(want) - Math.round(want * grow);
  const layout = { ...base, height: Math.max(60, Math.floor((want - added) / grow)) };
  // a short colour bar gets fewer ticks, so that they do not overlap
  const data = want < 260 ? fig.data.map((t) => (t.colorbar && !t.colorbar.tickvals ? { ...t, colorbar: { ...t.colorbar, nticks: 3 } } : t)) : fig.data;
  return { fig: { ...fig, data, layout }, height: drawn(layout.height) };
}
