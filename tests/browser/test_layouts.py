"""Every layout a class meets: projectors (1024x768, 1280x720, 1920x1080, with and without
"Larger text") and a phone (390x844), with one model and in compare mode (A and B side by side).
Nothing overlaps, everything can be clicked, the text can be read. Screenshots of each layout go
to artifacts/screenshots/[compare-]<width>x<height>[-big].png."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, Watched, device

OVERLAPS = (Path(__file__).parent / "overlaps.js").read_text()
DESKTOPS = [(1024, 768), (1280, 720), (1920, 1080)]
LAYOUTS = [(w, h, big) for w, h in DESKTOPS for big in (False, True)]
COMPARE = "/?vs.emb_dropout=0"  # the seed's two models
COMPARE_LAYOUTS = [(1280, 900, False), (1280, 720, True), (1920, 1080, True)]

CLICKABLE = """el => {
  if (!el.checkVisibility({checkVisibilityCSS: true})) return "";
  el.scrollIntoView({block: "center", inline: "center"});
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const ok = hit === el || el.contains(hit) || (hit?.tagName === "LABEL" && hit.control === el);
  return ok ? "" : `${el.id || el.textContent.trim()} is under ${hit?.outerHTML.slice(0, 80)}`;
}"""
CONTROLS = "#controls input, #controls select, #controls button, #controls summary"


def open_layout(browser, base_url, width, height, big, query="/"):
    context = device(browser, width, height)
    w = Watched(context.new_page())
    w.page.goto(base_url + query + ("#big=1" if big else ""))
    w.wait_plotted()
    w.page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state", timeout=20_000)
    w.wait_plotted()
    return context, w


def overlaps_while_scrolling(page) -> list[str]:
    """Control boxes over chart boxes, at the top, along and at the end of the page."""
    found = []
    height = page.evaluate("document.documentElement.scrollHeight - innerHeight")
    for y in (0, height // 4, height // 2, 3 * height // 4, height):
        page.evaluate(f"window.scrollTo(0, {y})")
        found += [f"at {y}: {o}" for o in page.evaluate(OVERLAPS)]
    page.evaluate("window.scrollTo(0, 0)")
    return found


def unclickable(page, selector: str) -> list[str]:
    page.evaluate("document.querySelectorAll('#controls details').forEach(d => d.open = true)")
    return [p for p in page.eval_on_selector_all(selector, f"els => els.map({CLICKABLE})") if p]


def drawer(page) -> bool:
    return page.evaluate("document.body.dataset.drawer") == "true"


def open_drawer(page):
    page.get_by_role("button", name="Controls", exact=True).click()
    page.wait_for_function("() => getComputedStyle(document.getElementById('controls')).visibility === 'visible'")
    page.wait_for_timeout(50)


def tick_sizes(page) -> list[float]:
    return page.evaluate(
        "[...document.querySelectorAll('.fig .xtick text, .fig .ytick text')]"
        ".map(t => parseFloat(getComputedStyle(t).fontSize))"
    )


def desktop_layout_holds(w: Watched, width: int, big: bool, name: str):
    page = w.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.screenshot(path=str(SCREENSHOTS / f"{name}-full.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert overlaps_while_scrolling(page) == []
    assert unclickable(page, "[role=tab], #cursor-bar button, .strip button") == []
    if drawer(page):
        open_drawer(page)
    assert unclickable(page, CONTROLS) == []
    sizes = tick_sizes(page)
    assert sizes, "no tick labels drawn"
    if big:
        assert min(sizes) >= 16, min(sizes)
    assert w.problems == []


@pytest.mark.parametrize("width,height,big", LAYOUTS, ids=[f"{w}x{h}{'-big' if b else ''}" for w, h, b in LAYOUTS])
def test_desktop_layout_holds(browser, base_url, width, height, big):
    context, w = open_layout(browser, base_url, width, height, big)
    desktop_layout_holds(w, width, big, f"{width}x{height}{'-big' if big else ''}")
    context.close()


@pytest.mark.parametrize(
    "width,height,big", COMPARE_LAYOUTS, ids=[f"{w}x{h}{'-big' if b else ''}" for w, h, b in COMPARE_LAYOUTS]
)
def test_compare_layout_holds(browser, base_url, width, height, big):
    context, w = open_layout(browser, base_url, width, height, big, COMPARE)
    page = w.page
    assert page.locator("#strip-b").is_visible()
    # A and B side by side: each twin level with its A figure, to its right
    for fig in ("fig-embedding-mask", "fig-gate-i", "fig-h"):
        page.locator(f"#{fig}").scroll_into_view_if_needed()
        a, b = (page.locator(f"#{f}").bounding_box() for f in (fig, f"{fig}-b"))
        assert abs(a["y"] - b["y"]) < 2 and b["x"] >= a["x"] + a["width"] - 1, fig
    page.evaluate("window.scrollTo(0, 0)")
    desktop_layout_holds(w, width, big, f"compare-{width}x{height}{'-big' if big else ''}")
    context.close()


def test_larger_text_below_1500_px_puts_the_controls_in_a_drawer(browser, base_url):
    context, w = open_layout(browser, base_url, 1280, 720, True)
    page = w.page
    assert drawer(page)
    assert not page.get_by_label("Framework", exact=True).is_visible()
    open_drawer(page)
    before = page.evaluate("document.body.dataset.plotted")
    page.get_by_label("Phase", exact=True).select_option("infer")
    w.wait_plotted(before)
    page.keyboard.press("Escape")
    page.wait_for_function("() => getComputedStyle(document.getElementById('controls')).visibility === 'hidden'")
    assert "phase=infer" in page.url and "big=1" in page.url
    context.close()


def phone_layout_holds(w: Watched, width: int, height: int, name: str):
    page = w.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.screenshot(path=str(SCREENSHOTS / f"{name}-full.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the first picture (the cell diagram or a plot) within the first screen and a half
    first = page.evaluate(
        "Math.min(...[...document.querySelectorAll('#cell svg, .fig .main-svg')]"
        ".map(e => e.getBoundingClientRect().top + scrollY))"
    )
    assert first <= 1.5 * height, first
    # the cell's text renders at 11 px or more
    smallest = page.evaluate(
        """() => { const svg = document.querySelector('#cell svg'); const k = svg.getScreenCTM().a;
           const text = [...svg.querySelectorAll('text, tspan')];
           const sizes = text.map(t => parseFloat(getComputedStyle(t).fontSize) * k);
           return Math.min(...sizes); }"""
    )
    assert smallest >= 11, smallest
    # tick labels inside their chart (not cut), the toolbar clear of every title
    cut = page.evaluate(
        """[...document.querySelectorAll('.fig')].filter(f => !f.hidden).flatMap(f => {
             const box = f.querySelector('.main-svg').getBoundingClientRect();
             return [...f.querySelectorAll('.xtick text')].filter(t => t.getBoundingClientRect().bottom > box.bottom + 1
               || t.getBoundingClientRect().top < box.top - 1).map(t => f.id + ': ' + t.textContent); })"""
    )
    assert cut == []
    covered = page.evaluate(
        """[...document.querySelectorAll('.fig')].filter(f => !f.hidden && f.querySelector('.modebar')).filter(f => {
             const m = f.querySelector('.modebar').getBoundingClientRect();
             const t = f.querySelector('.gtitle')?.getBoundingClientRect();
             return t && m.left < t.right && t.left < m.right && m.top < t.bottom && t.top < m.bottom;
           }).map(f => f.id)"""
    )
    assert covered == []
    # the controls: a drawer opened from the sticky bar, reachable from anywhere on the page
    assert drawer(page)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert overlaps_while_scrolling(page) == []
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate(
        "(() => { const r = document.getElementById('open-controls').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; })()"
    ), "the Controls button is off screen at the end of the page"
    open_drawer(page)
    assert page.get_by_label("Framework", exact=True).is_visible()
    assert page.get_by_label("Compare with…", exact=True).is_visible()
    assert unclickable(page, CONTROLS) == []
    page.screenshot(path=str(SCREENSHOTS / f"{name}-controls.png"))
    assert w.problems == []


def test_phone_layout_holds(browser, base_url):
    context, w = open_layout(browser, base_url, 390, 844, False)
    phone_layout_holds(w, 390, 844, "390x844")
    context.close()


def test_phone_compare_layout_holds(browser, base_url):
    context, w = open_layout(browser, base_url, 390, 844, False, COMPARE)
    page = w.page
    # stacked: B under A, each the screen's width
    a, b = (page.locator(f"#{f}").bounding_box() for f in ("fig-gate-i", "fig-gate-i-b"))
    assert b["y"] >= a["y"] + a["height"] - 1 and abs(a["width"] - b["width"]) < 2
    phone_layout_holds(w, 390, 844, "compare-390x844")
    context.close()
