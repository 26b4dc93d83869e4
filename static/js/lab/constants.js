// The training lab's page constants (app/web/pages/explorer.py training_lab): the lab's field table, the
// configurations' titles, the link as the server read it. Shared ones (state fields, presets,
// plotly.js URL) come from ../constants.js; nothing here is typed again.
const constants = JSON.parse(document.getElementById("page-constants").textContent);

/** [{name, kind, default, lo, hi, choices, labels, allowed, doc, label, hint, group}], kinds: names, int, choice, number. */
export const LAB_FIELDS = constants.lab_fields;
export const LAB_FIELD = Object.fromEntries(LAB_FIELDS.map((f) => [f.name, f]));
/** {none: "no dropout", emb: ..., cell: ..., both: ...}, in the configurations' canonical order. */
export const CONFIG_TITLES = constants.config_titles;
export const CONFIGS = LAB_FIELD.configs.choices;
/** {version: {field: default}}: each state version's lab defaults (a link keeps its version's). */
export const LAB_DEFAULTS = constants.lab_defaults ?? {};
/** {query, state, configs, study, values}: the link's canonical lab query, its state part, its
 * configurations, the recorded study it replays ("" for none) and every lab field's value. */
export const LINKED = constants.lab;
/** [{name, title}]: the recorded studies (/train?study=NAME), with short titles. */
export const STUDIES = constants.studies ?? [];
