"""Live: every line /api/code writes for tf.keras 2 runs in TF 2.15.1 (.venv-tf) and does what
the plan says.

For every code case (cases.CODE_CASES) the generated code builds its model, gets the state's
weights, and runs one model.fit step and one eager call model(x, training=True) (at inference one
call with training=False), every mask TF asks for answered with the engine's (tf_reference.py,
masks.MaskServer): a mask TF draws otherwise than the plan (sharing, timing, count) is an error.
Inside model.fit, and in the eager call unless the code says that it holds under model.fit only,
the output is the engine's to 1e-5 and the way TF drew each mask (per gate or shared, per step or
per sequence) the plan's. The code that needs its custom layer runs that layer. All the runs are
one batch of jobs, one process per CPU.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from app.codegen import code, recipes
from app.documents import run as app_run
from tests.parity import generated
from tests.parity.cases import CODE_CASES, code_state
from tests.parity.test_codegen_live import planned
from tests.parity.tf import TF_PYTHON, run_parallel

pytestmark = pytest.mark.parity
ATOL = 1e-5


@pytest.fixture(scope="module")
def tf_runs():
    """Every case's run, each distinct job (code, weights and masks) run once: presets that resolve
    to the same plan and code (keras3, tfkeras2, gal-untied at recurrent_dropout > 0, ...) share one."""
    if not TF_PYTHON.exists():
        pytest.skip(f"no TF environment at {TF_PYTHON} (.ci/run makes it: tensorflow-cpu==2.15.1)")
    jobs, key_of = {}, {}
    for name in CODE_CASES:
        job = generated.tf_job(code_state(name))
        key = hashlib.sha256(b"".join(k.encode() + np.asarray(v).tobytes() for k, v in sorted(job.items())))
        key_of[name] = key.hexdigest()[:16]
        jobs[key_of[name]] = job
    runs = run_parallel(jobs)
    return {name: runs[key] for name, key in key_of.items()}


def as_seen(plan_seen: dict) -> dict:
    return {kind: {str(n): how for n, how in layers.items()} for kind, layers in plan_seen.items()}


@pytest.mark.parametrize("case", sorted(CODE_CASES))
def test_generated_tfkeras2_code_draws_the_planned_masks(tf_runs, case):
    s = code_state(case)
    tr = app_run.run(s)
    plan = app_run.plan_of(s)
    out = tf_runs[case]
    fit_only = recipes.tfkeras2(plan.layers[0]).fit_only and not code(s)["fidelity"]["tfkeras2"]["custom"]
    last = tr.layers[-1].h[-1] * (tr.output_mask.multiplier if s.train else 1)
    for mode in ("fit", "eager") if s.train else ("infer",):
        run = out[mode]
        if mode == "eager" and fit_only:  # said in the code: an eager call draws these once per call
            assert "once per call; the plan has" in run["error"]
            continue
        assert "error" not in run, f"{mode}: {run.get('error')}"
        inputs, (p,) = run["dense"][0][0], run["dense"][1][0]
        np.testing.assert_allclose(inputs, last, atol=ATOL, rtol=0, err_msg=mode)
        assert p == pytest.approx(tr.probability, abs=ATOL), mode
        if s.train:
            assert run["seen"] == as_seen(planned(plan)), mode
    masked = "MaskedLSTM" in code(s)["fidelity"]["tfkeras2"]["custom"]
    assert out["lstm_layers"] == ["MaskedLSTM" if masked else "LSTM"] * s.layers  # the custom layer is what ran
