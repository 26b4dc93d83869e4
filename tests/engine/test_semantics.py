"""Mask semantics per preset: what is shared by the gates, what is constant over time, what
is absent. Checked on the full-shape masks of real traces (what the pages plot)."""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np
import pytest

from app.documents import run as app_run
from app.documents import trace as app_trace
from app.documents.trace import expand_mask
from app.link.state import parse

BASE = "emb=12&units=10&len=30&emb_dropout=0&weights=random"


def state(query: str):
    """BASE overridden by query (later values win)."""
    pairs = dict(parse_qsl(BASE)) | dict(parse_qsl(query))
    return parse(list(pairs.items()))


def masks(query: str, layer: int = 0) -> dict[str, np.ndarray]:
    tr = app_run.run(state(query))
    steps = len(tr.tokens)
    return {name: expand_mask(m, steps) for name, m in tr.layers[layer].masks.items()}


def absent(m):
    return bool((m == 1).all())


def shared(m):  # the four gates see the same mask
    return bool((m == m[:, :1]).all())


def constant(m):  # the same mask at every step
    return bool((m == m[:1]).all())


# (query, input: "absent" | (shared, constant), recurrent: same)
TABLE = [
    ("preset=keras3", (False, True), (False, True)),
    ("preset=keras3&recurrent_dropout=0", (True, True), "absent"),
    ("preset=keras3&dropout=0", "absent", (False, True)),
    ("preset=keras3-legacy", (True, True), (True, True)),
    ("preset=tfkeras2&recurrent_dropout=0", (True, False), "absent"),
    ("preset=tfkeras2", (False, True), (False, True)),
    ("preset=tfkeras2-fit&recurrent_dropout=0", (True, False), "absent"),
    ("preset=tfkeras2-fit", (False, False), (False, False)),
    ("preset=pytorch&recurrent_dropout=0", "absent", "absent"),
    ("preset=gal-tied", (True, True), (True, True)),
    ("preset=gal-untied", (False, True), (False, True)),
    ("preset=zaremba&recurrent_dropout=0", (True, False), "absent"),
    ("preset=semeniuta&recurrent_dropout=0&candidate_dropout=0.3", (True, False), "absent"),
    ("preset=awd&recurrent_dropout=0&weight_drop=0.5", (True, True), "absent"),
    ("preset=custom&in_share=gate&in_time=step&rec_share=shared&rec_time=step", (False, False), (True, False)),
    ("preset=custom&in_share=shared&in_time=seq&rec_share=gate&rec_time=seq", (True, True), (False, True)),
]


@pytest.mark.parametrize(("query", "inp", "rec"), TABLE)
def test_sharing_timing_absence(query, inp, rec):
    m = masks(query)
    for name, want in (("input", inp), ("recurrent", rec)):
        if want == "absent":
            assert absent(m[name]), name
        else:
            assert not absent(m[name]), name
            assert (shared(m[name]), constant(m[name])) == want, name


def test_keras3_four_masks_really_differ():
    m = masks("preset=keras3")
    for name in ("input", "recurrent"):
        assert len({m[name][0, k].tobytes() for k in range(4)}) == 4


def test_pytorch_between_on_all_layers_but_the_last():
    q = "preset=pytorch&recurrent_dropout=0&layers=3&dropout=0.4"
    for n in range(3):
        m = masks(q, n)
        assert absent(m["input"]) and absent(m["recurrent"])
        assert ("between" in m) == (n < 2)
        if n < 2:
            assert not constant(m["between"]) and not absent(m["between"])
    tr = app_run.run(state(q))
    between = tr.layers[0].masks["between"]
    np.testing.assert_allclose(tr.layers[1].x, tr.layers[0].h * between.keep * np.float32(between.scale))


def test_pytorch_single_layer_drops_nothing_and_says_so():
    m = masks("preset=pytorch&recurrent_dropout=0&dropout=0.5")
    assert set(m) == {"input", "recurrent"} and absent(m["input"]) and absent(m["recurrent"])
    plan = app_trace.plan_json(parse("preset=pytorch&recurrent_dropout=0"))
    assert any("non-zero dropout expects num_layers greater than 1" in n for n in plan["notes"])
    assert plan["masks"]["between"]["active"] is False


def test_semeniuta_candidate_and_custom_zoneout_weight_drop():
    m = masks("preset=semeniuta&recurrent_dropout=0&candidate_dropout=0.3")
    assert not constant(m["candidate"]) and not absent(m["candidate"])
    m = masks("preset=custom&zoneout_c=0.2&zoneout_h=0.1&weight_drop=0.3&candidate_dropout=0.2")
    assert {"candidate", "zoneout_c", "zoneout_h", "weight_drop"} <= set(m)
    assert m["weight_drop"].shape == (10, 40)


@pytest.mark.parametrize(
    "query",
    [
        "preset=keras3",
        "preset=tfkeras2&recurrent_dropout=0",
        "preset=pytorch&recurrent_dropout=0&layers=2",
        "preset=custom&candidate_dropout=0.3&weight_drop=0.2&in_time=step",
        "preset=awd&recurrent_dropout=0&weight_drop=0.4&emb_mode=word",
    ],
)
def test_inference_drops_nothing(query):
    tr = app_run.run(state(f"{query}&phase=infer&emb_dropout=0.3"))
    assert (tr.embedding_mask.keep == 1).all() and tr.embedding_mask.scale == 1.0
    np.testing.assert_array_equal(tr.layers[0].x, tr.embedding)
    for lt in tr.layers:
        for mask in lt.masks.values():
            assert (mask.keep == 1).all() and mask.scale == 1.0
    plan = app_trace.plan_json(parse(f"{query}&phase=infer"))
    assert not any(m["active"] for m in plan["masks"].values())


def test_inference_equals_no_dropout():
    a = app_run.run(state("phase=infer"))
    b = app_run.run(state("dropout=0&recurrent_dropout=0"))
    np.testing.assert_array_equal(a.layers[0].h, b.layers[0].h)


def test_zoneout_at_inference_uses_the_expectation():
    tr = app_run.run(state("preset=custom&dropout=0&recurrent_dropout=0&zoneout_c=0.25&phase=infer"))
    zc = tr.layers[0].masks["zoneout_c"]
    assert (zc.keep == 1).all() and zc.scale == pytest.approx(0.75)
    free = app_run.run(state("preset=custom&dropout=0&recurrent_dropout=0&phase=infer"))
    assert not np.allclose(tr.layers[0].c, free.layers[0].c)


@pytest.mark.parametrize(("mode", "const"), [("standard", False), ("spatial", True), ("word", None)])
def test_embedding_modes(mode, const):
    tr = app_run.run(state(f"emb_dropout=0.5&emb_mode={mode}&text=good bad good not good bad&len=0"))
    keep = tr.embedding_mask.keep
    if const is not None:
        assert bool((keep == keep[:1]).all()) == const
    else:  # word: one bit per word type, the same for every feature
        assert ((keep == keep[:, :1]).all(axis=1)).all()
        for tok in set(tr.tokens.tolist()):
            rows = keep[tr.tokens == tok]
            assert (rows == rows[:1]).all()


def test_effective_keep_probability_of_the_seed():
    plan = app_trace.plan_json(parse(""))
    assert plan["effective"]["keep"] == pytest.approx(0.375)
    assert plan["effective"]["scale"] == pytest.approx(8 / 3)
    assert "0.75 x 0.5 = 0.375" in plan["effective"]["text"]
