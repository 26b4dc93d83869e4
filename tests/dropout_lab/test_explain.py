"""explain(): links, code and built models in; the state, its link, the explorer's verdict and the
notebook's HTML out (plotly.js inline once per session, no CDN anywhere)."""

from __future__ import annotations

import re
import sys
import types
from html import escape

import pytest
from plotly.offline import get_plotlyjs

from app.link import compare
from app.link.state import parse
from dropout_lab import explain, notebook_html
from dropout_lab.inputs import query_of
from tests.dropout_lab.page_trace import load
from tests.yourmodel.cases import SEED as SEED_CODE  # the forum post's two models, as pasted

SEED_LINK = "len=498&v=3&vs.emb_dropout=0"


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("len=498&vs.emb_dropout=0", "len=498&vs.emb_dropout=0"),
        ("?len=498", "len=498"),
        ("http://127.0.0.1:8000/?len=498&vs.emb_dropout=0", "len=498&vs.emb_dropout=0"),
        ("https://lab.example.org/embed?len=498&view=cell", "len=498&view=cell"),
        ("  text=the movie was good  ", "text=the movie was good"),
        ("units=100", "units=100"),
        ("units = 100", None),  # code: "units " is no field
        ("x=1", None),
        ("model = Sequential()\nmodel.add(LSTM(100))", None),
        ("", None),
    ],
)
def test_link_or_code(text, query):
    assert query_of(text) == query


def test_a_link_opens_its_states():
    e = explain("http://127.0.0.1:8000/?vs.emb_dropout=0&len=498&present=1")
    assert e.ok and e.state == parse("len=498") and e.compared == parse("len=498&emb_dropout=0")
    assert e.link() == f"http://127.0.0.1:8000/?{SEED_LINK}"
    assert e.link("https://lab.example.org/") == f"https://lab.example.org/?{SEED_LINK}"
    single = explain("/embed?len=498&view=cell")
    assert single.compared is None and single.link() == "http://127.0.0.1:8000/?len=498&v=3"


def test_seed_and_phase_replace_the_links():
    e = explain(SEED_LINK, seed=7, phase="infer")
    assert (e.state.seed, e.state.phase, e.compared.seed, e.compared.phase) == (7, "infer", 7, "infer")
    assert e.link().endswith("?len=498&phase=infer&seed=7&v=3&vs.emb_dropout=0")
    assert compare.canonical(e.state, e.compared) == e.query


def test_link_problems_are_shown_not_raised():
    e = explain("dropout=2")
    assert not e.ok and e.state is None and e.link() is None and e.figures() == [] and e.verdict is None
    assert [p.field for p in e.reasons] == ["dropout"]
    html = e._repr_html_()
    assert "This link has problems" in html and "<code>dropout=2</code>" in html
    bad_b = explain("len=498&vs.units=9999")
    assert [p.field for p in bad_b.reasons] == ["vs.units"]
    assert [p.field for p in explain(SEED_LINK, phase="later").reasons] == ["phase"]


def test_the_verdict_is_the_explorers():
    e = explain(SEED_LINK)
    verdict = load("len=498")["plan"]["verdict"]  # what the page's trace carries for A
    assert e.plan["verdict"] == verdict
    assert e.verdict.splitlines() == [
        verdict["answer"],
        *(f"{k}. {p['title']}. {p['text']}" for k, p in enumerate(verdict["points"], 1)),
        verdict["difference"],
    ]
    assert e.verdict.startswith("No: two different masks on the same vector x(t)")


def test_the_seed_code_opens_the_seed_link():
    e = explain(SEED_CODE)
    assert e.ok and e.query == SEED_LINK and e.reasons == []
    assert e.verdict == explain(SEED_LINK).verdict
    assert any("Keras" in str(n) for n in e.notes)  # the reading's notes are kept
    html = e._repr_html_()
    assert "<h3>Read from your code</h3>" in html


def test_code_the_lab_cannot_show_gives_its_reasons_by_line():
    e = explain("model = Sequential()\nmodel.add(Embedding(64, 64))\nmodel.add(GRU(10))\n")
    assert not e.ok and e.state is None and e.cell_svg() is None
    assert any(r.line == 3 and "LSTM layers only" in r.message for r in e.reasons)
    html = e._repr_html_()
    assert "The lab cannot open this model" in html and "line 3: GRU" in html
    assert "<code>model.add(GRU(10))</code>" in html
    assert "line 3: GRU" in repr(e)


def test_a_built_torch_module():
    import torch  # the parity extra's CPU build, installed with the tests

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(64, 64)
            self.lstm = torch.nn.LSTM(64, 100, num_layers=2, dropout=0.3, batch_first=True)
            self.fc = torch.nn.Linear(100, 1)

    e = explain(Net())
    assert e.ok and (e.state.preset, e.state.layers, e.state.dropout) == ("pytorch", 2, 0.3)


@pytest.fixture
def fresh_session(monkeypatch):
    """A kernel session that has not sent plotly.js yet."""
    monkeypatch.setattr(notebook_html, "_plotly_sent", False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)


def urls_outside_plotlyjs(html: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)]+", html.replace(get_plotlyjs(), "")))


def test_html_has_everything_and_plotlyjs_once_per_session(fresh_session):
    e = explain(SEED_LINK)
    first, second = e._repr_html_(), explain("len=498")._repr_html_()
    js = get_plotlyjs()
    assert first.count(js) == 1 and js not in second
    assert first.index(js) < first.index("Plotly.newPlot")  # loaded before the first figure draws
    for html, figures in ((first, 3), (second, 2)):
        assert html.count('class="plotly-graph-div"') == figures
        assert html.count("Plotly.newPlot") == figures
        assert "<svg" in html and 'data-mask="x:i"' in html
    assert notebook_html.ascii_html(escape(e.plan["verdict"]["answer"])) in first
    assert "The answer, for model A below" in first and "The answer, for the model below" in second
    assert f'href="http://127.0.0.1:8000/?{escape(SEED_LINK)}"' in first


