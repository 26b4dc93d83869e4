// Typed views of one trace's arrays, decoded once per trace (decode.js caches per array).
import { decode } from "./decode.js";
import { GATE_KEYS } from "./gates.js";

/** Layer n: x (T, D) its input, i f g o c h (T, H), masks {name: (T, 4, D) | (T, H) | ...}. */
export function layerData(trace, n) {
  const layer = trace.layers[n];
  const d = { x: decode(layer.x), c: decode(layer.c), h: decode(layer.h), masks: {}, scales: {} };
  for (const g of GATE_KEYS) d[g] = decode(layer.gates[g]);
  for (const [name, spec] of Object.entries(layer.masks)) {
    if (spec && typeof spec === "object") d.masks[name] = decode(spec);
    else if (name.endsWith("_scale")) d.scales[name.slice(0, -6)] = spec;
  }
  return d;
}

export function embeddingMask(trace) {
  return decode(trace.embedding.mask);
}
