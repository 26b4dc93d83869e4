// The page constants the server renders from its field table (app/web/pages/explorer.py page_constants):
// every bound, choice, label and work limit the page uses comes from here, never typed again.
const constants = JSON.parse(document.getElementById("page-constants").textContent);

export const FIELDS = constants.fields;
export const FIELD = Object.fromEntries(FIELDS.map((f) => [f.name, f]));
/** What a teacher's link may hide, as the controls name it: {name: label}. */
export const HIDE_LABELS = constants.hide_labels ?? {};
export const PRESETS = Object.fromEntries(constants.presets.map((p) => [p.name, p]));
export const VERSION = constants.version;
export const DEFAULTS = constants.defaults;
export const TRAINED_SHAPE = constants.trained_shape;
export const LINK_PROBLEMS = constants.problems;
export const PLOTLY_URL = constants.plotly;
/** {mc_samples_max, seed_max, text_max, steps_max}: the server's bounds (a state's own Monte Carlo
 * bound comes with its trace: config.mc_samples_max). */
export const LIMITS = constants.limits;
export const RATE_FIELDS = FIELDS.filter((f) => f.kind === "rate").map((f) => f.name);
/** A preset's knobs (presets[].knobs: its rates, and for custom its mask-scheme choices): a field
 * some preset lists can be set only when the chosen preset lists it. */
export const GOVERNED = new Set(Object.values(PRESETS).flatMap((p) => p.knobs));
/** Compare mode (app/link/compare.py): {vs: [[field, value]...], query: B's canonical state or null,
 * link: the canonical compare link, problems: [{field: "vs.FIELD", message...}]}. */
export const COMPARE = constants.compare ?? { vs: [], query: null, link: null, problems: [] };
/** The 64 words the model knows, when the server sends them (else the vocabulary is fetched). */
export const VOCABULARY = constants.vocabulary ?? null;

/** The display label of a choice ("infer" -> "inference"), from the field table. */
export function choiceLabel(name, value) {
  return FIELD[name]?.labels?.[value] ?? String(value);
}

/** Classroom mode: ?present=1 (app/web/pages/explorer.py page_params): large type, keys, the share panel. */
export const PRESENT = constants.present === true;
/** The lesson this page draws a step of (app/lessons/model.py Lesson.as_dict), or null; STEP: the
 * step drawn first, 1-based. */
export const LESSON = constants.lesson ?? null;
export const STEP = constants.step ?? null;
/** The lesson after this one ({slug, title}), where the last step's Next leads; null after the last. */
export const NEXT_LESSON = constants.next_lesson ?? null;
