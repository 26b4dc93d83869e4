"""The plain verdict follows the state, and says nothing the state contradicts."""

from __future__ import annotations

import pytest

from app.documents.trace import plan_json
from app.link.state import parse


def verdict(query: str) -> dict:
    return plan_json(parse(query))["verdict"]


def text(v: dict) -> str:
    return " ".join([v["answer"], *(p["text"] for p in v["points"]), v["difference"]])


def test_the_seed_state_says_no_in_three_ways():
    v = verdict("")
    assert v["answer"].startswith("No")
    assert [p["key"] for p in v["points"]] == ["where", "when", "compound"]
    assert "before each gate's weights" in v["points"][0]["text"] and "h(t-1)" in v["points"][0]["text"]
    assert "embedding mask is drawn afresh at every step" in v["points"][1]["text"]
    assert "once per sequence" in v["points"][1]["text"]
    assert "0.75 x 0.5 = 0.375" in v["points"][2]["text"] and "2.667" in v["points"][2]["text"]
    assert "h moves by up to" in v["difference"] and "without dropout" in v["difference"]
    jargon = ("implementation 1", "cuDNN", "PR #", "training=False")
    assert not any(j in text(v) for j in jargon)  # the jargon waits in the details
    assert all(any(j in d for d in v["details"]) for j in jargon)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("phase=infer", "At inference nothing is dropped"),
        ("preset=pytorch&recurrent_dropout=0", "only the Dropout layer after the Embedding drops anything"),
        ("emb_dropout=0", "no dropout after the Embedding"),
        ("dropout=0&recurrent_dropout=0", "the LSTM has no mask"),
    ],
)
def test_the_verdict_follows_preset_and_phase(query, says):
    v = verdict(query)
    assert says in v["answer"] and v["answer"] != verdict("")["answer"]


def test_per_step_presets_say_per_step():
    assert "afresh at every step" in verdict("preset=tfkeras2&recurrent_dropout=0")["points"][1]["text"]
    assert "embedding mask is the same at every step" in verdict("emb_mode=spatial")["points"][1]["text"]
    one_layer = plan_json(parse("preset=pytorch&recurrent_dropout=0"))["masks"]["between"]["notes"]
    assert "Here it does nothing" in one_layer[0]
    three = verdict("preset=pytorch&recurrent_dropout=0&layers=3")["points"][0]["text"]
    assert "masks the output of every layer but the last" in three


def test_inference_labels_the_points_as_training():
    v = verdict("phase=infer")
    assert all(p["title"].endswith("(in training)") for p in v["points"])
    assert "Not to what the model computes" in v["difference"]


def test_every_mask_is_described_in_words_from_one_place():
    plan = plan_json(parse("preset=gal-untied&out_dropout=0.2"))
    assert plan["masks"]["input"]["words"] == "one mask per gate, the same at every step"
    assert plan["masks"]["embedding"]["words"] == "a mask per element, fresh at every step"
    assert plan["masks"]["output"]["words"] == "a mask per element, once per forward pass"
    assert plan_json(parse("preset=pytorch&recurrent_dropout=0"))["masks"]["input"]["words"] == "none"


def test_only_an_output_dropout_says_h_is_unchanged_and_p_is_not():
    v = verdict("preset=pytorch&emb_dropout=0&dropout=0&recurrent_dropout=0&out_dropout=0.3")
    assert "To this pass, yes: h is that of the model without dropout, but p is" in v["difference"]
    assert "h moves by up to 0 " not in v["difference"]
