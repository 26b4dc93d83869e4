"""The HTML pages, parsed: every template renders, every reflected value is escaped, the
embedded trace is the API's, and a link with errors keeps the rest of itself."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.documents.trace import trace_json
from app.link.state import FIELD, parse
from app.web.pages.render import PLOTLY_JS, html_json
from app.web.static_files import STORE


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.labels: dict[str, str] = {}
        self.ids: set[str] = set()
        self.attrs: dict[str, dict] = {}  # id -> attributes
        self.options: dict[str, list[tuple[str, str]]] = {}  # select id -> (value, text)
        self._select = None
        self._option = None
        self.urls: list[str] = []
        self.scripts: dict[str, str] = {}
        self._label_for = None
        self._script = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
            self.attrs[a["id"]] = a
        if tag == "select":
            self._select = a.get("id")
            self.options[self._select] = []
        if tag == "option" and self._select:
            self._option = [a.get("value"), ""]
        for key in ("src", "href"):
            if key in a:
                self.urls.append(a[key])
        if tag == "label":
            self._label_for = a.get("for")
            self.labels[self._label_for] = ""
        if tag == "script" and a.get("type") == "application/json":
            self._script = a["id"]
            self.scripts[self._script] = ""

    def handle_endtag(self, tag):
        if tag == "option" and self._option:
            self.options[self._select].append(tuple(self._option))
            self._option = None
        if tag == "select":
            self._select = None
        if tag == "label":
            self._label_for = None
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._option:
            self._option[1] += data
        if self._label_for:
            self.labels[self._label_for] += data
        if self._script:
            self.scripts[self._script] += data


def embedded_trace(page: Page) -> dict:
    return json.loads(page.scripts["initial-trace"])


LABELS = {
    "preset": "Framework",
    "emb_dropout": "Embedding dropout",
    "emb_mode": "Embedding dropout mode",
    "dropout": "LSTM dropout",
    "recurrent_dropout": "Recurrent dropout",
    "phase": "Phase",
    "seed": "Mask seed",
    "text": "Input text",
    "candidate_dropout": "Candidate dropout",
    "timestep": "Timestep",
}


def test_explorer_has_every_control_with_its_name(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = Page(r.text)
    for control, label in LABELS.items():
        assert page.labels[control].strip() == label and control in page.ids
    for fig in (
        "fig-embedding-mask",
        "fig-input-mask",
        "fig-recurrent-mask",
        "fig-h",
        "fig-diff",
        "fig-output",
        "cell",
    ):
        assert fig in page.ids


def test_controls_take_bounds_choices_and_labels_from_the_field_table(client):
    page = Page(client.get("/").text)
    for name in ("seed", "init_seed", "units", "layers", "len"):
        f = FIELD[name]
        assert (page.attrs[name]["min"], page.attrs[name]["max"]) == (str(f.lo), str(f.hi)), name
    for name in ("emb_dropout", "dropout", "out_dropout"):
        assert float(page.attrs[name]["max"]) < FIELD[name].hi
    for name in ("preset", "emb_mode", "phase", "weights", "in_share", "rec_time"):
        f = FIELD[name]
        assert page.options[name] == [(c, f.label_of[c]) for c in f.choices], name
    constants = json.loads(page.scripts["page-constants"])
    assert set(constants["limits"]) >= {"mc_samples_max", "seed_max", "text_max", "steps_max"}


def test_only_this_server_is_referenced(client):
    page = Page(client.get("/").text)
    assert page.urls and all(u.startswith(("/", "#")) for u in page.urls)  # "#": a place on the page
    assert PLOTLY_JS in page.urls
    js = client.get(PLOTLY_JS, headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200 and "immutable" in js.headers["cache-control"]
    assert js.text.lstrip().startswith("/**") and "plotly.js v" in js.text[:200]


def test_embedded_trace_is_the_api_trace(client):
    page = Page(client.get("/?seed=3&units=9&weights=random").text)
    assert embedded_trace(page) == json.loads(trace_json(parse("seed=3&units=9&weights=random")))


@pytest.mark.parametrize(
    "evil",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</script><script>alert(2)</script>", "a & b < c"],
)
def test_reflected_text_is_escaped(client, evil):
    r = client.get("/", params={"text": evil})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    page = Page(r.text)
    assert embedded_trace(page)["config"]["text"] == " ".join(evil.split())
    assert re.search(r'id="text"[^>]*value="[^"<>]*"', r.text)


@pytest.mark.parametrize("evil", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_reflected_errors_are_escaped(client, evil):
    r = client.get("/", params={"preset": evil})
    assert r.status_code == 200 and "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;" in r.text  # the message shows the value, escaped


def test_link_with_errors_keeps_the_rest(client):
    page = Page(client.get("/?dropout=2&seed=7&units=12").text)
    assert embedded_trace(page)["state"] == "seed=7&units=12&v=3&weights=random"
    constants = json.loads(page.scripts["page-constants"])
    assert [p["field"] for p in constants["problems"]] == ["dropout", "weights"]  # units=12: no trained weights
    html = client.get("/?dropout=2&seed=7").text
    assert re.search(r'id="dropout-error"\s*>dropout must be', html)


def test_rate_a_preset_lacks_falls_back_to_zero(client):
    page = Page(client.get("/?preset=pytorch&layers=2").text)
    assert embedded_trace(page)["state"] == "layers=2&preset=pytorch&recurrent_dropout=0&v=3"


def test_html_json_escapes_markup():
    assert html_json('{"a":"</script>&"}') == '{"a":"\\u003c/script\\u003e\\u0026"}'
    assert json.loads(html_json('{"a":"</script>&"}')) == {"a": "</script>&"}


def test_docs_page(client):
    page = Page(client.get("/docs").text)
    assert all(u.startswith("/") for u in page.urls)


def test_every_id_is_unique(client):
    ids = all_ids(client.get("/?vs.emb_dropout=0").text)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_compare_link_embeds_model_b(client):
    page = Page(client.get("/?seed=3&units=9&weights=random&vs.emb_dropout=0").text)
    b = json.loads(page.scripts["compare-trace"])
    assert b == json.loads(trace_json(parse("emb_dropout=0&seed=3&units=9&weights=random")))
    compare = json.loads(page.scripts["page-constants"])["compare"]
    assert compare["link"] == "seed=3&units=9&v=3&vs.emb_dropout=0&weights=random"
    assert embedded_trace(page)["state"] == "seed=3&units=9&v=3&weights=random"
    # both strips, B's filled in by the page; the twins of A's figures
    assert {"strip", "strip-b", "strip-b-vs", "fig-h-b", "fig-embedding-mask-b", "fig-grad-embedding"} <= page.ids


def test_no_compare_embeds_null_and_bad_vs_values_are_problems(client):
    page = Page(client.get("/").text)
    assert page.scripts["compare-trace"].strip() == "null"
    page = Page(client.get("/?vs.emb_dropout=2").text)
    assert page.scripts["compare-trace"].strip() == "null"
    problems = json.loads(page.scripts["page-constants"])["compare"]["problems"]
    assert [p["field"] for p in problems] == ["vs.emb_dropout"]


def test_compare_editor_takes_its_fields_from_the_field_table(client):
    page = Page(client.get("/").text)
    assert [v for v, _ in page.options["compare-field"]] == [name for name in FIELD if name != "v"]
    assert page.labels["compare-with"].strip() == "Compare with…"
    assert page.labels["grad-label"].strip() == "Label of the loss"


@pytest.mark.parametrize("evil", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_reflected_vs_values_are_escaped(client, evil):
    r = client.get("/", params={"vs.text": evil, "vs.preset": evil})
    assert r.status_code == 200 and "<script>alert" not in r.text and "<img src=x" not in r.text
    compare = json.loads(Page(r.text).scripts["page-constants"])["compare"]
    assert ["text", evil] in compare["vs"]


# -- lessons and classroom mode (issue 11): the templates' side; the behaviour is tests/browser --


def all_ids(html: str) -> list[str]:
    ids: list[str] = []

    class Ids(HTMLParser):
        def handle_starttag(self, tag, attrs):
            ids.extend(v for k, v in attrs if k == "id")

    Ids().feed(html)
    return ids


def html_class(html: str) -> set[str]:
    return set((re.search(r'<html lang="en"(?: class="([^"]*)")?>', html).group(1) or "").split())


@pytest.mark.parametrize(
    ("url", "view"),
    [
        ("/lessons/seed-question/1?present=1", "explorer"),
        ("/lessons/seed-question/6", "explorer"),
        ("/lessons/does-it-matter/2?present=1", "lab"),
    ],
)
def test_a_lesson_step_has_its_panel_every_focus_target_and_unique_ids(client, url, view):
    from app.lessons.targets import FOCUS

    html = client.get(url).text
    ids = all_ids(html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    panel = {
        "lesson",
        "lesson-title",
        "lesson-count",
        "lesson-progress",
        "step-title",
        "step-text",
        "step-questions",
        "lesson-prev",
        "lesson-next",
        "lesson-open",
        "lesson-index",
        "lesson-announce",
        "share",
        "share-qr",
    }
    assert panel <= set(ids)
    assert set(FOCUS[view]) <= set(ids)  # every target a step of this view may bring forward
    assert "lesson" in html_class(html) and ("classroom" in html_class(html)) == ("present=1" in url)
    page = Page(html)
    assert page.attrs["lesson-index"]["href"] == "/lessons" + ("?present=1" if "present=1" in url else "")
    assert all(u.startswith(("/", "#")) for u in page.urls)


def test_classroom_mode_on_every_page_and_only_with_present(client):
    for url in ("/", "/train", "/lessons", "/lessons/inference/2"):
        plain = client.get(url).text
        present = client.get(url + ("&" if "?" in url else "?") + "present=1").text
        assert "classroom" not in html_class(plain) and 'id="classroom-bar"' not in plain, url
        assert "classroom" in html_class(present) and 'id="classroom-bar"' in present, url
        assert 'id="share"' in present and 'id="fullscreen"' in present, url
    explorer = Page(client.get("/?present=1").text)
    assert {"builder", "builder-boxes", "hidden-note", "hidden-reveal", "share-inline"} <= explorer.ids
    assert "builder" not in Page(client.get("/train?present=1").text).ids  # the lab has no controls to hide


def test_the_key_legend_names_the_keys_each_page_has(client):
    def keys(url: str) -> str:  # the legend's words
        html = client.get(url).text
        return " ".join(re.sub(r"<[^>]+>", " ", html.split('id="keys">')[1].split("</p>")[0]).split())

    assert keys("/?present=1") == "Keys: ↑ ↓ next / previous word R new masks F full screen"
    assert (
        keys("/lessons/seed-question/1?present=1")
        == "Keys: ← → step ↑ ↓ next / previous word R new masks F full screen"
    )
    assert keys("/train?present=1") == "Keys: F full screen"


def test_the_lessons_index_says_level_minutes_steps_and_offers_a_room(client):
    from app.lessons import load

    html = client.get("/lessons").text
    page = Page(html)
    for lesson in load():
        card = html.split(f'id="lesson-{lesson.slug}"')[1].split("</li>\n    \n")[0]
        assert f'class="level-{lesson.level}">{lesson.level}<' in card
        assert f"{lesson.minutes} minutes" in card and f"{len(lesson.steps)} steps" in card
        assert f'href="/lessons/{lesson.slug}/1?present=1"' in card
        for n in range(1, len(lesson.steps) + 1):
            assert f'href="/lessons/{lesson.slug}/{n}"' in card
    assert all(u.startswith("/") for u in page.urls)
    present = client.get("/lessons?present=1").text
    assert 'href="/lessons/seed-question/1?present=1"' in present and "Present to a room" not in present


def test_lesson_text_is_the_servers_markdown_and_reaches_the_page_escaped(client):
    constants = json.loads(Page(client.get("/lessons/seed-question/2").text).scripts["page-constants"])
    step = constants["lesson"]["steps"][1]
    assert "<code>Dropout(0.25)</code>" in step["html"] and "<script" not in step["html"]
    assert step["focus"] == "fig-embedding-mask" and step["highlight"] == "mask:embedding"
    assert constants["present"] is False and constants["step"] == 2


STATIC_JS = Path(__file__).parents[3] / "static" / "js"
IMPORT = re.compile(r"""^import\s[^;]*?from\s+"(\.[^"]+)";|^import\s+"(\.[^"]+)";""", re.M)
DYNAMIC = re.compile(r"""import\("(\.[^"]+)"\)""")


