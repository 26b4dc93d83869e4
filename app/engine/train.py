"""Training the seed model on the toy task (app/engine/data.py), as ``model.fit`` would.

    for epoch in 1..E:
        for each batch of ``batch`` examples, shuffled by the data generator:
            masks ~ plan (each example its own)      tokens padded at the front to the batch's
            L, dL/dθ = batch.loss_and_grads(...)     longest sentence, as pad_sequences does
            θ <- optimizer(θ, dL/dθ)                 RMSprop or Adam, Keras 3's update rules
        train_loss, train_acc: means over the epoch's batches, dropout on (Keras reports these)
        val_loss, val_acc: the validation split at inference (no dropout)

Everything random comes from explicit generators: the initial weights from ``init_seed``
(Keras initialisers, app/engine/init.py), the data from ``data_seed``, the shuffling and every
mask from ``seed``. The same configuration gives the same weights, bit for bit, in any
process on the same machine (numpy's float32 matmul is deterministic for a given BLAS).
"""

from __future__ import annotations

import collections.abc
import time
from dataclasses import dataclass

import numpy as np

from app.engine import batch, data, optim
from app.engine.init import LayerWeights, Weights, keras_weights
from app.engine.model import RunSpec


@dataclass(frozen=True)
class TrainConfig:
    """A training run besides the dropout: the data, the optimiser, the seeds.

    The defaults make the point of dropout visible: on 1000 sentences with 15% of the training
    labels flipped, the 100-unit LSTM without dropout reaches 99% training accuracy and falls
    to about 87% on validation by epoch 40, while the seed's dropout keeps it near 95%
    (tests/engine/test_train.py)."""

    epochs: int = 40
    train_size: int = 1000
    val_size: int = 1000
    batch: int = 32
    optimizer: str = "adam"
    lr: float | None = 0.003  # None: the optimiser's Keras default (0.001), slow on this small set
    clipnorm: float | None = None  # global-norm clipping, as Keras's global_clipnorm
    label_noise: float = 0.15  # train labels only
    data_seed: int = 0
    seed: int = 0  # shuffling and masks
    init_seed: int = 0
    vocab: int = 64
    emb: int = 64
    units: int = 100
    layers: int = 1
    threads: int = 1  # 2: big matmuls beside the recurrence (bptt.forward); the same bits either way

    @property
    def batches(self) -> int:
        """Batches per epoch (the last one may be short)."""
        return -(-self.train_size // self.batch)


@dataclass(frozen=True)
class EpochLog:
    epoch: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    seconds: float


def parameters(w: Weights) -> list[np.ndarray]:
    """Every array of the model in a fixed order (the optimiser's slots follow it)."""
    out = [w.embedding]
    for lw in w.layers:
        out += [lw.kernel, lw.recurrent_kernel, lw.bias]
    return [*out, w.dense_kernel, w.dense_bias]


def copy_weights(w: Weights) -> Weights:
    return Weights(
        embedding=w.embedding.copy(),
        layers=tuple(LayerWeights(lw.kernel.copy(), lw.recurrent_kernel.copy(), lw.bias.copy()) for lw in w.layers),
        dense_kernel=w.dense_kernel.copy(),
        dense_bias=w.dense_bias.copy(),
    )


def evaluate(w: Weights, ds: data.Dataset, spec: RunSpec, size: int = 256) -> tuple[float, float]:
    """(loss, accuracy) at inference over ``ds``, in batches padded at the front."""
    infer = RunSpec(spec.plan, train=False)
    losses, hits = 0.0, 0
    for start in range(0, len(ds), size):
        idx = np.arange(start, min(start + size, len(ds)))
        tokens = data.pad_batch([ds.tokens[i] for i in idx])
        masks = batch.draw_masks(None, infer, tokens, w)
        p = batch.sigmoid(batch.forward(w, tokens, masks)[0])
        losses += batch.bce(p, ds.labels[idx]) * len(idx)
        hits += int(((p > 0.5) == (ds.labels[idx] > 0.5)).sum())
    return losses / len(ds), hits / len(ds)


def splits(cfg: TrainConfig) -> tuple[data.Dataset, data.Dataset]:
    task = data.TaskConfig(label_noise=cfg.label_noise)
    return (
        data.make_split("train", cfg.train_size, cfg.data_seed, task),
        data.make_split("val", cfg.val_size, cfg.data_seed, task),
    )


def epochs(
    spec: RunSpec,
    cfg: TrainConfig,
    weights: Weights | None = None,
    on_batch: collections.abc.Callable[[int, int, float], None] | None = None,
) -> collections.abc.Iterator[tuple[Weights, EpochLog]]:
    """Train from ``weights`` (default: Keras initialisation from ``cfg.init_seed``), one epoch
    per step of the iteration: yields the weights (updated in place) and the epoch's log.
    ``on_batch(epoch, batch_index, loss)`` after every batch. Several runs can be advanced in
    turn (the training lab draws their curves side by side)."""
    w = copy_weights(weights or keras_weights(cfg.vocab, cfg.emb, cfg.units, cfg.layers, cfg.init_seed))
    train_set, val_set = splits(cfg)
    opt = optim.make(cfg.optimizer, cfg.lr, cfg.clipnorm)
    params = parameters(w)
    rng = np.random.default_rng([cfg.seed, 7])  # shuffling and masks, one stream for the run
    for epoch in range(1, cfg.epochs + 1):
        start = time.perf_counter()
        loss_sum, hits, seen = 0.0, 0, 0
        for n, idx in enumerate(data.batches(train_set, cfg.batch, rng)):
            tokens = data.pad_batch([train_set.tokens[i] for i in idx])
            labels = train_set.labels[idx]
            masks = batch.draw_masks(rng, spec, tokens, w)
            loss, grads, p = batch.loss_and_grads(w, tokens, labels, masks, cfg.threads)
            opt.step(params, parameters(grads))
            loss_sum += loss * len(idx)
            hits += int(((p > 0.5) == (labels > 0.5)).sum())
            seen += len(idx)
            if on_batch:
                on_batch(epoch, n, loss)
        val_loss, val_acc = evaluate(w, val_set, spec)
        yield w, EpochLog(epoch, loss_sum / seen, hits / seen, val_loss, val_acc, time.perf_counter() - start)


def train(
    spec: RunSpec,
    cfg: TrainConfig,
    weights: Weights | None = None,
    on_batch: collections.abc.Callable[[int, int, float], None] | None = None,
    on_epoch: collections.abc.Callable[[EpochLog], bool | None] | None = None,
) -> tuple[Weights, list[EpochLog]]:
    """Train all epochs (``epochs``); ``on_epoch(log)`` after every epoch, and a true return
    value stops the run (a listener that went away). Returns the weights and the logs."""
    logs: list[EpochLog] = []
    w = weights
    for w, log in epochs(spec, cfg, weights, on_batch):  # noqa: B007 (w: the weights after the last epoch)
        logs.append(log)
        if on_epoch and on_epoch(log):
            break
    return w, logs
