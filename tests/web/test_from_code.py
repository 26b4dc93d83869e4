"""Your model's code in, the lab out: GET /api/from-code (the reading, or a 422 naming the
parameter's problem) and the /from-code page (the explorer on the reading, or the reasons)."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.problems import LISTED, MAX_BODY
from app.web.pages.from_code import short_code
from app.web.schemas import ErrorBody, FromCodeModel
from app.yourmodel.code import MAX_CODE
from tests.web.pages.test_explorer import Page
from tests.yourmodel.cases import SEED as SEED_CODE  # the forum post's two models, as pasted

SEED_LINK = "len=498&v=3&vs.emb_dropout=0"
GRU_CODE = """model = Sequential()
model.add(Embedding(input_dim=64, output_dim=64))
model.add(GRU(32, dropout=0.2))
model.add(Dense(1, activation='sigmoid'))
"""


def api(client, code: str, **more):
    return client.get("/api/from-code", params={"code": code, **more})


# -- the API --


def test_the_seeds_code_reads_into_the_seeds_compare_link(client):
    r = api(client, SEED_CODE)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = FromCodeModel.model_validate(r.json())
    assert body.ok and body.link == SEED_LINK and body.reasons == []
    assert (body.a, body.b) == ("len=498&v=3", "emb_dropout=0&len=498&v=3")
    assert [(m.role, m.first_line, m.emb_dropout) for m in body.models] == [("B", 1, 0.0), ("A", 7, 0.25)]
    lines = {x.line: x.fields for m in body.models for x in m.mapping}
    assert lines[9]["emb_dropout"] == 0.25 and lines[10]["units"] == 100
    # a pure function of the code: validators and a cache like every other answer
    again = client.get("/api/from-code", params={"code": SEED_CODE}, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_code_that_does_not_read_is_an_answer_with_its_reasons_by_line(client):
    r = api(client, GRU_CODE)
    assert r.status_code == 200
    body = FromCodeModel.model_validate(r.json())
    assert not body.ok and body.link is None and body.a is None
    gru = [x for x in body.reasons if x.line == 3]
    assert gru and all(x.code == "model.add(GRU(32, dropout=0.2))" for x in gru)
    assert any("LSTM layers only" in x.message for x in gru)


def problems_of(r) -> list[dict]:
    assert r.status_code == 422, r.text
    ErrorBody.model_validate(r.json())
    return r.json()["problems"]


def test_the_code_parameter_is_bounded_and_named(client):
    (missing,) = problems_of(client.get("/api/from-code"))
    assert missing["field"] == "code" and "required" in missing["message"] and str(MAX_CODE) in missing["allowed"]
    (twice,) = problems_of(client.get("/api/from-code?code=a&code=b"))
    assert "more than once" in twice["message"]
    (long,) = problems_of(api(client, "x" * (MAX_CODE + 1)))
    assert long["field"] == "code" and f"{MAX_CODE + 1} characters" in long["message"] and long["value"].endswith("...")
    assert api(client, "x" * MAX_CODE).status_code == 200  # at the bound: read (no model in it, say the reasons)
    (empty,) = problems_of(api(client, " \n\t"))
    assert "empty" in empty["message"]
    unknown = problems_of(api(client, SEED_CODE, units="5"))
    assert [p["field"] for p in unknown] == ["units"] and "unknown parameter" in unknown[0]["message"]


def test_a_forms_cr_lf_counts_as_one_character_as_in_the_box(raw_query):
    """The box counts a line break as one character; its form sends CR LF."""
    status, _, _ = raw_query("/api/from-code", [("code", "x\r\n" * (MAX_CODE // 2))])
    assert status == 200
    status, _, body = raw_query("/api/from-code", [("code", "x\r\n" * (MAX_CODE // 2) + "x")])
    assert status == 422 and f"{MAX_CODE + 1} characters long" in json.loads(body)["detail"]


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_named_with_their_line_and_column(client, char):
    (p,) = problems_of(api(client, f"model = Sequential()\nmodel.add(LSTM(4)){char}\n"))
    assert p["field"] == "code" and f"U+{ord(char):04X} at line 2, column 19" in p["message"]
    assert "tab and line breaks" in p["allowed"]
    assert api(client, "model = Sequential()\r\n\tmodel.add(LSTM(4))\r\n").status_code == 200  # tab, CR, LF: fine


@pytest.mark.parametrize(
    "code",
    [
        "(" * MAX_CODE,
        "(" * 100 + "1" + ")" * 100,
        "-" * (MAX_CODE - 1) + "1",
        "1+" * (MAX_CODE // 2 - 1) + "1",
        "[" * (MAX_CODE // 2) + "]" * (MAX_CODE // 2),
        "LSTM(" * (MAX_CODE // 5),
        "model.add(LSTM(units=" + "(" * 150 + "4" + ")" * 150 + "))",
        "x = " + "not " * (MAX_CODE // 4 - 2) + "1",
        "def f():\n" + "".join(" " * i + "if x:\n" for i in range(1, 100)) + " " * 100 + "pass\n",
    ],
)
def test_hostile_code_is_read_or_refused_never_a_500(raw_query, code):
    status, _, body = raw_query("/api/from-code", [("code", code)])
    assert status == 200, body[:300]
    reading = FromCodeModel.model_validate(json.loads(body))
    assert reading.ok or reading.reasons


CODES = st.one_of(
    st.sampled_from([SEED_CODE, GRU_CODE, "", " ", "(", "import torch\nself.l = nn.LSTM(4, 4)"]),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=3_000),
    st.builds(lambda a, b: SEED_CODE[:a] + b + SEED_CODE[a:], st.integers(0, len(SEED_CODE)), st.text(max_size=20)),
)
PAIRS = st.one_of(
    st.lists(st.tuples(st.sampled_from(["code", "present", "units", "x"]), CODES), max_size=4),
    st.builds(lambda c, n: [("code", c)] + [(f"p{k}", "1") for k in range(n)], CODES, st.integers(0, 199)),
)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(route=st.sampled_from(["/api/from-code", "/from-code"]), pairs=PAIRS)
def test_hostile_queries_get_an_answer_or_a_bounded_422(raw_query, route, pairs):
    status, headers, body = raw_query(route, pairs)
    assert status in (200, 422), (status, pairs, body[:300])
    assert "content-security-policy" in headers
    if route == "/api/from-code" and status == 422:
        assert len(body) <= MAX_BODY and len(json.loads(body)["problems"]) <= LISTED
    if route == "/from-code" and status == 422:
        assert body.count(b"<li>") <= LISTED + 10  # the page lists at most LISTED problems, and says how many more


def test_the_openapi_schema_documents_the_route(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/from-code"]["get"]
    (code,) = op["parameters"]
    assert code["name"] == "code" and code["required"] and code["schema"]["maxLength"] == MAX_CODE
    assert {"200", "304", "422", "503"} <= set(op["responses"])
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/FromCodeModel")


# -- the page --


def test_the_page_opens_the_explorer_on_the_reading_with_what_each_line_set(client):
    r = client.get("/from-code", params={"code": SEED_CODE})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    page = Page(r.text)
    constants = json.loads(page.scripts["page-constants"])
    assert constants["compare"]["link"] == SEED_LINK and constants["problems"] == []
    assert json.loads(page.scripts["initial-trace"])["state"] == "len=498&v=3"
    assert json.loads(page.scripts["compare-trace"])["state"] == "emb_dropout=0&len=498&v=3"
    assert f'<link rel="canonical" href="/?{SEED_LINK.replace("&", "&amp;")}">' in r.text
    assert "from-code-panel" in page.ids and "Read from your code" in r.text
    panel = r.text[r.text.index('id="from-code-panel"') : r.text.index("</section>", r.text.index("from-code-panel"))]
    assert "line 9" in panel and "emb_dropout = 0.25" in panel and panel.index(">A<") < panel.index(">B<")
    # each line's code, and the short form a phone shows instead (static/css/base.css .read-short)
    assert '<code class="read-code">model.add(Dropout(0.25))</code><code class="read-short">Dropout(…)</code>' in panel
    assert panel.count('class="read-short"') == panel.count('class="read-code"') == panel.count('class="read-line"')
    # the code stays in the box, to change and open again
    assert textarea(r.text) == SEED_CODE


def textarea(html: str) -> str:
    """The box's text as a browser reads it (the newline right after the tag is not part of it)."""
    raw = re.search(r'<textarea id="your-model-code"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    return unescape(raw.removeprefix("\n"))


def test_code_that_does_not_read_gets_a_422_page_of_reasons_with_the_code_kept(client):
    code = "\n" + GRU_CODE.replace("Sequential()", "Sequential()  # <b>&</b>")
    r = client.get("/from-code", params={"code": code})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "Your model could not be opened" in r.text
    assert '<code class="code-line">model.add(GRU(32, dropout=0.2))</code>' in r.text
    assert r.text.count("<strong>Line 4</strong>") == 1 and "LSTM layers only" in r.text  # one entry per line
    shown = [int(n) for n in re.findall(r"<strong>Line (\d+)</strong>", r.text)]
    assert shown == sorted(shown)  # in the order of the code
    assert "<b>&</b>" not in r.text and textarea(r.text) == code  # escaped, and exactly the code pasted
    # what else was read, under a heading that says so
    notes = r.text[r.text.index('id="code-notes-title"') :]
    assert notes.startswith('id="code-notes-title">Notes on what could be read</h2>') and "No import names" in notes
    assert "Also read" not in r.text


def test_the_reasons_page_loads_the_script_that_applies_larger_text(client):
    """#big=1 never reaches the server: the page's script applies it (static/js/pages/from-code.js)."""
    for r in (client.get("/from-code", params={"code": GRU_CODE}), client.get("/from-code")):
        page = Page(r.text)
        (entry,) = {u for u in page.urls if u.split("?")[0].endswith("/js/pages/from-code.js")}  # script, preload
        assert f'<script type="module" src="{entry}">' in r.text and "your-model-code" in page.ids
        script = client.get(entry)
        assert script.status_code == 200 and "applyBigText()" in script.text
        assert any(u.split("?")[0].endswith("/js/your-model.js") for u in page.urls)  # preloaded


def test_the_pages_own_parameter_problems_are_listed_too(client):
    r = client.get("/from-code", params={"code": "model = Sequential()\x00"})
    assert r.status_code == 422 and "U+0000 at line 1, column 21" in r.text
    r = client.get("/from-code", params={"code": "x" * (MAX_CODE + 1)})
    assert r.status_code == 422 and f"at most {MAX_CODE} characters" in r.text
    assert len(textarea(r.text)) == MAX_CODE
    r = client.get("/from-code")
    assert r.status_code == 200 and "Open the lab on your model" in r.text and textarea(r.text) == ""


def test_the_explorer_has_the_box_a_get_form_to_the_page(client):
    html = client.get("/").text
    page = Page(html)
    assert page.labels["your-model-code"] == "Your model's code"
    assert page.attrs["your-model-code"]["name"] == "code"
    assert page.attrs["your-model-code"]["maxlength"] == str(MAX_CODE)
    assert re.search(r'<form class="your-model-form" method="get" action="/from-code">', html)
    assert "<summary>Your model<" in html and ">Open my model</button>" in html
    assert "read, never run" in html
    hint = "Two models open side by side: the one with more dropout as A (with as much, the last one)."
    assert hint in re.sub(r"\s+", " ", html)
    assert "the last one as A" not in html
    assert not re.search(r'(id|class)="your-model', client.get("/?present=1").text)  # not in classroom mode
    assert 'id="your-model"' not in client.get("/lessons/seed-question/1").text


def test_present_is_kept_and_other_parameters_are_named(client):
    r = client.get(f"/from-code?present=1&code={quote(SEED_CODE)}")
    assert r.status_code == 200 and 'class="classroom"' in r.text
    r = client.get(f"/from-code?dropout=0.3&code={quote(SEED_CODE)}")
    assert r.status_code == 422 and "unknown parameter" in r.text


@pytest.mark.parametrize(
    ("code", "short"),
    [
        ("model.add(Embedding(input_dim=64,output_dim=64, input_length=498))", "Embedding(…)"),
        ("self.lstm = nn.LSTM(64, 100, num_layers=2, dropout=0.5)", "LSTM(…)"),
        ("    keras.layers.Dropout(0.25),", "Dropout(…)"),
        ("tf.keras.layers.Embedding(", "Embedding(…)"),
        ("x = layers.LSTM(64, dropout=0.2)(x)", "LSTM(…)"),
        ("model = Sequential()", "model = Sequential()"),  # a holder: the line itself, short enough
        ("model = Sequential([Embedding(64, 64),", "Embedding(…)"),
        ("from tensorflow.keras.models import Sequential", "from tensorflow.keras.models …"),
        ("import tensorflow as tf  # TF 2.12", "import tensorflow …"),
        ("import keras", "import keras"),
        ("units = 100", "units = 100"),
        ("vocabulary_size_of_the_model = 10000", "vocabulary_size_of_the_…"),
    ],
)
def test_a_phone_shows_each_lines_layer_not_its_whole_code(code, short):
    assert short_code(code) == short
