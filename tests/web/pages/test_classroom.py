"""Lessons and embed pages; framing; the page parameter present."""

from __future__ import annotations

import json

import pytest

from app.lessons import load
from app.web.pages.classroom import EMBED_VIEWS
from app.web.static_files import static_url
from tests.web.pages.test_explorer import Page, embedded_trace


def constants(html: str) -> dict:
    return json.loads(Page(html).scripts["page-constants"])


def test_the_index_lists_every_lesson_with_level_and_minutes(client):
    html = client.get("/lessons").text
    for lesson in load():
        assert f'href="/lessons/{lesson.slug}/1"' in html and lesson.title.replace("'", "&#39;") in html
        assert f"{lesson.minutes} minutes" in html and lesson.level in html


@pytest.mark.parametrize(
    ("slug", "n"), [(lesson.slug, n) for lesson in load() for n in range(1, len(lesson.steps) + 1)]
)
def test_every_step_of_every_lesson_renders_its_view(client, slug, n):
    r = client.get(f"/lessons/{slug}/{n}")
    assert r.status_code == 200
    c = constants(r.text)
    assert c["lesson"]["slug"] == slug and c["step"] == n and c["problems"] == []
    step = c["lesson"]["steps"][n - 1]
    if step["view"] == "lab":
        assert c["lab"]["query"] == step["link"]
    else:  # the explorer draws the step's state (and its compared model)
        trace = embedded_trace(Page(r.text))
        assert step["link"] in (trace["state"], c["compare"].get("link"))


def test_a_lesson_starts_at_its_first_step_and_bad_steps_are_404(client):
    r = client.get("/lessons/seed-question?present=1", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/lessons/seed-question/1?present=1"
    for url in ("/lessons/nope/1", "/lessons/seed-question/0", "/lessons/seed-question/99", "/lessons/seed-question/x"):
        r = client.get(url)
        assert r.status_code == 404 and "There is no" in r.text and "/lessons/seed-question/1" in r.text


def test_only_embed_may_be_framed(client):
    r = client.get("/embed?view=fig-h&seed=3")
    assert r.status_code == 200 and "frame-ancestors *" in r.headers["content-security-policy"]
    assert "x-frame-options" not in r.headers
    assert constants(r.text)["embed"] == {"view": "fig-h"}
    for url in ("/", "/train", "/lessons", "/api/trace", "/docs", "/lessons/seed-question/1"):
        r = client.get(url)
        assert (
            "frame-ancestors 'none'" in r.headers["content-security-policy"] and r.headers["x-frame-options"] == "DENY"
        )


def test_embed_views_and_a_bad_view(client):
    assert "cell" in EMBED_VIEWS and "fig-output" in EMBED_VIEWS
    r = client.get("/embed?view=nope&dropout=9")
    c = constants(r.text)
    assert r.status_code == 200 and c["embed"] == {"view": "cell"} and "view must be one of" in r.text
    assert [p["field"] for p in c["problems"]] == ["view", "dropout"]  # the page's scripts see both


def test_what_an_embed_fetches_may_be_read_from_any_origin(client):
    """A sandboxed iframe (no allow-same-origin) has an opaque origin: modules and fetches need CORS."""
    for url in (static_url("js/pages/embed.js"), "/api/trace?seed=2", "/api/mc", "/api/grads", "/api/trace?dropout=9"):
        assert client.get(url).headers["access-control-allow-origin"] == "*", url
    for url in ("/", "/embed", "/lessons", "/api/presets", "/api/qr?link=/"):
        assert "access-control-allow-origin" not in client.get(url).headers, url


@pytest.mark.parametrize("url", ["/", "/train", "/lessons", "/lessons/seed-question/2", "/embed?view=fig-h", "/docs"])
def test_pages_answer_head_as_get_without_a_body(client, url):
    head, get = client.head(url), client.get(url)
    assert head.status_code == get.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_a_step_link_takes_present_and_hide_and_names_anything_else(client):
    page = Page(client.get("/lessons/seed-question/2?present=1&hide=seed,preset").text)
    c = json.loads(page.scripts["page-constants"])
    assert c["present"] is True and c["problems"] == []
    trace = embedded_trace(page)
    assert trace["config"]["hide"] == ["preset", "seed"] and "hide=preset,seed" in trace["state"]
    c = constants(client.get("/lessons/seed-question/2?hide=everything&seed=5").text)
    assert [p["field"] for p in c["problems"]] == ["seed", "hide"]
    assert "cannot change a lesson step" in c["problems"][0]["message"]
    lab = next((lesson.slug, n) for lesson in load() for n, s in enumerate(lesson.steps, 1) if s.view == "lab")
    c = constants(client.get(f"/lessons/{lab[0]}/{lab[1]}?hide=seed").text)
    assert c["problems"] == [] and "hide=seed" in c["lab"]["query"]


def test_a_step_names_the_next_lesson_and_the_last_none(client):
    lessons = load()
    first, last = lessons[0], lessons[-1]
    assert constants(client.get(f"/lessons/{first.slug}/1").text)["next_lesson"] == {
        "slug": lessons[1].slug,
        "title": lessons[1].title,
    }
    assert constants(client.get(f"/lessons/{last.slug}/1").text)["next_lesson"] is None


def test_present_is_a_page_parameter(client):
    assert constants(client.get("/?present=1&seed=2").text)["present"] is True
    c = constants(client.get("/?present=2").text)
    assert c["present"] is False and c["problems"][0]["field"] == "present"
    assert constants(client.get("/train?present=1").text)["present"] is True
    assert 'class="classroom' in client.get("/lessons?utm_source=course&present=1").text


def test_hide_is_part_of_the_state(client):
    r = client.get("/api/state?hide=text,preset")
    assert r.status_code == 200 and r.json()["state"] == "hide=preset,text&v=3"
    bad = client.get("/api/state?hide=everything")
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "hide"
