"""The shareable state: the one definition of every field, default and bound, per version.

A state is what a link holds. ``parse`` reads a query string (or its pairs), checks every
field and every combination, and either returns a ``State`` or raises ``StateError`` carrying
every problem at once, each naming the field, the value and what is allowed.
``canonical`` writes the state back: fields sorted by name, defaults omitted (``v`` always
kept), numbers in their shortest round-trip form (``0.5``), values percent-encoded, so that
equal states give byte-identical strings, and a link opened years later means the same.

Versions. A link omits the fields at their defaults, so changing a default changes what old
links mean; a new default therefore comes with a new version, and every version keeps its own
defaults forever (``DEFAULTS``). Version 2 made ``weights=trained`` the default; a ``v=1`` link
keeps ``weights=random`` and shows exactly the numbers it showed, and its canonical form stays
``v=1`` (it is not rewritten). A link without ``v`` is read as the current version: every link
this app writes carries its ``v``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qsl, quote

import numpy as np

from app.core.problems import Problem, StateError, shown
from app.engine import vocab as vocab_mod
from app.engine.model import RunSpec
from app.engine.semantics import CUSTOM_CHOICES, PRESETS, RATE_KNOBS, Plan, Rates, resolve
from app.link.fields import Choice, Field, Int, Names, Rate, Text, Tokens, field, fields_of, number_text, read

VERSION = 3
VERSIONS = (1, 2, 3)
MAX_STEPS = 1000
MAX_TEXT = 10_000
MAX_VALUES = 300_000  # steps x layers x units: one trace within the request budget (app/link/cost.py) and 25 MB
SEED_MAX = 2**32 - 1
DEFAULT_TEXT = "the movie was not good but the music was really great"
RATE_FIELDS = RATE_KNOBS  # the in-cell rates a preset may have (app/engine/semantics.py Rates)
SHARE = Choice(("shared", "gate"), ("shared by the gates", "one per gate"))
TIME = Choice(("seq", "step"), ("once per sequence", "every step"))
# What a teacher's link may hide besides fields: the "More knobs" box, "Compare with..." and the code.
PANELS = {"advanced": "More knobs", "compare": "Two models side by side", "code": "The same model in code"}
HIDEABLE = ("preset", "emb_dropout", "emb_mode", "dropout", "recurrent_dropout", "phase", "weights", "seed", "text",
            *PANELS)  # fmt: skip


@dataclass(frozen=True)
class State:
    """The state a link holds: one declaration per field (app/link/fields.py). ``FIELDS`` and every
    other view of a field are derived from this table; the form shows each group in this order."""

    v: int = field(
        Int(VERSIONS[0], VERSIONS[-1]),
        VERSION,
        "Version of the state format; each keeps its defaults (v=1: weights=random). Omitted: the current version.",
    )
    preset: str = field(
        Choice(tuple(PRESETS), tuple(p.title for p in PRESETS.values())),
        "keras3",
        "Framework or paper whose dropout semantics the LSTM follows.",
        label="Framework",
        group="main",
    )
    emb_dropout: float = field(
        Rate(),
        0.25,
        "Rate of the dropout layer on the embedding output (0 = no such layer).",
        label="Embedding dropout",
        hint="A Dropout layer after the Embedding.",
        group="main",
    )
    emb_mode: str = field(
        Choice(
            ("standard", "spatial", "word"),
            ("standard: Dropout (per step and feature)", "spatial: SpatialDropout1D", "word: whole word types"),
        ),
        "standard",
        "Embedding dropout: standard (Keras Dropout, fresh per step and feature), spatial "
        "(SpatialDropout1D, per feature, constant over time) or word (whole word types, Gal / "
        "AWD-LSTM).",
        label="Embedding dropout mode",
        group="main",
    )
    dropout: float = field(
        Rate(),
        0.5,
        "The LSTM's dropout: rate of the mask on its input x_t (PyTorch: between layers).",
        label="LSTM dropout",
        group="main",
    )
    out_dropout: float = field(
        Rate(),
        0.0,
        "Rate of a dropout layer on the last h before Dense (0 = no such "
        "layer); Zaremba, Gal and AWD-LSTM drop the LSTM's output too.",
        label="Output dropout",
        hint="A Dropout layer on the LSTM's last h, before Dense (Zaremba, Gal, AWD-LSTM have one).",
        group="advanced",
    )
    recurrent_dropout: float = field(
        Rate(),
        0.5,
        "The LSTM's recurrent_dropout: rate of the mask on h_{t-1}.",
        label="Recurrent dropout",
        group="main",
    )
    candidate_dropout: float = field(
        Rate(),
        0.0,
        "Rate of dropout on the candidate g (Semeniuta); presets semeniuta, custom.",
        label="Candidate dropout",
        hint="On g (Semeniuta); presets semeniuta, custom.",
        group="advanced",
    )
    zoneout_c: float = field(
        Rate(),
        0.0,
        "Probability that a cell unit keeps its previous value (zoneout); preset custom.",
        label="Zoneout on c",
        hint="Custom only.",
        group="advanced",
    )
    zoneout_h: float = field(
        Rate(),
        0.0,
        "Probability that a hidden unit keeps its previous value (zoneout); preset custom.",
        label="Zoneout on h",
        hint="Custom only.",
        group="advanced",
    )
    weight_drop: float = field(
        Rate(),
        0.0,
        "DropConnect rate on the recurrent kernel (AWD-LSTM); presets awd, custom.",
        label="Weight drop",
        hint="DropConnect on the recurrent kernel; presets awd, custom.",
        group="advanced",
    )
    in_share: str = field(
        SHARE,
        "shared",
        "custom: one input mask shared by the gates, or one per gate.",
        label="Input mask sharing",
        group="advanced",
    )
    in_time: str = field(
        TIME,
        "seq",
        "custom: input mask drawn once per sequence, or at every step.",
        label="Input mask timing",
        group="advanced",
    )
    rec_share: str = field(
        SHARE,
        "shared",
        "custom: one recurrent mask shared by the gates, or one per gate.",
        label="Recurrent mask sharing",
        group="advanced",
    )
    rec_time: str = field(
        TIME,
        "seq",
        "custom: recurrent mask drawn once per sequence, or at every step.",
        label="Recurrent mask timing",
        group="advanced",
    )
    layers: int = field(Int(1, 3), 1, "Number of stacked LSTM layers.", label="Layers", group="advanced")
    phase: str = field(
        Choice(("train", "infer"), ("train", "inference")),
        "train",
        "train draws the masks; infer drops nothing, as at inference.",
        label="Phase",
        group="main",
    )
    seed: int = field(
        Int(0, SEED_MAX), 0, "Seed of the dropout masks.", label="Mask seed", group="main", control="seed"
    )
    init_seed: int = field(
        Int(0, SEED_MAX),
        0,
        "Seed of the weight initialisation (Keras defaults); weights=random only.",
        label="Weight seed",
        group="advanced",
    )
    weights: str = field(
        Choice(("trained", "random"), ("trained on the toy sentiment task", "random (Keras initialisation)")),
        "trained",
        "trained: the shipped model trained on the toy sentiment task (vocab 64, emb 64, units 100, "
        "1 to 3 layers); random: Keras initialisation from init_seed. Default random in v=1.",
        before={1: "random"},
        label="Weights",
        group="main",
    )
    text: str | None = field(
        Text(MAX_TEXT, DEFAULT_TEXT, vocab_mod.split_words),
        DEFAULT_TEXT,
        "The sentence; unknown words become <unk>. Not with tokens.",
        label="Input text",
        group="main",
    )
    tokens: tuple[int, ...] | None = field(Tokens(MAX_STEPS), None, "Comma-separated word ids instead of text.")
    len: int = field(
        Int(0, MAX_STEPS),
        0,
        "Pad or truncate to this length at the front, like pad_sequences (0 = as is).",
        label="Sequence length",
        group="advanced",
    )
    hide: tuple[str, ...] = field(
        Names(HIDEABLE), (), "Controls the page hides from students (a teacher's link); nothing hidden by default."
    )
    vocab: int = field(Int(2, 1024), 64, "Vocabulary size (input_dim of the Embedding).")
    emb: int = field(Int(1, 256), 64, "Embedding size (output_dim).")
    units: int = field(Int(1, 256), 100, "LSTM units per layer.", label="Units", group="advanced")

    @property
    def train(self) -> bool:
        return self.phase == "train"

    def rates(self) -> Rates:
        return Rates(**{f.name: getattr(self, f.name) for f in fields(Rates)})

    def plan(self) -> Plan:
        """The masks each layer draws under the preset (app/engine/semantics.py)."""
        return resolve(self.preset, self.rates(), self.layers)

    def run_spec(self) -> RunSpec:
        """What the engine drops, from which seed, in which phase."""
        return RunSpec(self.plan(), self.emb_dropout, self.emb_mode, self.out_dropout, self.seed, self.train)

    def token_ids(self) -> list[int]:
        """The ids before padding: from ``tokens``, or ``text`` through the vocabulary."""
        if self.tokens is not None:
            return list(self.tokens)
        return vocab_mod.encode(self.text or "", self.vocab)

    def unknown_words(self) -> list[str]:
        """Words of ``text`` outside the vocabulary (they become <unk>); none with ``tokens``."""
        return [] if self.tokens is not None else vocab_mod.unknown(self.text or "", self.vocab)

    def sequence(self) -> np.ndarray:
        """The model's input (T,) after ``len`` padding or truncation."""
        return vocab_mod.pad(self.token_ids(), self.len)

    def canonical(self) -> str:
        """The canonical query string: sorted, defaults omitted, shortest numbers."""
        parts = []
        defaults = DEFAULTS[self.v]
        for name in sorted(FIELD):
            value = getattr(self, name)
            if name == "text" and self.tokens is not None:
                continue
            if name != "v" and value == getattr(defaults, name):
                continue
            parts.append(f"{name}={quote(FIELD[name].text(value), safe=',')}")
        return "&".join(parts)

    def as_dict(self) -> dict:
        d = {name: getattr(self, name) for name in FIELD}
        d["tokens"] = list(self.tokens) if self.tokens is not None else None
        return d


