// What reaches each gate at one step: the product of every mask and scale between the word and
// the gate's weights. Pure: typed arrays in, typed arrays out.
//
//   layer 0:  x_k(t) = E[word] ⊙ e(t)·s_e ⊙ m_k(t)·s_m     (e: embedding mask, m_k: gate k's input mask)
//   layer n:  x_k(t) = h_{n-1}(t) ⊙ b(t)·s_b ⊙ m_k(t)·s_m  (b: PyTorch's between-layer mask, if any)
//   h into k: h(t-1) ⊙ r_k(t)·s_r                           (r_k: gate k's recurrent mask)
import { gateRow, row, sameArray } from "./decode.js";
import { GATES } from "./gates.js";
import { embeddingMask, layerData } from "./trace-data.js";

/** Multipliers on the inputs of every gate of layer n at step t (no comparison). */
function multipliers(trace, n, t) {
  const d = layerData(trace, n);
  let before = null; // what multiplies x(t) before the LSTM's own input mask
  if (n === 0) {
    const e = row(embeddingMask(trace), t);
    const s = trace.embedding.mask_scale;
    before = Float32Array.from(e, (v) => v * s);
  } else {
    const below = layerData(trace, n - 1);
    if (below.masks.between) {
      const b = row(below.masks.between, t);
      const s = below.scales.between;
      before = Float32Array.from(b, (v) => v * s);
    }
  }
  const sIn = d.scales.input ?? 1;
  const sRec = d.scales.recurrent ?? 1;
  return GATES.map((gate) => {
    const m = gateRow(d.masks.input, gate.k, t);
    const r = gateRow(d.masks.recurrent, gate.k, t);
    const x = Float32Array.from(m, (v, e) => v * sIn * (before ? before[e] : 1));
    const h = Float32Array.from(r, (v) => v * sRec);
    return { key: gate.key, x, h };
  });
}

function changedBits(now, prev) {
  const out = new Uint8Array(now.length);
  for (let i = 0; i < now.length; i++) out[i] = now[i] !== prev[i];
  return out;
}

function count(arr, test) {
  let n = 0;
  for (const v of arr) n += test(v);
  return n;
}

/** Per gate: x and h multipliers, how many reach (non-zero), the value a kept element is scaled
 * by, and which changed since step t-1 (null at t = 0); shared: are the four gates' equal. */
export function reachAt(trace, n, t) {
  const now = multipliers(trace, n, t);
  const prev = t > 0 ? multipliers(trace, n, t - 1) : null;
  const gates = now.map((g, j) => {
    const side = (part) => {
      const values = g[part];
      const changed = prev ? changedBits(values, prev[j][part]) : null;
      return {
        values,
        reach: count(values, (v) => v !== 0),
        scales: [...new Set(Array.from(values).filter((v) => v !== 0).map((v) => +v.toFixed(3)))],
        changed,
        nChanged: changed ? count(changed, (v) => v) : 0,
      };
    };
    return { key: g.key, x: side("x"), h: side("h") };
  });
  return {
    t,
    gates,
    xShared: gates.every((g) => sameArray(g.x.values, gates[0].x.values)),
    hShared: gates.every((g) => sameArray(g.h.values, gates[0].h.values)),
  };
}
