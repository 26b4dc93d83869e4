"""Load on the real server: uvicorn with 2 workers on loopback, bounded requests and time.

    .venv/bin/python benchmarks/bench_api.py

Starts `dropout-lab serve --workers 2` on a free loopback port and drives it with a small
asyncio HTTP/1.1 client (keep-alive, gzip accepted, as a browser). For each scenario and for
1, 8 and 32 concurrent clients it reports throughput, p50 and p99 latency and errors:
  default cold   the default state with distinct mask seeds (every request computed)
  default warm   one URL again and again (served from the in-process cache)
  seed cold      the seed configuration (len=498) with distinct seeds
and the payload on the wire. Targets: default cold p99 <= 50 ms at 32 clients with 0 errors;
seed configuration p50 <= 60 ms; default trace <= 60 KB, seed configuration <= 1.6 MB.

The floor of a cold scenario is what the CPU alone imposes: clients x the in-process cost of
one response / the cores, where the in-process cost is the app itself answering the request
(an ASGI call in this process: routing, parsing, ETag, cache, compute, JSON, gzip, headers;
no sockets, no HTTP parsing). Target for default cold at 32 clients: p99 <= 2.5 x the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.asgi import asgi_get

SEED = "len=498"
HEADERS = [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip")]  # as a browser's request


def in_process_ms(query: str, n: int = 200) -> float:
    """Median ms of the app answering one cold trace request in this process (see above)."""
    from app.web.app import create_app

    app = create_app()

    async def run() -> list[float]:
        inbox: asyncio.Queue = asyncio.Queue()
        outbox: asyncio.Queue = asyncio.Queue()
        await inbox.put({"type": "lifespan.startup"})
        life = asyncio.create_task(
            app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
        )
        assert (await outbox.get())["type"] == "lifespan.startup.complete"
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            sent = await asgi_get(app, "/api/trace", f"{query}&seed={900_000 + i}", HEADERS)
            assert sent[0]["status"] == 200
            times.append(time.perf_counter() - t0)
        await inbox.put({"type": "lifespan.shutdown"})
        await life
        return times

    return statistics.median(asyncio.run(run())) * 1e3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def fetch(reader, writer, path: str) -> tuple[int, int]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(v) for k, _, v in (line.partition(":") for line in lines[1:]) if k.lower() == "content-length")
    await reader.readexactly(length)
    return status, length


async def client(port, paths, latencies, errors, deadline):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for path in paths:
            if time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            try:
                status, _ = await fetch(reader, writer, path)
            except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                errors.append(path)
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def scenario(port, make_path, clients: int, requests: int, seconds: float):
    counter = itertools.count()
    per_client = max(1, requests // clients)
    plans = [[make_path(next(counter)) for _ in range(per_client)] for _ in range(clients)]
    latencies, errors = [], []
    deadline = time.monotonic() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(*(client(port, p, latencies, errors, deadline) for p in plans))
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1e3  # noqa: E731
    return {
        "n": len(lat),
        "rps": len(lat) / wall,
        "p50": statistics.median(lat) * 1e3,
        "p99": p(0.99),
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1920, help="requests per default-state run")
    parser.add_argument("--seed-requests", type=int, default=96, help="requests per seed-configuration run")
    parser.add_argument("--seconds", type=float, default=60, help="time bound per run")
    args = parser.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(
                        "the server did not start: run `dropout-lab serve --workers 2` to see why"
                    ) from None
                time.sleep(0.1)
        sizes = {}
        for name, q in (("default", ""), ("seed configuration", SEED)):
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/trace?{q}", headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req) as r:
                sizes[name] = (len(r.read()), r.headers["Content-Encoding"])
        print("2 uvicorn workers on loopback; client: asyncio HTTP/1.1 keep-alive, Accept-Encoding: gzip")
        for name, (n, enc) in sizes.items():
            print(f"payload {name}: {n / 1e3:.1f} KB on the wire ({enc})")
        runs = itertools.count(1)
        scenarios = [
            ("default cold", lambda i, r: f"/api/trace?seed={r * 100_000 + i}", args.requests),
            ("default warm", lambda i, r: "/api/trace?seed=424242", args.requests),
            ("seed cold", lambda i, r: f"/api/trace?{SEED}&seed={r * 100_000 + i}", args.seed_requests),
        ]
        cores = os.cpu_count() or 1
        cost = {"default cold": in_process_ms(""), "seed cold": in_process_ms(SEED, 20)}
        for name, ms in cost.items():
            print(f"in-process cost of one {name} response: {ms:.2f} ms ({cores} cores)")
        print(
            f"{'scenario':14} {'clients':>7} {'n':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
            f" {'floor ms':>8} {'p99/floor':>9}"
        )
        for name, make, n in scenarios:
            for clients in (1, 8, 32):
                r = next(runs)
                res = asyncio.run(scenario(port, lambda i, r=r, make=make: make(i, r), clients, n, args.seconds))
                floor = clients * cost[name] / min(clients, cores) if name in cost else None
                extra = f" {floor:8.1f} {res['p99'] / floor:9.2f}" if floor else ""
                print(
                    f"{name:14} {clients:7d} {res['n']:5d} {res['rps']:8.1f} {res['p50']:8.1f} "
                    f"{res['p99']:8.1f} {res['errors']:6d}{extra}"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
