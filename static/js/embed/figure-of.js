// One figure of the explorer by its id, as a pure function of the traces: what /embed draws. The
// figures are the explorer's own (figures/by-id.js), so an embedded figure is the explorer's
// figure. Some need side data that the trace does not carry (no-dropout baseline, Monte Carlo
// draws, gradients): SIDE names it per view.
import { MODEL_FIGURES, comparable, diffOf, gradNorms, incomparable, modelFigure, outputOf } from "../figures/by-id.js";

/** The side data (explorer/side-data.js source) a view waits for; mc only improves the output. */
export const SIDE = { "fig-diff": "baseline", "fig-output": "mc", "fig-grads": "grads" };

/** Why a view has nothing to draw for this model (its builder returns null). */
const NOTHING = {
  "fig-extra-mask": "This model has no candidate, zoneout, between-layer or gate-output mask: nothing to show.",
  "fig-weight-mask": "This model has no weight-drop mask: nothing to show.",
};

/**
 * The figure of `view` for `trace` at layer n. ctx: {b: model B's trace or null, side: {baseline,
 * mc, mcB, grads} (null while not loaded), diffOf: "h" | "c" | "i" | ...}. Returns {fig} (a
 * figure, {data, layout, cursor?}), {empty: why nothing is drawn} or {waiting: true} (side data
 * needed).
 */
export function figureOf(view, trace, n, { b = null, side = {}, diffOf: name = "h" } = {}) {
  let fig = null;
  if (MODEL_FIGURES.includes(view)) fig = modelFigure(view, trace, n);
  else if (view === "fig-diff") {
    const other = b ?? side.baseline ?? null;
    if (!other) return { waiting: true };
    if (!comparable(trace, other, n)) return { empty: incomparable(trace, other) };
    fig = diffOf(trace, other, n, name, Boolean(b));
  } else if (view === "fig-grads") {
    if (!side.grads) return { waiting: true };
    fig = gradNorms(trace, side.grads, n, `label ${side.grads.label} · solid: with these masks · dotted: no dropout`);
  } else if (view === "fig-output") fig = outputOf(trace, b, side.mc ?? null, side.mcB ?? null);
  return fig ? { fig } : { empty: NOTHING[view] ?? `Nothing to show for ${view}.` };
}
