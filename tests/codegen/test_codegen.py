"""app/codegen without the frameworks: for every preset and knob combination the code of each
framework is Python, says plainly when it needs its custom layer (and defines it), and carries
the knobs of the state. tests/parity/test_codegen_*.py run that code in the frameworks.
"""

from __future__ import annotations

import ast
import itertools
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from app.codegen import code, recipes
from app.engine.semantics import PRESETS
from app.link.state import parse
from app.web.app import create_app
from app.web.schemas import CodeModel

FRAMEWORKS = ("keras3", "tfkeras2", "pytorch")
EXTRAS = {"candidate_dropout": 0.35, "zoneout_c": 0.1, "zoneout_h": 0.05, "weight_drop": 0.4}
MODES = [
    {"emb_mode": mode, "layers": layers, "out_dropout": out, "phase": phase}
    for mode, layers, out, phase in itertools.product(
        ("standard", "spatial", "word"), (1, 2), (0, 0.2), ("train", "infer")
    )
]


def knob_sets():
    """Every preset with and without recurrent dropout and each extra knob it has; for custom,
    the sixteen sharing/timing combinations too."""
    for name, preset in PRESETS.items():
        extras = [k for k in EXTRAS if k in preset.knobs]
        extra_sets = [{}, *({k: EXTRAS[k]} for k in extras)] + ([dict.fromkeys(extras, 0.3)] if len(extras) > 1 else [])
        rds = (0, 0.45) if "recurrent_dropout" in preset.knobs else (0,)
        choices = [{}]
        if name == "custom":
            choices = [
                dict(zip(("in_share", "in_time", "rec_share", "rec_time"), c, strict=True))
                for c in itertools.product(("shared", "gate"), ("seq", "step"), ("shared", "gate"), ("seq", "step"))
            ]
        for rd, extra, choice in itertools.product(rds, extra_sets, choices):
            yield {"preset": name, "recurrent_dropout": rd, **extra, **choice}


def states(modes=MODES):
    base = {"weights": "random", "emb": 4, "units": 3, "text": "the movie was not good", "dropout": 0.3}
    for knobs in knob_sets():
        for mode in modes:
            yield parse(urlencode(base | knobs | mode))


def check(s) -> None:
    out = code(s)
    CodeModel.model_validate(out)
    assert list(out) == ["state", "keras3", "tfkeras2", "pytorch", "notes", "fidelity"]
    lp = s.plan().layers[0]
    for fw in FRAMEWORKS:
        text, fidelity = out[fw], out["fidelity"][fw]
        assert fidelity["exact"] == (not fidelity["custom"]), (fw, s.canonical())
        for name in fidelity["custom"]:
            assert f"class {name}(" in text or f"def {name}(" in text, (fw, name)
        masked = "MaskedLSTM" in fidelity["custom"]
        assert ("cannot express this plan" in text) == masked, (fw, s.canonical())
        assert ("MaskedLSTM(" in text) == masked
        builtin = {"pytorch": "nn.LSTM("}.get(fw, "layers.LSTM(")
        assert (builtin in text) == (not masked), (fw, s.canonical())
        if s.out_dropout:
            assert f"Dropout({s.out_dropout!r})" in text
        words = s.emb_dropout > 0 and s.emb_mode == "word"
        assert ("WordDropout" in text or "embedded_dropout" in text) == words
        assert ("no built-in layer drops whole word types" in text or "no built-in module" in text) == words
    k2 = out["tfkeras2"]
    for line in k2.splitlines():  # issue 8: implementation=1 alone never decides the path in tf.keras 2
        if "layers.LSTM(" in line and "implementation=1" in line and "recurrent_dropout" not in line:
            assert "unroll=True" in line, s.canonical()
    if recipes.tfkeras2(lp).fit_only and "MaskedLSTM" not in out["fidelity"]["tfkeras2"]["custom"]:
        assert "model.fit" in k2 and "eager call" in out["fidelity"]["tfkeras2"]["how"]
    if s.phase == "infer":
        assert "# phase=infer" in out["keras3"] and "model.eval()" in out["pytorch"]


def test_every_combination_says_what_it_does():
    """Every preset and knob combination in the standard mode, and each mode on a few of them."""
    n = 0
    for s in states(MODES[:1]):
        check(s)
        n += 1
    assert n > 100


@pytest.mark.parametrize("mode", range(len(MODES)), ids=lambda k: urlencode(MODES[k]))
def test_every_mode_says_what_it_does(mode):
    for s in states([MODES[mode]]):
        check(s)


