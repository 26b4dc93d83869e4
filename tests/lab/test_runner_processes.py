"""Real server processes on one lab directory (`dropout-lab serve`, tests/live_server.py): a run
is trained once on the machine whichever process a request reaches, replayed by a restarted
server, and trained again by a process that was listening when the one training it died.

The worker processes of a run are counted in /proc: their command line holds the run's query.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import urllib.request

import pytest

from tests.lab.test_runner import TINY, events
from tests.live_server import server, server_process

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="counts the worker processes in /proc")

QUERY = f"{TINY}&train_size=300&epochs=25&configs=none,both"  # about 3 s: long enough to join


def workers(marker: str) -> set[int]:
    """The lab worker processes alive now whose query holds ``marker`` (not their children, whose
    command line is the worker's between their fork and their exec)."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    cmdline = f.read()
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    parent = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if b"app.lab.worker\0" in cmdline and marker.encode() in cmdline:
                found[int(entry.name)] = parent
    return {pid for pid, parent in found.items() if parent not in found}


class Workers(threading.Thread):
    """Every worker process of a query (by ``marker``) seen while the ``with`` block runs."""

    def __init__(self, marker: str):
        super().__init__(daemon=True)
        self.marker, self.seen, self.stop = marker, set(), threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            self.seen |= workers(self.marker)

    def __enter__(self) -> Workers:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.join()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


@pytest.fixture(scope="module")
def lab_env(tmp_path_factory):
    return {"DROPOUT_LAB_LAB_CACHE_DIR": str(tmp_path_factory.mktemp("lab"))}


@pytest.fixture(scope="module")
def two_servers(lab_env):
    with server(lab_env) as a, server(lab_env) as b:
        yield a, b


def test_a_run_started_through_one_process_is_joined_through_the_other(two_servers, lab_env):
    a, b = two_servers
    url = f"/api/train?{QUERY}&data_seed=41"
    with Workers("data_seed=41") as seen, urllib.request.urlopen(a + url, timeout=60) as ra:
        start = ra.readline()  # A trains it
        assert start == b"event: start\n"
        body_b = get(b + url)  # B joins it: the events so far, then the new ones
        body_a = start + ra.read()
    assert body_a == body_b
    names = [n for n, _ in events(body_a)]
    assert names[0] == "start" and names[-1] == "done" and names.count("epoch") == 2 * 25
    assert len(seen.seen) == 1  # one training for both processes
    with Workers("data_seed=41") as seen:
        assert get(b + url) == get(a + url) == body_a  # finished: replayed by both
    assert not seen.seen
    with server(lab_env) as c:  # a restart: the finished run is on disk
        with Workers("data_seed=41") as seen:
            assert get(c + url) == body_a
        assert not seen.seen


def test_a_class_over_both_processes_trains_once(two_servers):
    a, b = two_servers
    url = f"/api/train?{QUERY}&data_seed=42"
    go = threading.Barrier(10)
    bodies = []

    def student(base: str) -> None:
        go.wait()
        bodies.append(get(base + url))

    with Workers("data_seed=42") as seen:
        students = [threading.Thread(target=student, args=(base,)) for base in [a, b] * 5]
        for s in students:
            s.start()
        for s in students:
            s.join(60)
    assert len(bodies) == 10 and len(set(bodies)) == 1
    assert events(bodies[0])[-1][0] == "done"
    assert len(seen.seen) == 1


def test_a_run_whose_server_dies_is_trained_by_the_server_still_listening(two_servers, lab_env):
    _, b = two_servers
    url = f"/api/train?{TINY}&train_size=1000&epochs=25&configs=both&data_seed=43"  # about 4 s
    with (
        Workers("data_seed=43") as seen,
        server_process(lab_env) as (doomed, process),
        urllib.request.urlopen(doomed + url, timeout=60) as r,
    ):
        r.readline()  # the doomed server trains it
        with urllib.request.urlopen(b + url, timeout=60) as rb:
            got = b""
            while b"event: epoch" not in got:
                got += rb.readline()
            first = next(iter(seen.seen))
            process.send_signal(signal.SIGKILL)  # no clean-up: the kernel frees its locks
            process.wait()
            got += rb.read()
    parsed = events(got)
    names = [n for n, _ in parsed]
    assert names.count("start") == 1 and names[-1] == "done", names[-3:]
    epochs = [d["epoch"] for n, d in parsed if n == "epoch"]
    assert epochs == list(range(1, 26))  # each once, in order: nothing repeated, nothing lost
    assert len(seen.seen) == 2 and first in seen.seen  # the dead server's training, then B's
    done = json.loads(got.rsplit(b"data: ", 1)[1])
    assert done["table"][0]["config"] == "both"
