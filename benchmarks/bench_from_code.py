"""What reading a model costs, against building it in PyTorch and Keras, in one run.

    KERAS_BACKEND=torch .venv/bin/python benchmarks/bench_from_code.py   (needs '.[parity]')

  read        app.yourmodel.read_code: tidy, ast.parse, the reader, the states (what /from-code and
              /api/from-code compute before the page): the seed's two models; a PyTorch module
              with its forward; the longest code a link may hold (7,000 characters);
  torch_build building the seed's model as an nn.Module (Embedding, LSTM, Linear): what running
              the pasted code would cost at the least, the yardstick;
  keras_build the seed's second model in Keras 3 (Sequential, built): the same, in Keras;
  read_model  app.yourmodel.read_model on that built Keras model and on the nn.Module;
  explain     dropout_lab.explain(seed's code)._repr_html_(): the reading, A's and B's traces, the
              figures, the cells, the HTML (what a notebook cell shows).
Rounds interleave the contenders; figures are medians, ratios medians of per-round ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (the seed's code)

import keras
import torch
from torch import nn

from app.yourmodel import read_code, read_model
from app.yourmodel.code import MAX_CODE
from dropout_lab import explain
from tests.yourmodel.cases import SEED  # the forum post's two models, as pasted

TORCH = """import torch
from torch import nn

class Sentiment(nn.Module):
    def __init__(self, vocab=64, emb=64, hidden=100, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.drop = nn.Dropout(0.25)
        self.lstm = nn.LSTM(emb, hidden, num_layers=layers, dropout=0.3, batch_first=True)
        self.out_drop = nn.Dropout(0.2)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, x):
        e = self.drop(self.embedding(x))
        out, (h, c) = self.lstm(e)
        return torch.sigmoid(self.fc(self.out_drop(h[-1])))
"""


class Sentiment(nn.Module):
    """The seed's second model in PyTorch (what running pasted code builds)."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(64, 64)
        self.drop = nn.Dropout(0.25)
        self.lstm = nn.LSTM(64, 100, batch_first=True)
        self.fc = nn.Linear(100, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(self.drop(self.embedding(x)))
        return torch.sigmoid(self.fc(h[-1]))


def longest() -> str:
    """The PyTorch module and a training loop's worth of other lines, MAX_CODE characters."""
    filler = "".join(f"print('epoch', {i}, 'loss', loss_{i} if 'loss_{i}' in dir() else None)\n" for i in range(400))
    return (TORCH + "\n" + filler)[:MAX_CODE].rsplit("\n", 1)[0] + "\n"


def keras_seed() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input(shape=(498,)),
            keras.layers.Embedding(64, 64),
            keras.layers.Dropout(0.25),
            keras.layers.LSTM(100, dropout=0.5, recurrent_dropout=0.5),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    return model


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    long_code = longest()
    assert len(long_code) <= MAX_CODE and read_code(SEED).link == "len=498&v=3&vs.emb_dropout=0"
    built_keras, built_torch = keras_seed(), Sentiment()

    def explain_rendered() -> None:
        explain(SEED)._repr_html_()  # the traces are the engine's (cached by state after the first round)

    contenders = {
        "read: the seed's two models": lambda: read_code(SEED),
        "read: a PyTorch module with forward": lambda: read_code(TORCH),
        f"read: {len(long_code)} characters": lambda: read_code(long_code),
        "torch_build: the seed's model": Sentiment,
        "keras_build: the seed's model": keras_seed,
        "read_model: the built Keras model": lambda: read_model(built_keras),
        "read_model: the nn.Module": lambda: read_model(built_torch),
        "explain: the seed's code, rendered": explain_rendered,
    }
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(args.rounds):
        for name, fn in contenders.items():
            times[name].append(timed(fn))
    base = times["torch_build: the seed's model"]
    print(f"{'what':44} {'median ms':>10} {'x torch_build':>14}")
    for name, ts in times.items():
        ratio = statistics.median(t / b for t, b in zip(ts, base, strict=True))
        print(f"{name:44} {statistics.median(ts) * 1e3:10.2f} {ratio:14.2f}")


if __name__ == "__main__":
    main()