@pytest.mark.parametrize(
    "query",
    [
        "preset=keras3",
        "preset=tfkeras2&recurrent_dropout=0&layers=2&emb_mode=word&out_dropout=0.2",
        "preset=custom&in_share=gate&in_time=step&rec_time=step&zoneout_c=0.1&weight_drop=0.2&candidate_dropout=0.1",
        "preset=pytorch&recurrent_dropout=0&layers=2",
    ],
)
def test_code_is_python(query):
    out = code(parse(f"weights=random&{query}"))
    for fw in FRAMEWORKS:
        ast.parse(out[fw])


@pytest.mark.parametrize("preset", ["gal-untied", "custom"])
def test_tfkeras2_four_input_masks_without_recurrent_dropout_take_the_cell_path(preset):
    """Issue 8: LSTM(dropout=d, implementation=1) takes the default path in tf.keras 2 (one mask
    over the whole input, fresh every step); unroll=True sends it down the cell path, four masks
    drawn once per call, in model.fit too (tests/parity/test_tfkeras2.py shows it)."""
    extra = "&in_share=gate" if preset == "custom" else ""
    out = code(parse(f"weights=random&preset={preset}&recurrent_dropout=0{extra}"))
    assert "layers.LSTM(100, dropout=0.5, implementation=1, unroll=True)," in out["tfkeras2"]
    assert "layers.LSTM(100, dropout=0.5, implementation=1, use_cudnn=False)," in out["keras3"]
    assert out["fidelity"]["tfkeras2"] == {"exact": True, "custom": [], "how": out["fidelity"]["tfkeras2"]["how"]}
    assert out["fidelity"]["pytorch"]["custom"] == ["MaskedLSTM"]


def test_tfkeras2_presets_eager_and_fit():
    eager = code(parse("weights=random&preset=tfkeras2"))
    assert "layers.LSTM(100, dropout=0.5, recurrent_dropout=0.5, unroll=True)," in eager["tfkeras2"]
    fit = code(parse("weights=random&preset=tfkeras2-fit"))
    assert "layers.LSTM(100, dropout=0.5, recurrent_dropout=0.5)," in fit["tfkeras2"]
    assert "re-draws these masks at every step" in fit["tfkeras2"]
    assert fit["fidelity"]["tfkeras2"]["exact"] and not fit["fidelity"]["keras3"]["exact"]


def test_output_dropout_before_dense():
    out = code(parse("weights=random&out_dropout=0.3&recurrent_dropout=0"))
    k3 = out["keras3"].splitlines()
    at = k3.index("    layers.Dropout(0.3),  # on the last h, before Dense")
    assert k3[at + 1].strip() == 'layers.Dense(1, activation="sigmoid"),'
    assert "h = self.out_drop(h)" in out["pytorch"] and "nn.Dropout(0.3)" in out["pytorch"]


def test_api_code_serves_fidelity():
    with TestClient(create_app()) as client:
        body = client.get("/api/code?weights=random&preset=gal-tied").json()
    assert set(body) == {"state", "keras3", "tfkeras2", "pytorch", "notes", "fidelity"}
    assert {fw: f["exact"] for fw, f in body["fidelity"].items()} == {
        "keras3": False,
        "tfkeras2": False,
        "pytorch": False,
    }
    assert body["fidelity"]["keras3"]["custom"] == ["MaskedLSTM"]


@pytest.mark.parametrize("extra", ["", "&recurrent_dropout=0&layers=2&out_dropout=0.2", "&phase=infer"])
def test_the_forum_answer_is_code_no_framework_has(extra):
    """Preset forum (the forum answer's picture) is hypothetical: every framework's code says so and
    runs it in MaskedLSTM, whose gate_dropout masks i, f, g and o at rate dropout / 2."""
    s = parse(f"weights=random&preset=forum&dropout=0.5{extra}")
    out = code(s)
    for fw in FRAMEWORKS:
        text, fidelity = out[fw], out["fidelity"][fw]
        ast.parse(text)
        assert fidelity["custom"] == ["MaskedLSTM"] and not fidelity["exact"]
        assert "no framework drops the four gate outputs" in fidelity["how"]
        assert "hypothetical" in fidelity["how"] and "hypothetical" in text
        assert "gate_dropout=0.25" in text
        assert "i, f, g, o = i * q[:, 0], f * q[:, 1], g * q[:, 2], o * q[:, 3]" in text
        assert "dropout=0.5" not in text.replace("recurrent_dropout=0.5", "")  # x(t) is not masked
    other = code(parse("weights=random&preset=custom&candidate_dropout=0.2"))
    for fw in FRAMEWORKS:  # the gate masks appear only where the plan has them
        assert "q[:, 0]" not in other[fw]
