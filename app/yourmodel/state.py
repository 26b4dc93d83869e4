"""From what was read to the lab's state: one ``ModelRead`` -> one ``State``, two -> a compare link.

``to_reading(code_read)`` maps every model a reader found (keras_code.py, torch_code.py,
objects.py) onto the state's fields, through the state's own parser (app/link/state.py), so
what opens is a state like any link's, checked by every rule a link is. Where the model says
more than the lab can show, the number is clamped to the state's bound with a visible note,
never silently; what the model does not say takes the state's default, with a note where it is
a size. With two models, A is the one with more dropout layers and arguments (the model a
"does adding it make a difference?" question asks about), B the other; with as many, the last
one pasted is A (the forum question pastes the model it has, then the one it asks about). The
page's answer is A's, and B - A shows what the change does. Either way the seed's two models
open exactly the seed's compare link, ``len=498&v=3&vs.emb_dropout=0``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.core.problems import StateError
from app.engine.semantics import PRESETS
from app.link import compare
from app.link.fields import Int
from app.link.state import DEFAULT, FIELD, MAX_VALUES, TRAINED_SHAPE, State, format_value, parse
from app.yourmodel.read import CodeRead, ModelRead, Note, Reason

MODELS_MAX = 2  # compare mode shows two models
# The same Keras code under each Keras the lab knows: code rarely says which one runs it.
KERAS = {
    "keras3": "Keras 3.8 or later",
    "keras3-legacy": "Keras 3.0 to 3.7",
    "tfkeras2-fit": "tf.keras 2 (TensorFlow 2.15 or older), trained with model.fit",
    "tfkeras2": "tf.keras 2, the layer called directly",
}
# ModelRead's attribute -> the state's field, in the order the state reads them.
FIELDS = {
    "framework": "preset",
    "vocab": "vocab",
    "emb": "emb",
    "length": "len",
    "emb_dropout": "emb_dropout",
    "emb_mode": "emb_mode",
    "dropout": "dropout",
    "recurrent_dropout": "recurrent_dropout",
    "layers": "layers",
    "units": "units",
    "out_dropout": "out_dropout",
}
SIZES = {"vocab": "input_dim of the Embedding", "emb": "output_dim of the Embedding", "units": "units of the LSTM"}


@dataclass
class Reading:
    """What a pasted piece of code (or a built model) opens: A, and B with two models.

    ``link`` is the canonical query (a compare link with B), None when anything could not be
    mapped: then ``reasons`` say, line by line, why."""

    models: list[ModelRead] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    a: State | None = None
    b: State | None = None
    link: str | None = None
    notes: list[Note] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    # Keras code read under each other Keras: {preset: (title, link)}; the pages offer them.
    alternatives: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.link is not None

    def models_shown(self) -> list[dict]:
        """Each model as the pages show it (the explorer's panel, the notebook): ``as_dict()``'s model
        (role, lines, mapping, ...) with its framework's title, A first."""
        models = [{**m, "title": PRESETS[m["framework"]].title} for m in self.as_dict()["models"]]
        return sorted(models, key=lambda m: m["role"])

    def as_dict(self) -> dict:
        return {
            "link": self.link,
            "a": self.a.canonical() if self.a is not None else None,
            "b": self.b.canonical() if self.b is not None else None,
            "models": [{"role": role, **m.as_dict()} for role, m in zip(self.roles, self.models, strict=True)],
            "notes": [n.as_dict() for n in self.notes],
            "reasons": [r.as_dict() for r in self.reasons],
            "alternatives": [{"preset": k, "title": t, "link": link} for k, (t, link) in self.alternatives.items()],
        }


def _dropouts(m: ModelRead) -> int:
    """How many of the model's dropouts are on (a rate not known from the code counts as on)."""
    return sum(rate != 0 for rate in (m.emb_dropout, m.dropout, m.recurrent_dropout, m.out_dropout))


def _line_of(m: ModelRead, name: str) -> int:
    """The line that set the state field ``name`` (0: the model as a whole)."""
    return next((x.line for x in m.mapping if name in x.fields), 0)


def _clamped(m: ModelRead, name: str, value: int, notes: list[Note]) -> int:
    """``value`` within the field's bounds; a note when it had to move."""
    kind = FIELD[name].kind
    assert isinstance(kind, Int)
    inside = min(max(value, kind.lo), kind.hi)
    if inside != value:
        what = SIZES.get(name, name)
        side = "at most" if value > kind.hi else "at least"
        notes.append(
            Note(
                _line_of(m, name),
                f"{name}={value} ({what}): the lab shows {side} {format_value(inside)}, so it opens with "
                f"{name}={inside}; the masks' kinds (where, how often, shared or not) do not depend on the size.",
            )
        )
    return inside


def _values(m: ModelRead, notes: list[Note]) -> dict[str, object]:
    """The state's field values for ``m`` (clamped, defaults filled), before the state's own checks."""
    values: dict[str, object] = {}
    for attr, name in FIELDS.items():
        value = getattr(m, attr)
        if value is None:
            if name in SIZES and not any(SIZES[name].split()[0] in n.message for n in m.notes):
                notes.append(
                    Note(
                        _line_of(m, name),
                        f"the {SIZES[name]} is not a number the code states: the lab uses its default, "
                        f"{name}={getattr(DEFAULT, name)}.",
                    )
                )
            continue
        if name in ("vocab", "emb", "units", "layers", "len"):
            value = _clamped(m, name, int(value), notes)
        values[name] = value
    if values.get("emb_dropout", 0) == 0:
        values.pop("emb_mode", None)  # no layer, no kind
    shape = {k: values.get(k, getattr(DEFAULT, k)) for k in TRAINED_SHAPE}
    values["weights"] = "trained" if shape == TRAINED_SHAPE else "random"
    if values["weights"] == "random":
        have = ", ".join(f"{k} {v}" for k, v in TRAINED_SHAPE.items())
        notes.append(
            Note(
                0,
                f"the lab's trained weights are for {have}; this model's shape opens with random weights "
                "(weights=random, initialised as Keras does). The masks are the same either way; the gate values "
                "differ.",
            )
        )
    steps = int(values.get("len", 0)) or len(DEFAULT.token_ids())
    layers, units = int(values.get("layers", 1)), int(values.get("units", DEFAULT.units))
    if steps * layers * units > MAX_VALUES:
        short = MAX_VALUES // (layers * units)
        notes.append(
            Note(
                _line_of(m, "len"),
                f"{steps} steps x {layers} layers x {units} units is more than one trace holds ({MAX_VALUES} "
                f"values per array): the lab keeps the last {short} steps (len={short}).",
            )
        )
        values["len"] = short
    return values


def _state(m: ModelRead, notes: list[Note], reasons: list[Reason]) -> State | None:
    """The state of one model, or None with reasons (the state's own checks, named per line)."""
    values = _values(m, notes)
    pairs = [(name, format_value(value)) for name, value in values.items()]
    try:
        return parse(pairs)
    except StateError as err:
        for p in err.problems:
            line = _line_of(m, p.field)
            reasons.append(Reason(line, _code_of(m, line), f"{p.field}={p.value}: {p.message}"))
        return None


def _code_of(m: ModelRead, line: int) -> str:
    return next((x.code for x in m.mapping if x.line == line), "")


def to_reading(read: CodeRead, others: bool = True) -> Reading:
    """The states of what was read: A (and B), their canonical link, every note and reason, and
    (``others``) the links of Keras code under the other Keras versions."""
    models = read.models
    reasons = list(read.reasons)
    notes = list(read.notes)
    if not models and not reasons:
        reasons.append(Reason(0, "", "no model found: paste a Keras model (Sequential, model.add or the functional "
                                     "form) or a PyTorch nn.Module with an nn.LSTM."))  # fmt: skip
    if len(models) > MODELS_MAX:
        extra = models[MODELS_MAX]
        reasons.append(
            Reason(
                extra.first_line,
                "",
                f"{len(models)} models: the lab compares two at a time; paste the two you want to compare.",
            )
        )
        models = models[:MODELS_MAX]
    if len(models) < 2:
        roles = ["A"] * len(models)
    else:
        roles = ["A", "B"] if _dropouts(models[0]) > _dropouts(models[1]) else ["B", "A"]
    states: list[State | None] = []
    for m in models:
        notes += m.notes
        reasons += m.reasons
        states.append(None if m.reasons else _state(m, notes, reasons))
    reading = Reading(models=models, roles=roles, notes=notes, reasons=reasons)
    if reasons or not states or any(s is None for s in states):
        return reading
    a = states[roles.index("A")]
    b = states[roles.index("B")] if len(states) == 2 else None
    if b is not None and b == a:
        notes.append(Note(0, "the two models are the same model for the lab: it opens one."))
        b = None
    reading.a, reading.b = a, b
    reading.link = compare.canonical(a, b)
    if others and all(m.framework in KERAS for m in models):
        reading.alternatives = _alternatives(models, a.preset)
    return reading


def _alternatives(models: list[ModelRead], preset: str) -> dict[str, tuple[str, str]]:
    """The link of the same models under each other Keras (those it opens: no reason)."""
    out = {}
    for other, title in KERAS.items():
        if other == preset or any(other in m.not_for for m in models):
            continue
        reading = to_reading(
            CodeRead([replace(m, framework=other, notes=[], reasons=[]) for m in models]), others=False
        )
        if reading.link is not None and reading.link not in {link for _, link in out.values()}:
            out[other] = (title, reading.link)
    return out
