"""The figures: the masks over time hold the trace's masks, the gates its gates; B beside A."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.core.encoding import decode
from dropout_lab import explain
from tests.dropout_lab.page_trace import GATE_KEYS, load

SEED_COMPARE = "len=498&vs.emb_dropout=0"  # the seed's question: A with Dropout(0.25), B without


def heatmaps(fig: go.Figure) -> dict[str, np.ndarray]:
    return {h.name: np.asarray(h.z) for h in fig.data if isinstance(h, go.Heatmap)}


def test_count_and_kinds():
    single = explain("len=498").figures()
    assert len(single) == 2
    assert all(isinstance(t, go.Heatmap) for t in single[0].data)
    assert all(isinstance(t, go.Scatter) for t in single[1].data)
    compared = explain(SEED_COMPARE).figures()
    assert len(compared) == 3
    assert compared[0].layout.title.text.startswith("Model A: the masks over time")
    assert compared[1].layout.title.text.startswith("Model B: the masks over time")


def test_mask_heatmaps_are_the_traces_masks_last_60_steps():
    a, b, _ = explain(SEED_COMPARE).figures()
    trace = load("len=498")
    emb = decode(trace["embedding"]["mask"])
    masks = trace["layers"][0]["masks"]
    x, h = decode(masks["input"]), decode(masks["recurrent"])
    got = heatmaps(a)
    assert list(got) == ["embedding", *(f"x:{g}" for g in GATE_KEYS), *(f"h:{g}" for g in GATE_KEYS)]
    np.testing.assert_array_equal(got["embedding"], emb[-60:])
    for k, g in enumerate(GATE_KEYS):
        np.testing.assert_array_equal(got[f"x:{g}"], x[-60:, k])
        np.testing.assert_array_equal(got[f"h:{g}"], h[-60:, k])
    steps = np.asarray(a.data[0].y)
    np.testing.assert_array_equal(steps, np.arange(438, 498))
    assert "the last 60 of 498 steps; the first 487 steps are padding" in a.layout.title.text
    assert "embedding" not in heatmaps(b)  # B has no Dropout after the Embedding
    b_trace = load("len=498&emb_dropout=0")
    np.testing.assert_array_equal(heatmaps(b)["x:g"], decode(b_trace["layers"][0]["masks"]["input"])[-60:, 2])


def test_a_short_sentence_shows_every_step():
    masks, _ = explain("?").figures()  # the default state
    assert "11 steps" in masks.layout.title.text and "last" not in masks.layout.title.text
    np.testing.assert_array_equal(np.asarray(masks.data[0].y), np.arange(11))


def test_gates_of_a_few_units_a_solid_b_dashed():
    fig = explain(SEED_COMPARE).figures()[-1]
    a, b = load("len=498"), load("len=498&emb_dropout=0")
    by_name = {}
    for tr in fig.data:
        by_name.setdefault(tr.name, []).append(tr)
    assert set(by_name) == {f"{m} unit {u}" for m in "AB" for u in range(3)}
    for model, trace, dash in (("A", a, "solid"), ("B", b, "dash")):
        series = by_name[f"{model} unit 1"]  # i, f, g, o, c, h in that order
        assert [s.line.dash for s in series] == [dash] * 6
        layer = trace["layers"][0]
        for s, key in zip(series, ["i", "f", "g", "o"], strict=False):
            np.testing.assert_allclose(np.asarray(s.y), decode(layer["gates"][key])[-60:, 1])
        np.testing.assert_allclose(np.asarray(series[4].y), decode(layer["c"])[-60:, 1])
        np.testing.assert_allclose(np.asarray(series[5].y), decode(layer["h"])[-60:, 1])
    assert "(A solid, B dashed)" in fig.layout.title.text


def test_two_layers_each_get_their_row():
    fig = explain("preset=pytorch&layers=2&dropout=0.5&recurrent_dropout=0&emb_dropout=0").figures()[0]
    trace = load("preset=pytorch&layers=2&dropout=0.5&recurrent_dropout=0&emb_dropout=0")
    got = heatmaps(fig)
    assert list(got) == ["between"]
    np.testing.assert_array_equal(got["between"], decode(trace["layers"][0]["masks"]["between"]))
    assert [a.text for a in fig.layout.annotations] == ["between (layer 2)"]


def test_at_inference_no_mask_is_drawn():
    fig = explain("len=498", phase="infer").figures()[0]
    assert heatmaps(fig) == {}
    assert fig.layout.annotations[0].text == "No masks: at inference no mask is drawn."
