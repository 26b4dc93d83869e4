"""Live parity: the engine against Keras 3 and PyTorch themselves, masks injected.

Required in CI (.ci/run installs torch==2.13.0 and keras, and DROPOUT_LAB_REQUIRE_ALL=1 turns
a missing framework into a failure). Without them locally these tests skip, and
test_golden.py checks the same numbers against stored framework outputs.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from app.documents import run as app_run
from app.documents import trace as app_trace
from app.engine.semantics import pytorch_warning
from tests.parity import frameworks as fw
from tests.parity.cases import KERAS_CASES, SEED_SIZE, TORCH_CASES, state

pytestmark = pytest.mark.parity
ATOL = 1e-5


def ours(query: str):
    s = state(query)
    return s, app_run.state_weights(s), app_run.run(s)


def keras_run(monkeypatch, query):
    s, w, tr = ours(query)
    out = fw.run_keras(
        monkeypatch, w, tr, s.dropout, s.recurrent_dropout, s.emb_dropout, s.emb_mode, s.train, s.out_dropout
    )
    return s, tr, out


@pytest.mark.parametrize("case", sorted(KERAS_CASES))
def test_keras3_matches_every_step(keras, monkeypatch, case):
    _s, tr, out = keras_run(monkeypatch, KERAS_CASES[case])
    for lt, h in zip(tr.layers, out["h"], strict=True):
        np.testing.assert_allclose(lt.h, h, atol=ATOL, rtol=0)
    np.testing.assert_allclose(tr.layers[-1].c[-1], out["c_last"], atol=ATOL, rtol=0)
    assert tr.probability == pytest.approx(out["probability"], abs=ATOL)


def test_keras3_seed_size_matches(keras, monkeypatch):
    """The seed's model at its real size: E=64, H=100, T=498, both dropouts."""
    _s, tr, out = keras_run(monkeypatch, SEED_SIZE)
    assert tr.layers[0].h.shape == (498, 100)
    np.testing.assert_allclose(tr.layers[0].h, out["h"][0], atol=ATOL, rtol=0)
    assert tr.probability == pytest.approx(out["probability"], abs=ATOL)


@pytest.mark.parametrize(
    ("query", "count"),
    [("recurrent_dropout=0.5", 4), ("recurrent_dropout=0", None), ("layers=2&recurrent_dropout=0.1", 4)],
)
def test_keras3_mask_count_matches_preset(keras, monkeypatch, query, count):
    """Keras 3.15 uses four per-gate masks exactly when our keras3 preset says so."""
    s, tr, out = keras_run(monkeypatch, f"emb=8&units=6&{query}")
    assert out["mask_counts"] == [count] * s.layers
    for lt in tr.layers:
        assert (lt.masks["input"].keep.shape[1] == 4) == (count == 4)


def test_keras3_draws_masks_once_per_call(keras):
    """Per sequence: Keras creates each mask once per layer call and reuses it at every step,
    and with recurrent_dropout > 0 the four gate masks differ."""
    from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

    created = []
    real = DropoutRNNCell._create_dropout_mask

    def spy(self, step_input, rate):
        masks = real(self, step_input, rate)
        created.append([keras.ops.convert_to_numpy(m) for m in masks])
        return masks

    layer = keras.layers.LSTM(16, dropout=0.5, recurrent_dropout=0.5, seed=1)
    x = np.random.default_rng(0).standard_normal((1, 30, 12)).astype(np.float32)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DropoutRNNCell, "_create_dropout_mask", spy)
        layer(x, training=True)
    assert len(created) == 2  # one input and one recurrent draw for 30 steps
    for masks in created:
        assert len(masks) == 4
        assert len({m.tobytes() for m in masks}) == 4


