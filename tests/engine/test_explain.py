"""The plan in words must be true of the state it describes: at every phase, for every preset
and embedding mode. What the pages print beside the pictures comes from here."""

from __future__ import annotations

import itertools

import pytest

from app.documents.trace import plan_json
from app.engine.semantics import PRESETS
from app.link.state import parse

MODES = ("standard", "spatial", "word")
MODE_WORDS = {"standard": "Dropout(", "spatial": "SpatialDropout1D(", "word": "whole word types"}


def preset_query(preset: str) -> str:
    """A valid state of ``preset`` with every rate it accepts switched on."""
    knobs = PRESETS[preset].knobs
    rates = {k: 0.3 for k in knobs}
    rates.setdefault("recurrent_dropout", 0.0)
    rates.setdefault("dropout", 0.0)
    return f"preset={preset}&" + "&".join(f"{k}={v}" for k, v in sorted(rates.items()))


def every_text(plan: dict) -> str:
    parts = [plan["summary"], plan["effective"]["text"], *plan["answer"], *plan["notes"]]
    for entry in plan["masks"].values():
        parts += entry["notes"]
    return " ".join(parts)


CASES = list(itertools.product(sorted(PRESETS), MODES, ("train", "infer")))


@pytest.mark.parametrize(("preset", "mode", "phase"), CASES)
def test_inference_drops_nothing_in_every_sentence(preset, mode, phase):
    plan = plan_json(parse(f"{preset_query(preset)}&emb_mode={mode}&phase={phase}&out_dropout=0.2"))
    text = every_text(plan)
    active = [name for name, entry in plan["masks"].items() if entry["active"]]
    if phase == "infer":
        # zoneout is the one scheme that acts at inference (its expectation), by design
        assert set(active) <= {"zoneout_c", "zoneout_h"}
        assert plan["effective"]["keep"] == 1.0 and plan["effective"]["scale"] == 1.0
        assert "no mask drops or rescales x(t)" in plan["effective"]["text"]
        assert "scaled by" not in plan["effective"]["text"]
        assert any("none of these dropout masks is applied" in a for a in plan["answer"])
    else:
        assert "embedding" in active and "output" in active
        assert "reaches gate i with probability" in plan["effective"]["text"]
    assert MODE_WORDS[mode] in " ".join(plan["masks"]["embedding"]["notes"])
    for other in set(MODES) - {mode}:
        assert MODE_WORDS[other] not in " ".join(plan["masks"]["embedding"]["notes"])
    assert "whole words" not in plan["summary"]  # the summary never claims an embedding mode
    assert text


@pytest.mark.parametrize("mode", ["standard", "spatial"])
def test_awd_says_when_the_embedding_is_not_its_own(mode):
    plan = plan_json(parse(f"preset=awd&recurrent_dropout=0&emb_mode={mode}"))
    notes = " ".join(plan["masks"]["embedding"]["notes"])
    assert "drops whole words" in notes and f"emb_mode={mode} instead" in notes
    word = plan_json(parse("preset=awd&recurrent_dropout=0&emb_mode=word"))
    assert "instead" not in " ".join(word["masks"]["embedding"]["notes"])


def test_the_popular_answers_two_errors_are_stated():
    """semantics.md, last section: masks act on x(t) and h(t-1) before the gates' weights, not on
    the gate outputs; and nothing in the cell uses the Dropout layer's 0.25."""
    plan = plan_json(parse("v=1"))
    where, rates = plan["answer"][:2]
    assert "x(t)" in where and "h(t-1)" in where and "before the gates' weights" in where
    assert "none acts on the gate outputs" in where
    assert "No mask inside the cell uses the Dropout layer's rate" in rates
    assert "dropout=0.5 keeps 0.5 and scales by 2" in rates
    torch = plan_json(parse("preset=pytorch&recurrent_dropout=0"))
    assert "The LSTM puts no mask on x(t) or h(t-1)" in torch["answer"][0]


@pytest.mark.parametrize(("rd", "timing"), [("0.5", "step"), ("0", "step")])
def test_tfkeras2_fit_plan_is_per_step(rd, timing):
    plan = plan_json(parse(f"preset=tfkeras2-fit&recurrent_dropout={rd}"))
    assert plan["masks"]["input"]["timing"] == timing
    assert "model.fit" in " ".join(plan["masks"]["input"]["notes"])
    eager = plan_json(parse(f"preset=tfkeras2&recurrent_dropout={rd}"))
    if rd != "0":
        assert eager["masks"]["input"]["timing"] == "sequence"
        assert "tfkeras2-fit" in " ".join(eager["masks"]["input"]["notes"])
    assert "model.fit" in eager["summary"] and "tfkeras2-fit" in eager["summary"]


@pytest.mark.parametrize("preset", ["zaremba", "gal-tied", "gal-untied", "awd"])
def test_papers_with_output_dropout_say_so(preset):
    plan = plan_json(parse(preset_query(preset)))
    entry = plan["masks"]["output"]
    assert entry["active"] is False and entry["rate"] == 0  # off by default: old links keep their numbers
    assert any("output" in n and ("%" in n or "0." in n) for n in entry["notes"])
