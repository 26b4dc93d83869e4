"""The training lab's link: a state (the model, its preset and rates) and the training knobs.

    /train?<state>&configs=none,emb,cell,both&epochs=40&train_size=1000&...

``parse_lab`` checks both halves at once and lists every problem (field, value, allowed);
``LabQuery.canonical`` is the state's canonical string with the lab's fields merged in (sorted,
defaults omitted), so equal runs share one key, one cache entry and one link.

The configurations compare the seed's two models and their parts, on the same weights, data
and seeds: ``none`` (every rate 0), ``emb`` (only the Dropout after the Embedding), ``cell``
(only the LSTM's own dropout: input, recurrent and the preset's other in-cell masks), ``both``
(the state as it is, its output dropout included).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote

from app.engine.train import TrainConfig
from app.link.state import _NUMBER as NUMBER
from app.link.state import FIELD, RATE_FIELDS, SEED_MAX, Field, Problem, State, StateError, format_value, parse
from app.link.state import _parse_value as parse_value

CONFIGS = ("none", "emb", "cell", "both")
CONFIG_TITLES = {
    "none": "no dropout",
    "emb": "embedding dropout only",
    "cell": "the LSTM's dropout only",
    "both": "both",
}
VAL_SIZE = 1000  # the validation split (clean labels), the same for every run
MAX_WORK = 96_000_000  # configs x epochs x (train + validation sentences) x layers x units: 3 x the default

LAB_FIELDS: tuple[Field, ...] = (
    Field("configs", "configs", CONFIGS, "Configurations to train, comma-separated: none, emb, cell, both.",
          choices=CONFIGS),
    Field("epochs", "int", TrainConfig.epochs, "Epochs of training.", 1, 100),
    Field("train_size", "int", TrainConfig.train_size, "Training sentences.", 50, 5000),
    Field("batch", "int", TrainConfig.batch, "Batch size.", 4, 256),
    Field("optimizer", "choice", TrainConfig.optimizer, "Keras 3's update rule.", choices=("adam", "rmsprop")),
    Field("lr", "lr", TrainConfig.lr, "Learning rate.", 0.0001, 0.1),
    Field("data_seed", "int", 0, "Seed of the toy data.", 0, SEED_MAX),
    Field("label_noise", "noise", TrainConfig.label_noise, "Share of training labels flipped.", 0.0, 0.45),
)  # fmt: skip
LAB_FIELD = {f.name: f for f in LAB_FIELDS}


@dataclass(frozen=True)
class LabQuery:
    state: State
    configs: tuple[str, ...] = CONFIGS
    epochs: int = TrainConfig.epochs
    train_size: int = TrainConfig.train_size
    batch: int = TrainConfig.batch
    optimizer: str = TrainConfig.optimizer
    lr: float = TrainConfig.lr
    data_seed: int = 0
    label_noise: float = TrainConfig.label_noise

    def canonical(self) -> str:
        parts = self.state.canonical().split("&")
        for f in LAB_FIELDS:
            value = getattr(self, f.name)
            if value != f.default:
                parts.append(f"{f.name}={quote(format_value(value), safe=',')}")
        return "&".join(sorted(parts))

    @property
    def work(self) -> int:
        s = self.state
        return len(self.configs) * self.epochs * (self.train_size + VAL_SIZE) * s.layers * s.units

    def spec_state(self, config: str) -> State:
        """The state whose dropout one configuration trains with."""
        s = self.state
        in_cell = {name: 0.0 for name in RATE_FIELDS}
        if config == "none":
            return replace(s, emb_dropout=0.0, out_dropout=0.0, **in_cell)
        if config == "emb":
            return replace(s, out_dropout=0.0, **in_cell)
        if config == "cell":
            return replace(s, emb_dropout=0.0, out_dropout=0.0)
        return s

    def train_config(self) -> TrainConfig:
        s = self.state
        return TrainConfig(
            epochs=self.epochs,
            train_size=self.train_size,
            val_size=VAL_SIZE,
            batch=self.batch,
            optimizer=self.optimizer,
            lr=self.lr,
            label_noise=self.label_noise,
            data_seed=self.data_seed,
            seed=s.seed,
            init_seed=s.init_seed,
            vocab=s.vocab,
            emb=s.emb,
            units=s.units,
            layers=s.layers,
        )


def _problem(f: Field, raw: str, allowed: str) -> Problem:
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    return Problem(f.name, shown, allowed, f"{f.name} must be {allowed}; got {shown!r}.")


def _value(f: Field, raw: str) -> object:
    """The typed value of one lab field, or a Problem."""
    if f.kind == "configs":
        allowed = "a comma-separated list of none, emb, cell, both (each once)"
        names = raw.split(",")
        if not raw or len(names) > 4 or len(set(names)) != len(names) or not set(names) <= set(CONFIGS):
            return _problem(f, raw, allowed)
        return tuple(c for c in CONFIGS if c in names)  # canonical order
    if f.kind in ("lr", "noise"):
        allowed = f"a number from {f.lo} to {f.hi}" if f.kind == "lr" else f"a number from 0 up to {f.hi}"
        if len(raw) > 32 or not NUMBER.fullmatch(raw) or not (math.isfinite(x := float(raw)) and f.lo <= x <= f.hi):
            return _problem(f, raw, allowed)
        return x + 0.0
    return parse_value(f, raw)  # ints and choices as the state parses them


def parse_lab(query: str | list[tuple[str, str]]) -> LabQuery:
    """A ``LabQuery`` from a query string or its pairs; StateError lists every problem."""
    if isinstance(query, str):
        query = parse_qsl(query.removeprefix("?"), keep_blank_values=True)
    state_pairs, values, problems = [], {}, []
    for name, raw in query:
        f = LAB_FIELD.get(name)
        if f is None:
            state_pairs.append((name, raw))
        elif name in values or any(p.field == name for p in problems):
            problems.append(Problem(name, raw[:80], "one value", f"{name} is given more than once; give it once."))
        elif isinstance(parsed := _value(f, raw), Problem):
            problems.append(parsed)
        else:
            values[name] = parsed
    try:
        state = parse(state_pairs)
    except StateError as err:
        raise StateError(err.problems + problems) from None
    if problems:
        raise StateError(problems)
    lab = LabQuery(state=state, **values)
    if (problem := work_problem(lab)) is not None:
        raise StateError([problem])
    return lab


def work_problem(lab: LabQuery) -> Problem | None:
    """The bound on one lab run's work, named on epochs, or None when the run is within it."""
    if lab.work <= MAX_WORK:
        return None
    return Problem(
        "epochs",
        str(lab.epochs),
        f"configs x epochs x (train_size + {VAL_SIZE}) x layers x units at most {MAX_WORK}",
        f"{len(lab.configs)} configurations x {lab.epochs} epochs x {lab.train_size + VAL_SIZE} "
        f"sentences x {lab.state.layers} layers x {lab.state.units} units = {lab.work}, more than one lab run "
        f"may take ({MAX_WORK}, about three minutes); lower epochs, train_size, units or "
        "the configurations.",
    )


def parse_lab_lenient(pairs: list[tuple[str, str]], parse_state) -> tuple[LabQuery, list[Problem]]:
    """The lab of a link, repaired for a page: every problem reported, the rest kept.
    ``parse_state(pairs) -> (State, problems)`` repairs the state half (app/web/pages/explorer.py)."""
    lab_pairs = [(k, v) for k, v in pairs if k in LAB_FIELD]
    state, problems = parse_state([(k, v) for k, v in pairs if k not in LAB_FIELD])
    values: dict[str, object] = {}
    for name, raw in lab_pairs:
        parsed = _value(LAB_FIELD[name], raw)
        if name in values:
            problems.append(Problem(name, raw[:80], "one value", f"{name} is given more than once; give it once."))
        elif isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            values[name] = parsed
    lab = LabQuery(state=state, **values)
    if (problem := work_problem(lab)) is not None:  # fall back to the default epochs and size
        problems.append(problem)
        lab = replace(lab, epochs=TrainConfig.epochs, train_size=TrainConfig.train_size)
    return lab, problems


assert not set(LAB_FIELD) & set(FIELD)  # the lab's names never shadow a state field
