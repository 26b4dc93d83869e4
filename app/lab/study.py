"""A study: arms (models that differ in their dropout) trained over paired seeds, then compared.

    arms  A_1 .. A_m          each a State: the dropout it trains with (app/link/state.py)
    seeds k = 0 .. n-1        seed k trains with data_seed + k, init_seed + k, mask seed + k
    jobs  (arm, k)            one training each, independent: any order, any process, same bits
    table                     per arm: the metric per seed, mean, sd, min, max (and train accuracy)
    comparisons (a, b)        paired by seed (app/lab/compare.py); the first is the headline

The metric is the validation accuracy after the last epoch: a fixed budget, chosen before the
run, on a split whose labels are clean and that nothing is chosen on. (The best epoch's
validation accuracy would pick the epoch on the very numbers it reports: an optimistic figure,
kept in the table as ``best_values`` for the curves, never compared.)

A lab link makes a study of its configurations (``of_lab``); a recorded study declares its arms
(app/studies/recorded.py). ``run`` trains every job, in ``processes`` processes of their own, and
calls ``emit(name, data)`` for the events of /api/train (app/web/api/lab.py).
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.core.compute import one_blas_thread
from app.core.encoding import f32
from app.engine.train import EpochLog, TrainConfig, epochs
from app.lab.compare import compare, words
from app.link.lab_query import CONFIG_TITLES, LabQuery
from app.link.state import State

METRIC = "final_val_acc"
METRIC_TITLE = "validation accuracy after the last epoch"
Emit = Callable[[str, dict], None]


@dataclass(frozen=True)
class Arm:
    name: str
    title: str
    state: State  # its dropout (rates, preset, embedding mode); the shape and seeds are the study's


@dataclass(frozen=True)
class Study:
    query: str  # the lab link's canonical string, or "study=NAME"
    arms: tuple[Arm, ...]
    pairs: tuple[tuple[str, str], ...]  # (a, b) compared, b's metric minus a's; the headline first
    seeds: int
    train: TrainConfig  # seed 0's; seed k adds k to its three seeds
    name: str = ""  # a recorded study's name
    title: str = ""
    question: str = ""

    @property
    def jobs(self) -> list[tuple[int, int]]:
        """(arm index, seed) in the order they start: seed by seed, so every arm's curves grow together."""
        return [(a, k) for k in range(self.seeds) for a in range(len(self.arms))]

    @property
    def total(self) -> int:
        return len(self.arms) * self.seeds * self.train.epochs


