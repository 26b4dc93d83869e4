// The LSTM's equations with the masks the plan puts in them, for the cell diagram. Pure.
// Notation (d2l, colah): x the layer's input at step t, h = h(t-1), W_k U_k b_k gate k's weights.
// A mask is written where it multiplies: x ⊙ m_i (gate i's own input mask) or x ⊙ m when the
// four gates share one; masks hold 0 or the scale 1/(1 - rate).

function masked(base, entry, letter, key) {
  if (!entry?.active) return base;
  return entry.sharing === "gate" ? `(${base} ⊙ ${letter}_${key})` : `(${base} ⊙ ${letter})`;
}

/** Lines of the equations for layer n ("_i" marks a subscript). */
export function equations(plan, n) {
  const m = plan.masks;
  const lines = [];
  if (n === 0) lines.push({ key: "x", text: m.embedding?.active ? "x = E[word] ⊙ e" : "x = E[word]" });
  else lines.push({ key: "x", text: m.between?.active ? `x = h^${n} ⊙ b` : `x = h^${n}` });
  const U = m.weight_drop?.active ? "Ũ" : "U";
  for (const [key, act] of [["i", "σ"], ["f", "σ"], ["g", "tanh"], ["o", "σ"]]) {
    const inner = `W_${key} ${masked("x", m.input, "m", key)} + ${U}_${key} ${masked("h", m.recurrent, "r", key)} + b_${key}`;
    const drop = key === "g" && m.candidate?.active ? "d ⊙ " : "";
    lines.push({ key, text: `${key} = ${drop}${act}(${inner})` });
  }
  if (m.gate_output?.active) {
    // preset forum (hypothetical): each gate output times its own mask q_k
    lines.push({ key: "c", text: "c = (f ⊙ q_f) ⊙ c(t-1) + (i ⊙ q_i) ⊙ (g ⊙ q_g)" });
    lines.push({ key: "h", text: "h = (o ⊙ q_o) ⊙ tanh(c)" });
    return lines;
  }
  lines.push({ key: "c", text: "c = f ⊙ c(t-1) + i ⊙ g" });
  lines.push({ key: "h", text: "h = o ⊙ tanh(c)" });
  return lines;
}

/** What each letter of the equations is, in words (the plan's own words for each mask). */
export function equationKey(plan, n) {
  const m = plan.masks;
  const out = [];
  const scale = (entry) => (entry.rate > 0 && entry.rate < 1 ? ` (0 or ${+(1 / (1 - entry.rate)).toFixed(3)})` : "");
  if (n === 0 && m.embedding?.active) out.push(`e: the Dropout layer's mask after the Embedding${scale(m.embedding)}: ${m.embedding.words}.`);
  if (n > 0 && m.between?.active) out.push(`b: PyTorch's mask between layers${scale(m.between)}: ${m.between.words}.`);
  if (m.input?.active) {
    const what = m.input.sharing === "gate" ? "m_i, m_f, m_g, m_o: each gate's own mask on x" : "m: the mask on x";
    out.push(`${what}${scale(m.input)}: ${m.input.words}.`);
  }
  if (m.recurrent?.active) {
    const what = m.recurrent.sharing === "gate" ? "r_i, r_f, r_g, r_o: each gate's own mask on h(t-1)" : "r: the mask on h(t-1)";
    out.push(`${what}${scale(m.recurrent)}: ${m.recurrent.words}.`);
  }
  if (m.candidate?.active) out.push(`d: candidate dropout on g${scale(m.candidate)}: ${m.candidate.words}.`);
  if (m.gate_output?.active) out.push(`q_i, q_f, q_g, q_o: the forum answer's mask on each gate's output${scale(m.gate_output)}: ${m.gate_output.words} (hypothetical: no framework does this).`);
  if (m.weight_drop?.active) out.push(`Ũ: U with dropped weights (weight drop): ${m.weight_drop.words}.`);
  for (const z of ["zoneout_c", "zoneout_h"]) {
    if (m[z]?.active) out.push(`Zoneout on ${z.slice(-1)}: where it fires, the unit keeps its value from step t-1 (${m[z].words}).`);
  }
  if (!out.length) out.push("No mask acts here: every input reaches every gate as it is.");
  return out;
}
