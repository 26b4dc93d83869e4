"""Live parity: a short real training, Keras 3 (torch backend) against app.engine.train.

Ours is ``train.train`` itself, watched through ``batch.loss_and_grads``: every batch's tokens,
labels, masks (drawn by the loop from its own generator) and loss are recorded. Keras 3 then
trains the same model from the same initial weights on exactly those batches, with those
masks injected where Keras draws its own:

    Embedding(64, E) -> Dropout(emb_rate) -> LSTM(H, dropout, recurrent_dropout) -> Dense(1, sigmoid)
    compile(RMSprop(learning_rate), "binary_crossentropy"); train_on_batch per batch

- the LSTM cell's masks through ``DropoutRNNCell.get_dropout_mask`` and
  ``get_recurrent_dropout_mask`` (four (B, dim) tensors when Keras uses four, one otherwise);
- the embedding Dropout's mask through ``keras.src.backend.random.dropout``.

What Keras computes (keras/src/backend/torch/trainer.py, ``train_step``): the forward pass with
training=True, the loss (binary_crossentropy: clip to [1e-7, 1 - 1e-7], torch's
binary_cross_entropy, mean over the batch: reduction "sum_over_batch_size"), which goes into
the loss tracker before ``loss.backward()`` and the optimiser's update; ``train_on_batch``
resets the metrics first and returns the tracker's value. So its loss is the batch's loss
before the update, as is ours. Required in CI, like test_live.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import batch, train
from app.engine.init import keras_weights
from app.link.state import parse

pytestmark = pytest.mark.parity

EMB, UNITS, VOCAB, BATCH, TRAIN_SIZE = 16, 24, 64, 16, 400  # 25 batches, sentences of 4 to 20 words
LOSS_RTOL = 1e-4
WEIGHT_ATOL = 2e-6  # after 25 steps; seen: at most 3e-7 (Keras 3.15.1, torch 2.13.0 CPU)
SEED = "emb_dropout=0.25&dropout=0.5&recurrent_dropout=0.5"  # the seed's configuration
# name -> (dropout query, optimiser, learning rate: None is Keras's default 0.001)
CASES = {
    "rmsprop, one shared input mask, lr 0.01": ("emb_dropout=0.1&dropout=0.2&recurrent_dropout=0", "rmsprop", 0.01),
    "rmsprop, the seed's configuration": (SEED, "rmsprop", None),
    "rmsprop, no dropout, lr 0.003": ("emb_dropout=0&dropout=0&recurrent_dropout=0", "rmsprop", 0.003),
    "adam, the seed's configuration, lr 0.003": (SEED, "adam", 0.003),
}


def ours(monkeypatch, spec, cfg: train.TrainConfig, weights):
    """Run train.train; returns (final weights, [(tokens, labels, masks, loss)] per batch)."""
    seen = []
    real = batch.loss_and_grads

    def spy(w, tokens, labels, masks, *args, **kwargs):
        out = real(w, tokens, labels, masks, *args, **kwargs)
        seen.append((tokens.copy(), labels.copy(), masks, out[0]))
        return out

    with monkeypatch.context() as m:
        m.setattr(batch, "loss_and_grads", spy)
        final, _logs = train.train(spec, cfg, weights)
    return final, seen


def keras_model(keras, weights, emb_rate: float, dropout: float, recurrent_dropout: float, optimizer: str, lr):
    vocab, emb = weights.embedding.shape
    lw = weights.layers[0]
    model = keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int64"),
            keras.layers.Embedding(vocab, emb),
            keras.layers.Dropout(emb_rate),
            keras.layers.LSTM(lw.recurrent_kernel.shape[0], dropout=dropout, recurrent_dropout=recurrent_dropout),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.set_weights(
        [weights.embedding, lw.kernel, lw.recurrent_kernel, lw.bias, weights.dense_kernel, weights.dense_bias]
    )
    kind = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}[optimizer]
    model.compile(
        optimizer=kind() if lr is None else kind(learning_rate=lr), loss="binary_crossentropy", jit_compile=False
    )
    return model


def cell_masks(keras, mask: np.ndarray | None, count: int | None):
    """(1, G, B, dim) multipliers -> what get_*_dropout_mask returns: G tensors (B, dim) or one."""
    if mask is None:
        return None
    assert mask.shape[0] == 1, "Keras 3 draws its masks once per call"
    assert (mask.shape[1] == 4) == (count == 4), "our plan and Keras disagree on per-gate masks"
    tensors = [keras.ops.convert_to_tensor(mask[0, k]) for k in range(mask.shape[1])]
    return tensors if count == 4 else tensors[0]


def train_keras(keras, monkeypatch, model, batches, emb_rate: float) -> list[float]:
    """train_on_batch on every recorded batch with its masks injected; Keras's losses."""
    from keras.src import backend
    from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

    cell = model.layers[2].cell
    count = getattr(cell, "dropout_mask_count", None)
    current: dict = {}
    dropout_calls = []

    def get_dropout_mask(self, step_input):
        assert self is cell
        return current["input"]

    def get_recurrent_dropout_mask(self, step_input):
        assert self is cell
        return current["recurrent"]

    def dropout(inputs, rate, noise_shape=None, seed=None):
        dropout_calls.append((rate, noise_shape))
        return inputs * current["embedding"]

    losses = []
    with monkeypatch.context() as m:
        m.setattr(DropoutRNNCell, "get_dropout_mask", get_dropout_mask)
        m.setattr(DropoutRNNCell, "get_recurrent_dropout_mask", get_recurrent_dropout_mask)
        m.setattr(backend.random, "dropout", dropout)
        for tokens, labels, masks, _loss in batches:
            cm = masks.layers[0]
            emb = masks.embedding  # (T, B, E) time-major -> Keras's (B, T, E)
            current["embedding"] = None if emb is None else keras.ops.convert_to_tensor(emb.transpose(1, 0, 2))
            current["input"] = cell_masks(keras, cm.input, count)
            current["recurrent"] = cell_masks(keras, cm.recurrent, count)
            losses.append(float(model.train_on_batch(tokens, labels[:, None])))
    expected = [(emb_rate, None)] * len(batches) if emb_rate > 0 else []
    assert dropout_calls == expected  # our embedding mask went in once per batch, nothing else drew
    return losses


