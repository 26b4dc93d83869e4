// What "Compare with..." offers: each choice is the list of vs. pairs ([field, value]) that turn
// model A into model B. Pure: A's trace config in, choices out. Each is built to be a valid state
// (a framework that lacks one of A's rates gets it at 0: PyTorch's nn.LSTM needs
// recurrent_dropout=0); the server still checks every one before it is offered (compare-control.js).
import { DEFAULTS, FIELD, FIELDS, GOVERNED, LIMITS, PRESETS, RATE_FIELDS, VERSION, choiceLabel } from "../constants.js";

const defaultsOf = (config) => DEFAULTS[config.v] ?? DEFAULTS[VERSION];

/** Plain names of the fields without a control of their own (templates/_controls.html plain_names). */
const PLAIN = { tokens: "Token ids", hide: "Controls hidden from students", vocab: "Vocabulary size", emb: "Embedding size" };

/** A field in plain words ("Embedding dropout" for emb_dropout): its control's label. */
export function plainName(name) {
  return FIELD[name]?.label || PLAIN[name] || name;
}

/** preset=name, and every knob of A's that preset lacks back to its default (a rate to 0). */
export function presetPairs(config, name) {
  const knobs = new Set(PRESETS[name].knobs);
  const pairs = [["preset", name]];
  for (const f of FIELDS) {
    if (!GOVERNED.has(f.name) || knobs.has(f.name)) continue;
    const fallback = f.kind === "rate" ? 0 : defaultsOf(config)[f.name];
    if (config[f.name] !== fallback) pairs.push([f.name, String(fallback)]);
  }
  return pairs;
}

/** [{id, label, vs, group?}]: the seed's other model, no dropout, the other phase, another mask
 * seed, then every other framework. A choice with no pairs would be A itself. */
export function compareChoices(config) {
  const seedRate = DEFAULTS[VERSION].emb_dropout; // the seed question's Dropout(0.25)
  const embOn = config.emb_dropout > 0;
  const rates = RATE_FIELDS.filter((n) => config[n] > 0);
  const phase = config.phase === "train" ? "infer" : "train";
  const seed = (config.seed + 1) % (LIMITS.seed_max + 1);
  const choices = [
    {
      id: "seed-model",
      label: embOn ? "The seed's other model: no Dropout after the Embedding" : `The seed's other model: Dropout(${seedRate}) after the Embedding`,
      vs: [["emb_dropout", embOn ? "0" : String(seedRate)]],
    },
    { id: "no-dropout", label: rates.length ? "No dropout (every rate 0)" : "No dropout (A has none)", vs: rates.map((n) => [n, "0"]) },
    { id: "phase", label: `The ${choiceLabel("phase", phase)} phase (phase=${phase})`, vs: [["phase", phase]] },
    { id: "seed", label: `Another mask seed (seed ${seed})`, vs: [["seed", String(seed)]] },
  ];
  for (const name of Object.keys(PRESETS)) {
    if (name === config.preset) continue;
    const vs = presetPairs(config, name);
    const extra = vs.slice(1).map(([k, v]) => `${plainName(k)} ${v}`).join(", ");
    choices.push({ id: `preset-${name}`, group: "Another framework", label: extra ? `${PRESETS[name].title} (${extra})` : PRESETS[name].title, vs });
  }
  return choices;
}

/** One pair as a comparable string: numbers by value ("0.50" is "0.5"). */
function norm([name, value]) {
  const kind = FIELD[name]?.kind;
  const number = Number(value);
  return `${name}=${(kind === "rate" || kind === "int") && value !== "" && Number.isFinite(number) ? number : value}`;
}

/** Do two lists of vs. pairs ask for the same B? */
export function samePairs(a, b) {
  const left = new Set(a.map(norm));
  return a.length === b.length && b.every((p) => left.has(norm(p)));
}

/** The vs. pairs in plain words: "Embedding dropout 0, Phase infer". */
export function plainPairs(vs) {
  return vs.map(([k, v]) => `${plainName(k)} ${k === "text" ? `“${v}”` : v}`).join(", ");
}

/** The vs. pairs in words: "emb_dropout = 0, phase = infer". */
export function pairsInWords(vs) {
  return vs.map(([k, v]) => `${k} = ${k === "text" ? `“${v}”` : v}`).join(", ");
}
