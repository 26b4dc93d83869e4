"""One lab run, in a worker process of its own: a study of the link's configurations over its
seeds (app/lab/study.py), every event written to stdout as one JSON line ``[name, data]``.

    python -m app.lab.worker '<lab query>'

The server (app/lab/runner.py) starts it, reads its lines, and ends it with SIGTERM when nobody
has listened for the grace period; SIGTERM ends its training processes too.

The process and its training processes run at the lowest priority (nice 19) with one BLAS thread
each, so that the server's trace requests, beside them on the same cores, keep their speed
(benchmarks/bench_lab.py). Every number of an event is a float32 in its shortest form, so the
same query gives the same epoch rows and the same `done` table, comparisons and sentence, bit for
bit; only `progress` (elapsed seconds), the `done` event's seconds and the order in which the
epochs of different trainings arrive depend on the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

from app.core.encoding import dumps
from app.lab import study
from app.link.lab_query import parse_lab


def run(query: str, emit, processes: int | None = None) -> None:
    """Train ``query`` (a lab query string), calling ``emit(name, data)`` for every event."""
    with contextlib.suppress(OSError):  # a platform without nice
        os.nice(19)
    try:
        study.run(study.of_lab(parse_lab(query)), emit, processes or study.processes_default())
    except Exception as err:  # reported on the stream: a run never hangs its listeners
        emit("error", {"message": f"{type(err).__name__}: {err}"})


def _print(name: str, data: dict) -> None:
    sys.stdout.write(dumps([name, data]) + "\n")
    sys.stdout.flush()


def terminated(signum, frame) -> None:
    raise SystemExit(143)  # unwinds through study.run, whose finally ends the training processes


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, terminated)
    run(sys.argv[1], _print)
