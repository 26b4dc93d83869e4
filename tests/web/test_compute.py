"""The compute queue (app/web/compute.py): fair turns per client, abandoned work, bounded waits."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from types import SimpleNamespace

import pytest

from app.web.compute import Abandoned, FairQueue, Job, Overloaded, compute


def run_async(coro):
    """asyncio.run in a thread of its own (the browser tests keep a loop in the main thread)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_clients_take_turns():
    """One client's five requests queued first do not hold back another client's one: it runs second."""

    async def main():
        queue = FairQueue(1)
        order = []
        gate = threading.Event()

        def work(name):
            def fn(job):
                gate.wait(5)
                order.append(name)

            return fn

        tasks = [asyncio.create_task(queue.run("greedy", work(f"greedy{k}"), Job())) for k in range(5)]
        await asyncio.sleep(0.05)
        tasks.append(asyncio.create_task(queue.run("polite", work("polite"), Job())))
        await asyncio.sleep(0.05)
        gate.set()
        await asyncio.gather(*tasks)
        return order

    order = run_async(main())
    assert order[:2] == ["greedy0", "polite"] and sorted(order) == sorted([f"greedy{k}" for k in range(5)] + ["polite"])


def test_a_request_cancelled_while_waiting_never_runs_and_frees_its_place():
    async def main():
        queue = FairQueue(1)
        ran = []
        gate = threading.Event()
        first = asyncio.create_task(queue.run("a", lambda job: gate.wait(5), Job()))
        await asyncio.sleep(0.05)
        left = asyncio.create_task(queue.run("b", lambda job: ran.append("b"), Job()))
        stays = asyncio.create_task(queue.run("c", lambda job: ran.append("c"), Job()))
        await asyncio.sleep(0.05)
        left.cancel()
        gate.set()
        await first
        await stays
        with pytest.raises(asyncio.CancelledError):
            await left
        return ran, queue.waiting, queue._free

    ran, waiting, free = run_async(main())
    assert ran == ["c"] and waiting == 0 and free == 1


def test_one_client_may_not_queue_without_bound():
    async def main():
        queue = FairQueue(1, max_waiting=2)
        gate = threading.Event()
        tasks = [asyncio.create_task(queue.run("a", lambda job: gate.wait(5), Job())) for _ in range(3)]
        await asyncio.sleep(0.05)
        with pytest.raises(Overloaded) as err:
            await queue.run("a", lambda job: None, Job())
        other = asyncio.create_task(queue.run("b", lambda job: "b ran", Job()))  # another client still may
        await asyncio.sleep(0.01)
        gate.set()
        await asyncio.gather(*tasks)
        return err.value, await other

    err, other = run_async(main())
    assert err.retry_after > 0 and "2 requests waiting" in str(err) and other == "b ran"


def test_a_wait_has_a_deadline():
    async def main():
        queue = FairQueue(1, max_wait=0.2)
        gate = threading.Event()
        busy = asyncio.create_task(queue.run("a", lambda job: gate.wait(5), Job()))
        await asyncio.sleep(0.02)
        started = time.monotonic()
        with pytest.raises(Overloaded):
            await queue.run("b", lambda job: None, Job())
        waited = time.monotonic() - started
        gate.set()
        await busy
        return waited, queue.waiting

    waited, waiting = run_async(main())
    assert 0.15 < waited < 2 and waiting == 0


def fake_request(queue: FairQueue, disconnect_after: float | None):
    async def receive():
        if getattr(receive, "sent", False):
            if disconnect_after is None:
                await asyncio.Event().wait()
            await asyncio.sleep(disconnect_after)
            return {"type": "http.disconnect"}
        receive.sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    state = SimpleNamespace(compute=queue)
    return SimpleNamespace(app=SimpleNamespace(state=state), client=SimpleNamespace(host="1.2.3.4"), receive=receive)


def test_work_stops_at_its_next_piece_when_the_client_leaves():
    pieces = []

    def fn(job):
        for k in range(100):
            job.check()
            pieces.append(k)
            time.sleep(0.01)
        return "finished"

    async def main(disconnect_after):
        request = fake_request(FairQueue(1), disconnect_after)
        return await compute(request, fn)

    with pytest.raises(Abandoned):
        run_async(main(0.1))
    time.sleep(0.1)
    assert 3 <= len(pieces) < 50  # stopped soon after the client left, not after 100 pieces
    pieces.clear()
    assert run_async(main(None)) == "finished" and len(pieces) == 100


def test_a_page_whose_client_left_while_waiting_is_never_built(client):
    """The explorer page of a new state, asked by a client that hangs up while every compute thread
    is busy: its trace is never computed (nothing in the response cache), and the threads are free."""
    from app.link.state import parse

    app = client.app
    queue: FairQueue = app.state.compute
    state = parse("seed=987654&len=300")
    key = "trace|" + state.canonical()

    async def main():
        gate = threading.Event()
        hold = [queue.run("other", lambda job: gate.wait(5), Job()) for _ in range(queue.slots)]
        blockers = [asyncio.create_task(c) for c in hold]
        await asyncio.sleep(0.05)
        sent = []
        calls = {"n": 0}

        async def receive():
            calls["n"] += 1
            if calls["n"] == 1:
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.sleep(0.1)
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": "/", "raw_path": b"/", "query_string": b"seed=987654&len=300", "root_path": "",
            "headers": [(b"host", b"testserver")], "client": ("10.0.0.9", 1), "server": ("testserver", 80),
        }  # fmt: skip
        page = asyncio.create_task(app(scope, receive, send))
        await asyncio.sleep(0.3)
        gate.set()
        await asyncio.gather(*blockers)
        await page
        return sent[0]["status"], queue.waiting, queue._free

    # the app's queue lives on the TestClient's event loop: run there
    status, waiting, free = client.portal.call(main)
    assert status == 503 and waiting == 0 and free == queue.slots
    assert app.state.cache.get(key) is None


def test_overloaded_is_a_503_with_retry_after(client):
    """A request that finds its address's queue full gets a 503 with Retry-After, never a 500."""
    app = client.app
    queue: FairQueue = app.state.compute

    gate = threading.Event()
    saved = queue.max_waiting
    held = []

    async def hold_every_thread():
        queue.max_waiting = 0  # and no place to wait
        held.extend(asyncio.create_task(queue.run("elsewhere", lambda job: gate.wait(5), Job())) for _ in range(2))
        await asyncio.sleep(0.05)

    client.portal.call(hold_every_thread)
    try:
        r = client.get("/api/trace?seed=424242&len=200")
    finally:
        gate.set()
        queue.max_waiting = saved
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0 and "retry" in r.json()["detail"]
    assert "content-security-policy" in r.headers


def test_the_server_computes_with_one_blas_thread(client):
    """Issue 21, items 3 and 4: OpenBLAS's own threads spun against the compute threads (a Monte Carlo
    request cost 15-20 s of CPU under load, a new init_seed stalled others for seconds). The app's
    start-up leaves BLAS one thread for the process's life."""
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
