"""Memory after a burst: does the server's RSS come back once heavy requests are over (issue 21)?

    .venv/bin/python benchmarks/bench_memory.py [--burst 20] [--heavy 4] [--cache-mb MB] [--seconds 40]

Starts `dropout-lab serve` on a free loopback port (one worker, as tests/live_server.py starts it;
several workers behave alike, each its own), loads the pages and routes once, waits for the server
to settle, then reads its idle RSS: the baseline (/proc/<pid>/status VmRSS, children included).
Then fires one burst, all at once: --burst distinct traces and compare pages at the largest valid
shape (app/link/state.py MAX_VALUES: steps x layers x units <= 300,000) and --heavy distinct Monte
Carlo and gradient requests, the largest the server accepts (it bounds each request's work: found
by asking), a third of them dropped by their client a moment after sending; then samples the RSS
every second until the server is idle (no client waiting, no CPU used: its work for dropped
clients done too), and --seconds more. Reports baseline, peak, RSS 30 s after idle and its ratio
to the baseline. Target: <= 1.5 x the baseline. The response cache (--cache-mb, default the
server's 64 MiB) is part of what stays: --cache-mb 0 shows what the process keeps beyond it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live_server import server_process

# The largest shape one trace may have: 390 steps x 3 layers x 256 units = 299,520 values.
SHAPE = "layers=3&units=256&emb=256&vocab=1024&weights=random"
HEAVY = f"len=390&{SHAPE}"
LENGTHS = (390, 300, 200, 150, 100, 75, 50, 30, 20, 10)


def status_and_body(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def largest(base: str, route: str, extra: str = "") -> str:
    """The heaviest query of ``route`` at SHAPE the server accepts: it bounds each request's work
    (a 422 names the most samples allowed, if any), so the longest sentence that passes, with the
    most samples the 422 offers. One accepted request is computed (seed 999999, not the burst's)."""
    for n in LENGTHS:
        query = f"len={n}&{SHAPE}&seed=999999{extra}"
        code, body = status_and_body(f"{base}{route}?{query}")
        if code == 422 and extra:
            fallback = json.loads(body)["problems"][0].get("fallback")
            if fallback is not None:
                query = f"len={n}&{SHAPE}&seed=999999&samples={fallback}"
                code, body = status_and_body(f"{base}{route}?{query}")
        if code == 200:
            return query.replace("&seed=999999", "")
    raise RuntimeError(f"{route} accepts no query at {SHAPE}")


def heavy_paths(n: int, heavy: int, mc: str, grads: str) -> list[str]:
    """``n`` distinct traces and compare pages (two traces each) at the largest shape, and ``heavy``
    distinct Monte Carlo and gradient requests at the largest the server accepts (``mc``, ``grads``),
    nothing cached serving any; init_seed takes three values (new weights)."""
    paths = []
    for i in range(n):
        seed = 1000 + i
        paths += [f"/api/trace?{HEAVY}&seed={seed}&init_seed={i % 3}", f"/?{HEAVY}&seed={seed}&vs.seed={seed + 50_000}"]
    for i in range(heavy):
        seed = 2000 + i
        paths += [f"/api/mc?{mc}&seed={seed}", f"/api/grads?{grads}&seed={seed}"]
    return paths


def children(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's worker processes when --workers > 1)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return pids


def rss_mb(pid: int) -> float:
    """VmRSS of the process and its children, MB (Linux /proc)."""
    total = 0
    for p in children(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the process and its children so far."""
    ticks = 0
    for p in children(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def fetch(base: str, path: str) -> None:
    try:
        urllib.request.urlopen(base + path, timeout=300).read()
    except Exception as err:  # a burst measures memory; report errors, do not stop
        print(f"  error {path[:60]}...: {err}", file=sys.stderr)


def drop(base: str, path: str, after: float = 0.2) -> None:
    """Send the request, then close the connection before the answer (a reader who left)."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n\r\n".encode())
        time.sleep(after)


def burst(base: str, paths: list[str]) -> list[threading.Thread]:
    """Start every request at once, every third one dropped; returns the threads."""
    threads = [
        threading.Thread(target=drop if i % 3 == 2 else fetch, args=(base, p), daemon=True) for i, p in enumerate(paths)
    ]
    for t in threads:
        t.start()
    return threads


def settle(pid: int, seconds: float = 3.0) -> float:
    """The RSS once it has stopped moving (within 1 MB over a second), at most ``seconds`` more."""
    last = rss_mb(pid)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(1)
        now = rss_mb(pid)
        if abs(now - last) < 1:
            return now
        last = now
    return last


def warm_up(base: str) -> None:
    """The first page (templates, plotly's URL, the default trace) and one small heavy-kind request of
    each route, so that the baseline holds the code paths and imports a burst will use."""
    for path in ("/", "/api/trace?len=20&seed=1", "/api/mc?len=20&samples=2", "/api/grads?len=20", "/?vs.seed=1"):
        urllib.request.urlopen(base + path, timeout=60).read()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--burst", type=int, default=20, help="distinct traces and compare pages")
    ap.add_argument("--heavy", type=int, default=4, help="distinct Monte Carlo and gradient requests")
    ap.add_argument("--cache-mb", type=int, help="the response cache's size (default: the server's, 64 MiB)")
    ap.add_argument("--seconds", type=int, default=40, help="seconds of RSS samples once the server is idle")
    args = ap.parse_args()

    env = {"DROPOUT_LAB_CACHE_MB": str(args.cache_mb)} if args.cache_mb is not None else None
    with server_process(env) as (base, proc):  # asked on a server of its own: the probes leave weights and bodies
        try:
            sizes = largest(base, "/api/mc", "&samples=100"), largest(base, "/api/grads")
        finally:
            proc.kill()
    print(f"the largest accepted: /api/mc?{sizes[0]}, /api/grads?{sizes[1]}")
    with server_process(env) as (base, proc):
        try:
            run(base, proc, args, *sizes)
        finally:
            proc.kill()  # do not wait for work the server may still hold


def run(base: str, proc: subprocess.Popen, args: argparse.Namespace, mc: str, grads: str) -> None:
    """Warm up, read the baseline, fire the burst, sample until idle and --seconds more, report."""
    warm_up(base)
    baseline = settle(proc.pid)
    paths = heavy_paths(args.burst, args.heavy, mc, grads)
    print(f"baseline {baseline:.0f} MB; burst of {len(paths)} requests, every third dropped by its client")
    t0 = time.monotonic()
    threads = burst(base, paths)
    samples, idle_at, cpu, second = [], None, cpu_seconds(proc.pid), 0
    while idle_at is None or second < idle_at + args.seconds:
        second += 1
        time.sleep(max(0.0, t0 + second - time.monotonic()))
        samples.append(rss_mb(proc.pid))
        now = cpu_seconds(proc.pid)
        busy, cpu = now - cpu, now
        waiting = sum(t.is_alive() for t in threads)
        if idle_at is None and busy < 0.1 and not waiting:
            idle_at = second - 1  # no client waits and the server computes nothing (dropped ones too)
        print(f"  {second:3d} s  {samples[-1]:7.0f} MB  cpu {busy:4.2f} s/s  {waiting:3d} clients waiting")
    peak = max(samples)
    at30 = samples[min(idle_at + 30, len(samples)) - 1]
    ratio = at30 / baseline
    print(f"idle {idle_at} s after the burst began (the last client answered or gone, the server's work done)")
    print(f"baseline {baseline:.0f} MB, peak {peak:.0f} MB, 30 s after idle {at30:.0f} MB: {ratio:.2f} x baseline")
    print(f"target: <= 1.5 x baseline: {'met' if ratio <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