FIELDS: tuple[Field, ...] = fields_of(State)
FIELD = {f.name: f for f in FIELDS}
DEFAULT = State()
# Every version's defaults, kept forever: a link of version v omits exactly these values.
DEFAULTS: dict[int, State] = {
    v: replace(DEFAULT, v=v, **{f.name: f.before[v] for f in FIELDS if v in f.before}) for v in VERSIONS
}
TRAINED_SHAPE = {"vocab": 64, "emb": 64, "units": 100}  # the shipped weights (app/weights/)


def format_value(value: object) -> str:
    """A value as a link writes it (1.0 -> 1, 0.25 -> 0.25, a tuple -> a,b); fields write theirs
    with ``Field.text``, this serves values of problems."""
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


def _unknown(name: str, value: str) -> Problem:
    return Problem(
        name,
        shown(value),
        f"the fields of state version {VERSION}",
        f"unknown parameter {shown(name)!r}; the parameters are: " + ", ".join(FIELD) + ".",
    )


def parse(query: str | list[tuple[str, str]]) -> State:
    """A ``State`` from a query string (``?`` optional) or its (name, value) pairs."""
    if isinstance(query, str):
        query = parse_qsl(query.removeprefix("?"), keep_blank_values=True)
    values, raw, problems = read(query, FIELD, _unknown)
    if "tokens" in raw:
        if "text" in raw:
            problems.append(
                Problem(
                    "tokens", shown(raw["tokens"]), "either text or tokens", "give either text or tokens, not both."
                )
            )
        values["text"] = None
    version = values.get("v", VERSION)
    state = replace(DEFAULTS[version], **values)
    problems += _check(state, raw)
    if problems:
        raise StateError(problems)
    return state


