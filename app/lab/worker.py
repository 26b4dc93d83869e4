"""One lab run, in a worker process of its own: the configurations trained side by side, epoch by
epoch, every event written to stdout as one JSON line ``[name, data]``.

    python -m app.lab.worker '<lab query>'

The server (app/lab/runner.py) starts it, reads its lines, and ends it with SIGTERM when nobody
listens any more.

The process runs at the lowest priority (nice 19) with one BLAS thread and one engine thread, so
that the server's trace requests, beside it on the same cores, keep their speed
(benchmarks/bench_lab.py). Every number of an event is a float32 in its shortest form, so the
same query gives the same events, byte for byte; only the seconds of the final table are
measured.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import replace

from app.core.compute import one_blas_thread
from app.core.encoding import dumps, f32
from app.engine.train import EpochLog, epochs
from app.link.lab_query import CONFIG_TITLES, LabQuery, parse_lab


def run(query: str, emit) -> None:
    """Train ``query`` (a lab query string), calling ``emit(name, data)`` for every event."""
    with contextlib.suppress(OSError):  # a platform without nice
        os.nice(19)
    try:
        with one_blas_thread():
            _train(parse_lab(query), emit)
    except Exception as err:  # reported on the stream: a run never hangs its listeners
        emit("error", {"message": f"{type(err).__name__}: {err}"})


def _train(lab: LabQuery, emit) -> None:
    cfg = lab.train_config()
    batches = cfg.batches
    emit(
        "start",
        {
            "query": lab.canonical(),
            "configs": list(lab.configs),
            "titles": [CONFIG_TITLES[c] for c in lab.configs],
            "epochs": lab.epochs,
            "batches": batches,
        },
    )

    def progress(config: str):
        def on_batch(epoch: int, n: int, loss: float) -> None:
            emit("progress", {"config": config, "epoch": epoch, "batch": n + 1, "batches": batches})

        return on_batch

    runs = {
        c: epochs(replace(lab.spec_state(c), phase="train").run_spec(), cfg, on_batch=progress(c)) for c in lab.configs
    }
    logs: dict[str, list[EpochLog]] = {c: [] for c in lab.configs}
    for _epoch in range(lab.epochs):
        for config, stream in runs.items():  # one epoch each in turn: the curves grow together
            _, log = next(stream)
            logs[config].append(log)
            emit("epoch", {"config": config, **epoch_row(log)})
    emit("done", summary(lab, logs))


def epoch_row(log: EpochLog) -> dict:
    return {
        "epoch": log.epoch,
        "train_loss": f32(log.train_loss),
        "train_acc": f32(log.train_acc),
        "val_loss": f32(log.val_loss),
        "val_acc": f32(log.val_acc),
    }


def _points(a: float, b: float) -> str:
    return f"{100 * abs(b - a):.1f} points"


def summary(lab: LabQuery, logs: dict[str, list[EpochLog]]) -> dict:
    """The final table and the sentence the numbers support."""
    table = []
    for config, rows in logs.items():
        best = max(rows, key=lambda r: (r.val_acc, -r.epoch))
        last = rows[-1]
        table.append(
            {
                "config": config,
                "title": CONFIG_TITLES[config],
                "best_val_acc": f32(best.val_acc),
                "best_epoch": best.epoch,
                "final_train_acc": f32(last.train_acc),
                "final_val_acc": f32(last.val_acc),
                "gap": f32(last.train_acc - last.val_acc),
                "seconds": round(sum(r.seconds for r in rows), 1),
            }
        )
    return {"table": table, "sentence": sentence(table, lab.label_noise)}


def sentence(table: list[dict], noise: float) -> str:
    """What the table says, and nothing it does not: differences under one point are called none."""
    by = {row["config"]: row for row in table}
    if "none" not in by:
        return "Train the configuration without dropout too (none) to see what dropout changes on this data."
    base = by["none"]["best_val_acc"]
    parts = []
    for config, what in (
        ("emb", "embedding dropout alone"),
        ("cell", "the LSTM's own dropout alone"),
        ("both", "both"),
    ):
        if config not in by:
            continue
        acc = by[config]["best_val_acc"]
        if abs(acc - base) < 0.01:
            parts.append(f"{what} made no clear difference ({acc:.1%} against {base:.1%})")
        else:
            verb = "raised" if acc > base else "lowered"
            parts.append(
                f"{what} {verb} the best validation accuracy from {base:.1%} to {acc:.1%} ({_points(base, acc)})"
            )
    text = "On this data, " + "; ".join(parts) + "." if parts else ""
    gap = by["none"]["gap"]
    if gap > 0.03:
        why = f" ({noise:.0%} of its training labels are flipped: it learns them by heart)" if noise > 0 else ""
        text += f" Without dropout the model ends {100 * gap:.1f} points better on its training set than on validation"
        text += why + "."
    return text.strip()


def _print(name: str, data: dict) -> None:
    sys.stdout.write(dumps([name, data]) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    run(sys.argv[1], _print)