def module_graph(entry: str, dynamic: set[str] = frozenset()) -> set[str]:
    """Every module (path under static/js, no .js) that `entry` imports, directly or not;
    dynamic: the modules whose import("...") calls count too."""
    seen, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = (STATIC_JS / f"{name}.js").read_text()
        found = [a or b for a, b in IMPORT.findall(text)]
        if name in dynamic:
            found += DYNAMIC.findall(text)
        for rel in found:
            path = (STATIC_JS / name).parent / rel
            todo.append(path.resolve().relative_to(STATIC_JS.resolve()).with_suffix("").as_posix())
    return seen


def preloaded(html: str) -> set[str]:
    return set(re.findall(rf'<link rel="modulepreload" href="{re.escape(STORE.prefix + "js/")}([^"]+)\.js">', html))


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("/", "pages/explorer"),
        ("/lessons/seed-question/1", "pages/explorer"),
        ("/train", "pages/train"),
        ("/lessons", "pages/lessons"),
        ("/embed?view=fig-h", "pages/embed"),
        ("/embed?view=fig-grads", "pages/embed"),
    ],
)
def test_every_module_a_page_loads_is_preloaded(client, url, entry):
    """No request waterfall: the browser fetches the whole module graph at once, not one level of
    imports after another (an import added without its preload link shows up here)."""
    html = client.get(url).text
    graph = module_graph(entry, dynamic={"pages/embed"} if "fig-" in url else set())
    if "fig-" in url:
        graph -= module_graph("embed/cell") - module_graph("embed/figure-of")  # the cell's, not drawn here
    graph.discard(entry)  # the page's <script type="module"> itself
    assert graph - preloaded(html) == set()
    assert preloaded(html) - module_graph(entry, dynamic={"pages/embed"}) == set()  # nothing preloaded in vain


def test_the_embedded_cell_preloads_the_cell_and_not_the_figures(client):
    html = client.get("/embed?view=cell").text
    graph = module_graph("pages/embed") | module_graph("embed/cell")
    graph.discard("pages/embed")
    assert graph - preloaded(html) == set()
    assert not any(m.startswith("figures/") and m != "figures/common" for m in preloaded(html))
