// Which masks act in layer n's cell at step t, each with its keep-bits at that step (1 kept,
// 0 dropped; for zoneout 1 updated, 0 keeps the value of step t-1) and where it multiplies. Pure:
// the trace in, a list out. A mask is listed when the plan has it on (its entry active) and the
// trace holds it; at inference none is (the masks keep everything; zoneout uses its expectation).
import { decode, gateRow, row } from "../decode.js";
import { GATES } from "../gates.js";
import { embeddingMask, layerData } from "../trace-data.js";

function zeros(bits) {
  let n = 0;
  for (const v of bits) n += v === 0;
  return n;
}

/** True when the trace was computed in training (masks drawn), false at inference. */
export function training(trace) {
  return trace.config.phase !== "infer";
}

/** [{key (data-mask), bits, dropped, what}] for layer n at step t; what: the mask in words. */
export function cellMasks(trace, n, t) {
  if (!training(trace)) return [];
  const plan = trace.plan.masks;
  const layer = layerData(trace, n).masks;
  const on = (name) => Boolean(plan[name]?.active);
  const out = [];
  const add = (key, bits, what) => out.push({ key, bits, dropped: zeros(bits), what });
  if (n === 0 && on("embedding") && trace.embedding.mask) {
    add("embedding", row(embeddingMask(trace), t), "the Dropout after the Embedding, on x(t)");
  }
  const below = n > 0 ? layerData(trace, n - 1).masks.between : null;
  if (n > 0 && on("between") && below) add("between", row(below, t), `PyTorch's dropout between layers, on h of layer ${n}`);
  for (const [part, name, wire] of [["x", "input", "x(t)"], ["h", "recurrent", "h(t-1)"]]) {
    if (!on(name) || !layer[name]) continue;
    for (const gate of GATES) add(`${part}:${gate.key}`, gateRow(layer[name], gate.k, t), `${gate.name}'s mask on ${wire}`);
  }
  if (on("gate_output") && layer.gate_output) {
    for (const gate of GATES) add(`gate:${gate.key}`, gateRow(layer.gate_output, gate.k, t), `a mask on the activation of ${gate.name} (the forum answer)`);
  }
  if (on("candidate") && layer.candidate) add("candidate", row(layer.candidate, t), "candidate dropout, on g");
  for (const v of ["c", "h"]) {
    const name = `zoneout_${v}`;
    if (on(name) && layer[name]) add(`zoneout:${v}`, row(layer[name], t), `zoneout on ${v}: dark units keep their value of step t-1`);
  }
  if (n === trace.layers.length - 1 && on("output") && trace.output.mask) {
    add("output", decode(trace.output.mask).data, "the Dropout before Dense, on h(T), the last step's h");
  }
  return out;
}
