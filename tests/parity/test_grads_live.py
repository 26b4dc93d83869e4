"""Live parity: the engine's gradients (app/engine/batch.py, bptt.py) equal torch autograd.

Two references, both on our weights and with our masks (``batch.draw_masks``) injected:

- tests/parity/torch_model.py, the engine's equations written step by step in torch, one gate
  at a time, for every scheme the engine trains: Keras 3's four per-gate masks, tf.keras 2's
  per-step masks, PyTorch's between-layer dropout, zoneout, weight-drop, candidate dropout,
  word and spatial embedding dropout, output dropout, inference;
- torch.nn.LSTM itself (single-layer LSTMs with our between-layer masks between them), for
  the PyTorch-stacked case.

In float32 every gradient must agree to 1e-4 relative; in float64 (the engine on request) the
step-by-step model agrees to 1e-9, which checks the equations, not just float32 noise.
Required in CI, like test_live.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.documents import run as app_run
from app.engine import batch, train
from app.link.state import parse
from tests.parity import frameworks as fw
from tests.parity import torch_model

pytestmark = pytest.mark.parity

SMALL = "weights=random&emb=8&units=6"
# name -> (query, batch, steps). Each query draws the masks its name says (see test_masks_are_drawn).
CASES = {
    "keras3 four masks": (f"{SMALL}&dropout=0.5&recurrent_dropout=0.5", 4, 10),
    "keras3 four masks, two layers": (f"{SMALL}&layers=2&dropout=0.25&recurrent_dropout=0.4", 5, 17),
    "keras3 one input mask, spatial": (f"{SMALL}&recurrent_dropout=0&emb_mode=spatial", 6, 12),
    "tfkeras2 per step": (f"{SMALL}&preset=tfkeras2&recurrent_dropout=0", 6, 20),
    "tfkeras2-fit per gate per step": (f"{SMALL}&preset=tfkeras2-fit", 5, 15),
    "pytorch stacked": (f"{SMALL}&preset=pytorch&recurrent_dropout=0&layers=3&dropout=0.4", 8, 25),
    "zoneout": (f"{SMALL}&preset=custom&zoneout_c=0.3&zoneout_h=0.2", 7, 30),
    "weight-drop": (f"{SMALL}&preset=awd&recurrent_dropout=0&weight_drop=0.5&layers=2", 4, 14),
    "candidate": (f"{SMALL}&preset=semeniuta&recurrent_dropout=0&candidate_dropout=0.3", 5, 11),
    "word embedding dropout": (f"{SMALL}&preset=gal-tied&emb_mode=word&emb_dropout=0.4", 8, 30),
    "output dropout": (f"{SMALL}&preset=zaremba&recurrent_dropout=0&out_dropout=0.5", 6, 18),
    "custom per gate per step, all": (
        f"{SMALL}&preset=custom&in_share=gate&in_time=step&rec_share=gate&rec_time=step&candidate_dropout=0.2"
        "&zoneout_c=0.1&zoneout_h=0.2&weight_drop=0.3&out_dropout=0.3&layers=2",
        4,
        13,
    ),
    "inference": (f"{SMALL}&phase=infer", 6, 16),
    "inference with zoneout": (f"{SMALL}&preset=custom&zoneout_c=0.3&zoneout_h=0.2&phase=infer", 5, 19),
}
# The seed's model at its real size (E=64, H=100), shipped trained weights, both dropouts, T=120.
SEED_CASE = ("dropout=0.5&recurrent_dropout=0.5&emb_dropout=0.25", 8, 120)

# Float32: rtol 1e-4 per element, plus an atol of 1e-5 times the largest gradient of the array.
# A gradient is a sum over T x B steps and examples of terms of either sign; the rounding error
# of such a sum scales with the terms' magnitude, not with the (possibly cancelled) result, so
# elements that sum to near zero cannot agree relatively. 1e-5 of the array's scale is about
# 80 float32 ulps of its largest element: far below any real error (a dropped mask moves
# gradients by tens of percent), far above summation-order noise.
#
# LABELS. With random weights every p is about 0.5, so in a batch of both classes the examples'
# gradients dL/dlogit = (p - y) / B are +-0.5 / B and cancel: dense_bias = mean(p - y) is then
# about 1e-4 of its terms, and what is left is the float32 rounding of p (one ulp of 0.5 is
# 6e-8; torch's sigmoid and our 0.5 tanh(z/2) + 0.5 differ by that). So the float32 tests give
# every example of a batch the same class (the class alternates over the cases), and both
# classes in one batch are checked in float64, and in float32 with trained weights (SEED_CASE).
RTOL, ATOL_SCALE = 1e-4, 1e-5
RTOL64, ATOL64_SCALE = 1e-9, 1e-12


def names(w) -> list[str]:
    """The names of ``train.parameters(w)``, in its order."""
    out = ["embedding"]
    for n in range(len(w.layers)):
        out += [f"layers[{n}].{k}" for k in ("kernel", "recurrent_kernel", "bias")]
    return [*out, "dense_kernel", "dense_bias"]


def problem(query: str, size: int, steps: int, label: int | None = None, dtype=np.float32):
    """(weights, tokens (B, T), labels (B,), masks) of a state, with random tokens. ``label``:
    every example of that class, or None for both classes (alternating)."""
    s = parse(query)
    w = app_run.state_weights(s)
    rng = np.random.default_rng([size, steps])
    tokens = rng.integers(0, w.embedding.shape[0], size=(size, steps))
    labels = (np.arange(size) % 2 if label is None else np.full(size, label)).astype(dtype)
    masks = batch.draw_masks(rng, s.run_spec(), tokens, w, dtype=dtype)
    return batch.cast(w, dtype), tokens, labels, masks


def assert_grads_close(ours, ref, rtol: float, atol_scale: float) -> float:
    """Every gradient array agrees; returns the largest error relative to its array's scale."""
    worst = 0.0
    for name, a, b in zip(names(ref), train.parameters(ours), train.parameters(ref), strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype, name
        scale = float(np.abs(b).max())
        assert scale > 0, f"{name}: the reference gradient is zero, the comparison would be empty"
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol_scale * scale, err_msg=name)
        worst = max(worst, float(np.abs(a - b).max()) / scale)
    return worst


