"""Static files in this process: the old StaticFiles + GZip middleware path against the in-memory store.

    .venv/bin/python benchmarks/bench_static.py [--n 2000]

Each request is an ASGI call in this process (no sockets, no HTTP parsing), with a
browser's headers (Host, Accept-Encoding: gzip), for a small ES module and for a median one. Both
apps are a bare Starlette router behind their gzip middleware, so the figures compare the serving
itself; the last line is the new store through the whole app (create_app: security headers,
trusted hosts, HEAD, gzip middlewares). Reported: requests/s on one core and CPU ms per request
(process time, so StaticFiles' thread hops for stat/open count too), and the start-up cost of the
store (read, hash and gzip every file once).

Old: StaticFiles stats and opens the file in a worker thread and the GZip middleware compresses it
again, on every request. New: a dict lookup, the gzip form made at start-up, headers and one send.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from app.web.config import get_settings
from app.web.gzip import GzipResponses
from app.web.static_files import STATIC_DIR, STORE, StaticRoute, StaticStore, read_files
from tests.asgi import asgi_get

HEADERS = [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip, deflate, br")]  # as a browser's request
FILES = ("js/keys.js", "js/state.js")  # a small module and a larger one


async def get(app, path: str) -> int:
    """The status of ``GET path`` through the app in this process (tests/asgi.py)."""
    return (await asgi_get(app, path, "", HEADERS))[0]["status"]


def old_app():
    """Before: Starlette's StaticFiles behind Starlette's GZip middleware (as app/web/app.py had it)."""
    return GZipMiddleware(Starlette(routes=[Mount("/static", StaticFiles(directory=STATIC_DIR))]), 1024, 6)


def new_app():
    """After: the in-memory store behind the app's gzip middleware (which leaves it alone)."""
    return GzipResponses(Starlette(routes=[StaticRoute(STORE)]), get_settings())


def measure(app, path: str, n: int) -> tuple[float, float]:
    """(requests/s, CPU ms per request) of ``n`` sequential requests for ``path``."""

    async def run() -> tuple[float, float]:
        for _ in range(n // 10):  # warm-up
            await get(app, path)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            status = await get(app, path)
            assert status == 200, (path, status)
        return time.perf_counter() - wall, time.process_time() - cpu

    wall, cpu = asyncio.run(run())
    return n / wall, 1000 * cpu / n


def full_app():
    from app.web.app import create_app

    return create_app()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="requests per measurement")
    args = parser.parse_args()
    t0 = time.perf_counter()
    StaticStore(read_files())
    print(f"store start-up (read, hash, gzip {len(STORE.assets)} files): {1000 * (time.perf_counter() - t0):.0f} ms")
    print(f"{'path':<18} {'file':>7} {'old req/s':>10} {'old CPU ms':>11} {'new req/s':>10} {'new CPU ms':>11}")
    old, new = old_app(), new_app()
    for name in FILES:
        size = len(STORE.assets[name].body)
        old_rate, old_cpu = measure(old, f"/static/{name}", max(args.n // 4, 100))
        new_rate, new_cpu = measure(new, STORE.url(name), args.n)
        print(f"{name:<18} {size:>7} {old_rate:>10.0f} {old_cpu:>11.3f} {new_rate:>10.0f} {new_cpu:>11.3f}")
    rate, cpu = measure(full_app(), STORE.url(FILES[0]), args.n)
    print(f"{FILES[0]} through create_app(): {rate:.0f} req/s, {cpu:.3f} CPU ms per request")


if __name__ == "__main__":
    main()
