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

import math
import re
from dataclasses import asdict, dataclass, fields, replace
from urllib.parse import parse_qsl, quote

import numpy as np

from app.engine import vocab as vocab_mod
from app.engine.model import RunSpec
from app.engine.semantics import CUSTOM_CHOICES, PRESETS, Plan, Rates, resolve

VERSION = 2
VERSIONS = (1, 2)
MAX_STEPS = 1000
MAX_TEXT = 10_000
MAX_VALUES = 300_000  # steps x layers x units: keeps one trace under about 0.3 s and 25 MB
SEED_MAX = 2**32 - 1
DEFAULT_TEXT = "the movie was not good but the music was really great"
RATE_FIELDS = ("dropout", "recurrent_dropout", "candidate_dropout", "zoneout_c", "zoneout_h", "weight_drop")


@dataclass(frozen=True)
class Field:
    """One state field: its kind, default, bounds and the sentence that documents it."""

    name: str
    kind: str  # "int" | "rate" | "choice" | "text" | "tokens"
    default: object
    doc: str
    lo: int | float | None = None
    hi: int | float | None = None  # inclusive for int, exclusive for rate
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # how the page names each choice, in the order of choices

    @property
    def label_of(self) -> dict[str, str]:
        return dict(zip(self.choices, self.labels or self.choices, strict=True))

    @property
    def allowed(self) -> str:
        if self.kind == "names":
            return "a comma-separated list of " + ", ".join(self.choices) + " (each once), or nothing"
        if self.kind == "rate":
            return "a number from 0 up to, not including, 1"
        if self.kind == "int":
            return f"a whole number from {self.lo} to {self.hi}"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "text":
            return f"a sentence of at most {MAX_TEXT} characters with at least one word"
        return f"comma-separated word ids from 0 to vocab - 1, at most {MAX_STEPS} of them"


# What a teacher's link may hide on the page (TF Playground's hide-controls links, validated).
HIDEABLE = (
    "preset",
    "emb_dropout",
    "emb_mode",
    "dropout",
    "recurrent_dropout",
    "phase",
    "weights",
    "seed",
    "text",
    "advanced",
    "compare",
    "code",
)
SHARE_LABELS = ("shared by the gates", "one per gate")
TIME_LABELS = ("once per sequence", "every step")


def _rate(name: str, default: float, doc: str) -> Field:
    return Field(name, "rate", default, doc, 0.0, 1.0)


