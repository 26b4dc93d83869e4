// Which masks act in layer n's cell at step t, each with its keep-bits at that step (1 kept,
// 0 dropped; for zoneout 1 updated, 0 keeps the value of step t-1) and where it multiplies. Pure:
// the trace in, a list out. A mask is listed when the plan has it on (its entry active) and the
// trace holds it; at inference none is (the masks keep everything; zoneout uses its expectation).
import { decode, row } from "../decode.js";
import { GATES } from "../gates.js";

function gateRow(mask, k, t) {
  const [, G, D] = mask.shape;
  return mask.data.subarray((t * G + k) * D, (t * G + k + 1) * D);
}

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
  const layer = trace.layers[n].masks;
  const on = (name) => Boolean(plan[name]?.active);
  const out = [];
  const add = (key, bits, what) => out.push({ key, bits, dropped: zeros(bits), what });
  if (n === 0 && on("embedding") && trace.embedding.mask) {
    add("embedding", row(decode(trace.embedding.mask), t), "the Dropout after the Embedding, on x(t)");
  }
  const below = n > 0 ? trace.layers[n - 1].masks.between : null;
  if (n > 0 && on("between") && below) add("between", row(decode(below), t), `PyTorch's dropout between layers, on h of layer ${n}`);
  for (const [part, name, wire] of [["x", "input", "x(t)"], ["h", "recurrent", "h(t-1)"]]) {
    if (!on(name) || !layer[name]) continue;
    const arr = decode(layer[name]);
    for (const gate of GATES) add(`${part}:${gate.key}`, gateRow(arr, gate.k, t), `${gate.name}'s mask on ${wire}`);
  }
  const gateOut = layer.gate_output;
  if (gateOut && typeof gateOut === "object" && (plan.gate_output ? plan.gate_output.active : true)) {
    const arr = decode(gateOut);
    for (const gate of GATES) add(`gate:${gate.key}`, gateRow(arr, gate.k, t), `a mask on the activation of ${gate.name} (the forum answer)`);
  }
  if (on("candidate") && layer.candidate) add("candidate", row(decode(layer.candidate), t), "candidate dropout, on g");
  for (const v of ["c", "h"]) {
    const name = `zoneout_${v}`;
    if (on(name) && layer[name]) add(`zoneout:${v}`, row(decode(layer[name]), t), `zoneout on ${v}: dark units keep their value of step t-1`);
  }
  if (n === trace.layers.length - 1 && on("output") && trace.output.mask) {
    add("output", decode(trace.output.mask).data, "the Dropout before Dense, on h(T), the last step's h");
  }
  return out;
}
