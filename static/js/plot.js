// The only module that touches Plotly (loaded from this server: /static/<build>/vendor/plotly-*.min.js).
// How a figure is drawn (text size for a projector, the toolbar's own band on a phone) is
// decided here; what it shows is the figure builders' (figures/*.js, pure).
import { fitted } from "./figures/common.js";

const CONFIG = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "zoomIn2d", "zoomOut2d"],
};
const listening = new Set();
let textScale = 1;

/** 1.5 for "Larger text" (ticks 16.5 px), 1 otherwise. */
export function setTextScale(k) {
  textScale = k;
}

/** Is a figure's box drawn in the narrow layout (under 600 px: the toolbar gets a band of its own,
 * long tick words stand upright)? */
export const isNarrow = (box) => box.clientWidth < 600;

/** Draw or update a figure ({data, layout}); Plotly.react only changes what differs. */
export function render(id, fig, onClick) {
  const box = document.getElementById(id);
  const layout = fitted(fig.layout, { scale: textScale, narrow: isNarrow(box) });
  const config = { ...CONFIG, toImageButtonOptions: { format: "png", scale: 2, filename: `lstm-dropout-lab-${id}` } };
  const done = window.Plotly.react(box, fig.data, layout, config);
  if (onClick && !listening.has(id)) {
    listening.add(id);
    box.on("plotly_click", (event) => onClick(event.points[0], id));
  }
  return done;
}

/** Replace a figure's shapes (the cursor) without redrawing its data. */
export function setShapes(id, shapes) {
  return window.Plotly.relayout(id, { shapes });
}

export function clear(id) {
  window.Plotly.purge(id);
  listening.delete(id);
}

/** plotly.js (4.8 MB) is loaded after the first paint of everything that does not need it. */
export function loadPlotly(url) {
  return new Promise((resolve, reject) => {
    if (window.Plotly) return resolve();
    const script = document.createElement("script");
    script.src = url;
    script.onload = resolve;
    script.onerror = () => reject(new Error("plotly.js did not load"));
    document.head.appendChild(script);
  });
}
