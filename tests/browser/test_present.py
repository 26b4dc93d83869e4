"""Classroom mode (?present=1) in Chromium: large type and no chrome; the explorer's first screen
at three projector sizes (the answer's headline and the cell with its masks, the rest of the
verdict one click away); chart titles, their second lines and tick labels at >= 12 px (>= 18 px
presenting for titles); the keys (R resamples the masks, up / down the next / previous timestep
as the README says, F full screen and Escape out of it); the share panel's QR code decodes to the
students' link (the page's without present=1) and follows it; hide=... hides controls (gone from
the screen and the tab order, shown again for the person at the keyboard without changing the
link); the link builder's link round-trips and is at once the panel's big QR code and link;
axe-core on presenter mode. Screenshots: lesson-share.png, classroom-WxH.png."""

from __future__ import annotations

import io
import json
from pathlib import Path

import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image

from tests.browser.conftest import SCREENSHOTS, Watched, device, serious
from tests.browser.test_lessons import settle, wait_step


def projector(browser, url: str, width: int = 1280, height: int = 720) -> tuple:
    context = browser.new_context(viewport={"width": width, "height": height})
    w = Watched(context.new_page())
    w.open(url)
    return context, w


def without_present(url: str) -> str:
    """The students' link: the URL without its present=1 (the rest as it is)."""
    head, hash_, view = url.partition("#")
    path, _, query = head.partition("?")
    kept = [p for p in query.split("&") if p and p != "present=1"]
    return path + ("?" + "&".join(kept) if kept else "") + hash_ + view


def qr_text(page, link: str | None = None) -> str:
    """Open the share panel (if closed) and decode its QR code from a screenshot of it, once it
    shows ``link`` (a path; by default the students' link of the page)."""
    if not page.locator("#share").is_visible():
        page.get_by_role("button", name="Share with the room").first.click()
    if link is None:
        link = without_present(page.evaluate("location.pathname + location.search + location.hash"))
    page.wait_for_function("link => document.getElementById('share').dataset.qr === link", arg=link)
    png = page.locator("#share-qr").screenshot()
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return code.text


