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

from dataclasses import dataclass, replace
from urllib.parse import quote

from app.core.problems import Problem, StateError
from app.engine.train import TrainConfig
from app.link.fields import Choice, Field, Int, Names, Number, field, fields_of, read
from app.link.state import FIELD, RATE_FIELDS, SEED_MAX, State, parse_with

CONFIGS = ("none", "emb", "cell", "both")
CONFIG_TITLES = {
    "none": "no dropout",
    "emb": "embedding dropout only",
    "cell": "the LSTM's dropout only",
    "both": "both",
}
VAL_SIZE = 1000  # the validation split (clean labels), the same for every run
MAX_WORK = 96_000_000  # configs x epochs x (train + validation sentences) x layers x units: 3 x the default


@dataclass(frozen=True)
class LabQuery:
    """A lab link: the state, and the training knobs declared once each (app/link/fields.py)."""

    state: State
    configs: tuple[str, ...] = field(
        Names(CONFIGS, tuple(CONFIG_TITLES.values()), empty=False),
        CONFIGS,
        "Configurations to train, comma-separated: none, emb, cell, both.",
        label="Configurations",
        control="configs",
    )
    epochs: int = field(
        Int(1, 100), TrainConfig.epochs, "Epochs of training.", label="Epochs", hint="{lo} to {hi}", group="main"
    )
    train_size: int = field(
        Int(50, 5000),
        TrainConfig.train_size,
        "Training sentences.",
        label="Training sentences",
        hint="{lo} to {hi}; validation has its own, with clean labels",
        group="main",
    )
    batch: int = field(
        Int(4, 256), TrainConfig.batch, "Batch size.", label="Batch size", hint="{lo} to {hi}", group="main"
    )
    optimizer: str = field(
        Choice(("adam", "rmsprop")), TrainConfig.optimizer, "Keras 3's update rule.", label="Optimizer", group="main"
    )
    lr: float = field(
        Number(0.0001, 0.1),
        TrainConfig.lr,
        "Learning rate.",
        label="Learning rate",
        hint="{lo:g} to {hi:g}",
        group="main",
    )
    label_noise: float = field(
        Number(0.0, 0.45),
        TrainConfig.label_noise,
        "Share of training labels flipped.",
        label="Label noise",
        hint="share of training labels flipped, 0 to {hi:g}",
        group="main",
    )
    data_seed: int = field(
        Int(0, SEED_MAX), 0, "Seed of the toy data.", label="Data seed", hint="which sentences: 0 to {hi}", group="main"
    )

    def canonical(self) -> str:
        parts = self.state.canonical().split("&")
        for f in LAB_FIELDS:
            value = getattr(self, f.name)
            if value != f.default:
                parts.append(f"{f.name}={quote(f.text(value), safe=',')}")
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


def parse_lab(query: str | list[tuple[str, str]]) -> LabQuery:
    """A ``LabQuery`` from a query string or its pairs; StateError lists every problem."""
    state, values = parse_with(query, LAB_FIELD)
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
    ``parse_state(pairs) -> (State, problems)`` repairs the state half (app/web/pages/render.py)."""
    state, problems = parse_state([(k, v) for k, v in pairs if k not in LAB_FIELD])
    values, _, lab_problems = read(pairs, LAB_FIELD)
    problems += lab_problems
    lab = LabQuery(state=state, **values)
    if (problem := work_problem(lab)) is not None:  # fall back to the default epochs and size
        problems.append(problem)
        lab = replace(lab, epochs=TrainConfig.epochs, train_size=TrainConfig.train_size)
    return lab, problems


LAB_FIELDS: tuple[Field, ...] = fields_of(LabQuery)
LAB_FIELD = {f.name: f for f in LAB_FIELDS}
assert not set(LAB_FIELD) & set(FIELD)  # the lab's names never shadow a state field