FIELDS: tuple[Field, ...] = (
    Field("v", "int", VERSION, "Version of the state format; each keeps its defaults (v=1: weights=random). "
          "Omitted: the current version.", VERSIONS[0], VERSIONS[-1]),
    Field("preset", "choice", "keras3", "Framework or paper whose dropout semantics the LSTM follows.",
          choices=tuple(PRESETS), labels=tuple(p.title for p in PRESETS.values())),
    _rate("emb_dropout", 0.25, "Rate of the dropout layer on the embedding output (0 = no such layer)."),
    Field("emb_mode", "choice", "standard",
          "Embedding dropout: standard (Keras Dropout, fresh per step and feature), spatial "
          "(SpatialDropout1D, per feature, constant over time) or word (whole word types, Gal / AWD-LSTM).",
          choices=("standard", "spatial", "word"),
          labels=("standard: Dropout (per step and feature)", "spatial: SpatialDropout1D", "word: whole word types")),
    _rate("dropout", 0.5, "The LSTM's dropout: rate of the mask on its input x_t (PyTorch: between layers)."),
    _rate("out_dropout", 0.0, "Rate of a dropout layer on the last h before Dense (0 = no such layer); "
          "Zaremba, Gal and AWD-LSTM drop the LSTM's output too."),
    _rate("recurrent_dropout", 0.5, "The LSTM's recurrent_dropout: rate of the mask on h_{t-1}."),
    _rate("candidate_dropout", 0.0, "Rate of dropout on the candidate g (Semeniuta); presets semeniuta, custom."),
    _rate("zoneout_c", 0.0, "Probability that a cell unit keeps its previous value (zoneout); preset custom."),
    _rate("zoneout_h", 0.0, "Probability that a hidden unit keeps its previous value (zoneout); preset custom."),
    _rate("weight_drop", 0.0, "DropConnect rate on the recurrent kernel (AWD-LSTM); presets awd, custom."),
    Field("in_share", "choice", "shared", "custom: one input mask shared by the gates, or one per gate.",
          choices=("shared", "gate"), labels=SHARE_LABELS),
    Field("in_time", "choice", "seq", "custom: input mask drawn once per sequence, or at every step.",
          choices=("seq", "step"), labels=TIME_LABELS),
    Field("rec_share", "choice", "shared", "custom: one recurrent mask shared by the gates, or one per gate.",
          choices=("shared", "gate"), labels=SHARE_LABELS),
    Field("rec_time", "choice", "seq", "custom: recurrent mask drawn once per sequence, or at every step.",
          choices=("seq", "step"), labels=TIME_LABELS),
    Field("layers", "int", 1, "Number of stacked LSTM layers.", 1, 3),
    Field("phase", "choice", "train", "train draws the masks; infer drops nothing, as at inference.",
          choices=("train", "infer"), labels=("train", "inference")),
    Field("seed", "int", 0, "Seed of the dropout masks.", 0, SEED_MAX),
    Field("init_seed", "int", 0, "Seed of the weight initialisation (Keras defaults); weights=random only.",
          0, SEED_MAX),
    Field("weights", "choice", "trained", "trained: the shipped model trained on the toy sentiment task "
          "(vocab 64, emb 64, units 100, 1 to 3 layers); random: Keras initialisation from init_seed. "
          "Default random in v=1.", choices=("trained", "random"),
          labels=("trained on the toy sentiment task", "random (Keras initialisation)")),
    Field("text", "text", DEFAULT_TEXT, "The sentence; unknown words become <unk>. Not with tokens."),
    Field("tokens", "tokens", None, "Comma-separated word ids instead of text."),
    Field("len", "int", 0, "Pad or truncate to this length at the front, like pad_sequences (0 = as is).",
          0, MAX_STEPS),
    Field("hide", "names", (), "Controls the page hides from students (a teacher's link); nothing hidden by default.",
          choices=HIDEABLE),
    Field("vocab", "int", 64, "Vocabulary size (input_dim of the Embedding).", 2, 1024),
    Field("emb", "int", 64, "Embedding size (output_dim).", 1, 256),
    Field("units", "int", 100, "LSTM units per layer.", 1, 256),
)  # fmt: skip

FIELD = {f.name: f for f in FIELDS}


@dataclass(frozen=True)
class State:
    v: int = VERSION
    preset: str = "keras3"
    emb_dropout: float = 0.25
    emb_mode: str = "standard"
    out_dropout: float = 0.0
    dropout: float = 0.5
    recurrent_dropout: float = 0.5
    candidate_dropout: float = 0.0
    zoneout_c: float = 0.0
    zoneout_h: float = 0.0
    weight_drop: float = 0.0
    in_share: str = "shared"
    in_time: str = "seq"
    rec_share: str = "shared"
    rec_time: str = "seq"
    layers: int = 1
    phase: str = "train"
    seed: int = 0
    init_seed: int = 0
    weights: str = "trained"
    text: str | None = DEFAULT_TEXT
    tokens: tuple[int, ...] | None = None
    len: int = 0
    hide: tuple[str, ...] = ()
    vocab: int = 64
    emb: int = 64
    units: int = 100

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
            parts.append(f"{name}={quote(format_value(value), safe=',')}")
        return "&".join(parts)

    def as_dict(self) -> dict:
        d = {name: getattr(self, name) for name in FIELD}
        d["tokens"] = list(self.tokens) if self.tokens is not None else None
        return d


DEFAULT = State()
# Every version's defaults, kept forever: a link of version v omits exactly these values.
DEFAULTS: dict[int, State] = {1: replace(DEFAULT, v=1, weights="random"), 2: DEFAULT}
TRAINED_SHAPE = {"vocab": 64, "emb": 64, "units": 100}  # the shipped weights (app/weights/)


