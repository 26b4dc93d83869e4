// The only module that touches Plotly (loaded from this server: /static/vendor/plotly-*.min.js).
const CONFIG = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
};
const listening = new Set();

/** Draw or update a figure ({data, layout}); Plotly.react only changes what differs. */
export function render(id, fig, onClick) {
  const config = { ...CONFIG, toImageButtonOptions: { format: "png", scale: 2, filename: `lstm-dropout-lab-${id}` } };
  const done = window.Plotly.react(id, fig.data, fig.layout, config);
  if (onClick && !listening.has(id)) {
    listening.add(id);
    document.getElementById(id).on("plotly_click", (event) => onClick(event.points[0]));
  }
  return done;
}

export function clear(id) {
  window.Plotly.purge(id);
  listening.delete(id);
}
