// Every mask of the plan, where it acts and its source. The words that describe a mask are the
// server's (plan.masks[name].words): this module only lays them out. Text only through textContent.
const NAMES = {
  embedding: "Embedding dropout (the Dropout layer)",
  input: "Mask on x(t) (the LSTM's dropout)",
  recurrent: "Mask on h(t-1) (recurrent_dropout)",
  candidate: "Candidate dropout on g",
  zoneout_c: "Zoneout on c",
  zoneout_h: "Zoneout on h",
  weight_drop: "Weight drop on the recurrent kernel",
  between: "Dropout between layers",
  output: "Dropout on the output (before Dense)",
  gate_output: "Masks on the gate outputs (the forum answer, hypothetical)",
};

function node(tag, text, cls) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (cls) n.className = cls;
  return n;
}

export function renderPlan(container, plan) {
  const parts = [];
  const head = node("p");
  head.append(node("strong", plan.title), ` (${plan.versions}). ${plan.summary}`);
  parts.push(head);
  parts.push(node("p", plan.effective.text, "effective"));
  const dl = node("dl");
  for (const [name, entry] of Object.entries(plan.masks)) {
    dl.append(node("dt", NAMES[name] ?? name));
    const dd = node("dd");
    dd.dataset.mask = name;
    dd.append(node("span", entry.active ? `on, rate ${entry.rate}` : "off", `badge${entry.active ? " on" : ""}`));
    if (entry.active && entry.words !== "none") dd.append(`${entry.words}. `);
    for (const note of entry.notes) dd.append(`${note} `);
    dd.append(node("div", `Source: ${entry.source}`, "src"));
    dl.append(dd);
  }
  parts.push(dl);
  for (const note of plan.notes) parts.push(node("p", note, "hint"));
  parts.push(node("p", `Source: ${plan.source}`, "src"));
  container.replaceChildren(...parts);
}
