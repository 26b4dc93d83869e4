"""Live: every line /api/code writes for Keras 3 and PyTorch runs, and does what the plan says.

For each code case (cases.CODE_CASES: every preset, the sixteen custom sharing/timing
combinations with and without recurrent dropout, candidate dropout, zoneout, weight-drop, the
three embedding modes, two layers, output dropout, inference) the generated code is executed,
the state's weights loaded, and one forward pass run with every dropout draw the model makes
answered by the engine's mask (generated.py, masks.MaskServer). The server fails the test when
the framework draws a mask the plan does not have (other sharing, other timing, too few or too
many draws); then the output must be the engine's to 1e-5, and the way each mask was drawn
(shared or per gate, per sequence or per step) the plan's. Where the code says it needs its
custom layer, that layer is what ran. Required in CI, like test_live.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.codegen import code
from app.documents import run as app_run
from app.engine.semantics import LayerPlan, pytorch_warning
from tests.parity import generated
from tests.parity.cases import CODE_CASES, code_state
from tests.parity.frameworks import single_layers

pytestmark = pytest.mark.parity
ATOL = 1e-5


def planned(plan) -> dict:
    """How the plan draws each in-cell mask, per layer, as MaskServer.seen records it."""
    out: dict = {}
    for n, lp in enumerate(plan.layers):
        lp: LayerPlan
        for kind, spec in (("input", lp.input), ("recurrent", lp.recurrent), ("candidate", lp.candidate)):
            if spec is not None:
                out.setdefault(kind, {})[n] = {"gates": 4 if spec.per_gate else 1, "per_step": spec.per_step}
        for kind in ("zoneout_c", "zoneout_h"):
            if getattr(lp, kind):
                out.setdefault(kind, {})[n] = {"gates": 1, "per_step": True}
        if lp.weight_drop:
            out.setdefault("weight_drop", {})[n] = {"gates": 1, "per_step": False}
    return out


def check(s, out: dict) -> None:
    tr = app_run.run(s)
    last = tr.layers[-1].h[-1] * (tr.output_mask.multiplier if s.train else 1)
    np.testing.assert_allclose(out["dense_input"], last, atol=ATOL, rtol=0)
    assert out["probability"] == pytest.approx(tr.probability, abs=ATOL)
    if s.train:
        assert out["seen"] == planned(app_run.plan_of(s))


@pytest.mark.parametrize("case", sorted(CODE_CASES))
def test_generated_keras3_code_draws_the_planned_masks(keras, monkeypatch, case):
    s = code_state(case)
    out = generated.keras3_run(s, monkeypatch)
    check(s, out)
    custom = code(s)["fidelity"]["keras3"]["custom"]
    lstms = [type(layer).__name__ for layer in out["model"].layers if "LSTM" in type(layer).__name__]
    assert lstms == ["MaskedLSTM" if "MaskedLSTM" in custom else "LSTM"] * s.layers


@pytest.mark.parametrize("case", sorted(CODE_CASES))
def test_generated_pytorch_code_draws_the_planned_masks(torch, monkeypatch, case):
    s = code_state(case)
    out = generated.torch_run(s, monkeypatch)
    model = out["model"]
    fused = getattr(model, "lstm", None)
    if fused is not None and fused.dropout and s.train:
        # nn.LSTM draws its between-layer masks in C++, out of reach: its arguments are checked
        # here, and test_live.py shows that they are dropout on each layer's output but the last.
        assert (fused.num_layers, fused.dropout) == (s.layers, s.dropout)
        if s.layers == 1:
            assert out["warnings"] == [pytorch_warning(s.dropout, 1)]
        else:
            return
    check(s, out)
    custom = code(s)["fidelity"]["pytorch"]["custom"]
    kinds = {type(m).__name__ for m in model.modules()}
    assert ("MaskedLSTM" in kinds) == ("MaskedLSTM" in custom)
    assert ("LSTM" in kinds) == ("MaskedLSTM" not in custom)


def test_fused_between_layer_dropout_is_the_plan(torch):
    """The one case the mask server cannot reach: nn.LSTM(num_layers=2, dropout=p) in the
    generated code draws, under a fixed torch seed, exactly the masks of F.dropout on the first
    layer's output, the plan's `between` mask."""
    s = code_state("pytorch-2-layers")
    namespace: dict = {}
    exec(code(s)["pytorch"], namespace)
    model = namespace["model"]
    x = torch.randn(1, 5, s.emb)
    first, second = single_layers(model.lstm)  # built first: module init consumes torch's RNG
    with torch.no_grad():
        torch.manual_seed(5)
        fused, _ = model.lstm(x)
        torch.manual_seed(5)
        y, _ = first(x)
        y, _ = second(torch.nn.functional.dropout(y, s.dropout, training=True))
    np.testing.assert_allclose(fused.numpy(), y.numpy(), atol=1e-6, rtol=0)
    assert app_run.plan_of(s).layers[0].between == s.dropout
