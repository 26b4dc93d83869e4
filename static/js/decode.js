// Plotly typed arrays ({dtype, bdata, shape}, as app/core/encoding.py writes them) -> typed arrays.
const cache = new WeakMap();

export function decode(spec) {
  let out = cache.get(spec);
  if (out) return out;
  const bin = atob(spec.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const data =
    spec.dtype === "u1" ? bytes : spec.dtype === "f4" ? new Float32Array(bytes.buffer) : new Int32Array(bytes.buffer);
  const shape = spec.shape ? spec.shape.split(",").map(Number) : [data.length];
  out = { data, shape };
  cache.set(spec, out);
  return out;
}

/** (T, D) row-major -> D rows of T values: features top to bottom, time left to right. */
export function rowsOf(arr) {
  const [T, D] = arr.shape;
  const Ctor = arr.data.constructor;
  const rows = Array.from({ length: D }, () => new Ctor(T));
  for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) rows[d][t] = arr.data[t * D + d];
  return rows;
}

/** (T, G, D) -> the D values of gate k at step t (a view, no copy). */
export function gateRow(mask, k, t) {
  const [, G, D] = mask.shape;
  return mask.data.subarray((t * G + k) * D, (t * G + k + 1) * D);
}

/** (T, 4, D) -> the (T, D) slice of gate k. */
export function gateSlice(arr, k) {
  const [T, G, D] = arr.shape;
  const out = new arr.data.constructor(T * D);
  for (let t = 0; t < T; t++) out.set(arr.data.subarray((t * G + k) * D, (t * G + k + 1) * D), t * D);
  return { data: out, shape: [T, D] };
}

/** Row t of a (T, D) array. */
export function row(arr, t) {
  const D = arr.shape[arr.shape.length - 1];
  return arr.data.subarray(t * D, (t + 1) * D);
}

export function sameArray(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
