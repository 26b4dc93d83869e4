"""Training speed: our batched forward + backward against torch.nn.LSTM, one epoch, /api/mc.

    .venv/bin/python benchmarks/bench_train.py [--repeat 7]

(a) Forward plus backward, batch 32, T=498, E=64, H=100, both dropouts (the seed's model:
    Dropout(0.25) on the embedding, four input and four recurrent masks per example), masks
    drawn per example: app.engine.batch.draw_masks + loss_and_grads.
(b) torch.nn.LSTM forward plus backward on the same shapes (embedding, dropout, LSTM, Linear,
    sigmoid, BCE; torch's own fused LSTM, which has no recurrent dropout), in the same run.
    Target: (a) <= 1.5 x (b). Medians; the machine is shared, so the ratio is what counts.
(c) One epoch of the default toy training (app.engine.train.TrainConfig()), seconds.
(d) Monte Carlo dropout, 100 samples at the seed's configuration (T = 11 words, and T = 200):
    one model.run per draw (the route's loop) against the N draws as one batch.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import numpy as np

from app.core.compute import TRAIN_THREADS, one_blas_thread
from app.documents.run import state_kernels, state_weights
from app.engine import batch, mc, model, train
from app.link.state import parse


def median_time(fn, repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ours(repeat: int, threads: int) -> float:
    s = parse("v=2&weights=random")  # keras3, emb 0.25, dropout 0.5, recurrent 0.5: four masks each
    spec, w = s.run_spec(), state_weights(s)
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 64, size=(32, 498))
    labels = (rng.random(32) > 0.5).astype(np.float32)
    return median_time(
        lambda: batch.loss_and_grads(w, tokens, labels, batch.draw_masks(rng, spec, tokens, w), threads), repeat
    )


def torch_lstm(repeat: int) -> float:
    import torch

    torch.manual_seed(0)
    emb, lstm, dense = torch.nn.Embedding(64, 64), torch.nn.LSTM(64, 100, batch_first=True), torch.nn.Linear(100, 1)
    rng = np.random.default_rng(0)
    tokens = torch.from_numpy(rng.integers(0, 64, size=(32, 498)))
    labels = torch.from_numpy((rng.random(32) > 0.5).astype(np.float32))

    def step():
        x = torch.nn.functional.dropout(emb(tokens), 0.25, training=True)
        out, _ = lstm(x)
        p = torch.sigmoid(dense(out[:, -1]))[:, 0]
        torch.nn.functional.binary_cross_entropy(p, labels).backward()

    return median_time(step, repeat)


def epoch_seconds() -> float:
    """The default training (TrainConfig: 1,000 sentences) as the app runs it (app/core/compute.py)."""
    cfg = replace(train.TrainConfig(), epochs=1, threads=TRAIN_THREADS)
    spec = parse("v=2&weights=random").run_spec()
    with one_blas_thread():
        t0 = time.perf_counter()
        train.train(spec, cfg)
        return time.perf_counter() - t0


def mc_batched(tokens, w, spec, samples):
    """The N draws of Monte Carlo dropout as one batch (what /api/mc could do)."""
    draws = [model.draw(tokens, w, replace(spec, seed=s)) for s in mc.draw_seeds(spec.seed, samples)]
    return batch.forward(w, np.repeat(tokens[None], samples, axis=0), batch.stack_masks(draws, spec))


def mc_times(query: str, repeat: int) -> tuple[float, float]:
    s = parse(query)
    seq, w, k, spec = s.sequence(), state_weights(s), state_kernels(s), s.run_spec()
    loop = median_time(lambda: mc.monte_carlo(seq, w, k, spec, 100), repeat)
    batched = median_time(lambda: mc_batched(seq, w, spec, 100), repeat)
    return loop, batched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with one_blas_thread():  # as training runs (app/core/compute.py): OpenBLAS's threads thrash here
        a1, a = ours(args.repeat, 1), ours(args.repeat, TRAIN_THREADS)
    b = torch_lstm(args.repeat)
    print(f"(a) ours  forward+backward B=32 T=498 E=64 H=100, both dropouts: {a * 1e3:7.1f} ms (median, 2 threads)")
    print(f"    ours with one thread:                                         {a1 * 1e3:7.1f} ms")
    print(f"(b) torch nn.LSTM forward+backward, same shapes:                 {b * 1e3:7.1f} ms (median)")
    print(f"    ratio ours / torch = {a / b:.2f}  (target <= 1.5)")
    print(f"(c) one epoch of the default toy training: {epoch_seconds():.2f} s")
    for query in ("v=2", "v=2&len=200"):
        loop, batched = mc_times(query, max(3, args.repeat // 2))
        print(
            f"(d) /api/mc engine, 100 samples, {query}: loop {loop * 1e3:.1f} ms, as one batch {batched * 1e3:.1f} ms"
        )


if __name__ == "__main__":
    main()