def parse_with(query: str | list[tuple[str, str]], table: dict[str, Field]) -> tuple[State, dict[str, object]]:
    """A state and the values of another table's fields given beside it (the lab's, a route's):
    ``(state, values)``, the table's fields absent from the link left out. StateError lists every
    problem of both halves, the state's first."""
    if isinstance(query, str):
        query = parse_qsl(query.removeprefix("?"), keep_blank_values=True)
    rest: list[tuple[str, str]] = []
    values, _, problems = read(query, table, lambda name, raw: rest.append((name, raw)))
    try:
        state = parse(rest)
    except StateError as err:
        raise StateError(err.problems + problems) from None
    if problems:
        raise StateError(problems)
    return state, values


def _check_trained(s: State, given: dict[str, str]) -> list[Problem]:
    """Trained weights exist for one shape; init_seed does not apply to them."""
    out = []
    shape = {name: getattr(s, name) for name in TRAINED_SHAPE}
    if shape != TRAINED_SHAPE:
        have = ", ".join(f"{k}={v}" for k, v in TRAINED_SHAPE.items())
        asked = ", ".join(f"{k}={v}" for k, v in shape.items() if v != TRAINED_SHAPE[k])
        why = "" if "weights" in given else f" (weights=trained is the default of state version {s.v})"
        out.append(
            Problem(
                "weights",
                "trained",
                f"trained only with {have} (layers 1 to 3); random for any shape",
                f"trained weights exist only for {have}, with 1 to 3 layers{why}; this state asks for "
                f"{asked}: set weights=random, or go back to {have}.",
                fallback="random",
            )
        )
    if "init_seed" in given and s.init_seed != 0:
        out.append(
            Problem(
                "init_seed",
                shown(given["init_seed"]),
                "0 with weights=trained",
                "init_seed applies only to weights=random (it seeds the Keras initialisation); the "
                "trained weights are fixed: set weights=random, or remove init_seed.",
            )
        )
    return out


