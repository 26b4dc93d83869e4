"""Live parity with tf.keras 2 (TF 2.15.1), run in its own environment (.venv-tf).

What the tfkeras2 and tfkeras2-fit presets teach, checked against TF itself:

- an eager call: with recurrent_dropout = 0 the layer asks for ONE mask over the whole (batch,
  time, features) input, a fresh one at every step; with recurrent_dropout > 0 implementation 1
  asks for four (batch, features) masks for x and four for h, once per call. The engine's four
  per-gate masks go in as they are (they differ), and our numbers are TF's.
- model.fit (tf.function, unroll=False) on the seed's model: recurrent_dropout = 0 draws the
  same one mask over the sequence; recurrent_dropout = 0.5 creates the cell's four input and
  four recurrent masks inside the while-loop body, so they are drawn again at every step (T
  draws, all different, four different masks in each). With the engine's tfkeras2-fit masks
  injected step by step, model.fit gives the engine's h at every step and its output. With
  unroll=True model.fit draws them once per call (what the generated code uses for per-sequence
  plans).

All TF runs of this module are one batch of jobs (tf.py), run once.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.documents import run as app_run
from app.link.state import parse
from tests.parity import generated
from tests.parity.cases import state
from tests.parity.tf import TF_PYTHON, layer_job, run_parallel

pytestmark = pytest.mark.parity
ATOL = 1e-5

SEED = "weights=random&emb=8&units=6&seed=4&emb_dropout=0.25&dropout=0.5"  # T = 11 (the default text)
# The seed's model with every h returned (return_sequences does not change the masks), for h per step.
SEED_CODE = """import tensorflow as tf
from tensorflow.keras import layers

