// The configurations in words and colours (pure). What each trains (app/link/lab_query.py
// LabQuery.spec_state): none = every rate 0; emb = only the layer after the Embedding; cell = only
// the LSTM's own masks (every rate some preset governs); both = the model as linked.
import { FIELD, FIELDS, GOVERNED, PRESETS } from "../constants.js";

/** One colour per configuration (Okabe-Ito: apart for colour-blind eyes and on a projector). */
export const CONFIG_COLORS = { none: "#d55e00", emb: "#0072b2", cell: "#009e73", both: "#cc79a7" };

/** The LSTM's own rates: the rate fields that some preset governs (its knobs). */
const IN_CELL = FIELDS.filter((f) => f.kind === "rate" && GOVERNED.has(f.name)).map((f) => f.name);

/** The layer after the Embedding: Dropout(0.25), or e.g. "dropout 0.25 (spatial: SpatialDropout1D)". */
function embLayer(s) {
  const mode = s.emb_mode ?? FIELD.emb_mode.default;
  if (mode === FIELD.emb_mode.default) return `Dropout(${s.emb_dropout})`;
  return `dropout ${s.emb_dropout} (${FIELD.emb_mode.labels?.[mode] ?? mode})`;
}

/** The question's LSTM: its own dropout and recurrent_dropout, nothing else inside the cell. */
function questionCell(rates) {
  return rates.length === 2 && rates[0].startsWith("dropout=") && rates[1].startsWith("recurrent_dropout=");
}

/** "dropout=0.5, recurrent_dropout=0.5": the LSTM's rates above 0. */
function cellRates(s) {
  return IN_CELL.filter((name) => s[name] > 0).map((name) => `${name}=${s[name]}`);
}

function lstm(s, rates) {
  const layer = `LSTM(${[s.units, ...rates].join(", ")})`;
  return s.layers > 1 ? `${layer} × ${s.layers}` : layer;
}

/** The model as Keras code on one line: Embedding -> Dropout -> LSTM -> (Dropout) -> Dense. */
export function modelCode(s) {
  const parts = [`Embedding(${s.vocab}, ${s.emb})`];
  if (s.emb_dropout > 0) parts.push(embLayer(s));
  parts.push(lstm(s, cellRates(s)));
  if (s.out_dropout > 0) parts.push(`Dropout(${s.out_dropout})`);
  parts.push("Dense(1, sigmoid)");
  return parts.join(" → ");
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
