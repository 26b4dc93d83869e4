"""Classroom mode (?present=1) in Chromium: large type and no chrome; the keys (R resamples the
masks, up / down move the timestep, F full screen and Escape out of it); the share panel's QR code
decodes to the page's own link and follows it; hide=... hides controls (gone from the screen and
the tab order, shown again for the person at the keyboard without changing the link); the link
builder's link round-trips; axe-core on presenter mode. Screenshot: lesson-share.png."""

from __future__ import annotations

import io
import json

import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image

from tests.browser.conftest import SCREENSHOTS, Watched, serious
from tests.browser.test_lessons import settle, wait_step


def projector(browser, url: str, width: int = 1280, height: int = 720) -> tuple:
    context = browser.new_context(viewport={"width": width, "height": height})
    w = Watched(context.new_page())
    w.open(url)
    return context, w


def qr_text(page) -> str:
    """Open the share panel (if closed) and decode its QR code from a screenshot of it."""
    if not page.locator("#share").is_visible():
        page.get_by_role("button", name="Share with the room").first.click()
    page.wait_for_function(
        "() => document.getElementById('share').dataset.qr === location.pathname + location.search + location.hash"
    )
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
    assert " ".join(page.locator("#keys").inner_text().split()) == "Keys: ↑ ↓ word R new masks F full screen"
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


def test_r_resamples_and_up_down_move_the_timestep(browser, base_url):
    context, w = projector(browser, base_url + "/?seed=3&present=1")
    page = w.page
    before = w.z("fig-embedding-mask")
    plotted = page.evaluate("document.body.dataset.plotted")
    page.keyboard.press("r")
    w.wait_plotted(plotted)
    assert page.url == base_url + "/?seed=4&v=3&present=1" and w.z("fig-embedding-mask") != before
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.url.endswith("#t=2") and page.locator("#timestep-word").inner_text() == "2: was"
    page.keyboard.press("ArrowDown")
    assert page.url.endswith("#t=1")
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


def test_the_qr_code_decodes_to_the_pages_own_link(browser, base_url):
    context, w = projector(browser, base_url + "/lessons/seed-question/2?present=1")
    page = w.page
    wait_step(w, 2)
    assert qr_text(page) == page.url == base_url + "/lessons/seed-question/2?present=1"
    assert page.locator("#share-link").inner_text() == page.url
    page.get_by_role("button", name="Close").click()
    page.keyboard.press("ArrowRight")
    wait_step(w, 3)
    assert qr_text(page) == page.url == base_url + "/lessons/seed-question/3?present=1"
    context.close()
    # the explorer: the state and the view (the hash) travel with the code
    context, w = projector(browser, base_url + "/?seed=3&present=1#t=4&unit=7")
    assert qr_text(w.page) == w.page.url == base_url + "/?seed=3&v=3&present=1#t=4&unit=7"
    assert w.problems == []
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
    assert builder_link(page) == "/?seed=3&v=3&present=1"
    page.get_by_role("checkbox", name="Students see: Framework").uncheck()
    page.get_by_role("checkbox", name="Students see: Phase").uncheck()
    page.wait_for_function("() => document.getElementById('builder').dataset.link.includes('hide=')")
    link = builder_link(page)
    assert link == "/?hide=preset,phase&seed=3&v=3&present=1"
    assert page.locator("#builder-link").inner_text() == base_url + link
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
    # "Use it on this page": the page takes the link, and the QR code follows it
    page.get_by_role("button", name="Use it on this page").click()
    page.wait_for_url(base_url + link)
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
    assert builder_link(page) == "/lessons/seed-question/2?present=1&hide=seed"
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
