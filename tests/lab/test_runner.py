"""GET /api/train and the lab's runs (app/lab/runner.py, app/lab/store.py): replayed from disk,
joined, bounded, kept for a grace period, shared between runners on one directory.

Small runs (8 units, 50 sentences, a v2 link: one seed) keep it quick; a "long" run (1,000
sentences, 100 epochs: about 15 s) is one a test can join, leave or stop while it trains.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import json
import os
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import app.web.app as app_module
from app.lab.runner import LabRunner
from app.lab.store import Store
from app.link.lab_query import parse_lab
from app.web.app import create_app
from app.web.config import Settings

TINY = "v=2&units=8&weights=random&batch=25"
SMALL = f"{TINY}&train_size=50"
LONG = f"{TINY}&train_size=1000&epochs=100&configs=both"


def in_a_thread(coro):
    """``asyncio.run`` in a thread of its own: once the browser tests have run, playwright's loop is
    running in the main thread, and asyncio.run refuses to start another there."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def events(body: bytes) -> list[tuple[str, dict]]:
    """Parse server-sent events; every block is `event: NAME` then `data: JSON`."""
    out = []
    for block in body.decode().split("\n\n"):
        if not block:
            continue
        name_line, data_line = block.split("\n")
        assert name_line.startswith("event: ") and data_line.startswith("data: "), block
        out.append((name_line[7:], json.loads(data_line[6:])))
    return out


