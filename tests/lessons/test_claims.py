"""Claims the lessons make that no other test proves (app/lessons/claims.py names them all)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from app.documents.run import run, state_kernels, state_weights
from app.engine import mc
from app.link.state import parse


def test_embedding_dropout_acts_on_the_embedding_output():
    tr = run(parse("seed=4"))
    mask = tr.embedding_mask
    np.testing.assert_array_equal(tr.layers[0].x, tr.embedding * mask.keep * np.float32(mask.scale))
    assert 0 < mask.keep.mean() < 1


def test_the_two_dropouts_compound():
    """Over many draws an embedding element reaches gate i with probability 0.75 x 0.5, and what
    reaches it is scaled by (1/0.75) x (1/0.5)."""
    reached, n = 0, 0
    for seed in range(40):
        tr = run(parse(f"seed={seed}&len=50"))
        emb = tr.embedding_mask
        gate_i = tr.layers[0].masks["input"]  # (1, 4, E): per gate, per sequence
        both = emb.keep.astype(bool) & gate_i.keep[0, 0].astype(bool)[None, :]
        reached += both.sum()
        n += both.size
        scale = np.float32(emb.scale) * np.float32(gate_i.scale)
        assert scale == pytest.approx(2.667, abs=1e-3)
    assert reached / n == pytest.approx(0.375, abs=0.01)


def test_lstm_masks_use_their_own_rate():
    for rates in (
        "emb_dropout=0.25&dropout=0.5&recurrent_dropout=0.3",
        "emb_dropout=0.6&dropout=0.2&recurrent_dropout=0.4",
    ):
        s = parse(rates + "&seed=2&len=200")
        tr = run(s)
        masks = tr.layers[0].masks
        assert masks["input"].scale == pytest.approx(1 / (1 - s.dropout), rel=1e-6)
        assert masks["recurrent"].scale == pytest.approx(1 / (1 - s.recurrent_dropout), rel=1e-6)
        assert 1 - masks["input"].keep.mean() == pytest.approx(s.dropout, abs=0.15)
        assert 1 - tr.embedding_mask.keep.mean() == pytest.approx(s.emb_dropout, abs=0.05)


@pytest.fixture(scope="module")
def keras():
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    assert keras.backend.backend() == "torch"
    return keras


@pytest.mark.parity
def test_recurrent_dropout_skips_the_fused_kernel(keras, monkeypatch):
    """keras/src/layers/rnn/lstm.py inner_loop: the fused backend.lstm (cuDNN on a GPU) is tried
    only when recurrent_dropout == 0; with use_cudnn=True and recurrent_dropout > 0 it raises."""
    from keras.src import backend

    calls = []
    real = backend.lstm

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(backend, "lstm", spy)
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    keras.layers.LSTM(4, dropout=0.5, recurrent_dropout=0.0)(x, training=True)
    assert calls  # tried
    calls.clear()
    keras.layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5)(x, training=True)
    assert not calls  # never tried
    with pytest.raises(ValueError, match="cuDNN"):
        keras.layers.LSTM(4, recurrent_dropout=0.5, use_cudnn=True)(x, training=True)


@pytest.mark.parity
def test_nn_lstm_has_no_recurrent_dropout():
    torch = pytest.importorskip("torch")
    params = inspect.signature(torch.nn.LSTM.__init__).parameters
    assert "dropout" in inspect.getsource(torch.nn.modules.rnn.RNNBase.__init__)
    assert not any("recurrent" in name for name in params)
    with pytest.raises(TypeError):
        torch.nn.LSTM(4, 4, recurrent_dropout=0.5)


def test_monte_carlo_spreads_only_in_training():
    for phase, spread in (("train", True), ("infer", False)):
        s = parse(f"phase={phase}&seed=1")
        res = mc.monte_carlo(s.sequence(), state_weights(s), state_kernels(s), s.run_spec(), 20)
        assert (np.ptp(res.probability) > 0) == spread


def test_zoneout_keeps_previous_values():
    s = parse("preset=custom&dropout=0&recurrent_dropout=0&zoneout_h=0.5&zoneout_c=0.5&seed=3&weights=random")
    tr = run(s)
    layer = tr.layers[0]
    keep_h = layer.masks["zoneout_h"].keep  # 1 = updated, 0 = kept its previous value
    h = layer.h
    previous = np.vstack([np.zeros((1, h.shape[1]), np.float32), h[:-1]])
    frozen = keep_h == 0
    assert frozen.any() and (~frozen).any()
    np.testing.assert_array_equal(h[frozen], previous[frozen])
    assert (h[~frozen] != previous[~frozen]).mean() > 0.9


def test_weight_drop_is_one_mask_per_pass():
    s = parse("preset=awd&recurrent_dropout=0&weight_drop=0.5&seed=5")
    tr = run(s)
    mask = tr.layers[0].masks["weight_drop"]
    assert mask.keep.shape == (100, 400)  # one mask on U for the whole pass
    assert 0.4 < 1 - mask.keep.mean() < 0.6
    other = run(parse("preset=awd&recurrent_dropout=0&weight_drop=0.5&seed=6")).layers[0].masks["weight_drop"]
    assert not np.array_equal(mask.keep, other.keep)  # a new pass, a new mask


@pytest.mark.parity
def test_weight_drop_runs_in_the_fused_lstm():
    """AWD-LSTM masks weight_hh once and then calls the fused nn.LSTM: with our weight mask on U,
    torch.nn.LSTM (one fused call over the sequence) gives the engine's h at every step."""
    torch = pytest.importorskip("torch")
    s = parse("preset=awd&recurrent_dropout=0&dropout=0&emb_dropout=0&weight_drop=0.5&seed=5&weights=random&units=16")
    tr = run(s)
    w = state_weights(s).layers[0]
    mask = tr.layers[0].masks["weight_drop"]
    dropped = w.recurrent_kernel * mask.keep * np.float32(mask.scale)
    lstm = torch.nn.LSTM(w.kernel.shape[0], 16, batch_first=True)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(w.kernel.T.copy()))
        lstm.weight_hh_l0.copy_(torch.from_numpy(dropped.T.copy()))
        lstm.bias_ih_l0.copy_(torch.from_numpy(w.bias))
        lstm.bias_hh_l0.zero_()
        out, _ = lstm(torch.from_numpy(tr.layers[0].x)[None])
    np.testing.assert_allclose(out[0].numpy(), tr.layers[0].h, atol=1e-5)


