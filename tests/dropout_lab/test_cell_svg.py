"""The cell as SVG: every mask the page's cell draws at a step, on its wire, with the trace's zeros."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from dropout_lab import explain
from tests.dropout_lab.page_trace import cell_masks, load

NS = "{http://www.w3.org/2000/svg}"
SEED = "len=498"  # the seed's second model: Dropout(0.25), then LSTM(100, dropout=0.5, recurrent_dropout=0.5)
GATE_WIRES = {f"{part}:{g}" for part in "xh" for g in "ifgo"}


def marks(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    found = [g for g in root.iter(f"{NS}g") if g.get("class") == "mask-mark"]
    assert len({g.get("data-mask") for g in found}) == len(found)  # one mark per mask
    return {g.get("data-mask"): g for g in found}


def assert_marks_are_the_trace(query: str, step: int | None = None, layer: int = 0) -> dict[str, ET.Element]:
    trace = load(query)
    t = len(trace["tokens"]) - 1 if step is None else step
    expected = cell_masks(trace, layer, t)
    got = marks(explain(query).cell_svg(step, layer))
    assert set(got) == set(expected)
    for key, bits in expected.items():
        g = got[key]
        assert int(g.get("data-dropped")) == int((bits == 0).sum()), key
        assert int(g.get("data-size")) == len(bits), key
        runs = [int(r.get("data-n")) for r in g.iter(f"{NS}rect") if r.get("class") == "dropped"]
        assert sum(runs) == int((bits == 0).sum()), key  # the dark squares are the dropped elements
    return got


def test_the_seed_model_at_its_last_word():
    got = assert_marks_are_the_trace(SEED)
    assert set(got) == {"embedding", *GATE_WIRES}
    assert any(int(g.get("data-dropped")) > 0 for g in got.values())


@pytest.mark.parametrize("step", [0, 250, 490])
def test_any_step(step):
    assert_marks_are_the_trace(SEED, step)


def test_title_names_the_step_and_its_word():
    e = explain("text=the movie was not good")
    root = ET.fromstring(e.cell_svg(3))
    title = next(t for t in root.iter(f"{NS}text") if t.get("class") == "cell-title")
    assert title.text == "Step 3: \u201cnot\u201d"
    compared = ET.fromstring(explain("len=498&vs.emb_dropout=0").cell_svg(model="B"))
    title = next(t for t in compared.iter(f"{NS}text") if t.get("class") == "cell-title")
    assert title.text.startswith("Model B, step 497")


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("preset=forum&recurrent_dropout=0&emb_dropout=0", {"gate:i", "gate:f", "gate:g", "gate:o"}),
        ("preset=semeniuta&candidate_dropout=0.3&emb_dropout=0&dropout=0&recurrent_dropout=0", {"candidate"}),
        ("preset=custom&zoneout_c=0.3&zoneout_h=0.2&emb_dropout=0&dropout=0&recurrent_dropout=0",
         {"zoneout:c", "zoneout:h"}),
        ("out_dropout=0.4&emb_dropout=0&dropout=0&recurrent_dropout=0", {"output"}),
        ("emb_mode=spatial&recurrent_dropout=0", {"embedding", "x:i", "x:f", "x:g", "x:o"}),
    ],
)  # fmt: skip
def test_every_kind_of_mask_on_its_wire(query, keys):
    assert set(assert_marks_are_the_trace(query)) == keys


def test_a_second_layer_gets_the_mask_between_layers():
    query = "preset=pytorch&layers=2&dropout=0.5&recurrent_dropout=0&emb_dropout=0"
    assert set(assert_marks_are_the_trace(query, layer=1)) == {"between"}
    assert set(assert_marks_are_the_trace(query, layer=0)) == set()


def test_no_mark_at_inference():
    svg = explain(SEED, phase="infer").cell_svg()
    assert marks(svg) == {}
    assert "No masks at inference" in svg


def test_bad_step_or_layer():
    e = explain("text=the movie")
    with pytest.raises(ValueError, match="step must be from 0 to 1"):
        e.cell_svg(2)
    with pytest.raises(ValueError, match="layer must be from 0 to 0"):
        e.cell_svg(0, layer=1)


def test_text_is_escaped_and_ascii():
    svg = explain("text=zebra%20great").cell_svg(0)  # an unknown word is "<unk>"
    assert svg.isascii() and "<unk>" not in svg and "&#8220;&lt;unk&gt;&#8221;" in svg
    root = ET.fromstring(svg)  # well-formed
    assert root.tag == f"{NS}svg" and np.isclose(float(root.get("width")), 780)
