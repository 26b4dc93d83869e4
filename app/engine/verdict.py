"""The plain answer to the seed question for one trace, before any detail.

"Does a Dropout layer after the Embedding do the same as the LSTM's dropout argument?" Every
sentence here is a template over facts measured on the trace (app/engine/facts.py): ``now`` of
the phase shown, ``train`` of the same state in training (what the points describe at inference
too). The state only names things (``Names``: the user's layers as written); what a sentence
claims about them comes from the facts, so no combination of fields can make it false
(tests/engine/test_facts.py walks the grid). The framework's jargon goes to ``details``: sourced
statements of the preset, true whatever the rates (docs/semantics.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.facts import Facts


@dataclass(frozen=True)
class Names:
    """How the sentences name the model's parts, from the state: labels, not claims."""

    emb_layer: str  # "Dropout(0.25)", "SpatialDropout1D(0.25)", "Word dropout (0.25)"
    dropout: str  # "dropout=0.5"
    recurrent_dropout: str  # "recurrent_dropout=0.5"


def num(x: float) -> str:
    return f"{x:.4g}"


# The one place that says a mask's sharing and timing in words (the pages and /api/presets use it).
SHARING = {
    "shared": "the same mask for all four gates",
    "gate": "one mask per gate",
    "element": "a mask per element",
    "feature": "whole embedding features",
    "word": "whole word types",
    "weight": "a mask per recurrent weight",
}
TIMING = {"sequence": "the same at every step", "step": "fresh at every step", "pass": "once per forward pass"}


def words(sharing: str, timing: str) -> str:
    """A mask in words, from its sharing and timing codes: "one mask per gate, the same at every step"."""
    return "none" if sharing == "none" else f"{SHARING[sharing]}, {TIMING[timing]}"


OTHER_WHERE = {
    "candidate": "candidate dropout masks the candidate g only (c_t = f * c_{t-1} + i * (g_t * d))",
    "zoneout": "zoneout keeps some units of c or h at their previous value",
    "weight": "weight-drop zeroes recurrent weights (DropConnect on U), not activations",
    "between_layers": "the LSTM's dropout masks the output of every layer but the last, before the next layer",
    "output": "a Dropout masks the last h before Dense",
    "gate_output": "masks multiply the four gate outputs i, f, g and o after their activations",
}
STILL_ACTS = {"zoneout": "zoneout (on c or h)"}
OTHER_NAMES = {
    "candidate": "the candidate g",
    "zoneout": "c or h (zoneout)",
    "weight": "the recurrent weights",
    "between_layers": "the output between layers",
    "output": "the last h before Dense",
    "gate_output": "the four gate outputs i, f, g and o",
}
PLURAL = {"gate_output"}  # kinds that are several masks (one per gate)


def other_where(kind: str, f: Facts) -> str:
    """Where a mask of the other kinds acts, in words; the gate outputs' with their measured sharing and rate."""
    if kind != "gate_output":
        return OTHER_WHERE[kind]
    share = "one mask per gate" if f.gate_output_per_gate else "the same mask for all four gates"
    return (
        f"{OTHER_WHERE[kind]}, {share}, each keeping {num(f.gate_output_keep)} and scaling by "
        f"{num(1 / f.gate_output_keep)}"
    )


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _targets(f: Facts) -> list[str]:
    """What the masks other than the embedding's act on, in words (the LSTM's, and a Dropout before
    Dense)."""
    out = ["x(t)"] if f.input_masked else []
    out += ["h(t-1)"] if f.recurrent_masked else []
    return out + [OTHER_NAMES[k] for k in f.other_masks]


def _sharing(per_gate: bool) -> str:
    return "a different mask per gate" if per_gate else "the same mask for all four gates"


def _timing(per_step: bool, steps: int) -> str:
    if steps == 1:
        return "drawn once (one step)"
    return "drawn afresh at every step" if per_step else "drawn once per sequence"


def embedding_unit(f: Facts) -> str:
    """What the embedding mask zeroes of the embedding output, as measured."""
    if not f.embedding_dropped:
        return "no element of the embedding output in this draw (it only scales them)"
    if f.embedding_whole_steps:
        return "whole words of the embedding output (every feature of a word at once)"
    if f.steps > 1 and not f.embedding_per_step:
        return "whole features of the embedding output (the same ones at every step)"
    return "single elements of the embedding output"


