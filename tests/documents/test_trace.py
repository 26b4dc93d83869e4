"""Trace format version 1: fields, shapes, encodings, determinism."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from app.core.encoding import decode
from app.documents.trace import trace_json
from app.documents.weights import weights_json
from app.link.state import parse


def load(query: str) -> dict:
    return json.loads(trace_json(parse(query)))


def test_top_level_fields():
    t = load("")
    assert list(t) == ["version", "state", "config", "plan", "tokens", "unknown_words", "embedding", "layers", "output"]
    assert t["unknown_words"] == [] and load("text=the zebra was good")["unknown_words"] == ["zebra"]
    assert t["version"] == 1 and t["state"] == "v=3"
    assert t["config"]["units"] == 100 and t["config"]["steps"] == len(t["tokens"]) == 11
    assert t["tokens"][3] == {"id": 48, "word": "not"}
    assert 0 < t["output"]["probability"] < 1
    for name in ("embedding", "input", "recurrent"):
        assert {"active", "rate", "sharing", "timing", "source", "notes"} <= set(t["plan"]["masks"][name])


def test_shapes_and_dtypes_of_every_array():
    t = load(
        "layers=2&preset=custom&candidate_dropout=0.2&zoneout_c=0.1&zoneout_h=0.1&weight_drop=0.3&emb=8&units=6&weights=random"
    )
    T = len(t["tokens"])
    assert t["embedding"]["x"]["shape"] == f"{T}, 8" and t["embedding"]["mask"]["dtype"] == "u1"
    assert t["embedding"]["mask_scale"] == pytest.approx(4 / 3)
    for n, layer in enumerate(t["layers"]):
        assert layer["x"]["shape"] == f"{T}, {8 if n == 0 else 6}"
        m = layer["masks"]
        assert m["input"]["shape"] == f"{T}, 4, {8 if n == 0 else 6}" and m["input"]["dtype"] == "u1"
        assert m["recurrent"]["shape"] == f"{T}, 4, 6"
        for name in ("candidate", "zoneout_c", "zoneout_h"):
            assert m[name]["shape"] == f"{T}, 6" and f"{name}_scale" in m
        assert m["weight_drop"]["shape"] == "6, 24"
        assert m["input_scale"] == 2.0
        assert list(layer["gates"]) == ["i", "f", "g", "o"]
        for g in layer["gates"].values():
            assert g["dtype"] == "f4" and g["shape"] == f"{T}, 6"
        assert layer["c"]["shape"] == layer["h"]["shape"] == f"{T}, 6"


def test_the_forum_answers_masks_are_in_the_trace():
    """Preset forum: layers[n].masks.gate_output (T, 4, H) keep-bits in gate order i, f, g, o, with
    gate_output_scale 1/(1 - dropout/2); h = o' tanh(c) with o' = o * its mask (gates recorded before it)."""
    t = load("preset=forum&dropout=0.5&layers=2&emb=8&units=6&weights=random&seed=4")
    T = len(t["tokens"])
    for layer in t["layers"]:
        m = layer["masks"]
        assert m["gate_output"]["shape"] == f"{T}, 4, 6" and m["gate_output"]["dtype"] == "u1"
        assert m["gate_output_scale"] == pytest.approx(4 / 3)
        keep = decode(m["gate_output"])
        assert (keep == 0).any() and (keep == 1).any()
        assert decode(m["input"]).all()  # x(t) is not masked
        o, c, h = decode(layer["gates"]["o"]), decode(layer["c"]), decode(layer["h"])
        np.testing.assert_allclose(h, o * keep[:, 3] * np.float32(m["gate_output_scale"]) * np.tanh(c), atol=1e-6)
    assert "gate_output" in t["plan"]["masks"] and t["plan"]["masks"]["gate_output"]["rate"] == 0.25
    assert "gate_output" not in load("preset=keras3&emb=8&units=6&weights=random")["layers"][0]["masks"]
    infer = load("preset=forum&phase=infer&emb=8&units=6&weights=random")["layers"][0]["masks"]
    assert decode(infer["gate_output"]).all() and infer["gate_output_scale"] == 1.0


def test_layer_input_is_the_embedding_after_its_dropout():
    t = load("emb_dropout=0.4&emb=8&weights=random")
    e, keep = decode(t["embedding"]["x"]), decode(t["embedding"]["mask"])
    x = decode(t["layers"][0]["x"])
    np.testing.assert_allclose(x, e * keep * np.float32(t["embedding"]["mask_scale"]), rtol=1e-6)
    assert (keep == 0).any()


def test_decoded_h_is_o_tanh_c():
    layer = load("units=7&weights=random")["layers"][0]
    o, c, h = decode(layer["gates"]["o"]), decode(layer["c"]), decode(layer["h"])
    np.testing.assert_allclose(h, o * np.tanh(c), atol=1e-6)


def test_same_state_same_bytes_and_other_seed_other_masks():
    a = trace_json(parse("seed=5"))
    # the same state spelled otherwise: defaults given explicitly, other number forms, other order
    assert trace_json(parse("emb_dropout=.25&dropout=0.50&seed=05&v=3")) == a
    # a state that differs in one rate: other masks and other numbers, same embedding lookup
    other = load("dropout=0.3&seed=5")
    ta = json.loads(a)
    assert other["layers"][0]["masks"]["input"] != ta["layers"][0]["masks"]["input"]
    assert other["layers"][0]["h"] != ta["layers"][0]["h"]
    assert other["embedding"] == ta["embedding"]  # embedding dropout untouched by the LSTM's rate
    tc = load("seed=6")
    assert ta["layers"][0]["masks"]["input"] != tc["layers"][0]["masks"]["input"]
    assert ta["embedding"]["x"] == tc["embedding"]["x"]  # same weights, other masks


def test_other_knob_leaves_other_masks_alone():
    a, b = load("seed=3"), load("seed=3&recurrent_dropout=0.2")
    assert a["embedding"]["mask"] == b["embedding"]["mask"]


def test_same_bytes_in_another_process():
    query = "seed=9&len=40&layers=2"
    out = subprocess.run(
        [sys.executable, "-m", "app", "trace", query], capture_output=True, text=True, check=True
    ).stdout
    assert out == trace_json(parse(query)) + "\n"


def test_weights_json():
    w = json.loads(weights_json(parse("layers=2&units=6&emb=8&weights=random")))
    assert w["embedding"]["shape"] == "64, 8"
    assert [lw["kernel"]["shape"] for lw in w["layers"]] == ["8, 24", "6, 24"]
    assert w["layers"][1]["recurrent_kernel"]["shape"] == "6, 24"
    assert "shape" not in w["layers"][0]["bias"] and decode(w["layers"][0]["bias"]).shape == (24,)
    assert w["dense_kernel"]["shape"] == "6, 1" and decode(w["dense_bias"]).shape == (1,)