@pytest.mark.parametrize(("mode", "layer"), [("standard", "Dropout"), ("spatial", "SpatialDropout1D")])
def test_keras_embedding_dropout_semantics(keras, mode, layer):
    """(c) the real Keras layers after an Embedding: inverted scaling, and the time structure
    our emb_mode claims: fresh per step (Dropout) or constant over time (SpatialDropout1D)."""
    x = np.random.default_rng(0).uniform(0.1, 1.0, (1, 40, 16)).astype(np.float32)
    y = keras.ops.convert_to_numpy(getattr(keras.layers, layer)(0.25, seed=3)(x, training=True))[0]
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[0][kept] / 0.75, rtol=1e-6)
    constant_over_time = bool((kept == kept[0]).all())
    assert constant_over_time == (mode == "spatial")
    _s, _w, tr = ours(f"emb=16&tokens={','.join(['5'] * 40)}&emb_mode={mode}")
    keep = tr.embedding_mask.keep.astype(bool)
    assert bool((keep == keep[0]).all()) == constant_over_time


def test_keras_embedding_masks_injected_where_keras_draws_them(keras, monkeypatch):
    """Our masks go in through backend.random.dropout with Keras's own noise shapes."""
    _, _, out = keras_run(monkeypatch, KERAS_CASES["keras_input_only"])
    assert out["embedding_noise"] == [(0.2, (1, 1, 8))]
    _, _, out = keras_run(monkeypatch, KERAS_CASES["keras_both"])
    assert out["embedding_noise"] == [(0.25, None)]


@pytest.mark.parametrize("case", sorted(TORCH_CASES))
def test_pytorch_matches_every_step(torch, case):
    s, w, tr = ours(TORCH_CASES[case])
    out = fw.run_torch(w, tr, s.train)
    for lt, h, c in zip(tr.layers, out["h"], out["c"], strict=True):
        np.testing.assert_allclose(lt.h, h, atol=ATOL, rtol=0)
        np.testing.assert_allclose(lt.c, c, atol=ATOL, rtol=0)
    assert tr.probability == pytest.approx(out["probability"], abs=ATOL)


def test_fused_nn_lstm_matches_without_dropout(torch):
    """(a) the fused C++ nn.LSTM (3 layers) on our weights gives our h and c."""
    _s, w, tr = ours("layers=3&emb=8&units=6&phase=infer")
    lstm = fw.torch_lstm(w)
    with torch.no_grad():
        seq, (h_n, c_n) = lstm(torch.from_numpy(tr.layers[0].x)[None])
    np.testing.assert_allclose(tr.layers[-1].h, seq[0].numpy(), atol=ATOL, rtol=0)
    for n, lt in enumerate(tr.layers):
        np.testing.assert_allclose(lt.h[-1], h_n[n, 0].numpy(), atol=ATOL, rtol=0)
        np.testing.assert_allclose(lt.c[-1], c_n[n, 0].numpy(), atol=ATOL, rtol=0)


def test_nn_lstm_dropout_is_dropout_on_each_layer_output_but_the_last(torch):
    """(d) nn.LSTM(dropout=p) in training equals, draw for draw, one-layer LSTMs with
    F.dropout(p) on the outputs of all layers but the last: what our `between` mask models."""
    _s, w, tr = ours("layers=3&emb=8&units=6&phase=infer")
    lstm = fw.torch_lstm(w)
    lstm.dropout = 0.4
    lstm.train()
    x = torch.from_numpy(tr.layers[0].x)[None]
    singles = fw.single_layers(lstm)  # built first: module init consumes torch's RNG
    with torch.no_grad():
        torch.manual_seed(7)
        fused, _ = lstm(x)
        torch.manual_seed(7)
        y = x
        for n, one in enumerate(singles):
            y, _ = one(y)
            if n < lstm.num_layers - 1:
                y = torch.nn.functional.dropout(y, 0.4, training=True)
    np.testing.assert_allclose(fused.numpy(), y.numpy(), atol=1e-6, rtol=0)
    assert not np.allclose(fused.numpy(), lstm.eval()(x)[0].detach().numpy(), atol=1e-3)


