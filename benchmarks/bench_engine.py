"""Engine speed against PyTorch, in one run on the same machine.

    .venv/bin/python benchmarks/bench_engine.py          (needs torch: pip install -e '.[parity]')

For the seed configuration (T=498, E=64, H=100, batch 1, embedding dropout 0.25, dropout and
recurrent_dropout 0.5 with Keras 3.8+ semantics, float32, every gate recorded) it times
  (a) ours: masks drawn and the recorded forward pass (app.engine.model.run);
  (b) a PyTorch loop of LSTMCell-style steps with the same masks, recording the same gates;
  (c) torch.nn.LSTM, the fused C++ kernel: no recording, no dropout;
and short sentences (T = 10, 40) for ours. Rounds interleave the contenders; the figures
are medians, the ratios medians of per-round ratios (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from app.documents import run as app_run
from app.documents import trace as app_trace
from app.engine import model
from app.link.state import parse

SEED = "len=498&seed=1"


def timed(fn, repeat: int) -> float:
    """Median seconds of one call over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ours(query: str):
    s = parse(query)
    w, k, seq = app_run.state_weights(s), app_run.state_kernels(s), s.sequence()
    return lambda: model.run(seq, w, app_run.spec_of(s), k)


@torch.no_grad()
def torch_loop(x, W, U, b, in_masks, rec_masks):
    """LSTMCell-style steps with four input and four recurrent masks, recording everything."""
    T, H = x.shape[0], U.shape[0]
    xw = torch.cat([(x * in_masks[k]) @ W[:, k * H : (k + 1) * H] for k in range(4)], dim=1) + b  # (T, 4H)
    U4 = U.reshape(H, 4, H).permute(1, 0, 2).contiguous()  # (4, H, H)
    acts, cs, hs = torch.empty(T, 4 * H), torch.empty(T, H), torch.empty(T, H)
    h, c = torch.zeros(H), torch.zeros(H)
    for t in range(T):
        z = xw[t] + torch.bmm((h * rec_masks)[:, None, :], U4).reshape(4 * H)
        a = torch.sigmoid(z)
        a[2 * H : 3 * H] = torch.tanh(z[2 * H : 3 * H])
        i, f, g, o = a.split(H)
        c = f * c + i * g
        h = o * torch.tanh(c)
        acts[t], cs[t], hs[t] = a, c, h
    return acts.reshape(T, 4, H), cs, hs


def torch_contenders(query: str):
    s = parse(query)
    tr = app_run.run(s)
    lw = app_run.state_weights(s).layers[0]
    x = torch.from_numpy(tr.layers[0].x)
    W, U, b = (torch.from_numpy(a) for a in (lw.kernel, lw.recurrent_kernel, lw.bias))
    lt = tr.layers[0]
    in_m = torch.from_numpy(lt.masks["input"].multiplier[0])  # (4, E)
    rec_m = torch.from_numpy(lt.masks["recurrent"].multiplier[0])  # (4, H)
    loop = lambda: torch_loop(x, W, U, b, in_m, rec_m)  # noqa: E731
    fused_lstm = torch.nn.LSTM(x.shape[1], U.shape[0], batch_first=True)
    xb = x[None]

    def fused():
        with torch.no_grad():
            fused_lstm(xb)

    # the loop is a faithful contender: it gives our numbers
    _, _, hs = loop()
    np.testing.assert_allclose(hs.numpy(), lt.h, atol=1e-5)
    return loop, fused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    a, (b, c) = ours(SEED), torch_contenders(SEED)
    short = {n: ours(f"len={n}&seed=1") for n in (10, 40)}
    trace_json = lambda: app_trace.trace_json(parse(SEED))  # noqa: E731
    for fn in (a, b, c, *short.values(), trace_json):  # warm-up
        fn()
    rows = {"a": [], "b": [], "c": [], "json": [], 10: [], 40: []}
    for _ in range(args.rounds):
        rows["a"].append(timed(a, args.repeat))
        rows["b"].append(timed(b, max(1, args.repeat // 3)))
        rows["c"].append(timed(c, args.repeat))
        rows["json"].append(timed(trace_json, 2))
        for n, fn in short.items():
            rows[n].append(timed(fn, args.repeat * 5))
    med = {k: statistics.median(v) * 1e3 for k, v in rows.items()}
    ab = statistics.median(x / y for x, y in zip(rows["a"], rows["b"], strict=True))
    ac = statistics.median(x / y for x, y in zip(rows["a"], rows["c"], strict=True))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}")
    print("seed configuration: T=498, E=64, H=100, batch 1, emb_dropout 0.25, dropout 0.5, recurrent_dropout 0.5")
    print(f"(a) ours, masks + recorded forward      {med['a']:8.2f} ms")
    print(f"(b) PyTorch LSTMCell-style loop          {med['b']:8.2f} ms")
    print(f"(c) torch.nn.LSTM fused, no recording    {med['c']:8.2f} ms")
    print(f"ours / (b) = {ab:.3f}   (target <= 0.3)")
    print(f"ours / (c) = {ac:.3f}   (target <= 2.5)")
    print(f"short sentences, ours: T=10 {med[10]:.3f} ms, T=40 {med[40]:.3f} ms   (target < 0.5 ms)")
    print(f"full trace JSON of the seed configuration (engine + encoding): {med['json']:.2f} ms")


if __name__ == "__main__":
    main()
