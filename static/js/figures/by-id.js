// The explorer's figures by id, as pure functions of the traces: the one place that says which
// builder (masks.js, gates.js, grads.js) draws which panel with which arguments. The explorer
// (explorer/figure-table.js, explorer/gradients.js) and /embed (embed/figure-of.js) both draw
// from here, so an embedded figure is the explorer's figure.
import { decode } from "../decode.js";
import { GATE_KEYS } from "../gates.js";
import { embeddingMask, layerData } from "../trace-data.js";
import { stepLabels } from "./common.js";
import { diffFigure, stateFigure } from "./gates.js";
import { gradNormsFigure } from "./grads.js";
import { embeddingMaskFigure, extraMaskFigure, gateMaskFigure, weightMaskFigure } from "./masks.js";
import { outputFigure } from "./output.js";
import { unitsFigure } from "./units.js";

/** The states drawn over time x unit: the four gates, then c and h. */
export const STATES = [...GATE_KEYS, "c", "h"];
/** A state's figure id: fig-gate-i ... fig-gate-o, fig-c, fig-h. */
export const stateId = (s) => (GATE_KEYS.includes(s) ? `fig-gate-${s}` : `fig-${s}`);
/** Every figure of one model (a compare link draws each twice, A and B). */
export const MODEL_FIGURES = [
  "fig-embedding-mask",
  "fig-input-mask",
  "fig-recurrent-mask",
  "fig-extra-mask",
  "fig-weight-mask",
  ...STATES.map(stateId),
];
const STATE_OF = Object.fromEntries(STATES.map((s) => [stateId(s), s]));

/**
 * One of MODEL_FIGURES for `trace` at layer n; other: {trace, n}, the model (and layer) it is drawn
 * beside, for one colour scale of the states, or null. Returns {data, layout, cursor?}, or null when the model has
 * nothing to show there (no extra or weight-drop mask).
 */
export function modelFigure(id, trace, n, other = null) {
  const labels = stepLabels(trace.tokens);
  const { plan } = trace;
  const { phase } = trace.config;
  const layer = trace.layers[n];
  const d = layerData(trace, n);
  const layers = trace.layers.length > 1 ? `, layer ${n + 1}` : "";
  switch (id) {
    case "fig-embedding-mask":
      return embeddingMaskFigure(embeddingMask(trace), trace.embedding.mask_scale, labels, plan, phase);
    case "fig-input-mask":
      return gateMaskFigure(d.masks.input, layer.masks.input_scale, labels, { title: `Mask on x(t) into the gates${layers}`, entry: plan.masks.input, phase, rows: "element" });
    case "fig-recurrent-mask":
      return gateMaskFigure(d.masks.recurrent, layer.masks.recurrent_scale, labels, { title: `Mask on h(t-1) into the gates${layers}`, entry: plan.masks.recurrent, phase, rows: "unit" });
    case "fig-extra-mask":
      if (d.masks.gate_output) {
        // the forum answer's hypothetical scheme: a mask on each gate's output, (T, 4, H)
        return gateMaskFigure(d.masks.gate_output, layer.masks.gate_output_scale, labels, { title: `Masks on the gate outputs i, f, g, o${layers}`, entry: plan.masks.gate_output, phase, rows: "unit" });
      }
      return extraMaskFigure(d.masks, labels, plan);
    case "fig-weight-mask":
      return weightMaskFigure(d.masks.weight_drop, layer.masks.weight_drop_scale, plan);
  }
  const s = STATE_OF[id];
  if (!s) throw new Error(`no model figure ${id}`);
  const also = other ? layerData(other.trace, other.n)[s] : null;
  return stateFigure(s, d[s], labels, also);
}

/** The output figure of A alone, or of A and B (compare mode); mc: each model's Monte Carlo
 * draws, or null while they load. */
export function outputOf(a, b, mcA, mcB) {
  const models = b
    ? [
        { name: "A", probability: a.output.probability, mc: mcA },
        { name: "B", probability: b.output.probability, mc: mcB },
      ]
    : [{ name: "", probability: a.output.probability, mc: mcA }];
  return outputFigure(models);
}

/** Can B − A be taken at layer n (same steps, units and that layer)? */
export function comparable(a, b, n) {
  return b.layers.length > n && b.tokens.length === a.tokens.length && b.config.units === a.config.units;
}

/** Why B − A cannot be taken at layer n, in words. */
export function incomparable(a, b) {
  return `B − A needs the same steps, units and layer: A has ${a.tokens.length} steps and ${a.config.units} units, B ${b.tokens.length} steps, ${b.config.units} units and ${b.layers.length} layer(s).`;
}

/** B − A of state `name` (h, c, i, ...) at layer n; comparing: B is a compare link's model B
 * (else B is the same model with no dropout). The caller checks comparable() first. */
export function diffOf(a, b, n, name, comparing) {
  const words = comparing
    ? { title: `${name} of B − ${name} of A`, detail: "same weights and input, B with its own fields" }
    : { title: `${name} with no dropout − ${name} with these masks`, detail: "same weights, same input; only the masks differ" };
  return diffFigure(layerData(b, n)[name], layerData(a, n)[name], stepLabels(a.tokens), words);
}

/** "Units under the words": the units whose state `name` B moves most from A at layer n, as lines
 * over the words, and the caption ({fig, caption, units}); comparing as in diffOf. The caller
 * checks comparable() first. */
export function unitsOf(a, b, n, name, comparing) {
  const where = a.layers.length > 1 ? `, layer ${n + 1}` : "";
  return unitsFigure(layerData(a, n), layerData(b, n), a.tokens, name, comparing, where);
}

/** ‖dL/de(t)‖, ‖dL/dh(t)‖ and ‖dL/dc(t)‖ at layer n of an /api/grads answer, with these masks and
 * without dropout; detail: the subtitle. */
export function gradNorms(trace, grads, n, detail) {
  const layer = grads.layers[n];
  const without = grads.without_dropout.layers[n];
  const layers = trace.layers.length > 1 ? ` (layer ${n + 1})` : "";
  const rows = [
    { title: "‖dL/de(t)‖ at each word's embedding", with: decode(grads.embedding.norm).data, without: decode(grads.without_dropout.embedding.norm).data },
    { title: `‖dL/dh(t)‖${layers}`, with: decode(layer.dh_norm).data, without: decode(without.dh_norm).data },
    { title: `‖dL/dc(t)‖${layers}`, with: decode(layer.dc_norm).data, without: decode(without.dc_norm).data },
  ];
  return gradNormsFigure(rows, stepLabels(trace.tokens), "How far the gradient reaches back", detail);
}
