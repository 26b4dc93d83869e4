"""The training lab's link: a state (the model, its preset and rates) and the training knobs.

    /train?<state>&configs=none,emb,cell,both&epochs=40&train_size=1000&...

``parse_lab`` checks both halves at once and lists every problem (field, value, allowed);
``LabQuery.canonical`` is the state's canonical string with the lab's fields merged in (sorted,
defaults omitted), so equal runs share one key, one cache entry and one link.

The configurations compare the seed's two models and their parts, on the same weights, data
and seeds: ``none`` (every rate 0), ``emb`` (only the Dropout after the Embedding), ``cell``
(only the LSTM's own dropout: input, recurrent and the preset's other in-cell masks), ``both``
(the state as it is, its output dropout included). Each trains over ``seeds`` seeds, paired
across configurations (app/lab/study.py).

Defaults by state version (a link keeps its version's defaults forever):

    v1, v2: all four configurations, 1 seed, 40 epochs, batch 32, lr 0.003, the state's units (100)
    v3:     cell and both (the seed's two models), 5 seeds, 15 epochs, batch 64, lr 0.01, and the
            lab's own defaults for two state fields: units=32, weights=random (``LAB_STATE``)

v3 is sized for a lesson: 2 configurations x 5 seeds train in about 15 s on two idle cores
(benchmarks/bench_lab.py), and the 32-unit LSTM learns the toy task within the 15 epochs on most
seeds (the 100-unit one needs about 40). ``units=100`` trains the seed's own size.

``run_key`` names a training: only the fields that change one (not text, len, hide, phase or
weights: a lab trains from the Keras initialisation of ``init_seed``), so links that differ only
in what the explorer shows share one run. ``cost`` estimates a run's seconds of one idle core;
``MAX_COST`` bounds it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote

from app.core.problems import Problem, StateError
from app.engine.train import TrainConfig
from app.link.fields import Choice, Field, Int, Names, Number, field, fields_of, read
from app.link.state import FIELD, FIELDS, RATE_FIELDS, SEED_MAX, VERSION, State, parse_with

CONFIGS = ("none", "emb", "cell", "both")
CONFIG_TITLES = {
    "none": "no dropout",
    "emb": "embedding dropout only",
    "cell": "the LSTM's dropout only",
    "both": "both",
}
VAL_SIZE = 1000  # the validation split (clean labels), the same for every run
STUDIES = ("seed", "seed-context", "recurrent-timing", "embedding-kinds")  # recorded (app/studies/)
OLD = (1, 2)  # state versions whose lab defaults were one seed of four configurations
LAB_STATE = {"units": "32", "weights": "random"}  # v3: the lab's defaults for these state fields
NOT_TRAINING = ("v", "text", "tokens", "len", "hide", "phase", "weights")  # state fields no training reads
MAX_COST = 600.0  # estimated seconds of one idle core: 18 x the v3 default, about 5 minutes on two
# The cost model (seconds of one core, fitted on this 2-core machine; benchmarks/bench_lab.py):
MEAN_STEPS, MAX_STEPS = 11.7, 20  # words per sentence of the toy task: mean, most
STEP_S, STEP_MAC_S, BATCH_STEP_S = 10e-6, 0.25e-9, 0.15e-3


@dataclass(frozen=True)
class LabQuery:
    """A lab link: the state, and the training knobs declared once each (app/link/fields.py)."""

    state: State
    configs: tuple[str, ...] = field(
        Names(CONFIGS, tuple(CONFIG_TITLES.values()), empty=False),
        ("cell", "both"),
        "Configurations to train, comma-separated: none, emb, cell, both (v1, v2: all four).",
        label="Configurations",
        control="configs",
        before={1: CONFIGS, 2: CONFIGS},
    )
    seeds: int = field(
        Int(1, 20),
        5,
        "Trainings of each configuration, paired: seed k draws the data, the initial weights and the masks "
        "from data_seed + k, init_seed + k and seed + k (v1, v2: 1).",
        label="Seeds",
        hint="each configuration trained {lo} to {hi} times; a difference needs 2 or more",
        group="main",
        before={1: 1, 2: 1},
    )
    epochs: int = field(
        Int(1, 100),
        15,
        "Epochs of training (v1, v2: 40).",
        label="Epochs",
        hint="{lo} to {hi}",
        group="main",
        before={1: 40, 2: 40},
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
        Int(4, 256),
        64,
        "Batch size (v1, v2: 32).",
        label="Batch size",
        hint="{lo} to {hi}",
        group="main",
        before={1: 32, 2: 32},
    )
    optimizer: str = field(
        Choice(("adam", "rmsprop")), TrainConfig.optimizer, "Keras 3's update rule.", label="Optimizer", group="main"
    )
    lr: float = field(
        Number(0.0001, 0.1),
        0.01,
        "Learning rate (v1, v2: 0.003).",
        label="Learning rate",
        hint="{lo:g} to {hi:g}",
        group="main",
        before={1: TrainConfig.lr, 2: TrainConfig.lr},
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

    study: str = field(
        Choice(("", *STUDIES)),
        "",
        "A recorded study to replay instead of training (app/studies/): " + ", ".join(STUDIES) + ".",
    )

    def canonical(self) -> str:
        parts = [p for p in self.state.canonical().split("&") if p]
        for f in LAB_FIELDS:
            value = getattr(self, f.name)
            if value != default_in(f, self.state.v):
                parts.append(f"{f.name}={quote(f.text(value), safe=',')}")
        return "&".join(sorted(parts))

    def run_key(self) -> str:
        """What changes a training, every value written (defaults too, so the key does not depend
        on the link's version): links that differ in anything else share one run."""
        if self.study:
            return f"study={self.study}"
        parts = [f"{f.name}={quote(f.text(getattr(self.state, f.name)), safe=',')}" for f in TRAINING_FIELDS]
        parts += [f"{f.name}={quote(f.text(getattr(self, f.name)), safe=',')}" for f in LAB_FIELDS if f.name != "study"]
        return "&".join(sorted(parts))

    def cost(self) -> float:
        """Estimated seconds of one idle core for the whole run: every configuration, seed and epoch
        trains ``train_size`` sentences (forward and backward, in batches padded to their longest)
        and evaluates ``VAL_SIZE`` (forward only, about a third of the cost)::

            configs x seeds x epochs x layers x [ (train_size + VAL_SIZE / 3) x MEAN_STEPS
                                                   x (STEP_S + STEP_MAC_S x units x (units + emb))
                                                 + batches x MAX_STEPS x BATCH_STEP_S ]
        """
        s = self.state
        batches = -(-self.train_size // self.batch)
        sentence = (self.train_size + VAL_SIZE / 3) * MEAN_STEPS * (STEP_S + STEP_MAC_S * s.units * (s.units + s.emb))
        per_epoch = s.layers * (sentence + batches * MAX_STEPS * BATCH_STEP_S)
        return len(self.configs) * self.seeds * self.epochs * per_epoch

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


def default_in(f: Field, version: int):
    """A lab field's default in a state version (``before`` keeps the older ones)."""
    return f.before.get(version, f.default)


def with_lab_state(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs with the lab's own defaults of ``LAB_STATE`` added where a v3 link leaves them out."""
    given = {k for k, _ in pairs}
    version = next((v for k, v in pairs if k == "v"), str(VERSION))
    if version in {str(v) for v in OLD}:
        return pairs
    return [*pairs, *((k, v) for k, v in LAB_STATE.items() if k not in given)]


def _lab(state: State, values: dict) -> LabQuery:
    defaults = {f.name: default_in(f, state.v) for f in LAB_FIELDS}
    return LabQuery(state=state, **{**defaults, **values})


def parse_lab(query: str | list[tuple[str, str]]) -> LabQuery:
    """A ``LabQuery`` from a query string or its pairs; StateError lists every problem."""
    if isinstance(query, str):
        query = parse_qsl(query.removeprefix("?"), keep_blank_values=True)
    state, values = parse_with(with_lab_state(list(query)), LAB_FIELD)
    lab = _lab(state, values)
    if (problem := cost_problem(lab)) is not None:
        raise StateError([problem])
    return lab


def cost_problem(lab: LabQuery) -> Problem | None:
    """The bound on one lab run's cost, named on epochs, or None when the run is within it."""
    cost = lab.cost()
    if cost <= MAX_COST:
        return None
    s = lab.state
    return Problem(
        "epochs",
        str(lab.epochs),
        f"a run of at most {MAX_COST:.0f} seconds of one core (configs x seeds x epochs x sentences x steps x "
        "units x (units + emb), and per batch)",
        f"{len(lab.configs)} configurations x {lab.seeds} seeds x {lab.epochs} epochs of {lab.train_size} "
        f"sentences in batches of {lab.batch} with {s.layers} layer(s) of {s.units} units would take about "
        f"{cost:.0f} seconds of one core, more than one lab run may take ({MAX_COST:.0f}, about five minutes on "
        "the lab's two processes); lower epochs, seeds, train_size, units or the configurations, or raise batch.",
    )


def parse_lab_lenient(pairs: list[tuple[str, str]], parse_state) -> tuple[LabQuery, list[Problem]]:
    """The lab of a link, repaired for a page: every problem reported, the rest kept.
    ``parse_state(pairs) -> (State, problems)`` repairs the state half (app/web/pages/render.py)."""
    state, problems = parse_state(with_lab_state([(k, v) for k, v in pairs if k not in LAB_FIELD]))
    values, _, lab_problems = read(pairs, LAB_FIELD)
    problems += lab_problems
    lab = _lab(state, values)
    if (problem := cost_problem(lab)) is not None:  # fall back to the version's default knobs
        problems.append(problem)
        knobs = ("configs", "seeds", "epochs", "train_size", "batch")
        lab = replace(lab, **{f.name: default_in(f, state.v) for f in LAB_FIELDS if f.name in knobs})
    return lab, problems


LAB_FIELDS: tuple[Field, ...] = fields_of(LabQuery)
LAB_FIELD = {f.name: f for f in LAB_FIELDS}
TRAINING_FIELDS = tuple(f for f in FIELDS if f.name not in NOT_TRAINING)
assert not set(LAB_FIELD) & set(FIELD)  # the lab's names never shadow a state field
