// The configurations in words and colours (pure). What each trains (app/link/lab_query.py
// LabQuery.spec_state): none = every rate 0; emb = only the layer after the Embedding; cell = only
// the LSTM's own masks (every rate some preset governs); both = the model as linked.
import { PRESETS } from "../constants.js";
import { modelLayers } from "../model-line.js";

/** One colour per configuration (Okabe-Ito: apart for colour-blind eyes and on a projector). */
export const CONFIG_COLORS = { none: "#d55e00", emb: "#0072b2", cell: "#009e73", both: "#cc79a7" };
/** Colours for other arms (a recorded study's: "per-sequence", "per-step"...), by index: the same
 * palette first, then Okabe-Ito's orange, sky blue and black. */
const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"];

/** {arm: colour}: the four configurations keep theirs; any other name takes the palette's next
 * colour no arm of this run has yet. */
export function armColors(arms) {
  const colors = Object.fromEntries(arms.filter((a) => CONFIG_COLORS[a]).map((a) => [a, CONFIG_COLORS[a]]));
  const free = PALETTE.filter((c) => !Object.values(colors).includes(c));
  arms.forEach((a, i) => {
    colors[a] ??= free.shift() ?? PALETTE[i % PALETTE.length];
  });
  return colors;
}

/** The model's layers by name (model-line.js): embedding, emb_dropout, lstm, out_dropout, dense. */
const layersOf = (s) => Object.fromEntries(modelLayers(s).map((l) => [l.layer, l]));

/** The layer after the Embedding (its rate above 0): Dropout(0.25), SpatialDropout1D(0.25)... */
const embLayer = (s) => layersOf(s).emb_dropout.code;

/** The question's LSTM: its own dropout and recurrent_dropout, nothing else inside the cell. */
function questionCell(rates) {
  return rates.length === 2 && rates[0].startsWith("dropout=") && rates[1].startsWith("recurrent_dropout=");
}

/** ["dropout=0.5", "recurrent_dropout=0.5"]: the LSTM's own rates above 0. */
const cellRates = (s) => layersOf(s).lstm.rates;

/** The model as Keras code on one line: Embedding -> Dropout -> LSTM -> (Dropout) -> Dense. */
export function modelCode(s) {
  return modelLayers(s).map((l) => l.code).join(" → ");
}

export function presetTitle(s) {
  return PRESETS[s.preset]?.title ?? s.preset;
}

/** Where the runs start and what draws their randomness. */
export function modelNote(s) {
  return (
    `Every configuration trains from scratch: the same Keras initialisation (weight seed ${s.init_seed}), ` +
    `not the explorer's trained weights; shuffling and masks from mask seed ${s.seed}.`
  );
}

/** What one configuration trains, in one line, for the state `s`. */
export function describe(config, s) {
  const rates = cellRates(s);
  const sameAsNone = "so it trains like no dropout";
  if (config === "none") return "Every rate 0: nothing is dropped anywhere, the model is free to overfit.";
  if (config === "emb") {
    if (!(s.emb_dropout > 0)) return `This model has no dropout after the Embedding, ${sameAsNone}.`;
    return `Only ${embLayer(s)} after the Embedding; the LSTM drops nothing.`;
  }
  if (config === "cell") {
    if (!rates.length) return `This model has no dropout inside the LSTM, ${sameAsNone}.`;
    const question = questionCell(rates) ? ": the question's first model" : "";
    return `Only the LSTM's own ${rates.join(", ")}${question}.`;
  }
  const extra = s.out_dropout > 0 ? `, and Dropout(${s.out_dropout}) before Dense` : "";
  const emb = s.emb_dropout > 0 ? `${embLayer(s)} after the Embedding` : "no dropout after the Embedding";
  const cell = rates.length ? `the LSTM's ${rates.join(", ")}` : "no dropout inside the LSTM";
  const question = s.emb_dropout > 0 && questionCell(rates) && !(s.out_dropout > 0) ? " The question's second model." : "";
  return `The model as linked: ${emb} and ${cell}${extra}.${question}`;
}
