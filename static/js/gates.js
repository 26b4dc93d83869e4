// One list of the LSTM's gates and one palette, for the cell diagram and every figure.
// Gate order k is the order of the trace's (T, 4, D) gate masks: i, f, g, o.
export const GATES = [
  { key: "i", k: 0, act: "σ", name: "input gate i", colour: "#0072b2" },
  { key: "f", k: 1, act: "σ", name: "forget gate f", colour: "#009e73" },
  { key: "g", k: 2, act: "tanh", name: "candidate g", colour: "#d55e00" },
  { key: "o", k: 3, act: "σ", name: "output gate o", colour: "#cc79a7" },
];
export const GATE_KEYS = GATES.map((g) => g.key);

/** Keep/drop colours of every mask (luminance contrast, colour-blind safe, fine on projectors). */
export const DROPPED = "#12355b";
export const KEPT = "#e3e9f3";
/** "Changed since the previous step": the one accent for it, in the cell and the strips. */
export const CHANGED = "#d55e00";
export const LAYER_FILL = "#f6c85f"; // colah's yellow boxes: learned layers
export const OP_FILL = "#f4a6b7"; // colah's pink circles: pointwise operations

/** Line colours of the series in "one unit over time". */
export const SERIES_COLOURS = {
  ...Object.fromEntries(GATES.map((g) => [g.key, g.colour])),
  c: "#555555",
  h: "#000000",
};
