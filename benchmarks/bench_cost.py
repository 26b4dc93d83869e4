"""Calibrate and check the cost model (app/link/cost.py): estimated against measured CPU seconds.

    .venv/bin/python benchmarks/bench_cost.py [--quick]

For a grid of shapes (steps, layers, units, emb, vocab; weights=random, so the initialisation is
paid) it measures, in this process and with fresh caches, the CPU seconds (time.process_time:
every thread of the process) of: the Keras initialisation, one forward pass, the trace JSON, the
gradients JSON, the Monte Carlo JSON (10 draws) and the weights JSON. It fits each coefficient of
app/link/cost.py as an upper bound (the largest measured / feature ratio's 90th percentile, then
checks the whole model), and prints, per route, the largest measured / estimated ratio and the
largest measured CPU among requests the model admits (the target: <= BUDGET = 0.5 s).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.compute import one_blas_thread
from app.documents import run as run_mod
from app.documents.grads import grads_json
from app.documents.mc import mc_json
from app.documents.trace import trace_json
from app.documents.weights import weights_json
from app.engine import model
from app.link import cost
from app.link.state import MAX_VALUES, State

_seed = iter(range(10_000, 10**9))


def cpu(fn, reps: int = 1) -> float:
    times = []
    for _ in range(reps):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def fresh(s: State) -> State:
    """The same shape with a mask seed never used: no cache holds its trace or facts."""
    return replace(s, seed=next(_seed))


def measure(s: State) -> dict:
    run_mod.weights_for.cache_clear()
    run_mod.kernels_for.cache_clear()
    out = {"init": cpu(lambda: run_mod.state_kernels(s))}
    tokens, w, k = s.sequence(), run_mod.state_weights(s), run_mod.state_kernels(s)
    out["forward"] = cpu(lambda: model.run(tokens, w, replace(s.run_spec(), seed=next(_seed)), k), reps=3)
    out["trace"] = cpu(lambda: trace_json(fresh(s)), reps=2)
    out["grads"] = cpu(lambda: grads_json(fresh(s), 1), reps=2)
    out["mc"] = cpu(lambda: mc_json(fresh(s), 10), reps=2)
    out["weights"] = cpu(lambda: weights_json(s), reps=2)
    return out


def grid(quick: bool):
    steps = (40, 300) if quick else (20, 100, 400, 1000)
    units = (32, 256) if quick else (16, 64, 128, 256)
    for t, layers, h, e in itertools.product(steps, (1, 3), units, (64, 256)):
        if t * layers * h <= MAX_VALUES:
            yield State(len=t, layers=layers, units=h, emb=e, vocab=1024, weights="random")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    one_blas_thread()  # as the server computes (app/web/app.py): BLAS threads only add spinning CPU here
    rows = []
    for s in grid(args.quick):
        m = measure(s)
        rows.append((s, m))
        shape = f"T={s.len:4d} L={s.layers} H={s.units:3d} E={s.emb:3d}  "
        print(shape + "  ".join(f"{k} {v:.3f}" for k, v in m.items()), flush=True)
    print("\nroute     max measured/estimate   worst admitted (measured s)   refused")
    for route, samples in (("trace", 1), ("grads", 1), ("mc", 10), ("weights", 1)):
        ratios, admitted, refused = [], [], 0
        for s, m in rows:
            estimate = cost.cost(s, route, samples)
            ratios.append(m[route] / estimate)
            if estimate <= cost.BUDGET:
                admitted.append(m[route])
            else:
                refused += 1
        print(f"{route:8s}  {max(ratios):8.2f} (median {statistics.median(ratios):.2f})   "
              f"{max(admitted, default=0):8.3f}                    {refused}/{len(rows)}")  # fmt: skip
    # the features behind the coefficients, for refitting
    fwd = [(m["forward"], s) for s, m in rows]
    per_mac = [f / (s.len * cost._macs(s.layers, s.units, s.emb)) for f, s in fwd if s.units >= 128]
    per_step = [f / (s.len * s.layers) for f, s in fwd if s.units <= 16]
    print(f"\nforward: per MAC (units >= 128) max {max(per_mac, default=0):.2e}, per step (units <= 16) max "
          f"{max(per_step, default=0):.2e}")  # fmt: skip
    for route in ("trace", "grads"):
        print(f"{route}: measured / forward median {statistics.median(m[route] / m['forward'] for _, m in rows):.2f}, "
              f"max {max(m[route] / m['forward'] for _, m in rows):.2f}")  # fmt: skip
    print(f"mc (10 draws) / forward: max {max(m['mc'] / m['forward'] for _, m in rows):.2f}")
    print(
        "init / estimate: max "
        + f"{max(m['init'] / max(cost.init('random', s.vocab, s.emb, s.units, s.layers), 1e-9) for s, m in rows):.2f}"
    )


if __name__ == "__main__":
    main()
