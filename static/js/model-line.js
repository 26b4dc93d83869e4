// The model on one line, layer by layer, as Keras code writes it: "Embedding(64, 64) → Dropout(0.25)
// → LSTM(100, dropout=0.5, recurrent_dropout=0.5) → Dense(1, sigmoid)". The one place that says how
// the model is written: the training lab's model line (lab/configs.js), an embed's title
// (pages/embed.js) and the explorer's strip of blocks (explorer/model-strip.js). Pure.
import { FIELDS, PRESETS } from "./constants.js";

/** The layer after the Embedding, by emb_mode (WordDropout: the generated code's own layer). */
const EMBEDDING_DROPOUT = { standard: "Dropout", spatial: "SpatialDropout1D", word: "WordDropout" };

/** The LSTM's own rates above 0 (its preset's knobs), in the field table's order: ["dropout=0.5", ...]. */
function lstmRates(c) {
  const knobs = PRESETS[c.preset]?.knobs ?? [];
  return FIELDS.filter((f) => f.kind === "rate" && knobs.includes(f.name) && c[f.name] > 0).map((f) => `${f.name}=${c[f.name]}`);
}

/**
 * The model's layers in order, each {layer, code}: layer "embedding", "emb_dropout", "lstm", "out_dropout"
 * or "dense" (a dropout layer only when its rate is above 0); code: the layer as Keras code,
 * "LSTM(100, dropout=0.5) × 2 layers". The embedding and the LSTM also have their size, as the strip
 * writes it ("64 → 64", "100 × 2"), and the LSTM its rates (["dropout=0.5"]). {sizes: false}: the
 * dropouts only, around the LSTM, without sizes ("Dropout(0.25)", "LSTM(dropout=0.5)").
 * c: a trace's config or a state's values (preset, vocab, emb, units, layers, emb_mode, the rates).
 */
export function modelLayers(c, { sizes = true } = {}) {
  const rates = lstmRates(c);
  const args = sizes ? [c.units, ...rates] : rates;
  const stacked = c.layers > 1;
  const layers = [];
  if (sizes) layers.push({ layer: "embedding", code: `Embedding(${c.vocab}, ${c.emb})`, size: `${c.vocab} → ${c.emb}` });
  if (c.emb_dropout > 0) layers.push({ layer: "emb_dropout", code: `${EMBEDDING_DROPOUT[c.emb_mode] ?? "Dropout"}(${c.emb_dropout})` });
  layers.push({
    layer: "lstm",
    code: `LSTM${args.length ? `(${args.join(", ")})` : ""}${stacked ? ` × ${c.layers} layers` : ""}`,
    size: `${c.units}${stacked ? ` × ${c.layers}` : ""}`,
    rates,
  });
  if (c.out_dropout > 0) layers.push({ layer: "out_dropout", code: `Dropout(${c.out_dropout})` });
  if (sizes) layers.push({ layer: "dense", code: "Dense(1, sigmoid)" });
  return layers;
}
