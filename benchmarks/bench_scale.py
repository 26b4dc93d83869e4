"""More than one machine, measured on this one: lab runs per minute with 1, 2 and 4 workers, and
traces per second with 1 and 2 web processes, all on one Redis.

    .venv/bin/python benchmarks/bench_scale.py [--runs 8] [--rounds 3] [--workers 1,2,4]

(1) Lab runs per minute. A redis-server (tests/redis_server.py), one web process with
    DROPOUT_LAB_REDIS_URL (and no queue bound), and `dropout-lab worker --concurrency N`.
    --runs distinct runs (RUN below; only data_seed differs) are requested at once; runs per
    minute = runs / the seconds until the last `done`. Each run trains in one process
    (DROPOUT_LAB_LAB_PROCESSES=1), so N is the trainings at once. Yardstick, in this process:
    the same run's optimisation steps in PyTorch (nn.Embedding, nn.LSTM, nn.Linear of the same
    sizes, Adam, batches of the same sentences, one thread): PyTorch's runs per minute on one core.
(2) Traces per second. `dropout-lab serve` processes (one uvicorn worker each) on their own
    ports, the client alternating between them as a proxy would; 16 clients (bench_api.py's
    keep-alive HTTP client) ask for cold default traces (distinct mask seeds: each computed).
    Yardstick: the app computing one default trace in this process (routing to gzip, no
    sockets) and a PyTorch forward of the default model (one thread).
Medians over --rounds rounds. The machine's cores bound both: the figures say how the work
spreads, not what more machines would add (each adds its cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import torch

from benchmarks.bench_api import client, in_process_ms
from tests.live_server import server
from tests.redis_server import redis_server, worker

RUN = "v=2&units=8&weights=random&batch=25&train_size=300&epochs=10&configs=none,both"
TRACE = "seed={n}"


def lab_round(base: str, runs: int, offset: int) -> float:
    """Seconds until ``runs`` distinct runs requested at once are all done."""
    bodies: list[bytes] = []

    def one(n: int) -> None:
        with urllib.request.urlopen(f"{base}/api/train?{RUN}&data_seed={offset + n}", timeout=600) as r:
            bodies.append(r.read())

    t0 = time.perf_counter()
    threads = [threading.Thread(target=one, args=(n,)) for n in range(runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    assert len(bodies) == runs and all(b.rstrip().rsplit(b"\n", 1)[0].endswith(b"event: done") for b in bodies)
    return seconds


def torch_run_seconds() -> float:
    """One RUN's optimisation steps in PyTorch: 2 models x 10 epochs x 12 batches of 25 sentences."""
    from app.engine import data

    torch.set_num_threads(1)
    ds = data.make_split("train", 300, 0, data.DEFAULT)
    t0 = time.perf_counter()
    for _ in range(2):  # none, both
        torch.manual_seed(0)
        emb, lstm, dense = torch.nn.Embedding(64, 64), torch.nn.LSTM(64, 8, batch_first=True), torch.nn.Linear(8, 1)
        params = [*emb.parameters(), *lstm.parameters(), *dense.parameters()]
        opt = torch.optim.Adam(params, lr=0.01)
        for _ in range(10):
            for i in range(0, 300, 25):
                batch = ds.tokens[i : i + 25]
                x = torch.zeros(len(batch), max(len(t) for t in batch), dtype=torch.long)
                for j, t in enumerate(batch):
                    x[j, -len(t) :] = torch.as_tensor(np.asarray(t))
                y = torch.as_tensor(np.asarray(ds.labels[i : i + 25]), dtype=torch.float32)
                out, _ = lstm(torch.nn.functional.dropout(emb(x), 0.2))
                loss = torch.nn.functional.binary_cross_entropy_with_logits(dense(out[:, -1]).squeeze(1), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
    return time.perf_counter() - t0


async def traces_per_second(ports: list[int], clients: int, requests: int, offset: int) -> float:
    counter = itertools.count(offset)
    per = requests // clients
    plans = [[f"/api/trace?{TRACE.format(n=next(counter))}" for _ in range(per)] for _ in range(clients)]
    latencies, errors = [], []
    t0 = time.perf_counter()
    deadline = time.monotonic() + 600
    await asyncio.gather(*(client(ports[i % len(ports)], p, latencies, errors, deadline) for i, p in enumerate(plans)))
    wall = time.perf_counter() - t0
    assert not errors, errors[:5]
    return len(latencies) / wall


def torch_forward_ms(n: int = 200) -> float:
    """A forward of the default model in PyTorch (len 40 words, emb 64, units 100), one thread."""
    torch.set_num_threads(1)
    emb, lstm, dense = torch.nn.Embedding(64, 64), torch.nn.LSTM(64, 100, batch_first=True), torch.nn.Linear(100, 1)
    x = torch.randint(0, 64, (1, 40))
    with torch.no_grad():
        t0 = time.perf_counter()
        for _ in range(n):
            torch.sigmoid(dense(lstm(emb(x))[0][:, -1]))
    return (time.perf_counter() - t0) / n * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--requests", type=int, default=480)
    args = parser.parse_args()
    os.environ["DROPOUT_LAB_LAB_PROCESSES"] = "1"
    print(f"{os.cpu_count()} cores; a run: {RUN}")

    torch_s = statistics.median(torch_run_seconds() for _ in range(args.rounds))
    print(f"PyTorch, one run's steps back to back on one core: {torch_s:.2f} s = {60 / torch_s:.0f} runs/min")
    offset = 10_000
    with redis_server() as url:
        env = {"DROPOUT_LAB_REDIS_URL": url, "DROPOUT_LAB_LAB_MAX_WAIT": "86400"}
        with server(env) as base:
            for n in (int(w) for w in args.workers.split(",")):
                with worker(url, n):
                    time.sleep(3)  # registered and imported
                    lab_round(base, 1, offset)  # warm: the work horses' first imports
                    offset += 1
                    times = []
                    for _ in range(args.rounds):
                        times.append(lab_round(base, args.runs, offset))
                        offset += args.runs
                    s = statistics.median(times)
                    rate = args.runs / s * 60
                    print(
                        f"lab, {n} worker(s): {args.runs} runs in {s:.1f} s (median of {args.rounds}) = "
                        f"{rate:.1f} runs/min = {rate / (60 / torch_s):.2f} x PyTorch's on one core"
                    )

        trace_ms = in_process_ms("v=3")
        fwd = torch_forward_ms()
        print(f"a default trace in process: {trace_ms:.2f} ms; PyTorch forward of the model: {fwd:.2f} ms")
        offset = 20_000
        for webs in (1, 2):
            with contextlib.ExitStack() as stack:
                bases = [stack.enter_context(server(env)) for _ in range(webs)]
                ports = [int(b.rsplit(":", 1)[1]) for b in bases]
                asyncio.run(traces_per_second(ports, 16, 64, offset))  # warm
                offset += 64
                rates = []
                for _ in range(args.rounds):
                    rates.append(asyncio.run(traces_per_second(ports, 16, args.requests, offset)))
                    offset += args.requests
                rps = statistics.median(rates)
                print(
                    f"traces, {webs} web process(es): {rps:.0f} cold traces/s (16 clients, median of {args.rounds}) "
                    f"= {rps * trace_ms / 1e3:.2f} cores busy computing traces; "
                    f"{1e3 / fwd:.0f} PyTorch forwards/s on one core"
                )


if __name__ == "__main__":
    main()
