"""Giving the memory of heavy requests back to the system once they are over (issue 21).

A heavy trace, Monte Carlo or gradient request allocates hundreds of MB of NumPy temporaries in a
worker thread and frees them when it ends; glibc's malloc keeps what was freed for reuse, in one
arena per thread that ever allocated at once (up to 8 per core), and hands little of it back.
Measured (benchmarks/bench_memory.py): a burst of 80 of the largest requests took a server of
82 MB idle to 1.9 GB, 1.3 GB still held while idle; with the compute threads bounded (2), a burst
of 48 peaked at 466 MB and 341 MB stayed. ``malloc_trim(0)`` returns every free page of every
arena (glibc >= 2.8 also releases whole free pages inside a heap, not only its top): with it the
same burst leaves 195 MB, what the caches hold (the response cache's 64 MiB, weights, reference
traces: app/documents/run.py).

``limit_arenas()`` (start-up) caps the arenas, so that freed memory is found again by the next
request rather than spread over a dozen arenas; ``release()`` trims now, for a caller that has
just finished heavy work (in its worker thread: never on the event loop); ``trim_when_idle()``
(the app's lifespan) trims after heavy work once the process has been idle about a second.
Everything here is a no-op outside Linux glibc (musl, macOS, Windows return memory their own way).
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
import time

import anyio

M_ARENA_MAX = -8  # glibc's mallopt parameter numbers (malloc.h)
# The main arena and one more: threads beyond share them, so memory one request freed is found
# again by the next instead of sitting in one of up to 16 arenas; their lock is taken per malloc,
# a few per NumPy array, nothing beside the arrays' work.
ARENAS = 2
IDLE_CPU = 0.05  # the process used at most this share of one core over the last tick: idle
GROWTH = 16 * 2**20  # trim after heavy work: RSS this much above what the last trim left
TICK = 1.0  # seconds between looks; a look costs a /proc read and a clock (about 20 us)


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # pragma: no cover - a glibc system without the usual soname
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


LIBC = _glibc()


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (for threads that allocate from now on); True if capped.
    MALLOC_ARENA_MAX in the environment, the operator's choice, wins."""
    if LIBC is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(LIBC.mallopt(M_ARENA_MAX, arenas))


def release() -> bool:
    """Hand the memory malloc keeps free back to the system; True if some was. Measured: 5 us when
    there is nothing to return, 10 to 20 ms per hundred MB returned. It holds each arena's lock in
    turn, so call it after heavy work, in the thread that did it (never on the event loop)."""
    return bool(LIBC.malloc_trim(0)) if LIBC is not None else False


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


async def trim_when_idle(tick: float = TICK, growth: int = GROWTH) -> None:
    """Runs for the app's life: when RSS has grown ``growth`` past what the last trim left and the
    process has been idle (CPU) for a tick, trim in a worker thread. Heavy work done, its memory
    comes back within about two ticks; a busy process is left alone (it reuses what it frees)."""
    if LIBC is None:
        return
    floor = rss_bytes()
    cpu = time.process_time()
    while True:
        await anyio.sleep(tick)
        now_cpu = time.process_time()
        idle = now_cpu - cpu <= IDLE_CPU * tick
        cpu = now_cpu
        rss = rss_bytes()
        floor = min(floor, rss)
        if idle and rss > floor + growth:
            await anyio.to_thread.run_sync(release)
            floor = rss_bytes()
            cpu = time.process_time()  # the trim's own CPU is not work