def pairs_of(configs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The seed's question first (cell against both: what the Dropout after the Embedding adds to
    the LSTM's own), then each configuration against no dropout."""
    out = [("cell", "both")] if {"cell", "both"} <= set(configs) else []
    if "none" in configs:
        out += [("none", c) for c in configs if c != "none"]
    return tuple(out)


def of_lab(lab: LabQuery) -> Study:
    arms = tuple(Arm(c, CONFIG_TITLES[c], lab.spec_state(c)) for c in lab.configs)
    return Study(lab.canonical(), arms, pairs_of(lab.configs), lab.seeds, lab.train_config())


def seed_config(cfg: TrainConfig, k: int) -> TrainConfig:
    """Seed k of a study: its data, initial weights and masks, shared by every arm (paired)."""
    return replace(cfg, data_seed=cfg.data_seed + k, init_seed=cfg.init_seed + k, seed=cfg.seed + k)


def train_job(study: Study, arm: int, k: int, on_epoch: Callable[[EpochLog], None]) -> list[EpochLog]:
    """Train one arm on seed k, all epochs; ``on_epoch(log)`` after each. One BLAS thread always:
    the threads' split of a matmul changes its float32 sums, and a recording must be reproducible."""
    spec = replace(study.arms[arm].state, phase="train").run_spec()
    logs = []
    with one_blas_thread():
        for _, log in epochs(spec, seed_config(study.train, k)):
            logs.append(log)
            on_epoch(log)
    return logs


def epoch_row(arm: str, k: int, log: EpochLog) -> dict:
    return {
        "config": arm,
        "seed": k,
        "epoch": log.epoch,
        "train_loss": f32(log.train_loss),
        "train_acc": f32(log.train_acc),
        "val_loss": f32(log.val_loss),
        "val_acc": f32(log.val_acc),
    }


def start_event(study: Study) -> dict:
    return {
        "query": study.query,
        "configs": [a.name for a in study.arms],
        "titles": [a.title for a in study.arms],
        "links": [a.state.canonical() for a in study.arms],
        "seeds": study.seeds,
        "epochs": study.train.epochs,
        "total": study.total,
        "metric": METRIC,
        "metric_title": METRIC_TITLE,
        "study": study.name,
        "study_title": study.title,
        "study_question": study.question,
    }


def _stats(values: list[float]) -> dict:
    n = len(values)
    mean = sum(values) / n
    sd = (sum((x - mean) ** 2 for x in values) / (n - 1)) ** 0.5 if n > 1 else 0.0
    return {"mean": f32(mean), "sd": f32(sd), "min": min(values), "max": max(values)}


def summary(study: Study, rows: dict[tuple[str, int], list[dict]]) -> dict:
    """The `done` event but its seconds: the table, the comparisons and the sentence they support.
    ``rows[(arm, k)]``: the epoch rows of one training, in order."""
    table = []
    for arm in study.arms:
        runs = [rows[(arm.name, k)] for k in range(study.seeds)]
        values = [r[-1]["val_acc"] for r in runs]
        train_values = [r[-1]["train_acc"] for r in runs]
        best = [max(r, key=lambda e: (e["val_acc"], -e["epoch"])) for r in runs]
        train_mean = _stats(train_values)["mean"]
        stats = _stats(values)
        table.append(
            {
                "config": arm.name,
                "title": arm.title,
                "values": values,
                **stats,
                "train_values": train_values,
                "train_mean": train_mean,
                "gap": f32(train_mean - stats["mean"]),
                "best_values": [e["val_acc"] for e in best],
                "best_epochs": [e["epoch"] for e in best],
            }
        )
    by = {row["config"]: row for row in table}
    comparisons = (
        [compare(a, b, by[a]["values"], by[b]["values"], METRIC) for a, b in study.pairs] if study.seeds > 1 else []
    )
    return {
        "metric": METRIC,
        "metric_title": METRIC_TITLE,
        "table": table,
        "comparisons": comparisons,
        "sentence": sentence(study, table, comparisons),
    }


def sentence(study: Study, table: list[dict], comparisons: list[dict]) -> str:
    """What the table and the comparisons say, read off them: the means; the headline comparison
    with its interval and verdict; every other comparison whose interval excludes 0 (the page
    lists them all); the widest train-validation gap."""
    titles = {a.name: a.title for a in study.arms}
    n, e = study.seeds, study.train.epochs
    means = "; ".join(f"{row['title']} {row['mean']:.1%} (sd {100 * row['sd']:.1f} points)" for row in table)
    if n > 1:
        text = f"Validation accuracy after {e} epochs, mean over {n} paired seeds: {means}."
    else:
        text = (
            f"Validation accuracy after {e} epochs, one seed: {means}. One training per model cannot tell a "
            "difference from luck: train 2 or more seeds to compare them."
        )
    head, rest = comparisons[:1], comparisons[1:]
    named = [c for c in rest if c["verdict"] != "no clear difference"]
    parts = [text, *(words(c, titles) for c in head + named)]
    if quiet := len(rest) - len(named):
        many = quiet > 1
        parts.append(
            f"{quiet} more comparison{'s' if many else ''} (listed below): "
            f"{'their intervals include' if many else 'its interval includes'} 0, no clear difference."
        )
    widest = max(table, key=lambda row: row["gap"])
    if widest["gap"] > 0.03:
        noise = study.train.label_noise
        why = f" ({noise:.0%} of the training labels are flipped: it learns some of them by heart)" if noise else ""
        parts.append(
            f"{widest['title'].capitalize()} ends {100 * widest['gap']:.1f} points higher on its training set "
            f"than on validation{why}."
        )
    return " ".join(parts)


# Running a study: jobs in processes of their own ----------------------------------------------


def _child(study: Study, jobs, events) -> None:
    """A training process: take jobs until the sentinel, post every epoch. It ends itself when its
    parent is gone (killed: no one would read its results)."""
    parent = os.getppid()

    def post(name: str, k: int, log: EpochLog) -> None:
        if os.getppid() != parent:
            os._exit(1)
        events.put(("epoch", epoch_row(name, k, log)))

    while (job := jobs.get()) is not None:
        arm, k = job
        events.put(("begin", (time.monotonic(), arm, k)))
        name = study.arms[arm].name
        train_job(study, arm, k, lambda log, name=name, k=k: post(name, k, log))


class Clock:
    """The seconds a run has left, from the trainings' own pace and the schedule of the rest.

    Each arm's seconds per epoch (tau) are measured between the epochs of its trainings so far,
    and the first epoch of a training (which also draws the data and the initial weights) on its
    own (first); the trainings in progress need their remaining epochs, and those not started yet
    go, in order, to whichever process frees first:

        free_p = max(0, remaining(j) - since_last(j))     for training j on process p
        left   = when the last process frees, each queued job taking first + (E - 1) x tau

    (elapsed x (total - done) / done is off at the end, when fewer trainings than processes
    remain, and when the arms train at different speeds: tests/lab/test_study.py.)"""

    def __init__(self, study: Study, processes: int):
        self.study, self.processes = study, processes
        self.queue = list(study.jobs)  # not started
        self.running: dict[tuple[int, int], list[float]] = {}  # job -> [epochs done, time of the last]
        self.spent: dict[int, list[float]] = {}  # arm -> [seconds, epochs] after a training's first
        self.first: dict[int, list[float]] = {}  # arm -> [seconds, trainings] of first epochs

    def begin(self, at: float, arm: int, k: int) -> None:
        self.queue.remove((arm, k))
        self.running[(arm, k)] = [0, at]

    def epoch(self, at: float, arm: int, k: int) -> None:
        job = self.running[(arm, k)]
        table = self.first if job[0] == 0 else self.spent
        seconds, count = table.get(arm, [0.0, 0])
        table[arm] = [seconds + at - job[1], count + 1]
        job[0], job[1] = job[0] + 1, at
        if job[0] == self.study.train.epochs:
            del self.running[(arm, k)]

    @staticmethod
    def _means(table: dict[int, list[float]], arms: int) -> dict[int, float] | None:
        if not table:
            return None
        mean = sum(v[0] for v in table.values()) / sum(v[1] for v in table.values())
        return {arm: table[arm][0] / table[arm][1] if arm in table else mean for arm in range(arms)}

    def left(self, now: float) -> float | None:
        arms, epochs = len(self.study.arms), self.study.train.epochs
        first = self._means(self.first, arms)
        if first is None:
            return None
        spent = self.spent
        tau = {arm: spent[arm][0] / spent[arm][1] if arm in spent else first[arm] for arm in range(arms)}

        def remaining(arm: int, n: int) -> float:
            return first[arm] + (epochs - 1) * tau[arm] if n == 0 else (epochs - n) * tau[arm]

        free = [max(0.0, remaining(arm, n) - (now - last)) for (arm, _), (n, last) in self.running.items()]
        free += [0.0] * max(0, self.processes - len(free))
        heapq.heapify(free)
        for arm, _ in self.queue:
            heapq.heappush(free, heapq.heappop(free) + remaining(arm, 0))
        return max(free)


def run(study: Study, emit: Emit, processes: int = 2) -> dict:
    """Train every job and emit `start`, then `epoch` and `progress` as they come, then `done`.
    Returns the done event. ``processes``: trainings at once (each its own process, one BLAS
    thread); the numbers do not depend on it, only the order of the epoch events does."""
    emit("start", start_event(study))
    t0 = time.monotonic()
    rows: dict[tuple[str, int], list[dict]] = {}
    began: float | None = None
    done = 0
    processes = max(1, min(processes, len(study.jobs)))
    clock = Clock(study, processes)
    arm_of = {a.name: n for n, a in enumerate(study.arms)}

    def on_event(kind: str, data) -> None:
        nonlocal began, done
        now = time.monotonic()
        if kind == "begin":
            at, arm, k = data
            began = at if began is None else min(began, at)
            clock.begin(at, arm, k)
            return
        clock.epoch(now, arm_of[data["config"]], data["seed"])
        rows.setdefault((data["config"], data["seed"]), []).append(data)
        done += 1
        emit("epoch", data)
        elapsed = now - (began if began is not None else t0)
        left = clock.left(now)
        progress = {"done": done, "total": study.total, "elapsed": round(elapsed, 2)}
        emit("progress", progress | ({"left": round(left, 2)} if left is not None else {}))

    if processes == 1:
        _in_process(study, on_event)
    else:
        _in_processes(study, on_event, processes)
    result = {**summary(study, rows), "seconds": round(time.monotonic() - t0, 1)}
    emit("done", result)
    return result


def _in_process(study: Study, on_event) -> None:
    for arm, k in study.jobs:
        on_event("begin", (time.monotonic(), arm, k))
        name = study.arms[arm].name
        train_job(study, arm, k, lambda log, name=name, k=k: on_event("epoch", epoch_row(name, k, log)))


def _in_processes(study: Study, on_event, processes: int) -> None:
    """Spawned (not forked: the parent's BLAS may hold threads) processes pull jobs from a queue."""
    ctx = multiprocessing.get_context("spawn")
    jobs, events = ctx.Queue(), ctx.Queue()
    for job in study.jobs:
        jobs.put(job)
    for _ in range(processes):
        jobs.put(None)
    children = [ctx.Process(target=_child, args=(study, jobs, events), daemon=True) for _ in range(processes)]
    for child in children:
        child.start()
    try:
        expected = study.total
        seen = 0
        while seen < expected:
            try:
                kind, data = events.get(timeout=1.0)
            except queue.Empty:
                if any(c.exitcode not in (None, 0) for c in children):
                    codes = [c.exitcode for c in children]
                    raise RuntimeError(f"a training process ended without its results (exit codes {codes})") from None
                continue
            seen += kind == "epoch"
            on_event(kind, data)
        for child in children:
            child.join(timeout=10)
    finally:
        for child in children:
            if child.is_alive():
                child.kill()


def processes_default() -> int:
    """Trainings at once: DROPOUT_LAB_LAB_PROCESSES (app/web/config.py), else 2, at most the cores."""
    wanted = int(os.environ.get("DROPOUT_LAB_LAB_PROCESSES", "2"))
    return max(1, min(wanted, os.cpu_count() or 1))
