// The resolved plan in words, beside the pictures. Text only through textContent.
const NAMES = {
  embedding: "Embedding dropout",
  input: "Mask on x(t) (LSTM dropout)",
  recurrent: "Mask on h(t-1) (recurrent dropout)",
  candidate: "Candidate dropout on g",
  zoneout_c: "Zoneout on c",
  zoneout_h: "Zoneout on h",
  weight_drop: "Weight drop on the recurrent kernel",
  between: "Dropout between layers",
  output: "Dropout on the output (before Dense)",
};

function node(tag, text, cls) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (cls) n.className = cls;
  return n;
}

function timing(entry) {
  return { sequence: "same at every step", step: "fresh at every step", pass: "once per forward pass", none: "" }[entry.timing] ?? entry.timing;
}

function sharing(entry) {
  return (
    { shared: "shared by the four gates", gate: "one per gate", element: "per element", feature: "per feature", word: "per word type", weight: "per weight", none: "" }[entry.sharing] ?? entry.sharing
  );
}

export function renderPlan(container, plan) {
  const parts = [];
  const head = node("p");
  head.append(node("strong", plan.title), ` (${plan.versions}). ${plan.summary}`);
  parts.push(head);
  const emb = plan.masks.embedding;
  const inp = plan.masks.input;
  const answer = node("div", undefined, "answer");
  answer.append(
    node(
      "p",
      `Dropout after the Embedding masks the embedding output ${emb.active ? timing(emb) : "(off here)"}; ` +
        `the LSTM's dropout then masks x(t) ${inp.active ? `${sharing(inp)}, ${timing(inp)}` : "(no mask on x(t) here)"}. ` +
        plan.effective.text,
    ),
  );
  const errors = node("ul");
  for (const sentence of plan.answer) errors.append(node("li", sentence));
  answer.append(errors);
  parts.push(answer);
  const dl = node("dl");
  for (const [name, entry] of Object.entries(plan.masks)) {
    dl.append(node("dt", NAMES[name] ?? name));
    const dd = node("dd");
    const badge = node("span", entry.active ? `on, rate ${entry.rate}` : "off", `badge${entry.active ? " on" : ""}`);
    dd.append(badge);
    const bits = [sharing(entry), timing(entry)].filter(Boolean).join(", ");
    if (entry.active && bits) dd.append(`${bits}. `);
    for (const note of entry.notes) dd.append(`${note} `);
    dd.append(node("div", `Source: ${entry.source}`, "src"));
    dl.append(dd);
  }
  parts.push(dl);
  for (const note of plan.notes) parts.push(node("p", note, "hint"));
  parts.push(node("p", `Source: ${plan.source}`, "src"));
  container.replaceChildren(...parts);
}