def check(torch, query: str, size: int, steps: int, label: int | None, dtype=np.float32) -> float:
    w, tokens, labels, masks = problem(query, size, steps, label, dtype)
    loss, ours, _p = batch.loss_and_grads(w, tokens, labels, masks)
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    ref_loss, ref = torch_model.grads(w, tokens, labels, masks, torch_dtype)
    rtol, atol_scale = (RTOL, ATOL_SCALE) if dtype is np.float32 else (RTOL64, ATOL64_SCALE)
    assert loss == pytest.approx(ref_loss, rel=rtol)
    return assert_grads_close(ours, ref, rtol, atol_scale)


@pytest.mark.parametrize("case", list(CASES))
def test_gradients_equal_torch_autograd(torch, case):
    """Float32, one class per batch (the class alternates over the cases); see LABELS."""
    check(torch, *CASES[case], label=list(CASES).index(case) % 2)


@pytest.mark.parametrize("case", list(CASES))
def test_gradients_equal_torch_autograd_in_float64(torch, case):
    """Float64, both classes in the batch: the equations themselves, to 1e-9."""
    check(torch, *CASES[case], label=None, dtype=np.float64)


def test_gradients_equal_torch_autograd_at_the_seed_size(torch):
    """Trained weights at the seed's size, both classes in the batch (trained p are far from 0.5)."""
    query, size, steps = SEED_CASE
    w, *_ = problem(query, size, steps)
    assert w.embedding.shape == (64, 64) and w.layers[0].recurrent_kernel.shape == (100, 400)
    check(torch, *SEED_CASE, label=None)


def test_masks_are_drawn():
    """Each case injects the masks its name claims, so no comparison above is vacuous."""
    for case, (query, size, steps) in CASES.items():
        _w, tokens, _labels, m = problem(query, size, steps)
        cells = m.layers
        if case.startswith("keras3 four") or case.startswith("tfkeras2-fit"):
            assert cells[0].input.shape[1] == 4 and cells[0].recurrent.shape[1] == 4, case
        if "per step" in case:
            assert cells[0].input.shape[0] == steps, case
        if case == "pytorch stacked":
            assert [b is None for b in m.between] == [False, False, True]
            assert all(c.input is None and c.recurrent is None for c in cells)
        if case.startswith("zoneout"):
            assert cells[0].zoneout_c is not None and cells[0].zoneout_h is not None
        if case.startswith("weight-drop"):
            assert all(c.weight is not None for c in cells)
        if case == "candidate":
            assert cells[0].candidate is not None
        if case == "word embedding dropout":
            keep = m.embedding[:, :, 0] > 0  # (T, B): one bit per word type and example
            assert not keep.all() and keep.any()
            for b in range(size):
                for word in np.unique(tokens[b]):
                    assert len(set(keep[tokens[b] == word, b].tolist())) == 1
        if case == "output dropout":
            assert m.output is not None
        if case.startswith("inference"):
            assert m.embedding is None and all(c.input is None and c.recurrent is None for c in cells)


def test_pytorch_stacked_gradients_equal_nn_lstm(torch):
    """The second reference: torch.nn.LSTM's own autograd, single-layer LSTMs with our
    between-layer masks applied between them (as test_live.py shows nn.LSTM(dropout=p) does)."""
    query, size, steps = CASES["pytorch stacked"]
    w, tokens, labels, masks = problem(query, size, steps, label=1)  # one class: see LABELS
    loss, ours, _p = batch.loss_and_grads(w, tokens, labels, masks)

    singles = fw.single_layers(fw.torch_lstm(w))  # batch_first; weight_ih = kernel^T, bias_hh = 0
    embedding = torch.tensor(w.embedding, requires_grad=True)
    dense_kernel = torch.tensor(w.dense_kernel, requires_grad=True)
    dense_bias = torch.tensor(w.dense_bias, requires_grad=True)
    x = embedding[torch.tensor(tokens)]  # (B, T, E)
    x = x * torch.tensor(masks.embedding).transpose(0, 1)
    for one, between in zip(singles, masks.between, strict=True):
        x, _ = one(x)  # (B, T, H)
        if between is not None:
            x = x * torch.tensor(between).transpose(0, 1)
    p = torch.sigmoid(x[:, -1] @ dense_kernel + dense_bias)[:, 0]
    p = torch.clip(p, torch_model.EPSILON, 1 - torch_model.EPSILON)
    ref_loss = torch.nn.functional.binary_cross_entropy(p, torch.tensor(labels))
    ref_loss.backward()

    for one in singles:  # b_hh enters the gates exactly as b_ih: the same gradient
        torch.testing.assert_close(one.bias_hh_l0.grad, one.bias_ih_l0.grad)
    ref = torch_model.as_weights(
        [
            embedding.grad.numpy(),
            *[
                g
                for one in singles
                for g in (one.weight_ih_l0.grad.T.numpy(), one.weight_hh_l0.grad.T.numpy(), one.bias_ih_l0.grad.numpy())
            ],
            dense_kernel.grad.numpy(),
            dense_bias.grad.numpy(),
        ],
        len(singles),
    )
    assert loss == pytest.approx(float(ref_loss.detach()), rel=RTOL)
    assert_grads_close(ours, ref, RTOL, ATOL_SCALE)