def test_present_mode_has_large_type_and_no_chrome(browser, base_url):
    context, w = projector(browser, base_url + "/?present=1")
    page = w.page
    assert page.url == base_url + "/?v=3&present=1"  # the page parameter stays in the link
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    assert page.locator("header.top").bounding_box()["height"] <= 1  # the header: for screen readers only
    assert not page.locator("footer").is_visible()
    assert page.locator("#classroom-bar").is_visible()
    assert " ".join(page.locator("#keys").inner_text().split()) == (
        "Keys: ↑ ↓ next / previous word R new masks F full screen"
    )
    page.locator("#fig-embedding-mask").hover()
    assert not page.locator("#fig-embedding-mask .modebar-container").is_visible()
    ticks = page.eval_on_selector_all(
        "#fig-embedding-mask .xtick text", "ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert ticks and min(ticks) >= 16
    page.get_by_role("button", name="Controls").click()
    assert page.get_by_label("Mask seed", exact=True).is_visible()
    assert not page.get_by_role("button", name="Download trace (JSON)").is_visible()
    assert w.problems == []
    context.close()


def test_r_resamples_and_up_down_move_the_timestep_as_documented(browser, base_url):
    context, w = projector(browser, base_url + "/?seed=3&present=1")
    page = w.page
    before = w.z("fig-embedding-mask")
    plotted = page.evaluate("document.body.dataset.plotted")
    page.keyboard.press("r")
    w.wait_plotted(plotted)
    assert page.url == base_url + "/?seed=4&v=3&present=1" and w.z("fig-embedding-mask") != before
    # README: "up / down | next / previous timestep (as the Timestep slider's own arrows)"
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "| up / down | next / previous timestep" in readme
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.url.endswith("#t=2") and page.locator("#timestep-word").inner_text() == "2: was"
    page.keyboard.press("ArrowDown")
    assert page.url.endswith("#t=1")
    # the slider, focused, goes the same way
    page.locator("#timestep").focus()
    page.keyboard.press("ArrowUp")
    assert page.url.endswith("#t=2")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert "#t=" not in page.url and page.locator("#timestep-word").inner_text() == "0: the"  # t=0: no hash
    page.locator("#timestep").blur()
    # a focused control keeps its keys: r typed in the sentence, the arrows on a slider
    text = page.get_by_label("Input text", exact=True)
    page.get_by_role("button", name="Controls").click()
    text.focus()
    page.keyboard.press("End")
    page.keyboard.type(" r")
    assert text.input_value().endswith("great r") and "seed=4" in page.url
    page.keyboard.press("Escape")
    assert w.problems == []
    context.close()


def test_f_enters_full_screen_and_escape_leaves(browser, base_url):
    context, w = projector(browser, base_url + "/lessons/seed-question/1?present=1")
    page = w.page
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement !== null")
    assert page.locator("#fullscreen").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.fullscreenElement === null")
    assert page.locator("#fullscreen").inner_text() == "Full screen"
    context.close()


def test_the_qr_code_decodes_to_the_students_link(browser, base_url):
    """The room gets the page's link without present=1 (students' phones open the ordinary page);
    the presenter's own address keeps it."""
    context, w = projector(browser, base_url + "/lessons/seed-question/2?present=1")
    page = w.page
    wait_step(w, 2)
    assert qr_text(page) == base_url + "/lessons/seed-question/2"
    assert page.url == base_url + "/lessons/seed-question/2?present=1"
    assert page.locator("#share-link").inner_text() == base_url + "/lessons/seed-question/2"
    assert page.locator("#share-students").is_visible()
    page.get_by_role("button", name="Close").click()
    page.keyboard.press("ArrowRight")
    wait_step(w, 3)
    assert qr_text(page) == base_url + "/lessons/seed-question/3"
    assert page.url == base_url + "/lessons/seed-question/3?present=1"
    context.close()
    # the explorer: the state and the view (the hash) travel with the code, present does not
    context, w = projector(browser, base_url + "/?seed=3&present=1#t=4&unit=7")
    assert qr_text(w.page) == base_url + "/?seed=3&v=3#t=4&unit=7"
    assert w.page.url == base_url + "/?seed=3&v=3&present=1#t=4&unit=7"
    assert w.problems == []
    context.close()
    # out of classroom mode the link is the page's own, and nothing says otherwise
    context, w = projector(browser, base_url + "/?seed=3#t=2")
    assert qr_text(w.page) == w.page.url == base_url + "/?seed=3&v=3#t=2"
    assert not w.page.locator("#share-students").is_visible()
    context.close()


def test_hide_hides_controls_and_the_keyboard_can_show_them(watched, base_url):
    w = watched
    w.open(base_url + "/?hide=seed,text,compare")
    page = w.page
    assert page.url == base_url + "/?hide=seed,text,compare&v=3"
    for selector in ("[data-field=seed]", "[data-field=text]", "#compare", "#strip-compare", "#resample"):
        assert not page.locator(selector).is_visible(), selector
    assert page.get_by_label("Framework", exact=True).is_visible()
    note = page.locator("#hidden-note")
    assert note.is_visible() and "Mask seed, Input text" in note.inner_text()
    reached = set()
    page.locator("#preset").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id"))
    assert not reached & {"seed", "resample", "text", "compare-with"} and "emb_dropout" in reached
    # the strip's dropout still brings its figure forward (its control is not hidden)
    page.get_by_role("button", name="Show them here").click()
    assert page.locator("[data-field=seed]").is_visible() and page.locator("#compare").is_visible()
    assert page.url == base_url + "/?hide=seed,text,compare&v=3"  # the link is unchanged
    page.get_by_role("button", name="Hide them again").click()
    assert not page.locator("[data-field=seed]").is_visible()
    assert w.problems == []


def open_builder(page) -> None:
    page.get_by_role("button", name="Share with the room").first.click()
    page.get_by_text("Which controls students see").click()


def builder_link(page) -> str:
    page.wait_for_function("() => !document.getElementById('builder-copy').disabled")
    return page.evaluate("document.getElementById('builder').dataset.link")


def test_the_link_builders_link_round_trips(browser, base_url):
    context, w = projector(browser, base_url + "/?seed=3&present=1")
    page = w.page
    open_builder(page)
    assert builder_link(page) == "/?seed=3&v=3"  # the students' view: no present=1
    page.get_by_role("checkbox", name="Students see: Framework").uncheck()
    page.get_by_role("checkbox", name="Students see: Phase").uncheck()
    page.wait_for_function("() => document.getElementById('builder').dataset.link.includes('hide=')")
    link = builder_link(page)
    assert link == "/?hide=preset,phase&seed=3&v=3"
    assert page.locator("#builder-link").inner_text() == base_url + link
    # the panel's big QR code and big link are the builder's at once, and follow a box ticked again
    assert qr_text(page, link) == base_url + link
    assert page.locator("#share-link").inner_text() == base_url + link
    page.get_by_role("checkbox", name="Students see: Phase").check()
    assert qr_text(page, "/?hide=preset&seed=3&v=3") == base_url + "/?hide=preset&seed=3&v=3"
    assert page.locator("#share-link").inner_text() == base_url + "/?hide=preset&seed=3&v=3"
    page.get_by_role("checkbox", name="Students see: Phase").uncheck()
    assert qr_text(page, link) == base_url + link
    # the link, opened: those controls hidden, and its builder says the same
    other, w2 = projector(browser, base_url + link)
    for name in ("preset", "phase"):
        assert not w2.page.locator(f"[data-field={name}]").is_visible(), name
    open_builder(w2.page)
    assert builder_link(w2.page) == link
    shown = {
        name: w2.page.get_by_role("checkbox", name=f"Students see: {name}").is_checked()
        for name in ("Framework", "Phase", "Weights")
    }
    assert shown == {"Framework": False, "Phase": False, "Weights": True}
    other.close()
    # "Use it on this page": the page takes the link (and keeps its own present=1), the QR code
    # stays the students' link
    page.get_by_role("button", name="Use it on this page").click()
    page.wait_for_url(base_url + link + "&present=1")
    assert qr_text(page) == base_url + link
    page.get_by_role("button", name="Close").click()
    assert not page.locator("[data-field=preset]").is_visible()
    assert w.problems == []
    context.close()


def test_the_builder_on_a_lesson_step_and_what_the_server_refuses(browser, base_url):
    context, w = projector(browser, base_url + "/lessons/seed-question/2?present=1")
    page = w.page
    wait_step(w, 2)
    open_builder(page)
    page.get_by_role("checkbox", name="Students see: Mask seed").uncheck()
    page.wait_for_function("() => document.getElementById('builder').dataset.link.includes('hide=')")
    assert builder_link(page) == "/lessons/seed-question/2?hide=seed"
    page.get_by_role("button", name="Use it on this page").click()
    page.get_by_role("button", name="Close").click()
    assert page.url == base_url + "/lessons/seed-question/2?present=1&hide=seed"
    page.keyboard.press("ArrowRight")
    wait_step(w, 3)
    assert page.url == base_url + "/lessons/seed-question/3?present=1&hide=seed"
    settle(w)
    page.reload()
    wait_step(w, 3)
    page.get_by_role("button", name="Controls (1 hidden)").click()
    assert not page.locator("[data-field=seed]").is_visible() and page.locator("#hidden-note").is_visible()
    page.keyboard.press("Escape")
    # a link the server refuses is named, and not offered
    refusal = json.dumps({"detail": "invalid", "problems": [{"field": "hide", "value": "x", "message": "no."}]})
    page.route("**/api/state?*", lambda r: r.fulfill(status=422, body=refusal, content_type="application/json"))
    open_builder(page)
    page.get_by_role("checkbox", name="Students see: Phase").uncheck()
    page.wait_for_function("() => !document.getElementById('builder-error').hidden")
    assert page.locator("#builder-error").inner_text() == "hide: no."
    assert page.locator("#builder-copy").is_disabled() and page.locator("#builder-use").is_disabled()
    context.close()


def test_no_serious_accessibility_violation_in_presenter_mode(browser, base_url):
    for url in ("/?present=1", "/lessons/seed-question/1?present=1", "/lessons?present=1"):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.goto(base_url + url)
        page.wait_for_function("() => document.readyState === 'complete'")
        if url != "/lessons?present=1":
            Watched(page).wait_plotted()
        assert serious(Axe().run(page)) == [], url
        page.get_by_role("button", name="Share with the room").first.click()
        page.wait_for_function("() => document.getElementById('share').dataset.qr")
        if page.locator("#builder-details").count():
            page.get_by_text("Which controls students see").click()
            builder_link(page)
        assert serious(Axe().run(page)) == [], url + " (share panel)"
        context.close()


def test_share_panel_screenshot(browser, base_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, w = projector(browser, base_url + "/lessons/seed-question/3?present=1")
    wait_step(w, 3)
    qr_text(w.page)
    w.page.screenshot(path=str(SCREENSHOTS / "lesson-share.png"))
    context.close()
    context, w = projector(browser, base_url + "/?seed=3&present=1")
    qr_text(w.page)
    w.page.screenshot(path=str(SCREENSHOTS / "lesson-share-explorer.png"))
    context.close()


SIZES = [(1024, 768), (1280, 720), (1920, 1080)]
# where an element is drawn, and where the first screen ends (the top of the classroom bar)
BOXES = """sel => [...document.querySelectorAll(sel)].map(e => { const r = e.getBoundingClientRect();
             return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })"""


def test_the_first_screen_is_the_answer_and_the_cell(browser, base_url):
    """At 1024x768, 1280x720 and 1920x1080: with no scrolling, the verdict's headline and the cell
    with every mask mark on it; the rest of the verdict behind "The details", all of it there once
    shown. Screenshots: classroom-WxH.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    verdict = None
    for width, height in SIZES:
        context, w = projector(browser, base_url + "/?seed=3&present=1", width, height)
        page = w.page
        if verdict is None:
            verdict = page.request.get(f"{base_url}/api/trace?seed=3").json()["plan"]["verdict"]
        page.wait_for_function("() => document.querySelector('#cell [data-mask]')")
        page.wait_for_timeout(300)  # the cell fitted to the screen (a frame after it is drawn)
        assert page.evaluate("scrollY") == 0
        end = page.locator("#classroom-bar").bounding_box()["y"]
        where = f"{width}x{height}"
        (answer,) = page.evaluate(BOXES, "#verdict-answer")
        assert page.locator("#verdict-answer").inner_text() == verdict["answer"], where
        assert answer["top"] >= 0 and answer["bottom"] <= end and answer["right"] <= width, where
        (cell,) = page.evaluate(BOXES, "#cell svg")
        marks = page.evaluate(BOXES, "#cell [data-mask]")
        assert marks, where
        assert 0 <= cell["top"] < end and cell["right"] <= width, where
        for mark in marks:
            assert cell["top"] <= mark["top"] and mark["bottom"] <= end and mark["right"] <= width, (where, mark)
        # the points, the difference and the frameworks' details: one click away
        toggle = page.get_by_role("button", name="The details")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("#verdict .verdict-points").is_visible()
        page.screenshot(path=str(SCREENSHOTS / f"classroom-{where}.png"))
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("#verdict-more").get_attribute("id") == toggle.get_attribute("aria-controls")
        points = page.locator("#verdict .verdict-points > li")
        assert points.count() == len(verdict["points"]) and points.first.is_visible()
        for li, point in zip(points.all(), verdict["points"], strict=True):
            assert " ".join(li.inner_text().split()) == f"{point['title']}. {point['text']}", where
        assert (
            page.locator("#verdict .verdict-difference")
            .inner_text()
            .startswith(verdict["difference"].split(" the training lab")[0])
        )
        # shown, it stays shown while the state changes
        plotted = page.evaluate("document.body.dataset.plotted")
        page.keyboard.press("r")
        w.wait_plotted(plotted)
        assert page.locator("#verdict .verdict-points").is_visible()
        assert page.get_by_role("button", name="The details").get_attribute("aria-expanded") == "true"
        assert w.problems == [], where
        context.close()
    # out of classroom mode the verdict is whole, as before; on a phone, where it would fill the
    # first screen, only its answer until "The details"
    context, w = projector(browser, base_url + "/?seed=3", 1280, 800)
    assert w.page.locator("#verdict .verdict-points").is_visible()
    assert w.page.get_by_role("button", name="The details").count() == 0
    context.close()
    context = device(browser, 390, 844)
    w = Watched(context.new_page()).open(base_url + "/?seed=3")
    assert not w.page.locator("#verdict .verdict-points").is_visible()
    w.page.get_by_role("button", name="The details").click()
    assert w.page.locator("#verdict .verdict-points").is_visible()
    assert w.problems == []
    context.close()


FONTS = """() => [...document.querySelectorAll('.fig')]
  .filter(f => !f.hidden && f.querySelector('.main-svg')).map(f => {
  const sizes = sel => [...f.querySelectorAll(sel)].map(t => parseFloat(getComputedStyle(t).fontSize));
  return {id: f.id, title: sizes('.gtitle, .gtitle tspan'), ticks: sizes('.xtick text, .ytick text'),
          notes: sizes('.annotation-text')}; })"""


def chart_fonts(page) -> dict:
    """Every drawn figure's title (and its second line), tick and annotation sizes in px, once
    each figure down the page has been brought into view (figures are drawn as they come)."""
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height, 500):
        page.evaluate(f"scrollTo(0, {y})")
        page.wait_for_timeout(120)
    page.wait_for_function(
        "ids => ids.every(id => document.getElementById(id).querySelector('.main-svg .gtitle'))",
        arg=["fig-embedding-mask", "fig-input-mask", "fig-gate-i", "fig-diff", "fig-output", "fig-grad-norms"],
        timeout=20_000,
    )
    return {f["id"]: f for f in page.evaluate(FONTS)}


def test_chart_titles_subtitles_and_ticks_are_legible(browser, base_url):
    """Titles and their second lines (the key facts) >= 12 px, ticks >= 12 px; presenting, titles
    and their second lines >= 18 px (ticks too)."""
    for query, least_title, least_tick in (("/?seed=3", 12, 12), ("/?seed=3&present=1", 18, 18)):
        context, w = projector(browser, base_url + query, 1280, 800)
        figs = chart_fonts(w.page)
        assert len(figs) >= 6
        for fig in figs.values():
            assert fig["title"] and min(fig["title"]) >= least_title, (query, fig)
            assert fig["ticks"] and min(fig["ticks"]) >= least_tick, (query, fig)
            assert not fig["notes"] or min(fig["notes"]) >= least_tick, (query, fig)
        # the second line of a title is its own size (not <sup>'s 70 %)
        detail = w.page.evaluate(
            "() => [...document.querySelectorAll('#fig-input-mask .gtitle tspan')].map(t => [t.textContent,"
            " parseFloat(getComputedStyle(t).fontSize)])"
        )
        assert any(size >= least_title and "kept" in text for text, size in detail), detail
        assert w.problems == [], query
        context.close()