def answer(now: Facts, train: Facts, names: Names) -> str:
    """The first sentence a student reads."""
    if not train.any_mask:
        return "Here nothing is dropped at all: no mask acts, in training or at inference."
    if train.embedding_masked and train.input_masked and train.equivalent_dropout is not None:
        spatial = train.steps > 1 and not train.embedding_per_step
        timing = (
            "one step"
            if train.steps == 1
            else ("fresh at every step" if train.input_per_step else "the same at every step")
        )
        core = (
            f"Yes, in kind: here both are the same kind of mask on the same vector x(t) ({timing}, the same for all "
            f"four gates), and they stack: together they act as one {'SpatialDropout1D' if spatial else 'Dropout'}"
            f"({num(train.equivalent_dropout)})."
        )
    elif train.embedding_masked and train.input_masked:
        core = f"No: two different masks on the same vector x(t){_how_they_differ(train)}."
    elif train.embedding_masked:
        rest = _targets(train)
        core = (
            "No. Here only the Dropout layer after the Embedding drops anything: the LSTM has no mask."
            if not rest
            else "No. Here the LSTM puts no mask on its input x(t): only the Dropout layer after the Embedding "
            f"drops it, and other masks act on {and_list(rest)}."
        )
    elif train.input_masked:
        core = (
            "Here there is no dropout after the Embedding to compare: the masks that act are on "
            f"{and_list(_targets(train))}."
        )
    else:
        core = (
            "Here neither drops the input x(t): there is no dropout after the Embedding, and masks act only "
            f"on {and_list(_targets(train))}."
        )
    prefix = _phase_prefix(now, train)
    if not prefix:
        return core
    core = core.replace("No. Here ", "no: here ").removeprefix("Here ")
    return prefix + core[0].lower() + core[1:]


def _how_they_differ(train: Facts) -> str:
    """How the embedding mask and the LSTM's mask on x(t) differ in this draw (or nothing)."""
    if not (train.embedding_dropped and train.input_dropped):
        return ""
    emb, lstm = "", []
    if train.embedding_whole_steps:
        emb = "the Dropout layer's drops whole words"
    elif train.steps > 1 and train.embedding_per_step != train.input_per_step:
        emb = "the Dropout layer's is " + (
            "drawn afresh at every step" if train.embedding_per_step else "the same at every step"
        )
        lstm.append("drawn afresh at every step" if train.input_per_step else "once per sequence")
    if train.input_per_gate:
        lstm.append("one per gate")
    parts = [emb] if emb else []
    if lstm:
        parts.append("the LSTM's " + ", ".join(lstm))
    return f" ({'; '.join(parts)})" if parts else ""


def _phase_prefix(now: Facts, train: Facts) -> str:
    """When the trace's masks are not those of training (inference): what still acts there."""
    if now == train:
        return ""
    if now.any_mask:
        still = and_list([STILL_ACTS.get(k, OTHER_NAMES[k]) for k in now.other_masks])
        return (
            f"At inference every dropout mask is off; only {still} still acts, through its expected value. "
            "In training, "
        )
    return "At inference nothing is dropped and nothing is rescaled. In training, "


def _where(train: Facts, names: Names) -> str:
    if train.embedding_masked:
        first = f"{names.emb_layer} after the Embedding zeroes {embedding_unit(train)}"
    else:
        first = "There is no dropout after the Embedding"
    if train.input_masked and not train.input_dropped:
        lstm = f"the LSTM's {names.dropout} mask on x(t) drops nothing in this draw (it only scales)"
    elif train.input_per_gate:
        lstm = f"the LSTM's {names.dropout} masks x(t) before each gate's weights, {_sharing(True)}"
    elif train.input_masked:
        before = "a fresh mask at every step" if train.input_per_step else "one mask for the whole sequence"
        lstm = (
            f"the LSTM's {names.dropout} masks x(t) with {_sharing(False)}: the same as masking x(t) before the "
            f"LSTM with {before}"
        )
    else:
        lstm = "the LSTM puts no mask on its input x(t)"
    parts = [f"{first}; {lstm}"]
    if train.recurrent_masked and not train.recurrent_dropped:
        parts.append(f"the mask of {names.recurrent_dropout} on h(t-1) drops nothing in this draw (it only scales)")
    elif train.recurrent_masked:
        parts.append(
            f"{names.recurrent_dropout} masks h(t-1), {_sharing(train.recurrent_per_gate)}, out of any Dropout "
            "layer's reach"
        )
    parts += [other_where(k, train) for k in train.other_masks]
    return "; ".join(parts) + "."


