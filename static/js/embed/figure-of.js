// One figure of the explorer by its id, as a pure function of the traces: what /embed draws. The
// builders are the explorer's (figures/*.js) with the arguments explorer/figure-table.js gives them,
// so an embedded figure is the explorer's figure. Some figures need side data that the trace does
// not carry (no-dropout baseline, Monte Carlo draws, gradients): SIDE names it per view.
import { decode } from "../decode.js";
import { stepLabels } from "../figures/common.js";
import { diffFigure, stateFigure } from "../figures/gates.js";
import { gradNormsFigure } from "../figures/grads.js";
import { embeddingMaskFigure, extraMaskFigure, gateMaskFigure, weightMaskFigure } from "../figures/masks.js";
import { outputFigure } from "../figures/output.js";
import { GATE_KEYS } from "../gates.js";
import { layerData } from "../trace-data.js";

/** The side data (explorer/side-data.js source) a view waits for; mc only improves the output. */
export const SIDE = { "fig-diff": "baseline", "fig-output": "mc", "fig-grads": "grads" };
/** Views that use model B of a compare link (vs.FIELD=VALUE); the others show model A. */
export const USES_B = new Set(["fig-diff", "fig-output"]);

/** Why a view has nothing to draw for this model (its builder returns null). */
const NOTHING = {
  "fig-extra-mask": "This model has no candidate, zoneout or between-layer mask: nothing to show.",
  "fig-weight-mask": "This model has no weight-drop mask: nothing to show.",
};

const STATE_OF = Object.fromEntries([...GATE_KEYS.map((g) => [`fig-gate-${g}`, g]), ["fig-c", "c"], ["fig-h", "h"]]);

/** Can B − A be taken at layer n (same steps, units and that layer)? */
function comparable(a, b, n) {
  return b.layers.length > n && b.tokens.length === a.tokens.length && b.config.units === a.config.units;
}

function diff(trace, n, labels, { b, baseline, diffOf }) {
  const other = b ?? baseline;
  if (!other) return { waiting: true };
  if (!comparable(trace, other, n)) {
    return { empty: `B − A needs the same steps, units and layer: A has ${trace.tokens.length} steps and ${trace.config.units} units, B ${other.tokens.length} steps and ${other.config.units} units.` };
  }
  const words = b
    ? { title: `${diffOf} of B − ${diffOf} of A`, detail: "same weights and input, B with its own fields" }
    : { title: `${diffOf} with no dropout − ${diffOf} with these masks`, detail: "same weights, same input; only the masks differ" };
  return { fig: diffFigure(layerData(other, n)[diffOf], layerData(trace, n)[diffOf], labels, words) };
}

function grads(trace, n, labels, data) {
  if (!data) return { waiting: true };
  const layer = data.layers[n];
  const without = data.without_dropout.layers[n];
  const layers = trace.layers.length > 1 ? ` (layer ${n + 1})` : "";
  const rows = [
    { title: "‖dL/de(t)‖: what reaches each word's embedding", with: decode(data.embedding.norm).data, without: decode(data.without_dropout.embedding.norm).data },
    { title: `‖dL/dh(t)‖${layers}`, with: decode(layer.dh_norm).data, without: decode(without.dh_norm).data },
    { title: `‖dL/dc(t)‖${layers}`, with: decode(layer.dc_norm).data, without: decode(without.dc_norm).data },
  ];
  return { fig: gradNormsFigure(rows, labels, "How far the gradient reaches back", `label ${data.label} · solid: with these masks · dotted: no dropout`) };
}

/**
 * The figure of `view` for `trace` at layer n. ctx: {b: model B's trace or null, side: {baseline,
 * mc, grads} (null while not loaded), diffOf: "h" | "c" | "i" | ...}. Returns {fig} (a figure,
 * {data, layout, cursor?}), {empty: why nothing is drawn} or {waiting: true} (side data needed).
 */
export function figureOf(view, trace, n, { b = null, side = {}, diffOf = "h" } = {}) {
  const labels = stepLabels(trace.tokens);
  const plan = trace.plan;
  const phase = trace.config.phase;
  const layer = trace.layers[n];
  const d = layerData(trace, n);
  const layers = trace.layers.length > 1 ? `, layer ${n + 1}` : "";
  let fig = null;
  switch (view) {
    case "fig-embedding-mask":
      fig = embeddingMaskFigure(decode(trace.embedding.mask), trace.embedding.mask_scale, labels, plan, phase);
      break;
    case "fig-input-mask":
      fig = gateMaskFigure(d.masks.input, layer.masks.input_scale, labels, { title: `Mask on x(t) into the gates${layers}`, entry: plan.masks.input, phase, rows: "element" });
      break;
    case "fig-recurrent-mask":
      fig = gateMaskFigure(d.masks.recurrent, layer.masks.recurrent_scale, labels, { title: `Mask on h(t-1) into the gates${layers}`, entry: plan.masks.recurrent, phase, rows: "unit" });
      break;
    case "fig-extra-mask":
      fig = extraMaskFigure(d.masks, labels, plan);
      break;
    case "fig-weight-mask":
      fig = weightMaskFigure(d.masks.weight_drop, layer.masks.weight_drop_scale, plan);
      break;
    case "fig-diff":
      return diff(trace, n, labels, { b, baseline: side.baseline ?? null, diffOf });
    case "fig-output": {
      const models = b
        ? [
            { name: "A", probability: trace.output.probability, mc: side.mc ?? null },
            { name: "B", probability: b.output.probability, mc: side.mcB ?? null },
          ]
        : [{ name: "", probability: trace.output.probability, mc: side.mc ?? null }];
      fig = outputFigure(models);
      break;
    }
    case "fig-grads":
      return grads(trace, n, labels, side.grads ?? null);
    default:
      if (STATE_OF[view]) fig = stateFigure(STATE_OF[view], d[STATE_OF[view]], labels);
  }
  return fig ? { fig } : { empty: NOTHING[view] ?? `Nothing to show for ${view}.` };
}