def test_the_forum_scheme_masks_the_gate_outputs():
    """Lesson 1's "The forum's picture, computed": B (preset forum) against A (Keras 3), same seed."""
    for rates in ("seed=3", "seed=8&dropout=0.3&recurrent_dropout=0.2&len=30"):
        s = parse(rates)
        keras, forum = run(s), run(parse(rates + "&preset=forum"))
        masks = forum.layers[0].masks
        assert (masks["input"].keep == 1).all() and masks["input"].scale == 1  # x(t) is not masked
        gates = masks["gate_output"]  # (T, 4, H): per step, per gate, per unit
        assert gates.keep.shape == (forum.layers[0].x.shape[0], 4, keras.layers[0].h.shape[-1])
        assert gates.scale == pytest.approx(1 / (1 - s.dropout / 2), rel=1e-6)
        assert 1 - gates.keep.mean() == pytest.approx(s.dropout / 2, abs=0.05)
        assert any((gates.keep[t] != gates.keep[0]).any() for t in range(1, gates.keep.shape[0]))  # fresh per step
        assert any((gates.keep[:, k] != gates.keep[:, 0]).any() for k in range(1, 4))  # its own per gate
        assert "gate_output" not in keras.layers[0].masks
        assert abs(forum.probability - keras.probability) > 1e-3