def test_colab_gets_plotlyjs_in_every_output(fresh_session, monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    js = get_plotlyjs()
    assert all(explain("len=498")._repr_html_().count(js) == 1 for _ in range(2))


def test_no_cdn_and_no_remote_script(fresh_session):
    html = explain(SEED_LINK)._repr_html_()
    # outside plotly.js itself (whose source names map tiles and a topojson CDN it never loads
    # here): the SVG namespace and the explorer's local link, nothing else
    assert urls_outside_plotlyjs(html) == {"http://www.w3.org/2000/svg", f"http://127.0.0.1:8000/?{escape(SEED_LINK)}"}
    ours = html.replace(get_plotlyjs(), "")
    assert not re.search(r"<script[^>]*\bsrc=|\bimport\s*[\"']|cdn\.|jsdelivr|unpkg|cdnjs", ours, re.IGNORECASE)
    assert "mathjax" not in ours.lower().replace("mathjaxconfig: 'local'", "")  # plotly.py's MathJax is a CDN's


def test_keras_code_offers_its_other_readings_as_links():
    from tests.yourmodel.cases import SEED

    e = explain(SEED)
    others = e.alternatives("http://lab.example")
    assert others["Keras 3.0 to 3.7"] == "http://lab.example/?len=498&preset=keras3-legacy&v=3&vs.emb_dropout=0"
    assert (
        'href="http://127.0.0.1:8000/?len=498&amp;preset=tfkeras2-fit&amp;v=3&amp;vs.emb_dropout=0"' in e._repr_html_()
    )
    assert explain(SEED, seed=4).alternatives() == {}


def read_models_in(html: str) -> dict[str, str]:
    """The panel's model blocks of the output, {role: its HTML}, in the order shown."""
    return dict(re.findall(r'<div class="read-model" data-role="(\w)">(.*?)</div>', html))


def shown(text: str) -> str:
    return notebook_html.ascii_html(escape(text))


def test_the_output_says_which_lines_are_a_and_b(fresh_session):
    from app.engine.semantics import PRESETS
    from app.yourmodel import read_code

    body = read_code(SEED_CODE).as_dict()
    html = explain(SEED_CODE)._repr_html_()
    blocks = read_models_in(html)
    assert list(blocks) == ["A", "B"]  # A first, as the page's panel
    for m in body["models"]:
        block = blocks[m["role"]]
        assert 'aria-label="Model ' + m["role"] + '"' in block  # its role badge
        head = f"lines {m['first_line']}\u2013{m['last_line']} \u00b7 {PRESETS[m['framework']].title}"
        assert shown(head) in block
        for x in m["mapping"]:
            fields = ", ".join(f"{k} = {v}" for k, v in x["fields"].items())
            assert f"line {x['line']}</span> <code>{shown(x['code'])}</code> <strong>{shown(chr(0x2192))} " in block
            assert shown(fields) in block
    # the seed's A is the model with the extra Dropout, pasted second (lines 7-11)
    assert shown("lines 7\u201311") in blocks["A"] and "Dropout(0.25)" in blocks["A"]
    assert shown("lines 1\u20134") in blocks["B"] and "Dropout(" not in blocks["B"]
    panel = html[html.index('<section class="read-panel">') : html.index("</section>")]
    assert "<h3>Read from your code</h3>" in panel
    notes, others = panel.index("<h4>Notes</h4>"), panel.index("Written for another version?")
    assert panel.index('data-role="B"') < notes < others  # the models, then the notes, then the other Keras
    assert all(shown(n["message"]) in panel[notes:others] for n in body["notes"])
    assert html.index("</section>") < html.index("The answer, for model A below")  # above the answer, as on the page
    # the raw queries stay, small, under the explorer's link
    small = re.search(r'<small class="queries"[^>]*>(.*?)</small>', html).group(1)
    assert small == f"A: <code>{shown(body['a'])}</code> &#183; B: <code>{shown(body['b'])}</code>"
    assert repr(explain(SEED_CODE)).splitlines()[1:3] == [
        "A: lines 7\u201311, Keras 3 (3.8 and later)",
        "B: lines 1\u20134, Keras 3 (3.8 and later)",
    ]


def test_one_model_has_no_role_and_a_link_no_panel(fresh_session):
    from app.yourmodel import read_code
    from tests.yourmodel.cases import SEED_SECOND

    html = explain(SEED_SECOND)._repr_html_()
    blocks = read_models_in(html)
    assert list(blocks) == ["A"] and 'class="who"' not in html
    m = read_code(SEED_SECOND).as_dict()["models"][0]
    head = f"lines {m['first_line']}\u2013{m['last_line']} \u00b7 Keras 3 (3.8 and later)"
    assert blocks["A"].startswith(f"<h4><span>{shown(head)}</span></h4>")  # no badge before the lines
    assert 'aria-label="What each line of the model set"' in blocks["A"]
    link = explain(SEED_LINK)._repr_html_()
    assert 'class="read-panel"' not in link and "A: <code>len=498&amp;v=3</code>" in link


def test_a_built_model_shows_its_layers_without_lines(fresh_session):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(64, 64)
            self.lstm = torch.nn.LSTM(64, 100, num_layers=2, dropout=0.3, batch_first=True)

    e = explain(Net())
    html = e._repr_html_()
    block = read_models_in(html)["A"]
    assert "<h3>Read from your model</h3>" in html and shown("the built model \u00b7 PyTorch") in block
    assert "line 0" not in block and all(shown(x["code"]) in block for x in e.models[0]["mapping"])