@pytest.mark.parametrize("case", list(CASES))
def test_training_matches_keras_batch_for_batch(keras, monkeypatch, case):
    query, optimizer, lr = CASES[case]
    s = parse(f"weights=random&emb={EMB}&units={UNITS}&{query}")
    cfg = train.TrainConfig(  # every optimiser field explicit: the defaults are train.py's to change
        epochs=1,
        train_size=TRAIN_SIZE,
        val_size=16,
        batch=BATCH,
        optimizer=optimizer,
        lr=lr,
        clipnorm=None,
        vocab=VOCAB,
        emb=EMB,
        units=UNITS,
        layers=1,
    )
    initial = keras_weights(VOCAB, EMB, UNITS, 1, cfg.init_seed)
    final, batches = ours(monkeypatch, s.run_spec(), cfg, initial)
    assert len(batches) == 25 and max(b[0].shape[1] for b in batches) <= 20

    model = keras_model(keras, initial, s.emb_dropout, s.dropout, s.recurrent_dropout, optimizer, lr)
    theirs = train_keras(keras, monkeypatch, model, batches, s.emb_dropout)

    np.testing.assert_allclose([b[3] for b in batches], theirs, rtol=LOSS_RTOL, atol=0)
    pairs = zip(train.parameters(final), train.parameters(initial), strict=True)
    moved = max(float(np.abs(a - b).max()) for a, b in pairs)
    assert moved > 1e-2  # the weights really trained
    for k, (a, b) in enumerate(zip(train.parameters(final), model.get_weights(), strict=True)):
        np.testing.assert_allclose(a, b, rtol=0, atol=WEIGHT_ATOL, err_msg=f"parameter {k}")
