"""The training lab on the real server: a default run end to end, and trace latency beside it.

    .venv/bin/python benchmarks/bench_lab.py [--traces 60]

Starts `dropout-lab serve` (one worker process, the lab's default pool of 2 training processes)
on a free loopback port, then:
  (1) trace latency idle: cold default traces (distinct mask seeds), one client, p50 and p90;
  (2) the lab's default run (four configurations, 40 epochs, 1,000 sentences) streamed end to
      end: seconds to the `done` event; meanwhile the same trace requests as (1): p50 during
      the four trainings, target <= 1.5 x idle;
  (3) /api/grads at the seed configuration (T = 498), cold, median ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live_server import server


def get(url: str) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:
        r.read()
    return time.perf_counter() - t0


def traces(base: str, n: int, offset: int) -> list[float]:
    return [get(f"{base}/api/trace?seed={offset + i}") for i in range(n)]


def quantiles(times: list[float]) -> str:
    ms = sorted(t * 1e3 for t in times)
    return f"p50 {statistics.median(ms):6.1f} ms, p90 {ms[int(0.9 * (len(ms) - 1))]:6.1f} ms (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=60)
    args = parser.parse_args()
    with server() as base:
        get(f"{base}/api/trace?seed=999999")  # warm
        idle = traces(base, args.traces, 10_000)
        print(f"(1) trace, idle:                  {quantiles(idle)}")
        done = {}

        def lab() -> None:
            t0 = time.perf_counter()
            with urllib.request.urlopen(f"{base}/api/train?v=2", timeout=600) as r:
                body = r.read()
            done["seconds"] = time.perf_counter() - t0
            done["ok"] = b"event: done" in body

        thread = threading.Thread(target=lab)
        thread.start()
        time.sleep(2)  # the worker has started and is training
        during = []
        while thread.is_alive() and len(during) < 4 * args.traces:
            during += traces(base, 10, 20_000 + len(during))
        thread.join()
        print(f"(2) trace, during the lab's run:  {quantiles(during)}")
        ratio = statistics.median(during) / statistics.median(idle)
        print(f"    p50 during / idle = {ratio:.2f}  (target <= 1.5)")
        print(
            f"    lab defaults (4 configurations) end to end: {done['seconds']:.1f} s (target < 60 s), "
            f"done={done['ok']}"
        )
        grads = [get(f"{base}/api/grads?len=498&seed={i}") for i in range(7)]
        print(f"(3) /api/grads, T=498, cold: median {statistics.median(grads) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