def _when(train: Facts) -> str:
    if train.steps == 1 and train.any_mask:
        return "With one step every mask is drawn once: per-step and per-sequence masks coincide."
    parts = []
    if train.embedding_dropped:
        if train.embedding_whole_steps and train.embedding_per_step:
            parts.append("the embedding mask drops whole words, so it changes from word to word")
        elif train.embedding_per_step:
            parts.append("the embedding mask is drawn afresh at every step")
        else:
            parts.append("the embedding mask is the same at every step")
    x, h = train.input_dropped, train.recurrent_dropped
    if x and h and train.input_per_step == train.recurrent_per_step:
        parts.append(f"the LSTM's masks on x(t) and h(t-1) are {_timing(train.input_per_step, train.steps)}")
    else:
        if x:
            parts.append(f"the LSTM's mask on x(t) is {_timing(train.input_per_step, train.steps)}")
        if h:
            parts.append(f"the LSTM's mask on h(t-1) is {_timing(train.recurrent_per_step, train.steps)}")
    for kind in train.other_masks:
        if kind in ("weight", "output"):
            parts.append(f"the mask on {OTHER_NAMES[kind]} is drawn once per forward pass")
        elif kind in PLURAL:
            parts.append(f"the masks on {OTHER_NAMES[kind]} are {_timing(kind in train.other_per_step, train.steps)}")
        else:
            parts.append(f"the mask on {OTHER_NAMES[kind]} is {_timing(kind in train.other_per_step, train.steps)}")
    if not parts:
        return (
            "No mask dropped anything in this draw: they only scale."
            if train.any_mask
            else "Nothing is redrawn: no mask acts."
        )
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def compound(train: Facts, names: Names) -> str:
    """How the embedding dropout and the LSTM's mask on x(t) combine."""
    if train.embedding_masked and train.input_masked:
        text = (
            f"They compound: an embedding element reaches gate i with probability {num(train.embedding_keep)} x "
            f"{num(train.input_keep)} = {num(train.keep)}, then scaled by {num(train.scale)}"
        )
        if train.equivalent_dropout is not None:
            return text + f": one mask at rate {num(train.equivalent_dropout)}."
        return text + "."
    if train.embedding_masked or train.input_masked:
        which = "the Dropout layer after the Embedding" if train.embedding_masked else "the LSTM's mask"
        return (
            f"Only one mask drops x(t) here ({which}), so nothing compounds on it: an embedding element "
            f"reaches gate i with probability {num(train.keep)} and is then scaled by {num(train.scale)}."
        )
    return "No mask drops x(t) here: every embedding element reaches every gate unscaled."


def difference(now: Facts, trained: str = "") -> str:
    """'Will it make any difference?' as far as one pass can tell, then what training says:
    ``trained``, a clause on the recorded lab study (app/studies/recorded.py ``answer``), or a
    pointer to the lab."""
    p, p0 = num(now.probability), num(now.probability_without_dropout)
    if now.differs_from_no_dropout:
        then = trained or "the training lab trains the seed's two models over paired seeds"
        dh = num(now.max_abs_dh)
        moved = f"h moves by up to {dh} and p is" if dh != "0" else "h is that of the model without dropout, but p is"
        return (
            f"Will it make any difference? To this pass, yes: {moved} {p} instead of {p0} without dropout. "
            f"Whether it helps the model generalise is for training: {then}."
        )
    then = f": {trained}" if trained else ""
    return (
        "Will it make any difference? Not to what the model computes here: h at every step and p "
        f"({p}) are exactly those of the same model without dropout. Any difference lies in how the "
        f"weights were trained{then}."
    )


def verdict(
    now: Facts, train: Facts, names: Names, details: list[str], caveats: dict[str, str], trained: str = ""
) -> dict:
    """{answer, points [{key, title, text}], difference, details} for the page's first panel; ``caveats``
    are the preset's sourced statements a point ends with (key -> sentence), true whatever the rates."""
    later = "" if now == train else " (in training)"

    def also(key: str, text: str) -> str:
        return f"{text} {caveats[key]}" if key in caveats else text

    points = [
        {"key": "where", "title": "Where the mask lands" + later, "text": also("where", _where(train, names))},
        {"key": "when", "title": "How often it is redrawn" + later, "text": also("when", _when(train))},
        {"key": "compound", "title": "Together" + later, "text": compound(train, names)},
    ]
    return {
        "answer": answer(now, train, names),
        "points": points,
        "difference": difference(now, trained),
        "details": details,
    }