tokens = tf.keras.Input(shape=({steps},), dtype="int32")
x = layers.Embedding({vocab}, {emb})(tokens)
x = layers.Dropout({emb_dropout})(x)
h = layers.LSTM({units}, dropout={dropout}, recurrent_dropout={recurrent_dropout}, return_sequences=True)(x)
p = layers.Dense(1, activation="sigmoid")(h[:, -1])
model = tf.keras.Model(tokens, p)
model.compile(loss="binary_crossentropy", optimizer="rmsprop")
"""
LAYER_CASES = {
    "default_path": "preset=tfkeras2&recurrent_dropout=0&dropout=0.4&emb=8&units=6&seed=4&len=20",
    "implementation_1": "preset=tfkeras2&dropout=0.3&recurrent_dropout=0.5&emb=8&units=6&seed=5",
    "seed_size": "preset=tfkeras2&recurrent_dropout=0&len=200&seed=9",
}


def seed_state(preset: str, rd: str):
    return parse(f"{SEED}&preset={preset}&recurrent_dropout={rd}")


def seed_code(s) -> str:
    fields = {k: getattr(s, k) for k in ("vocab", "emb", "units", "emb_dropout", "dropout", "recurrent_dropout")}
    return SEED_CODE.format(steps=len(s.sequence()), **fields)


def jobs() -> dict:
    out = {name: layer_job(state(q)) for name, q in LAYER_CASES.items()}
    for rd in ("0", "0.5"):
        fit = seed_state("tfkeras2-fit", rd)
        # TF's own draws on the seed's model as the generated code writes it (no unroll), batch 2
        out[f"record-{rd}"] = generated.tf_job(fit, "fit,eager", record=True, batch=2)
        # the engine's tfkeras2-fit masks: every h, and the generated code itself
        out[f"fit-{rd}"] = generated.tf_job(fit, "fit", source=seed_code(fit))
        out[f"fit-code-{rd}"] = generated.tf_job(fit, "fit,eager")
    plain = seed_state("tfkeras2", "0")  # recurrent_dropout = 0, the layer's default implementation, unroll=True
    unrolled = seed_code(plain).replace("return_sequences=True)", "return_sequences=True, unroll=True)")
    out["record-unroll-0"] = generated.tf_job(plain, "fit,eager", record=True, batch=2, source=unrolled)
    eager = seed_state("tfkeras2", "0.5")
    out["record-unroll"] = generated.tf_job(eager, "fit,eager", record=True, batch=2)  # unroll=True
    out["eager-masks-in-fit"] = generated.tf_job(eager, "fit,eager", source=seed_code(eager))
    return out


@pytest.fixture(scope="module")
def tf_runs():
    if not TF_PYTHON.exists():
        pytest.skip(f"no TF environment at {TF_PYTHON} (.ci/run makes it: tensorflow-cpu==2.15.1)")
    return run_parallel(jobs())


def requests(run: dict, kind: str, context: str | None = None) -> list[dict]:
    return [r for r in run["requests"] if r["kind"] == kind and context in (None, r["context"])]


def layer_run(tf_runs, name):
    run = tf_runs[name]["eager"]
    assert "error" not in run, run.get("error")
    sequence, c = run["outputs"]
    return run, np.asarray(sequence, dtype=np.float32)[0], np.asarray(c, dtype=np.float32)[0]


def test_default_path_masks_every_step(tf_runs):
    s = state(LAYER_CASES["default_path"])
    run, h, c = layer_run(tf_runs, "default_path")
    tr = app_run.run(s)
    assert tf_runs["default_path"]["tf_version"].startswith("2.15")
    (request,) = run["requests"]  # one (batch, time, features) mask
    assert (request["kind"], request["rank"], request["shape"], request["count"]) == ("input", 3, [1, 20, 8], 4)
    assert run["seen"] == {"input": {"0": {"gates": 1, "per_step": True}}}
    np.testing.assert_allclose(tr.layers[0].h, h, atol=ATOL, rtol=0)
    np.testing.assert_allclose(tr.layers[0].c[-1], c, atol=ATOL, rtol=0)


def test_recurrent_dropout_takes_implementation_1_with_four_distinct_masks(tf_runs):
    """TF asks for four masks, one per gate; the engine's four go in as they are, and they differ.
    An engine drawing one shared mask fails here (masks.MaskServer.cell)."""
    s = state(LAYER_CASES["implementation_1"])
    run, h, c = layer_run(tf_runs, "implementation_1")
    tr = app_run.run(s)
    assert tf_runs["implementation_1"]["implementation"] == [1]
    asked = {(r["kind"], r["context"], r["rank"], tuple(r["shape"]), r["count"]) for r in run["requests"]}
    assert asked == {("input", "eager", 2, (1, 8), 4), ("recurrent", "eager", 2, (1, 6), 4)}
    per_gate = {"gates": 4, "per_step": False}
    assert run["seen"] == {"input": {"0": per_gate}, "recurrent": {"0": per_gate}}
    for kind in ("input", "recurrent"):
        keep = tr.layers[0].masks[kind].keep  # (1, 4, D): what went in
        assert keep.shape[:2] == (1, 4)
        assert len({keep[0, k].tobytes() for k in range(4)}) == 4, f"the four {kind} masks must differ"
    np.testing.assert_allclose(tr.layers[0].h, h, atol=ATOL, rtol=0)
    np.testing.assert_allclose(tr.layers[0].c[-1], c, atol=ATOL, rtol=0)


def test_seed_size(tf_runs):
    _run, h, _c = layer_run(tf_runs, "seed_size")
    np.testing.assert_allclose(app_run.run(state(LAYER_CASES["seed_size"])).layers[0].h, h, atol=ATOL, rtol=0)


def test_model_fit_redraws_the_cell_masks_at_every_step(tf_runs):
    """recurrent_dropout 0.5, model.fit: the four input and four recurrent masks are made in the
    while-loop body: drawn at each of the T steps, every draw different, four masks in each.
    The eager call draws them once for the T steps."""
    steps = len(seed_state("tfkeras2-fit", "0.5").sequence())
    fit, eager = tf_runs["record-0.5"]["fit"], tf_runs["record-0.5"]["eager"]
    for kind, dim in (("input", 8), ("recurrent", 6)):
        (loop,) = [r for r in requests(fit, kind, "loop") if r["executed"]]
        assert (loop["count"], loop["shape"][-1], loop["implementation"]) == (4, dim, 1)
        assert (loop["executed"], loop["distinct_draws"], loop["distinct_gate_masks"]) == (steps, steps, 4)
        assert loop["values"] == [0.0, 2.0]  # rate 0.5: 0 or 1/(1-0.5)
        assert all(r["executed"] <= 1 for r in requests(fit, kind, "probe"))  # before the loop, unused
        (once,) = requests(eager, kind, "eager")  # TF's cache: one draw for the whole call
        assert (once["executed"], once["distinct_gate_masks"]) == (1, 4)


def test_default_path_draws_one_mask_over_the_sequence_in_fit_and_eager(tf_runs):
    steps = len(seed_state("tfkeras2-fit", "0").sequence())
    for mode in ("fit", "eager"):
        run = tf_runs["record-0"][mode]
        (drawn,) = [r for r in run["requests"] if r["executed"]]
        assert (drawn["kind"], drawn["rank"], drawn["count"], drawn["executed"]) == ("input", 3, 4, 1)
        assert drawn["mask_shape"] == [2, steps, 8]  # (batch, time, features): a fresh bit every step
        assert not requests(run, "recurrent")


@pytest.mark.parametrize("rd", ["0", "0.5"])
def test_model_fit_on_the_engine_masks_gives_tfkeras2_fit_numbers(tf_runs, rd):
    """One model.fit step with the engine's tfkeras2-fit masks, step by step: TF's h at every
    step and its output are the engine's. (The masks TF makes before the loop are NaN here.)"""
    s = seed_state("tfkeras2-fit", rd)
    tr = app_run.run(s)
    fit = tf_runs[f"fit-{rd}"]["fit"]
    assert "error" not in fit, fit.get("error")
    np.testing.assert_allclose(np.asarray(fit["h"][0]), tr.layers[0].h, atol=ATOL, rtol=0)
    assert fit["dense"][1][0][0] == pytest.approx(tr.probability, abs=ATOL)
    per_step = {"gates": 4 if rd == "0.5" else 1, "per_step": True}
    assert fit["seen"]["input"] == {"0": per_step}
    code_fit = tf_runs[f"fit-code-{rd}"]["fit"]  # the generated code itself: Sequential, last h only
    np.testing.assert_allclose(code_fit["dense"][0][0], tr.layers[0].h[-1], atol=ATOL, rtol=0)
    assert code_fit["dense"][1][0][0] == pytest.approx(tr.probability, abs=ATOL)
    eager = tf_runs[f"fit-code-{rd}"]["eager"]
    if rd == "0.5":  # an eager call draws once per call: not what tfkeras2-fit shows
        assert "the framework draws 4 mask(s) once per call" in eager["error"]
    else:
        assert eager["dense"][1][0][0] == pytest.approx(tr.probability, abs=ATOL)