def format_value(value: object) -> str:
    """A field's value as a link writes it (1.0 -> 1, 0.25 -> 0.25, a tuple -> a,b)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


@dataclass(frozen=True)
class Problem:
    """One problem of a state. ``fallback``: the value a page may use instead to show the rest
    of a link (None: the field's default)."""

    field: str
    value: str
    allowed: str
    message: str
    fallback: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class StateError(ValueError):
    """Every problem of a state at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


_INT = re.compile(r"[+-]?[0-9]{1,20}")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,4})?")
MAX_VALUE = {"text": MAX_TEXT, "tokens": MAX_STEPS * 6, "names": 200}


def _show(raw: str) -> str:
    return raw if len(raw) <= 80 else raw[:77] + "..."


def _problem(f: Field, raw: str, why: str = "") -> Problem:
    got = f"got {_show(raw)!r}" if raw != "" else "got an empty value"
    return Problem(f.name, _show(raw), f.allowed, f"{f.name} must be {f.allowed}{why}; {got}.")


def _parse_value(f: Field, raw: str) -> object:
    """The typed value of one field, or a Problem."""
    if len(raw) > MAX_VALUE.get(f.kind, 64):
        return Problem(
            f.name, _show(raw), f.allowed, f"{f.name} is {len(raw)} characters long; it must be {f.allowed}."
        )
    if f.kind == "int":
        if not _INT.fullmatch(raw):
            return _problem(f, raw)
        n = int(raw)
        return n if f.lo <= n <= f.hi else _problem(f, raw)
    if f.kind == "rate":
        if not _NUMBER.fullmatch(raw):
            return _problem(f, raw)
        x = float(raw)
        if not (math.isfinite(x) and 0.0 <= x < 1.0):
            why = " (a rate of 1 would drop everything)" if x == 1.0 else ""
            return _problem(f, raw, why)
        return x + 0.0  # -0.0 -> 0.0
    if f.kind == "choice":
        return raw if raw in f.choices else _problem(f, raw)
    if f.kind == "names":
        names = [n for n in raw.split(",") if n] if raw else []
        if len(set(names)) != len(names) or not set(names) <= set(f.choices):
            return _problem(f, raw)
        return tuple(n for n in f.choices if n in names)  # canonical order
    if f.kind == "text":
        text = " ".join(raw.split())
        if not vocab_mod.split_words(text):
            return Problem(
                "text", _show(raw), f.allowed, f"text has no words: give a sentence such as '{DEFAULT_TEXT}'."
            )
        return text
    parts = raw.split(",")
    if len(parts) > MAX_STEPS or not all(_INT.fullmatch(p.strip()) for p in parts):
        return _problem(f, raw)
    return tuple(int(p) for p in parts)


def parse(query: str | list[tuple[str, str]]) -> State:
    """A ``State`` from a query string (``?`` optional) or its (name, value) pairs."""
    if isinstance(query, str):
        query = parse_qsl(query.removeprefix("?"), keep_blank_values=True)
    problems: list[Problem] = []
    raw: dict[str, str] = {}
    for name, value in query:
        if name not in FIELD:
            problems.append(
                Problem(
                    name,
                    _show(value),
                    f"the fields of state version {VERSION}",
                    f"unknown parameter {_show(name)!r}; the parameters are: " + ", ".join(FIELD) + ".",
                )
            )
        elif name in raw:
            problems.append(Problem(name, _show(value), "one value", f"{name} is given more than once; give it once."))
        else:
            raw[name] = value
    values: dict[str, object] = {}
    for name, value in raw.items():
        parsed = _parse_value(FIELD[name], value)
        if isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            values[name] = parsed
    if "tokens" in raw:
        if "text" in raw:
            problems.append(
                Problem(
                    "tokens", _show(raw["tokens"]), "either text or tokens", "give either text or tokens, not both."
                )
            )
        values["text"] = None
    version = values.get("v", VERSION)
    state = replace(DEFAULTS[version], **values)
    problems += _check(state, raw)
    if problems:
        raise StateError(problems)
    return state


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
                _show(given["init_seed"]),
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
                _show(given[name]),
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
    shown = ", ".join(map(str, bad[:5])) + (", ..." if len(bad) > 5 else "")
    return [
        Problem(
            "tokens",
            _show(given.get("tokens", "")),
            f"ids from 0 to {s.vocab - 1}",
            f"tokens must be word ids from 0 to {s.vocab - 1} (vocab={s.vocab}); out of range: {shown}.",
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


def check_samples(s: State, samples: int, max_work: int) -> None:
    """Monte Carlo draws of a state: samples x layers x steps is bounded by ``max_work``
    (settings: DROPOUT_LAB_MC_MAX_WORK). Raises StateError naming the most samples allowed."""
    per_sample = s.layers * len(s.sequence())
    work = samples * per_sample
    if work > max_work:
        most = max(1, max_work // per_sample)
        raise StateError(
            [
                Problem(
                    "samples",
                    str(samples),
                    f"at most {most} for this state",
                    f"samples x layers x steps = {work} is more than one request may compute "
                    f"({max_work}); use at most {most} samples, or a shorter sentence.",
                    fallback=str(most),
                )
            ]
        )
