"""Every view of a field agrees with its one declaration (app/link/state.py State, app/link/lab_query.py
LabQuery): the field records, each version's defaults, the OpenAPI parameters, the page's constants
and controls, the lab's and the CLI's bounds, the engine's rates."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import DATA_OPTIONS, TRAIN_OPTIONS
from app.core.problems import Problem
from app.engine.semantics import RATE_KNOBS, Rates
from app.link.fields import Choice, Field, Int, Names, Number, Rate, fields_of, read
from app.link.lab_query import LAB_FIELDS, LabQuery, parse_lab
from app.link.state import DEFAULTS, FIELD, FIELDS, HIDEABLE, PANELS, RATE_FIELDS, State, parse
from app.web.pages.render import page_constants
from app.web.pages.train import lab_constants

STATE_ROUTES = ("/api/trace", "/api/weights", "/api/state", "/api/code", "/api/mc", "/api/grads")


def test_the_records_are_the_declarations():
    declared = [f for f in dataclasses.fields(State)]
    assert [f.name for f in FIELDS] == [f.name for f in declared]
    assert all(FIELD[f.name].default == f.default for f in declared)
    assert [f.name for f in LAB_FIELDS] == [f.name for f in dataclasses.fields(LabQuery) if f.name != "state"]
    for f in (*FIELDS, *LAB_FIELDS):
        assert f.doc and f.allowed and f.kind.name in ("int", "rate", "number", "choice", "names", "text", "tokens")
        if f.group:
            assert f.label and f.control, f.name  # a control the form draws has a label


@pytest.mark.parametrize("f", [f for f in (*FIELDS, *LAB_FIELDS) if f.default is not None], ids=lambda f: f.name)
def test_each_default_is_a_value_its_kind_accepts_and_writes_back(f):
    assert f.parse(f.text(f.default)) == f.default


def test_each_version_keeps_its_defaults_and_omits_them():
    for v, d in DEFAULTS.items():
        assert parse(f"v={v}") == d and d.canonical() == f"v={v}"
        changed = {k: getattr(d, k) for k in vars(d) if k != "v" and getattr(d, k) != FIELD[k].default}
        assert changed == {f.name: f.before[v] for f in FIELDS if v in f.before}  # declared with the field
    assert DEFAULTS[1].weights == "random" and DEFAULTS[2].weights == "trained"  # the v=1 links' promise


def test_rates_are_the_engines():
    floats = [f.name for f in dataclasses.fields(Rates) if isinstance(f.default, float)]
    assert RATE_FIELDS == RATE_KNOBS == tuple(floats)
    for f in dataclasses.fields(Rates):
        assert f.name in FIELD  # the engine reads every knob it has from the state
    assert all(isinstance(FIELD[n].kind, Rate) for n in RATE_FIELDS)
    s = parse("preset=custom&zoneout_h=0.3&weight_drop=0.2&in_share=gate")
    assert s.rates() == Rates(**{f.name: getattr(s, f.name) for f in dataclasses.fields(Rates)})


def test_openapi_parameters_are_the_fields(client):
    spec = client.get("/openapi.json").json()
    for path in STATE_ROUTES:
        params = spec["paths"][path]["get"]["parameters"]
        state = [p for p in params if p["name"] in FIELD]
        assert [p["name"] for p in state] == [f.name for f in FIELDS]
        for p in state:
            assert p["schema"] == FIELD[p["name"]].schema() and FIELD[p["name"]].allowed in p["description"]
    train = {p["name"]: p for p in spec["paths"]["/api/train"]["get"]["parameters"]}
    for f in LAB_FIELDS:
        assert train[f.name]["schema"] == f.schema()


def test_page_constants_are_the_fields():
    c = page_constants()
    assert c["fields"] == [f.as_json() for f in FIELDS]
    for v, d in DEFAULTS.items():
        assert c["defaults"][str(v)] == {f.name: f.kind.to_json(getattr(d, f.name)) for f in FIELDS}
    assert list(c["hide_labels"]) == list(HIDEABLE)
    assert all(
        c["hide_labels"][n] in (FIELD[n].label if n in FIELD else PANELS[n],) and c["hide_labels"][n] for n in HIDEABLE
    )
    assert lab_constants()["lab_fields"] == [f.as_json() for f in LAB_FIELDS]


class Controls(HTMLParser):
    """data-field boxes, in order, with the text of their label / legend and hint."""

    def __init__(self):
        super().__init__()
        self.boxes: list[dict] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-field" in a:
            self.boxes.append({"name": a["data-field"], "label": "", "hint": ""})
        elif self.boxes and tag in ("label", "legend") and not self.boxes[-1]["label"]:
            self._in = "label"
        elif self.boxes and tag == "p" and a.get("id") == f"{self.boxes[-1]['name']}-hint":
            self._in = "hint"

    def handle_endtag(self, tag):
        if tag in ("label", "legend", "p"):
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.boxes[-1][self._in] += data


def boxes(html: str) -> list[dict]:
    parser = Controls()
    parser.feed(html)
    return [{k: " ".join(v.split()) for k, v in b.items()} for b in parser.boxes]


def test_the_explorer_draws_each_control_from_its_declaration(client):
    html = client.get("/").text
    form = html[html.index('id="controls"') :]
    drawn = [b for b in boxes(form) if b["name"] in FIELD]
    expected = [f for g in ("main", "advanced") for f in FIELDS if f.group == g]
    assert [b["name"] for b in drawn] == [f.name for f in expected]
    for b, f in zip(drawn, expected, strict=True):
        assert b["label"] == f.label and b["hint"] == f.hint, f.name
    for f in expected:  # bounds and choices as declared
        if isinstance(f.kind, Int):
            assert re.search(rf'id="{f.name}"[^>]*min="{f.lo}" max="{f.hi}"', form), f.name
        if isinstance(f.kind, Choice):
            options = re.search(rf'<select id="{f.name}".*?</select>', form, re.S).group(0)
            assert re.findall(r'value="([^"]+)"', options) == list(f.choices)


def test_the_lab_draws_each_control_from_its_declaration(client):
    html = client.get("/train").text
    drawn = {b["name"]: b for b in boxes(html)}
    for f in (f for f in LAB_FIELDS if f.name != "study"):  # study: a recording to replay, not a setting
        assert drawn[f.name]["label"] == f.label, f.name
        assert drawn[f.name]["hint"] == f.hint, f.name
        if isinstance(f.kind, Int | Number):
            assert re.search(rf'id="{f.name}"[^>]*min="{f.lo}" max="{f.hi}"', html), f.name


def test_the_cli_accepts_every_run_the_lab_accepts():
    for f in (f for f in LAB_FIELDS if f.name != "seeds"):  # `train` trains one model; seeds: `study`
        cli = TRAIN_OPTIONS.get(f.name)
        if isinstance(f.kind, Int | Number):
            assert cli is not None and cli.lo <= f.lo and f.hi <= cli.hi, f.name
    assert DATA_OPTIONS["seed"] == TRAIN_OPTIONS["seed"] == FIELD["seed"].kind


def test_a_lab_link_round_trips():
    q = parse_lab("configs=both,none&epochs=3&lr=0.01&label_noise=0.1&dropout=0.3")
    assert q.configs == ("none", "both") and q.lr == 0.01
    assert parse_lab(q.canonical()) == q


def test_read_names_every_problem_once_each():
    table = {f.name: f for f in fields_of(LabQuery)}
    rest = []
    values, given_, problems = read(
        [("epochs", "3"), ("epochs", "4"), ("batch", "x"), ("dropout", "0.1")], table, lambda n, v: rest.append(n)
    )
    assert values == {"epochs": 3} and given_ == {"epochs": "3", "batch": "x"} and rest == ["dropout"]
    assert [(p.field, p.allowed) for p in problems] == [("epochs", "one value"), ("batch", table["batch"].allowed)]


KINDS = [
    Int(0, 9),
    Rate(),
    Number(0.001, 0.5),
    Choice(("a", "b")),
    Names(("x", "y", "z")),
    Names(("x", "y"), empty=False),
]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: type(k).__name__)
@settings(deadline=None, max_examples=300)  # no deadline: the machine is shared
@given(raw=st.text(alphabet="0123456789.,-+eabxyz ", max_size=12))
def test_a_kind_either_refuses_with_its_allowed_words_or_writes_back_what_it_read(kind, raw):
    f = Field("f", kind, None, "a field")
    value = f.parse(raw)
    if isinstance(value, Problem):
        assert value.field == "f" and value.allowed == kind.allowed() and kind.allowed() in value.message
    else:
        assert f.parse(f.text(value)) == value
