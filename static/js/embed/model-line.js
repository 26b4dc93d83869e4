// The model an embedded figure shows, in one line as a reader would write it in code:
// "Keras 3 (3.8 and later) · Dropout(0.25) + LSTM(dropout=0.5, recurrent_dropout=0.5)". Pure.
import { FIELD, PRESETS } from "../constants.js";

const EMBEDDING_DROPOUT = { standard: "Dropout", spatial: "SpatialDropout1D", word: "WordDropout" };

/** config: a trace's config (preset, preset_title, rates, layers, phase). */
export function modelLine(config) {
  const c = config;
  const parts = [];
  if (c.emb_dropout > 0) parts.push(`${EMBEDDING_DROPOUT[c.emb_mode] ?? "Dropout"}(${c.emb_dropout})`);
  // the preset's own rates (its knobs), as the LSTM's arguments
  const knobs = (PRESETS[c.preset]?.knobs ?? []).filter((k) => FIELD[k]?.kind === "rate" && c[k] > 0);
  const args = knobs.length ? `(${knobs.map((k) => `${k}=${c[k]}`).join(", ")})` : "";
  parts.push(`LSTM${args}${c.layers > 1 ? ` × ${c.layers} layers` : ""}`);
  if (c.out_dropout > 0) parts.push(`Dropout(${c.out_dropout})`);
  const none = parts.length === 1 && !args ? ", no dropout" : "";
  const phase = c.phase === "infer" ? " · at inference" : "";
  return `${c.preset_title ?? c.preset} · ${parts.join(" + ")}${none}${phase}`;
}
