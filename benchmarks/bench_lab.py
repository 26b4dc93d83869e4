"""The training lab on the real server: a live default-sized run end to end, idle and while a
class of 40 loads explorer pages, with the estimate of time left, and trace latency beside it.

    .venv/bin/python benchmarks/bench_lab.py [--runs 3] [--students 40]

Starts `dropout-lab serve` (one web process; the lab trains in 2 processes) on a free loopback
port with an empty lab cache, then:
  (1) trace latency idle: cold default traces (distinct mask seeds), one client, p50 and p90;
  (2) a live run of the lab's default size (2 configurations x 5 seeds x 15 epochs, 1,000
      sentences; a data_seed no run used, so it trains instead of replaying the recorded
      study), nothing else running: seconds to the first `epoch` event (target <= 2 s) and to
      `done` (target <= 20 s); the estimate of time left at every `progress` event from 10%
      done until the last 2 s, against the time that was really left (target: within 25%);
  (2b) the same while one client asks for cold traces back to back: trace p50 during the run
      (target <= 1.5 x idle), and the run's seconds;
  (3) the same with a class of --students loading explorer pages meanwhile: each student opens
      the explorer with a mask seed of their own (the HTML, every /static file it names,
      plotly.js, and the API calls of a first paint: trace, mc, grads, state), at a random
      moment in the first 2 s, then again every 10 s until the run ends (target: done <= 2 x (2));
  (4) the recorded default (/api/train with the lab's default link): seconds to `done`.
Medians over --runs runs; every live run uses another data_seed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live_server import server

STATIC = re.compile(rb'(?:href|src)="(/static/[^"]+)"')


def get(url: str) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
    return time.perf_counter() - t0


def quantiles(times: list[float]) -> str:
    ms = sorted(t * 1e3 for t in times)
    return f"p50 {statistics.median(ms):6.1f} ms, p90 {ms[int(0.9 * (len(ms) - 1))]:6.1f} ms (n={len(ms)})"


def traces(base: str, n: int, offset: int) -> list[float]:
    return [get(f"{base}/api/trace?seed={offset + i}") for i in range(n)]


def lab_run(base: str, query: str) -> dict:
    """Stream one run: the times of its first epoch and of done, and the estimate errors."""
    t0 = time.perf_counter()
    first = None
    estimates = []  # (time received, estimated seconds left, done, total)
    with urllib.request.urlopen(f"{base}/api/train?{query}", timeout=600) as r:
        event = None
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                now = time.perf_counter() - t0
                if event == "epoch" and first is None:
                    first = now
                if event == "progress":
                    p = json.loads(line[6:])
                    left = p.get("left", p["elapsed"] * (p["total"] - p["done"]) / p["done"])
                    estimates.append((now, left, p["done"], p["total"]))
                if event in ("done", "error", "stopped"):
                    end = now
                    ok = event == "done"
                    break
    errors = [abs(left - (end - t)) / (end - t) for t, left, d, n in estimates if d >= 0.1 * n and end - t >= 2]
    return {"first": first, "done": end, "ok": ok, "max_error": max(errors, default=0.0), "errors": errors}


def student(base: str, seed: int, stop: threading.Event, pages: list[float]) -> None:
    time.sleep(random.random() * 2)
    while not stop.is_set():
        t0 = time.perf_counter()
        with urllib.request.urlopen(f"{base}/?seed={seed}", timeout=120) as r:
            html = r.read()
        for path in sorted(set(STATIC.findall(html))):
            get(base + path.decode())
        for api in ("trace", "mc", "grads", "state"):
            get(f"{base}/api/{api}?seed={seed}")
        pages.append(time.perf_counter() - t0)
        seed += 1000
        stop.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--traces", type=int, default=40)
    args = parser.parse_args()
    os.environ["DROPOUT_LAB_LAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-lab-")
    with server() as base:
        get(f"{base}/api/trace?seed=999999")  # warm
        idle = traces(base, args.traces, 10_000)
        print(f"(1) trace, idle:                 {quantiles(idle)}")
        results: dict[str, list[dict]] = {"idle": [], "traces": [], "class": []}
        during: list[float] = []
        pages: list[float] = []
        data_seed = 100
        for _ in range(args.runs):
            for mode in ("idle", "traces", "class"):
                data_seed += 1
                box: dict = {}
                thread = threading.Thread(target=lambda q=f"data_seed={data_seed}", b=box: b.update(lab_run(base, q)))
                stop = threading.Event()
                thread.start()
                if mode == "class":
                    students = [
                        threading.Thread(target=student, args=(base, 50_000 + 100 * i + data_seed, stop, pages))
                        for i in range(args.students)
                    ]
                    for s in students:
                        s.start()
                elif mode == "traces":
                    time.sleep(2)
                    while thread.is_alive():
                        during += traces(base, 5, 20_000 + len(during))
                thread.join()
                stop.set()
                if mode == "class":
                    for s in students:
                        s.join()
                results[mode].append(box)
                print(
                    f"    {mode:6} run data_seed={data_seed}: first epoch {box['first']:.2f} s, "
                    f"done {box['done']:.1f} s (ok={box['ok']}), "
                    f"time-left estimate after 10%: max error {100 * box['max_error']:.0f}%"
                )
        for mode, target in (
            ("idle", "done <= 20 s"),
            ("traces", "one client asking for traces back to back"),
            ("class", "done <= 2 x idle"),
        ):
            rs = results[mode]
            print(
                f"(2/3) {mode}: first epoch median {statistics.median(r['first'] for r in rs):.2f} s (target <= 2 s); "
                f"done median {statistics.median(r['done'] for r in rs):.1f} s ({target}); "
                f"estimate max error, worst run {100 * max(r['max_error'] for r in rs):.0f}% (target <= 25%)"
            )
        ratio = statistics.median(r["done"] for r in results["class"]) / statistics.median(
            r["done"] for r in results["idle"]
        )
        print(f"      class / idle = {ratio:.2f} (target <= 2)")
        print(
            f"      trace during idle runs: {quantiles(during)}; p50 during / idle = "
            f"{statistics.median(during) / statistics.median(idle):.2f} (target <= 1.5)"
        )
        if pages:
            print(f"      explorer page loads by the class meanwhile: {quantiles(pages)}")
        t0 = time.perf_counter()
        with urllib.request.urlopen(f"{base}/api/train", timeout=60) as r:
            body = r.read()
        print(f"(4) the recorded default: {1e3 * (time.perf_counter() - t0):.0f} ms to done ({b'event: done' in body})")


if __name__ == "__main__":
    main()
