"""GET /api/train: the training lab's stream. Small runs (8 units, 50 sentences) keep it quick."""

from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app

SMALL = "/api/train?units=8&weights=random&batch=25"


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


@pytest.fixture()
def lab_client():
    with TestClient(create_app()) as c:
        yield c


def test_stream_is_well_formed_and_replayed_byte_for_byte(lab_client):
    url = f"{SMALL}&train_size=50&epochs=3&configs=none,emb,cell,both"
    with lab_client.stream("GET", url) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        body = b"".join(r.iter_bytes())
    got = events(body)
    names = [n for n, _ in got]
    assert names[0] == "start" and names[-1] == "done" and "error" not in names
    start, done = got[0][1], got[-1][1]
    assert start["configs"] == ["none", "emb", "cell", "both"] and start["batches"] == 2
    epochs = [d for n, d in got if n == "epoch"]
    assert len(epochs) == 4 * 3 and {e["config"] for e in epochs} == set(start["configs"])
    assert set(epochs[0]) == {"config", "epoch", "train_loss", "train_acc", "val_loss", "val_acc"}
    assert sum(n == "progress" for n in names) == 4 * 3 * 2
    table = {row["config"]: row for row in done["table"]}
    for config in start["configs"]:  # the table is the last epochs' numbers
        last = [e for e in epochs if e["config"] == config][-1]
        assert table[config]["final_val_acc"] == last["val_acc"]
        best = max(e["val_acc"] for e in epochs if e["config"] == config)
        assert table[config]["best_val_acc"] == best
    assert done["sentence"].startswith("On this data")
    again = lab_client.get(url)
    assert again.content == body and lab_client.app.state.lab.started == 1  # replayed, not retrained


def test_a_second_request_joins_the_run_in_progress(lab_client):
    url = f"{SMALL}&train_size=50&epochs=40&configs=none,both&data_seed=3"  # long enough to join
    bodies = []

    def fetch():
        with lab_client.stream("GET", url) as r:
            bodies.append(b"".join(r.iter_bytes()))

    first = threading.Thread(target=fetch)
    first.start()
    deadline = time.monotonic() + 20
    while not lab_client.app.state.lab.running and time.monotonic() < deadline:
        time.sleep(0.02)
    second = threading.Thread(target=fetch)
    second.start()
    first.join(60)
    second.join(60)
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert lab_client.app.state.lab.started == 1  # one training for two listeners
    assert lab_client.app.state.lab.joined == 1  # the second joined it (not replayed after the end)


def test_beyond_the_pool_is_a_429_with_retry_after(lab_client):
    runner = lab_client.app.state.lab
    runner.workers = 1
    long = f"{SMALL}&epochs=100&train_size=2000&configs=both"
    with lab_client.stream("GET", long) as r:
        assert r.status_code == 200
        chunks = r.iter_bytes()  # kept: a dropped iterator closes the stream
        next(chunks)  # running now
        busy = lab_client.get(f"{SMALL}&train_size=50&epochs=2")
        assert busy.status_code == 429 and int(busy.headers["retry-after"]) >= 1
        assert busy.json()["retry_after"] == int(busy.headers["retry-after"])
        assert "busy" in busy.json()["detail"]


def test_a_run_nobody_listens_to_stops(lab_client):
    runner = lab_client.app.state.lab
    long = f"{SMALL}&epochs=100&train_size=2000&configs=both&data_seed=9"
    with lab_client.stream("GET", long) as r:
        chunks = r.iter_bytes()  # kept: a dropped iterator closes the stream
        next(chunks)
        (run,) = runner.running.values()
        process = run.process
        assert process.poll() is None  # training
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is not None and not runner.running  # ended and forgotten
    assert runner.finished == {}  # an unfinished run is not replayed


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
