"""/api/grads: gradients through time, as the training engine computes them."""

from __future__ import annotations

import json

import numpy as np

from app.core.encoding import decode
from app.documents.trace import trace_json
from app.documents.weights import weight_grads_json
from app.link.state import parse


def test_grads_are_the_engines_and_masks_block_the_backward_pass(client):
    body = client.get("/api/grads?seed=4&label=1").json()
    trace = json.loads(trace_json(parse("seed=4")))
    grad = decode(body["embedding"]["grad"])  # (T, E)
    mask = decode(trace["embedding"]["mask"])  # (T, E) keep-bits
    assert grad.shape == mask.shape
    assert (grad[mask == 0] == 0).all()  # a dropped element gets exactly zero gradient
    assert (grad[mask == 1] != 0).mean() > 0.9  # kept here, but all four gate masks of the cell may drop it
    # the same numbers as the weights' gradient of `dropout-lab grads`: rows of E summed by word
    weights = json.loads(weight_grads_json(parse("seed=4"), 1))
    assert body["loss"] == weights["loss"] and body["probability"] == weights["probability"]
    d_embedding = decode(weights["embedding"])
    tokens = [t["id"] for t in trace["tokens"]]
    by_word = np.zeros_like(d_embedding)
    np.add.at(by_word, tokens, grad)
    np.testing.assert_allclose(by_word, d_embedding, atol=1e-7)


def test_without_dropout_nothing_is_blocked(client):
    body = client.get("/api/grads?seed=4&label=1").json()
    free = body["without_dropout"]
    assert (decode(free["embedding"]["grad"]) != 0).mean() > 0.99
    assert len(body["layers"]) == len(free["layers"]) == 1
    dh, dh_free = decode(body["layers"][0]["dh_norm"]), decode(free["layers"][0]["dh_norm"])
    assert dh.shape == dh_free.shape == (11,) and (dh > 0).all() and not np.array_equal(dh, dh_free)


def test_label_defaults_to_the_rule_and_is_bounded(client):
    assert client.get("/api/grads").json()["label"] == 1  # the default sentence is positive
    body = client.get("/api/grads?text=not good&label=1").json()
    assert body["label"] == 1 and body["rule_label"] == 0
    assert client.get("/api/grads?text=not good").json()["label"] == 0
    r = client.get("/api/grads?label=2&label=1")
    assert r.status_code == 422 and {p["field"] for p in r.json()["problems"]} == {"label"}
    assert client.get("/api/grads?phase=infer").json()["notes"][-1].startswith("phase=infer")
