"""Parity without the frameworks: the engine against stored Keras 3 / PyTorch outputs.

golden/*.npz were computed by the frameworks themselves (make_golden.py) with the masks this
engine draws for each case's state. A failure means the numbers or the masks of a link have
changed: a link shared before would no longer show what it showed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.documents import run as app_run
from tests.parity.cases import KERAS_CASES, TF_CASES, TORCH_CASES, state

GOLDEN = Path(__file__).parent / "golden"
META = json.loads((GOLDEN / "meta.json").read_text())


def test_every_case_has_a_fixture():
    assert set(META["cases"]) == set(KERAS_CASES) | set(TORCH_CASES) | set(TF_CASES)
    assert META["torch"].startswith("2.13.0") and META["keras"].startswith("3.")
    assert META["tensorflow"].startswith("2.15")


@pytest.mark.parametrize("name", sorted(META["cases"]))
def test_engine_matches_stored_framework_output(name):
    case = META["cases"][name]
    stored = state(case["query"])  # the fixture's state (a version-1 link)
    assert stored == state({**KERAS_CASES, **TORCH_CASES, **TF_CASES}[name])
    tr = app_run.run(stored)
    gold = np.load(GOLDEN / f"{name}.npz")
    for n, lt in enumerate(tr.layers):
        np.testing.assert_allclose(lt.h, gold[f"h{n}"], atol=1e-5, rtol=0)
        if f"c{n}" in gold:
            np.testing.assert_allclose(lt.c, gold[f"c{n}"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(tr.layers[-1].c[-1], gold["c_last"], atol=1e-5, rtol=0)
    if "probability" in gold:  # the whole model ran in the framework (not so for tf.keras 2)
        assert tr.probability == pytest.approx(float(gold["probability"]), abs=1e-5)