def test_unroll_true_keeps_per_sequence_masks_under_fit(tf_runs):
    """The generated tfkeras2 code (unroll=True): model.fit draws each mask once for the T steps."""
    fit = tf_runs["record-unroll"]["fit"]
    for kind in ("input", "recurrent"):
        drawn = [r for r in requests(fit, kind) if r["executed"]]
        assert [(r["context"], r["executed"], r["distinct_gate_masks"]) for r in drawn] == [("graph", 1, 4)]


def test_model_fit_without_unroll_is_not_the_eager_preset(tf_runs):
    """The tfkeras2 (eager) masks, once per sequence, cannot be what model.fit draws without unroll."""
    run = tf_runs["eager-masks-in-fit"]
    assert "the framework draws 4 mask(s) at every step" in run["fit"]["error"]
    tr = app_run.run(seed_state("tfkeras2", "0.5"))  # while an eager call gives its numbers
    np.testing.assert_allclose(np.asarray(run["eager"]["h"][0]), tr.layers[0].h, atol=ATOL, rtol=0)
    assert run["eager"]["dense"][1][0][0] == pytest.approx(tr.probability, abs=ATOL)


def test_unroll_true_keeps_one_input_mask_at_recurrent_dropout_0(tf_runs):
    """recurrent_dropout = 0 with unroll=True (implementation 2): not the cuDNN-compatible path's
    (batch, time, features) mask but one (batch, features) mask drawn once for the T steps, in
    model.fit and in an eager call alike: what the tfkeras2 preset (unroll=False) does not show."""
    for mode in ("fit", "eager"):
        run = tf_runs["record-unroll-0"][mode]
        (drawn,) = [r for r in run["requests"] if r["executed"]]
        assert (drawn["kind"], drawn["rank"], drawn["implementation"], drawn["executed"]) == ("input", 2, 2, 1)
        assert drawn["mask_shape"] == [2, 8] and drawn["distinct_draws"] == 1
        assert not requests(run, "recurrent")