def test_pytorch_single_layer_warning_text(torch):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.nn.LSTM(4, 4, num_layers=1, dropout=0.5)
    assert [str(c.message) for c in caught] == [pytorch_warning(0.5, 1)]
    plan = app_trace.plan_json(state("preset=pytorch&recurrent_dropout=0"))
    assert any(pytorch_warning(0.5, 1) in n for n in plan["notes"])


def test_word_dropout_matches_awd_embedded_dropout(torch):
    """AWD-LSTM's embedded_dropout scales whole rows of the embedding matrix."""
    s, w, tr = ours(TORCH_CASES["torch_between"])
    keep = tr.embedding_mask.keep
    rows = {}
    for t, tok in enumerate(tr.tokens):
        rows.setdefault(int(tok), keep[t].copy())
        np.testing.assert_array_equal(keep[t], rows[int(tok)])  # one bit per word type
    row_mask = np.zeros((s.vocab, 1), dtype=np.float32)
    for tok, bits in rows.items():
        assert bits.min() == bits.max()
        row_mask[tok] = bits[0]
    p = s.emb_dropout
    weight = torch.from_numpy(w.embedding)
    masked = weight * torch.from_numpy(row_mask) / (1 - p)  # embed_regularize.py
    x = torch.nn.functional.embedding(torch.from_numpy(tr.tokens), masked)
    np.testing.assert_allclose(tr.layers[0].x, x.numpy(), atol=1e-6, rtol=0)


@pytest.mark.parametrize(
    "query",
    [
        "emb=8&units=6&out_dropout=0.3&seed=7",
        "emb=8&units=6&out_dropout=0.3&seed=8&layers=2&recurrent_dropout=0.2",
        "emb=8&units=6&out_dropout=0.3&seed=7&phase=infer",
    ],
)
def test_keras3_output_dropout_matches(keras, monkeypatch, query):
    """Dropout(out_dropout) before Dense in Keras 3, our output mask injected where Keras draws
    it: the same probability. The mask is on the last h only, fresh per call."""
    s, tr, out = keras_run(monkeypatch, query)
    assert tr.probability == pytest.approx(out["probability"], abs=ATOL)
    for lt, h in zip(tr.layers, out["h"], strict=True):
        np.testing.assert_allclose(lt.h, h, atol=ATOL, rtol=0)
    drawn = [noise for noise in out["embedding_noise"] if noise[0] == s.out_dropout]
    assert drawn == ([(s.out_dropout, None)] if s.train else [])
    if s.train:
        assert tr.output_mask.keep.shape == (s.units,) and 0 < tr.output_mask.keep.sum() < s.units
        unmasked = tr.layers[-1].h[-1] @ app_run.state_weights(s).dense_kernel[:, 0]
        assert not np.isclose(unmasked, tr.logit - float(app_run.state_weights(s).dense_bias[0]), atol=1e-4)


@pytest.mark.parametrize(("rd", "draws"), [(0.0, 1), (0.5, 2)])
def test_keras3_draws_masks_at_inference_but_does_not_apply_them(keras, rd, draws):
    """Keras 3.15.1, training=False: RNN.call still makes the cell's masks (rnn.py,
    _maybe_config_dropout_masks), but the cell multiplies by none of them: the output is that of
    the same layer without dropout. (Keras 3.4.0 to 3.8.x applied the input mask at inference on
    the TF backend's GPU fast path: read from source, docs/semantics.md.)"""
    from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

    created = []
    real = DropoutRNNCell._create_dropout_mask

    def spy(self, step_input, rate):
        created.append(rate)
        return real(self, step_input, rate)

    x = np.random.default_rng(1).standard_normal((2, 9, 5)).astype(np.float32)
    layer = keras.layers.LSTM(6, dropout=0.5, recurrent_dropout=rd, seed=3)
    plain = keras.layers.LSTM(6)
    layer.build(x.shape)
    plain.build(x.shape)
    plain.set_weights(layer.get_weights())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DropoutRNNCell, "_create_dropout_mask", spy)
        out = keras.ops.convert_to_numpy(layer(x, training=False))
    assert len(created) == draws  # drawn...
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(plain(x)), atol=1e-6, rtol=0)  # ...not applied
