"""Memory comes back after heavy work (app/web/memory.py): in this process, and on a live server."""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
import time
import urllib.request
from urllib.parse import urlsplit

import anyio

from app.web import memory
from tests.live_server import server_process

MB = 2**20


def kept_garbage(mb: int = 150) -> list[bytes]:
    """Allocate ``mb`` MB in chunks malloc serves from its heap (2 KB: above Python's small-object
    allocator, below mmap's threshold) and free all but every 500th: the survivors pin the heap,
    so malloc keeps the freed pages resident, as after a heavy request."""
    chunks = [bytes(2048) for _ in range(mb * MB // 2048)]
    pins = chunks[::500]
    del chunks
    return pins


def test_release_hands_freed_heap_pages_back():
    pins = kept_garbage()
    before = memory.rss_bytes()
    assert memory.release()
    assert memory.rss_bytes() < before - 100 * MB
    assert len(pins) > 0


def test_limit_arenas_leaves_the_operators_setting(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert memory.limit_arenas() is False


def test_trim_when_idle_returns_memory_after_work():
    async def watch() -> int:
        with anyio.move_on_after(3):
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(memory.trim_when_idle, 0.2)
                await anyio.sleep(0.3)
                pins = kept_garbage()  # heavy work, then idle
                high = memory.rss_bytes()
                while memory.rss_bytes() > high - 100 * MB:
                    await anyio.sleep(0.05)
                tasks.cancel_scope.cancel()
                return len(pins)
        return 0

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # asyncio.run in a thread of its own
        kept = pool.submit(asyncio.run, watch()).result(timeout=10)
    assert kept > 0, "RSS did not come back within 3 s of the work"


# The server: a burst of the largest traces and compare pages, some dropped by their clients. The
# response cache is off (DROPOUT_LAB_CACHE_MB=0): its bytes are bounded by construction (64 MiB by
# default, about 0.75 x this server's idle RSS), and this asks what the process keeps beyond it.
HEAVY = "len=390&layers=3&units=256&weights=random"


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))


def fetch(base: str, path: str) -> None:
    urllib.request.urlopen(base + path, timeout=60).read()


def drop(base: str, path: str) -> None:
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
        time.sleep(0.2)


def test_server_memory_returns_after_a_burst():
    with server_process({"DROPOUT_LAB_CACHE_MB": "0"}) as (base, proc):
        fetch(base, "/")
        fetch(base, "/api/trace?len=20&layers=3&units=256&weights=random")  # the burst's weights and code paths
        time.sleep(1.5)
        baseline = rss(proc.pid)
        paths = [f"/api/trace?{HEAVY}&seed={n}" for n in range(1, 7)]
        paths += [f"/?{HEAVY}&seed={n}&vs.seed={n + 100}" for n in range(1, 3)]
        threads = [threading.Thread(target=drop if i % 4 == 3 else fetch, args=(base, p)) for i, p in enumerate(paths)]
        for t in threads:
            t.start()
        peak = baseline
        while any(t.is_alive() for t in threads):
            peak = max(peak, rss(proc.pid))
            time.sleep(0.1)
        for t in threads:
            t.join()
        assert peak > 1.5 * baseline, "the burst was too light to show anything"
        deadline = time.monotonic() + 30
        while rss(proc.pid) > 1.5 * baseline:
            assert time.monotonic() < deadline, (
                f"RSS {rss(proc.pid) / MB:.0f} MB 30 s after the burst: more than 1.5 x the idle {baseline / MB:.0f} MB"
                f" (peak {peak / MB:.0f} MB)"
            )
            time.sleep(0.5)
