"""What measuring the facts costs a cold trace, against the forward pass and PyTorch, in one run.

    .venv/bin/python benchmarks/bench_facts.py          (needs torch: pip install -e '.[parity]')

Every plan now carries facts measured on the trace (app/engine/facts.py): the reference run
without dropout (and, at inference, the training run and its reference), then array comparisons.
For three sizes it times, cold (caches cleared each round):
  forward   app.documents.trace.run: masks drawn and the recorded forward pass;
  facts     app.documents.trace.facts_of, given the trace: the reference run without dropout (at
            inference also the training run) and the measurement; the reference is shared by
            every seed and both phases, so a warm server mostly pays only the measurement;
  facts_warm  the same for another mask seed ("Resample"): the reference run is cached;
  plan      the plan's words over the facts (describe), facts already known;
  trace     the whole /api/trace document (trace_json), cold;
  torch     torch.nn.LSTM (fused, no recording, no dropout) on the same shapes: the yardstick.
Rounds interleave the contenders; figures are medians, ratios medians of per-round ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import numpy as np
import torch

from app.documents import run as app_run
from app.documents import trace as app_trace
from app.engine.explain import describe
from app.link.state import parse

SIZES = {
    "default (T=11)": "",
    "seed size (T=498)": "len=498",
    "large (T=1000, 3 x 100)": "len=1000&layers=3",
    "inference, seed size": "len=498&phase=infer",
}


def clear() -> None:
    app_run._FACTS.clear()
    for fn in (app_run._reference_run, app_trace._plan_text):
        fn.cache_clear()


def once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def torch_forward(s):
    steps, layers = len(s.sequence()), s.layers
    lstm = torch.nn.LSTM(s.emb, s.units, num_layers=layers, batch_first=True)
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((1, steps, s.emb)).astype(np.float32))

    def go():
        with torch.no_grad():
            lstm(x)

    return go


def bench(query: str, rounds: int) -> dict:
    s = parse(query)
    tf = torch_forward(s)
    app_run.run(s)  # weights loaded and cached, as on a warm server
    rows: dict[str, list[float]] = {k: [] for k in ("forward", "facts", "facts_warm", "plan", "trace", "torch")}
    other = replace(s, seed=s.seed + 1)  # "Resample": another mask seed, the same reference run
    for _ in range(rounds):
        rows["torch"].append(once(tf))
        rows["forward"].append(once(lambda: app_run.run(s)))
        clear()
        tr = app_run.run(s)
        rows["facts"].append(once(lambda: app_run.facts_of(s, tr)))  # noqa: B023
        facts = app_run.facts_of(s)
        tr2 = app_run.run(other)
        rows["facts_warm"].append(once(lambda: app_run.facts_of(other, tr2)))  # noqa: B023
        rows["plan"].append(
            once(lambda: describe(app_run.spec_of(s), s.dropout, s.recurrent_dropout, *facts))  # noqa: B023
        )
        clear()
        rows["trace"].append(once(lambda: app_trace.trace_json(s)))
    med = {k: statistics.median(v) for k, v in rows.items()}
    ratio = {
        "facts/forward": statistics.median(f / r for f, r in zip(rows["facts"], rows["forward"], strict=True)),
        "facts/trace": statistics.median(f / t for f, t in zip(rows["facts"], rows["trace"], strict=True)),
        "forward/torch": statistics.median(f / t for f, t in zip(rows["forward"], rows["torch"], strict=True)),
    }
    return {"ms": {k: round(v * 1000, 2) for k, v in med.items()}, "ratio": {k: round(v, 2) for k, v in ratio.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    torch.set_num_threads(1)
    for name, query in SIZES.items():
        r = bench(query, args.rounds)
        print(f"{name:28s} ms {r['ms']}  ratios {r['ratio']}")


if __name__ == "__main__":
    main()