def _check_preset(s: State, given: dict[str, str]) -> list[Problem]:
    """Rates the preset does not have, and custom-only choices given to another preset."""
    out = []
    preset = PRESETS[s.preset]
    for name in RATE_FIELDS:
        rate = getattr(s, name)
        if rate > 0 and name not in preset.knobs:
            users = ", ".join(p.name for p in PRESETS.values() if name in p.knobs)
            if s.preset == "pytorch" and name == "recurrent_dropout":
                msg = (
                    "recurrent_dropout is not available with preset pytorch: nn.LSTM has no "
                    "recurrent dropout (it needs a custom cell); set recurrent_dropout=0 or "
                    "choose another preset."
                )
            else:
                msg = (
                    f"{name} is not part of preset {s.preset} ({preset.title}); set {name}=0 "
                    f"or choose a preset that has it: {users}."
                )
            out.append(Problem(name, format_value(rate), f"0 with preset {s.preset}", msg, fallback="0"))
    if s.preset != "custom":
        out += [
            Problem(
                name,
                shown(given[name]),
                "only with preset custom",
                f"{name} applies only to preset custom; preset {s.preset} "
                "decides the sharing and timing of its masks itself.",
            )
            for name in CUSTOM_CHOICES
            if name in given
        ]
    return out


def _check_tokens(s: State, given: dict[str, str]) -> list[Problem]:
    bad = [t for t in s.tokens or () if not 0 <= t < s.vocab]
    if not bad:
        return []
    listed = ", ".join(map(str, bad[:5])) + (", ..." if len(bad) > 5 else "")
    return [
        Problem(
            "tokens",
            shown(given.get("tokens", "")),
            f"ids from 0 to {s.vocab - 1}",
            f"tokens must be word ids from 0 to {s.vocab - 1} (vocab={s.vocab}); out of range: {listed}.",
        )
    ]


def _check_length(s: State) -> list[Problem]:
    """One trace holds at most MAX_STEPS steps and MAX_VALUES values per recorded array."""
    out = []
    words = len(s.token_ids())  # tokenised once: text may be 10,000 characters
    steps = s.len or words
    if steps * s.layers * s.units > MAX_VALUES and steps <= MAX_STEPS:
        out.append(
            Problem(
                "len",
                str(s.len),
                f"steps x layers x units at most {MAX_VALUES}",
                f"{steps} steps x {s.layers} layers x {s.units} units = {steps * s.layers * s.units} values per "
                f"recorded array, more than one trace may hold ({MAX_VALUES}); lower len, layers or units.",
            )
        )
    if s.len == 0 and words > MAX_STEPS:
        out.append(
            Problem(
                "len",
                "0",
                f"1 to {MAX_STEPS} for a sentence this long",
                f"the sentence has {words} words, more than the {MAX_STEPS} steps a trace "
                f"can hold; set len (at most {MAX_STEPS}) to keep its last words.",
            )
        )
    return out


def _check(s: State, given: dict[str, str]) -> list[Problem]:
    """Problems of combinations: what the preset accepts, weights, vocabulary, length."""
    trained = _check_trained(s, given) if s.weights == "trained" else []
    return _check_preset(s, given) + trained + _check_tokens(s, given) + _check_length(s)