def wait_for(condition, seconds: float = 20, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def lab_files(directory) -> set[str]:
    """The suffixes of the files in the lab directory's runs/ (sse, part, lock, listen)."""
    return {name.rsplit(".", 1)[1] for name in os.listdir(directory / "runs")}


@pytest.fixture()
def lab_dir(tmp_path):
    return tmp_path / "lab"


@pytest.fixture()
def start_app(lab_dir, monkeypatch):
    """start_app(**settings): a started app whose lab keeps its runs in ``lab_dir``; stopped at
    the test's end (or by closing the client: a server restart)."""
    with contextlib.ExitStack() as stack:

        def start(**overrides) -> TestClient:
            settings = Settings(lab_cache_dir=lab_dir, **overrides)
            monkeypatch.setattr(app_module, "get_settings", lambda: settings)
            return stack.enter_context(TestClient(create_app()))

        yield start


@pytest.fixture()
def lab_client(start_app):
    return start_app()


def test_the_settings_defaults(monkeypatch, tmp_path):
    for name in ("LAB_GRACE", "LAB_CACHE_DIR", "LAB_CACHE_MB", "LAB_WORKERS"):
        monkeypatch.delenv(f"DROPOUT_LAB_{name}", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    s = Settings()
    assert (s.lab_grace, s.lab_cache_mb, s.lab_workers) == (60, 64, 2)
    assert s.lab_cache_dir == tmp_path / "dropout-lab" / "lab"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert Settings().lab_cache_dir == Path.home() / ".cache" / "dropout-lab" / "lab"
    monkeypatch.setenv("DROPOUT_LAB_LAB_GRACE", "1.5")
    assert Settings().lab_grace == 1.5


def test_the_tests_never_touch_the_users_cache():
    assert "dropout-lab-tests-" in os.environ["DROPOUT_LAB_LAB_CACHE_DIR"]  # tests/conftest.py


def test_stream_is_well_formed_and_replayed_byte_for_byte(lab_client, lab_dir):
    url = f"/api/train?{SMALL}&epochs=3&configs=none,emb,cell,both"
    with lab_client.stream("GET", url) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        body = b"".join(r.iter_bytes())
    got = events(body)
    names = [n for n, _ in got]
    assert names[0] == "start" and names[-1] == "done" and "error" not in names
    assert got[0][1]["configs"] == ["none", "emb", "cell", "both"]
    assert sum(n == "epoch" for n in names) == 4 * 3  # one seed (v2): configurations x epochs
    assert lab_files(lab_dir) == {"sse"}  # finished: no .part, no lock left
    again = lab_client.get(url)
    assert again.content == body and lab_client.app.state.lab.started == 1  # replayed, not retrained


def test_finished_runs_survive_a_restart(start_app, lab_dir):
    url = f"/api/train?{SMALL}&epochs=2&configs=cell"
    first = start_app()
    body = first.get(url).content
    assert events(body)[-1][0] == "done" and first.app.state.lab.started == 1
    first.__exit__(None, None, None)  # the server stops
    second = start_app()
    assert second.get(url).content == body  # replayed from disk, byte for byte
    assert second.app.state.lab.started == 0


def test_an_orphaned_part_is_trained_again(lab_client, lab_dir):
    """A .part whose trainer died (no lock holder) is neither replayed nor joined: trained again."""
    lab = parse_lab(f"{SMALL}&epochs=2&configs=cell&data_seed=5")
    files = lab_client.app.state.lab.store.files(lab.run_key())
    files.part.write_bytes(b'event: start\ndata: {"query":"dead"}\n\nevent: epo')
    body = lab_client.get(f"/api/train?{SMALL}&epochs=2&configs=cell&data_seed=5").content
    got = events(body)
    assert [n for n, _ in got].count("start") == 1 and got[0][1]["query"] != "dead" and got[-1][0] == "done"
    assert lab_client.app.state.lab.started == 1 and files.sse.read_bytes() == body


def test_a_second_request_joins_the_run_in_progress(lab_client):
    url = f"/api/train?{SMALL}&epochs=40&configs=none,both&data_seed=3"  # long enough to join
    runner = lab_client.app.state.lab
    bodies = []

    def fetch():
        with lab_client.stream("GET", url) as r:
            bodies.append(b"".join(r.iter_bytes()))

    first = threading.Thread(target=fetch)
    first.start()
    wait_for(lambda: runner.running, what="the run to start")
    second = threading.Thread(target=fetch)
    second.start()
    first.join(60)
    second.join(60)
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert runner.started == 1  # one training for two listeners
    assert runner.joined == 1  # the second joined it (not replayed after the end)


def test_beyond_the_pool_is_a_429_with_retry_after(lab_client, lab_dir):
    runner = lab_client.app.state.lab
    runner.workers = 1
    with lab_client.stream("GET", f"/api/train?{LONG}") as r:
        assert r.status_code == 200, r.read()
        chunks = r.iter_bytes()  # kept: a dropped iterator closes the stream
        next(chunks)  # running now
        busy = lab_client.get(f"/api/train?{SMALL}&epochs=2")
        assert busy.status_code == 429 and int(busy.headers["retry-after"]) >= 1
        assert busy.json()["retry_after"] == int(busy.headers["retry-after"])
        assert "busy" in busy.json()["detail"]
        # the slots are the machine's: another runner on the directory has none either
        other = LabRunner(lab_dir, workers=1)
        assert other.store.slot(1) is None


def test_a_listener_who_comes_back_within_the_grace_rejoins(start_app, lab_dir):
    gc.disable()  # a listener leaves when its response ends, not when the collector gets to it
    try:
        _rejoins(start_app, lab_dir)
    finally:
        gc.enable()


def _rejoins(start_app, lab_dir):
    client = start_app(lab_grace=1.5)
    runner = client.app.state.lab
    url = f"/api/train?{LONG}&data_seed=11"
    with client.stream("GET", url) as r:
        chunks = r.iter_bytes()
        first = next(chunks)
        (run,) = runner.running.values()
        process = run.training.process
    wait_for(lambda: run.listeners == 0, what="the listener to leave")
    time.sleep(0.5)  # a reload
    assert process.poll() is None  # still training
    with client.stream("GET", url) as r:
        chunks = r.iter_bytes()
        again = b""
        while again.count(b"event: epoch") < 3:  # the events so far, then new ones
            again += next(chunks)
    assert again.startswith(first) and runner.started == 1 and runner.joined == 1
    assert runner.running[run.key] is run
    t0 = time.monotonic()
    wait_for(lambda: run.listeners == 0, seconds=1, what="the listener to leave")  # at once, not at a GC
    wait_for(lambda: run.training.ending, seconds=3, what="the run to end after the grace")
    assert time.monotonic() - t0 > 1.0  # not before the grace
    wait_for(lambda: process.poll() is not None, seconds=30, what="the worker to exit")  # nice 19: slow when busy
    wait_for(lambda: not lab_files(lab_dir), seconds=5, what="the run's files to go")
    assert not runner.running  # forgotten: the next request trains it again
    with client.stream("GET", url) as r:
        next(r.iter_bytes())
        assert runner.started == 2


def test_a_run_nobody_listens_to_stops(start_app, lab_dir):
    client = start_app(lab_grace=0)
    runner = client.app.state.lab
    with client.stream("GET", f"/api/train?{LONG}&data_seed=9") as r:
        chunks = r.iter_bytes()  # kept: a dropped iterator closes the stream
        next(chunks)
        (run,) = runner.running.values()
        process = run.training.process
        assert process.poll() is None  # training
    wait_for(lambda: run.training.ending, seconds=2, what="the run to end")
    wait_for(lambda: process.poll() is not None, seconds=30, what="the worker to exit")
    wait_for(lambda: not lab_files(lab_dir), seconds=5, what="the run's files to go")
    assert not runner.running  # ended and forgotten; an unfinished run is not replayed


def test_a_worker_that_dies_is_an_error_event(lab_client, lab_dir):
    runner = lab_client.app.state.lab
    with lab_client.stream("GET", f"/api/train?{LONG}&data_seed=13") as r:
        chunks = r.iter_bytes()
        body = next(chunks)
        (run,) = runner.running.values()
        run.training.process.kill()
        body += b"".join(chunks)
    name, data = events(body)[-1]
    assert name == "error" and "exit -9" in data["message"]
    wait_for(lambda: not lab_files(lab_dir), seconds=5, what="the run's files to go")  # nothing replayed
    assert not runner.running


def test_the_disk_bound_keeps_the_most_recently_used(lab_client, lab_dir):
    runner = lab_client.app.state.lab
    urls = {k: f"/api/train?{SMALL}&epochs=2&configs=cell&data_seed={k}" for k in (21, 22, 23)}
    a = lab_client.get(urls[21]).content
    b = lab_client.get(urls[22]).content
    assert lab_client.get(urls[21]).content == a  # a used again: b is now the least recently used
    runner.store.max_bytes = int(2.5 * len(a))  # two runs of this size fit, three do not
    c = lab_client.get(urls[23]).content
    sizes = sorted(p.stat().st_size for p in (lab_dir / "runs").glob("*.sse"))
    assert sizes == sorted([len(a), len(c)]) and sum(sizes) <= runner.store.max_bytes
    assert runner.started == 3
    assert lab_client.get(urls[21]).content == a and runner.started == 3  # kept
    assert events(lab_client.get(urls[22]).content)[-1][0] == "done" and runner.started == 4  # pruned: trained again
    assert events(b)[-1][0] == "done"


def test_prune_removes_the_least_recently_used_first(tmp_path):
    store = Store(tmp_path, max_bytes=250)
    for name, used in (("old", 1), ("new", 3), ("mid", 2)):
        path = store.runs / f"{name}.sse"
        path.write_bytes(b"x" * 100)
        os.utime(path, ns=(used * 10**9, used * 10**9))
    store.prune()
    assert sorted(p.stem for p in store.runs.glob("*.sse")) == ["mid", "new"]
    store.max_bytes = 0
    store.prune()
    assert not list(store.runs.glob("*.sse"))


def test_retry_after_is_the_soonest_end_from_the_progress_on_disk(tmp_path):
    store = Store(tmp_path, max_bytes=0)
    assert store.seconds_left() == 60  # nothing trains
    files = [store.files(key) for key in ("a", "b", "c")]
    locks = [store.claim(f) for f in files]
    progress = [{"done": 10, "total": 40, "elapsed": 5.0}, {"done": 30, "total": 40, "elapsed": 3.0}]
    for f, p in zip(files, progress, strict=False):
        f.part.write_bytes(b"event: start\ndata: {}\n\n" + f"event: progress\ndata: {json.dumps(p)}\n\n".encode())
    files[2].part.write_bytes(b"event: start\ndata: {}\n\n")  # no progress yet: 60 s
    assert 0.5 < store.seconds_left() <= 1.0  # b: 3 s x 10 / 30 left, less the time since it was written
    locks[1].release()  # b's trainer died: its .part says nothing
    assert 14 < store.seconds_left() <= 15  # a: 5 s x 30 / 10
    locks[0].release()
    assert store.seconds_left() == 60  # c, before its first progress
    locks[2].release()


# Two runners on one directory stand for two server processes: their locks are separate open
# files, which flock treats as separate holders (tests/lab/test_runner_processes.py runs real ones).


async def collect(runner: LabRunner, query: str, first: asyncio.Event | None = None) -> bytes:
    body = b""
    async for chunk in await runner.stream(parse_lab(query)):
        body += chunk
        if first is not None:
            first.set()
    return body


def test_a_second_runner_on_the_directory_joins_through_the_file(lab_dir):
    query = f"{SMALL}&epochs=30&configs=none,both&data_seed=31"

    async def main():
        a, b = LabRunner(lab_dir), LabRunner(lab_dir)
        try:
            started = asyncio.Event()
            first = asyncio.create_task(collect(a, query, started))
            await started.wait()
            second = await collect(b, query)
            return await first, second, a, b
        finally:
            a.close()
            b.close()

    body_a, body_b, a, b = in_a_thread(asyncio.wait_for(main(), 60))
    assert body_a == body_b and events(body_a)[-1][0] == "done"
    assert (a.started, b.started, b.joined) == (1, 0, 1)  # one training, joined through its .part
    assert lab_files(lab_dir) == {"sse"}


def test_a_run_whose_trainer_dies_is_trained_by_its_other_listeners(lab_dir):
    query = f"{SMALL}&epochs=30&configs=none,both&data_seed=32"

    async def main():
        a, b = LabRunner(lab_dir), LabRunner(lab_dir)
        try:
            started = asyncio.Event()
            first = asyncio.create_task(collect(a, query, started))
            await started.wait()
            second = asyncio.create_task(collect(b, query))
            while b"event: epoch" not in b"".join(next(iter(b.running.values())).events if b.running else []):
                await asyncio.sleep(0.02)
            a.close()  # its server stops: the worker ends, the run's lock comes free unfinished
            return await first, await second, a, b
        finally:
            a.close()
            b.close()

    body_a, body_b, a, b = in_a_thread(asyncio.wait_for(main(), 60))
    assert "done" not in [n for n, _ in events(body_a)]
    got = events(body_b)
    names = [n for n, _ in got]
    assert names[0] == "start" and names.count("start") == 1 and names[-1] == "done"
    epochs = [(d["config"], d["epoch"]) for n, d in got if n == "epoch"]
    assert sorted(epochs) == sorted({(c, e) for c in ("none", "both") for e in range(1, 31)})  # each once
    assert (a.started, b.started) == (1, 1)


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("epochs=0", {"epochs"}),
        ("epochs=101&train_size=9", {"epochs", "train_size"}),
        ("configs=none,none", {"configs"}),
        ("configs=all", {"configs"}),
        ("lr=0&label_noise=0.5", {"lr", "label_noise"}),
        ("optimizer=sgd&batch=1", {"optimizer", "batch"}),
        ("epochs=100&train_size=5000&units=256&weights=random", {"epochs"}),  # the work bound
        ("dropout=2&epochs=x", {"dropout", "epochs"}),
        ("epochs=2&epochs=3", {"epochs"}),
    ],
)
def test_bounds_are_422_naming_every_field(client, query, fields):
    r = client.get(f"/api/train?{query}")
    assert r.status_code == 422 and {p["field"] for p in r.json()["problems"]} == fields


def test_listeners_in_another_process_keep_a_run_going(lab_dir):
    """The trainer's own listener leaves; another runner's listener keeps the run going past the
    grace (through the .listen file), and when it leaves too, the run ends."""
    query = f"{LONG}&data_seed=33"

    async def main():
        a, b = LabRunner(lab_dir, grace=0.5), LabRunner(lab_dir, grace=0.5)
        try:
            here = await a.stream(parse_lab(query))
            await anext(here)
            (run,) = a.running.values()
            there = await b.stream(parse_lab(query))
            await anext(there)
            assert b.joined == 1 and not b.started
            await here.aclose()
            await asyncio.sleep(2.5)  # five times the grace
            assert run.listeners == 0 and not run.training.ending  # b listens
            await there.aclose()
            t0 = time.monotonic()
            while not run.training.ending:
                await asyncio.sleep(0.05)
            return time.monotonic() - t0
        finally:
            a.close()
            b.close()

    waited = in_a_thread(asyncio.wait_for(main(), 60))
    assert 1.0 < waited < 5  # b's last touch, a few seconds' leeway (STALE) and the grace
