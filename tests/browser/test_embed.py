"""/embed in Chromium, framed by a page of another origin, as a course page or a blog frames it.

The host page is served by a second server (http.server on another port, reached as localhost
while the app is 127.0.0.1): another origin, as a blog is. The embed draws inside it; "/",
/lessons and /train refuse to be framed there (frame-ancestors 'none', X-Frame-Options: DENY).
Screenshots of the frames at 320x240 and 960x600 go to artifacts/screenshots/embed-*.png.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
import urllib.request

import numpy as np
import pytest

from app.core.encoding import decode
from app.web.pages.classroom import EMBED_VIEWS
from tests.browser.conftest import SCREENSHOTS, serious

SIZES = [(320, 240), (960, 600)]
VIEWS = ["cell", "fig-embedding-mask", "fig-gate-f", "fig-output"]
REFUSED = ["/", "/lessons", "/train"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """page(name, body) -> the URL of an HTML page with that body, on another origin."""
    root = tmp_path_factory.mktemp("host")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://localhost:{server.server_address[1]}"

    def page(name: str, body: str) -> str:
        head = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>A course page</title>'
        (root / f"{name}.html").write_text(head + body)
        return f"{origin}/{name}.html"

    yield page
    server.shutdown()
    server.server_close()


def frame_tag(fid: str, src: str, w: int, h: int) -> str:
    style = "border: 1px solid #999"
    return f'<iframe id="{fid}" title="{fid}" src="{src}" width="{w}" height="{h}" style="{style}"></iframe>'


@contextlib.contextmanager
def opened(browser, url: str, viewport=(1300, 900)):
    """A page at url, with every console error of it and its frames collected."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(url)
    try:
        yield page, errors
    finally:
        context.close()


def frame(page, fid: str):
    return page.locator(f"#{fid}").element_handle().content_frame()


def wait_drawn(f, timeout=20_000):
    f.wait_for_function("() => document.body.dataset.plotted", timeout=timeout)
    return f.evaluate("() => document.body.dataset.plotted")


def requested(f) -> list[str]:
    """Every URL the frame's document fetched (its resource timing)."""
    return f.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")


def plotted(f, what: str):
    """What Plotly holds for the embedded figure, e.g. "data[0].z" or "layout.shapes" (typed arrays as lists)."""
    flat = "(k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v)"
    return f.evaluate(f"() => JSON.parse(JSON.stringify(document.getElementById('embed-figure').{what}, {flat}))")


def api(base_url: str, path: str) -> dict:
    with urllib.request.urlopen(base_url + path) as r:
        return json.loads(r.read())


FIT = """() => {
  const box = document.getElementById('embed-box');
  const link = document.getElementById('embed-open').getBoundingClientRect();
  const title = document.querySelector('.embed-title').getBoundingClientRect();
  const drawn = document.querySelector('#embed-figure svg');
  return {
    inner: [innerWidth, innerHeight],
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    box: [box.scrollWidth, box.clientWidth],
    drawn: drawn ? drawn.getBoundingClientRect().right : null,
    link: [link.left, link.right, link.bottom],
    title: [title.top, title.right],
  };
}"""


def test_embed_draws_inside_an_iframe_of_another_origin(browser, base_url, host):
    mask_src = f"{base_url}/embed?view=fig-embedding-mask&seed=3"
    url = host("draws", frame_tag("mask", mask_src, 640, 400) + frame_tag("cell", f"{base_url}/embed?seed=3", 640, 400))
    with opened(browser, url) as (page, errors):
        mask, cell = frame(page, "mask"), frame(page, "cell")
        assert wait_drawn(mask) == "fig-embedding-mask|seed=3&v=3" and wait_drawn(cell) == "cell|seed=3&v=3"
        assert page.evaluate("location.origin") != mask.evaluate("() => location.origin") == base_url

        # the heatmap Plotly shows is the trace's embedding mask, (T, E) drawn as E rows x T steps
        z = np.array(plotted(mask, "data[0].z"))
        expected = decode(api(base_url, "/api/trace?seed=3")["embedding"]["mask"]).T
        np.testing.assert_array_equal(z, expected)
        # the first paint needs no request: the trace is in the page; the cell never loads plotly.js
        assert not [r for r in requested(mask) if "/api/" in r]
        assert not [r for r in requested(cell) if "/api/" in r or "plotly" in r]
        assert cell.evaluate("() => typeof window.Plotly") == "undefined"
        assert mask.evaluate("() => typeof window.Plotly") == "object"

        # the cell: the diagram with each gate, the title and a text alternative
        assert cell.locator("#embed-figure svg .gate-value").count() == 4
        assert "Step 0: “the”" in cell.locator("#embed-figure svg").text_content()
        assert "Dropout(0.25) + LSTM(dropout=0.5, recurrent_dropout=0.5)" in cell.locator("h1").text_content()
        assert "input gate i" in cell.locator("#embed-summary").text_content()
        # the slider, from the keyboard: the step goes in the hash and in the link to the lab
        slider = cell.get_by_label("Step")
        slider.focus()
        slider.press("ArrowRight")
        slider.press("ArrowRight")
        cell.wait_for_function("() => document.body.dataset.step === '2'")
        assert cell.evaluate("() => location.hash") == "#t=2"
        assert "Step 2: “was”" in cell.locator("#embed-figure svg").text_content()
        assert slider.get_attribute("aria-valuetext") == "step 2 of 10: was"
        link = cell.get_by_role("link", name="Open in the LSTM Dropout Lab")
        assert link.get_attribute("href") == "/?seed=3&v=3#cell&t=2"  # opens at the cell, at step 2
        assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
        assert errors == []


def test_other_routes_refuse_to_be_framed(browser, base_url, host):
    body = "".join(frame_tag(f"f{i}", base_url + path, 400, 300) for i, path in enumerate(REFUSED))
    body += frame_tag("embed", base_url + "/embed", 400, 300)
    with opened(browser, host("refused", body)) as (page, errors):
        assert wait_drawn(frame(page, "embed")) == "cell|v=3"
        for i, path in enumerate(REFUSED):
            f = frame(page, f"f{i}")
            page.wait_for_function("id => document.getElementById(id).contentWindow !== null", arg=f"f{i}")
            # Chromium puts its error page in place of the app: nothing of the app is in the frame
            assert f.url.startswith("chrome-error://"), (path, f.url)
            assert f.locator("main, #verdict, .lab, .lessons").count() == 0
        refusals = [e for e in errors if "frame-ancestors 'none'" in e]
        assert len(refusals) == len(REFUSED) and len(errors) == len(REFUSED)
    for path in REFUSED:
        with urllib.request.urlopen(base_url + path) as r:
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
            assert r.headers["x-frame-options"] == "DENY", path
    with urllib.request.urlopen(base_url + "/embed?view=fig-gate-f") as r:
        assert r.headers["content-security-policy"].endswith("frame-ancestors *")
        assert r.headers["x-frame-options"] is None


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_fits_its_frame_without_horizontal_scroll(browser, base_url, host, view):
    sizes = [*SIZES, (640, 400)]
    body = "".join(frame_tag(f"f{w}", f"{base_url}/embed?view={view}", w, h) for w, h in sizes)
    with opened(browser, host(f"fit-{view}", body)) as (page, errors):
        for w, h in sizes:
            f = frame(page, f"f{w}")
            assert wait_drawn(f) == f"{view}|v=3"
            fit = f.evaluate(FIT)
            assert fit["inner"] == [w, h]
            assert fit["page"][0] <= fit["page"][1] and fit["box"][0] <= fit["box"][1], (w, fit)
            assert fit["drawn"] is not None and fit["drawn"] <= w, (w, fit)
            # the title and the link to the lab stay in the frame, whatever scrolls
            assert fit["title"][0] >= 0 and fit["title"][1] <= w
            assert fit["link"][0] >= 0 and fit["link"][1] <= w and fit["link"][2] <= h, (w, fit)
            if view != "cell":
                traces = f.evaluate("() => document.getElementById('embed-figure').data.length")
                assert traces >= 1
        if view == "fig-output":  # the Monte Carlo draws join the trace's point once /api/mc answers
            f = frame(page, "f960")
            f.wait_for_function("() => document.body.dataset.side")
            f.wait_for_function("() => document.getElementById('embed-figure').data.some(t => t.type === 'box')")
        assert errors == []


def test_a_resized_frame_is_laid_out_again(browser, base_url, host):
    with opened(browser, host("resize", frame_tag("f", f"{base_url}/embed?view=fig-gate-f", 960, 600))) as (page, _):
        f = frame(page, "f")
        wait_drawn(f)
        wide = f.evaluate("() => document.getElementById('embed-figure')._fullLayout.width")
        page.evaluate("() => { const f = document.getElementById('f'); f.width = 320; f.height = 240; }")
        f.wait_for_function("() => document.getElementById('embed-figure')._fullLayout.width < 330")
        fit = f.evaluate(FIT)
        assert wide > 900 and fit["page"][0] <= fit["page"][1] and fit["box"][0] <= fit["box"][1]


def test_a_link_with_problems_shows_them_above_the_figure(browser, base_url, host):
    src = f"{base_url}/embed?view=nope&dropout=9"
    with opened(browser, host("problems", frame_tag("f", src, 640, 400))) as (page, _):
        f = frame(page, "f")
        assert wait_drawn(f) == "cell|v=3"  # a bad view falls back to the cell; a bad rate to its default
        summary = f.locator("#embed-problems summary")
        assert (
            " ".join(summary.text_content().split()) == "2 problems in this link: view, dropout"
        )  # in the order of the link
        assert summary.bounding_box()["y"] < f.locator("#embed-figure svg").bounding_box()["y"]
        summary.click()
        assert "view must be one of cell, fig-embedding-mask" in f.locator("#embed-problems").text_content()
        assert f.get_by_role("link", name="Open in the LSTM Dropout Lab").get_attribute("href") == "/?v=3#cell"


def test_a_heatmap_frames_the_step_and_unit_of_the_hash_and_compare_links_show_b(browser, base_url, host):
    body = frame_tag("cursor", f"{base_url}/embed?view=fig-gate-f#t=4&unit=30", 640, 400)
    body += frame_tag("diff", f"{base_url}/embed?view=fig-diff&vs.emb_dropout=0", 640, 400)
    with opened(browser, host("hash", body)) as (page, errors):
        cursor, diff = frame(page, "cursor"), frame(page, "diff")
        wait_drawn(cursor)
        shapes = [[s["name"], s["x0"], s["y0"]] for s in plotted(cursor, "layout.shapes")]
        assert ["cursor-t", 3.5, 0] in shapes and ["cursor-unit", 0, 29.5] in shapes
        wait_drawn(diff)
        assert diff.locator("#embed-what").text_content() == "h of B − h of A"
        assert "B: A with emb_dropout=0" in diff.locator("h1").text_content()
        href = diff.get_by_role("link", name="Open in the LSTM Dropout Lab").get_attribute("href")
        assert href == "/?v=3&vs.emb_dropout=0#fig-diff"
        # B is in the page: B − A needs no request
        assert not [r for r in requested(diff) if "/api/" in r]
        assert errors == []


@pytest.mark.parametrize("query", ["", "view=fig-input-mask", "view=fig-output&dropout=9"])
def test_no_serious_accessibility_violation(browser, base_url, query):
    from axe_playwright_python.sync_playwright import Axe

    for w, h in SIZES:
        context = browser.new_context(viewport={"width": w, "height": h})
        page = context.new_page()
        page.goto(f"{base_url}/embed?{query}")
        wait_drawn(page.main_frame)
        bad = serious(Axe().run(page))
        context.close()
        assert bad == [], (query, w)


def test_screenshots_of_a_blog_post_with_embeds(browser, base_url, host):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    frames = [(v, w, h) for v in ("cell", "fig-input-mask", "fig-gate-f", "fig-output") for w, h in SIZES]
    text = "<p>Dropout after the Embedding, or the LSTM's own? The figure below is live: hover it.</p>"
    body = '<body style="font: 17px/1.5 Georgia, serif; max-width: 1000px; margin: 1rem auto; background: #fbf8f1">'
    body += "<h1>Where does dropout land in an LSTM?</h1>"
    body += "".join(text + frame_tag(f"{v}-{w}", f"{base_url}/embed?view={v}", w, h) for v, w, h in frames)
    with opened(browser, host("blog", body), viewport=(1040, 900)) as (page, errors):
        for v, w, _ in frames:  # eight frames load plotly.js at once: on a busy 2-core machine, slowly
            f = frame(page, f"{v}-{w}")
            wait_drawn(f, timeout=60_000)
            if v == "fig-output":
                f.wait_for_function("() => document.body.dataset.side")
        page.wait_for_timeout(300)  # Plotly's last transitions
        for v, w, h in frames:
            page.locator(f"#{v}-{w}").screenshot(path=str(SCREENSHOTS / f"embed-{v}-{w}x{h}.png"))
        # the top of the post as a reader sees it (a full-page shot leaves frames out of view blank)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_timeout(200)
        page.screenshot(path=str(SCREENSHOTS / "embed-blog.png"))
        assert errors == []


def test_a_sandboxed_frame_without_same_origin_draws_and_fetches(browser, base_url, host):
    """Course platforms frame with sandbox="allow-scripts" alone: an opaque origin, whose ES modules
    and fetches need the server's Access-Control-Allow-Origin (app/web/security.py)."""
    src = f"{base_url}/embed?view=fig-output&seed=3"
    tag = f'<iframe id="sb" title="sb" sandbox="allow-scripts" src="{src}" width="640" height="400"></iframe>'
    with opened(browser, host("sandboxed", tag)) as (page, errors):
        f = frame(page, "sb")
        wait_drawn(f)
        assert f.evaluate("() => origin") == "null"  # the opaque origin the sandbox gives
        f.wait_for_function("() => document.body.dataset.side", timeout=20_000)  # /api/mc answered
        assert any("/api/mc?" in url for url in requested(f))
        assert len(plotted(f, "data")) >= 2  # the point and the Monte Carlo spread
        assert errors == []


def test_classroom_mode_draws_larger_text_that_still_fits_and_the_link_keeps_it(browser, base_url, host):
    body = frame_tag("room", f"{base_url}/embed?view=fig-gate-f&present=1", 960, 600)
    body += frame_tag("desk", f"{base_url}/embed?view=fig-gate-f", 960, 600)
    with opened(browser, host("present", body)) as (page, errors):
        room, desk = frame(page, "room"), frame(page, "desk")
        wait_drawn(room), wait_drawn(desk)
        assert room.evaluate("document.documentElement.className") == "classroom"
        assert desk.evaluate("document.documentElement.className") == ""
        # plot.js's projector scale: 1.5x the chart text, and the figure still fills the frame's box
        font = "() => document.getElementById('embed-figure')._fullLayout.font.size"
        assert room.evaluate(font) == pytest.approx(1.5 * desk.evaluate(font))
        for f in (room, desk):
            fit = f.evaluate(FIT)
            assert fit["page"][0] <= fit["page"][1] and fit["box"][0] <= fit["box"][1]
            drawn = f.evaluate("() => document.querySelector('#embed-figure svg').getBoundingClientRect().height")
            box = f.evaluate("() => document.getElementById('embed-box').clientHeight")
            assert drawn <= box + 1  # fitToBox accounts for the taller drawing at scale 1.5
        opens = "Open in the LSTM Dropout Lab"
        assert room.get_by_role("link", name=opens).get_attribute("href") == "/?v=3&present=1#fig-gate-f"
        assert desk.get_by_role("link", name=opens).get_attribute("href") == "/?v=3#fig-gate-f"
        assert errors == []


# Every view /embed can show, in a 320x240 frame of a blog.
ALL_VIEWS = EMBED_VIEWS

# Where the figure is drawn, in the frame's coordinates: the cell's svg, or Plotly's box (its every
# layer inside it); whether the frame says what size it needs, and what it says.
PLACED = """() => {
  const fig = document.getElementById('embed-figure');
  const drawn = fig.hidden ? null : (fig.querySelector(':scope > svg') ?? fig.querySelector('.svg-container'));
  const r = drawn && drawn.getBoundingClientRect();
  const layers = [...fig.querySelectorAll('.main-svg')].map(s => s.getBoundingClientRect())
    .map(b => [b.left, b.top, b.right, b.bottom]);
  const note = document.getElementById('embed-size');
  const box = document.getElementById('embed-box');
  const message = document.getElementById('embed-message');
  return {
    figure: r ? [r.left, r.top, r.right, r.bottom] : null,
    layers,
    message: message.hidden ? '' : message.textContent,
    note: note.hidden ? '' : note.textContent,
    needs: document.body.dataset.needs,
    scrolls: box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1,
    href: document.getElementById('embed-open').getAttribute('href'),
    // the smallest text of the page around the figure (title, model, note, slider, link)
    least: Math.min(...[...document.querySelectorAll('.embed-head *, .embed-foot *')]
      .filter(e => e.getClientRects().length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
      .map(e => parseFloat(getComputedStyle(e).fontSize))),
  };
}"""


def inside(rect, w: int, h: int) -> bool:
    left, top, right, bottom = rect
    return left >= -0.5 and top >= -0.5 and right <= w + 0.5 and bottom <= h + 0.5


@pytest.mark.parametrize("view", ALL_VIEWS)
def test_every_view_fits_320x240_or_says_the_size_it_needs_and_opens_the_lab_at_it(browser, base_url, host, view):
    """The whole figure inside the frame, or a note in the frame naming the size it needs (and at
    that size it fits); "Open in..." keeps the comparison (vs.*) and the step, and opens at the figure."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    src = f"{base_url}/embed?view={view}&seed=3&vs.emb_dropout=0#t=2"
    with opened(browser, host(f"small-{view}", frame_tag("f", src, 320, 240))) as (page, errors):
        f = frame(page, "f")
        wait_drawn(f)
        if view in ("fig-diff", "fig-output", "fig-grads"):  # B − A's / the gradients' side data
            f.wait_for_function("() => !document.getElementById('embed-message').textContent.startsWith('Loading')")
        page.wait_for_timeout(300)  # Plotly's last transitions, a redraw for the note
        placed = f.evaluate(PLACED)
        page.locator("#f").screenshot(path=str(SCREENSHOTS / f"embed-320x240-{view}.png"))
        assert placed["least"] >= 12, placed  # legible in a small frame too
        href = placed["href"]
        query, fragment = href.removeprefix("/?").split("#")
        assert {"seed=3", "vs.emb_dropout=0"} <= set(query.split("&")), href
        assert fragment.split("&") == ["cell" if view == "cell" else view, "t=2"], href
        if placed["figure"] is None:  # this model has nothing for the view: it says so
            assert view in ("fig-extra-mask", "fig-weight-mask") and "nothing to show" in placed["message"]
            assert not placed["note"]
            assert errors == []
            return
        if not placed["note"]:
            assert inside(placed["figure"], 320, 240), placed
            assert all(inside(layer, 320, 240) for layer in placed["layers"]), placed
            assert not placed["scrolls"]
        else:
            # the frame is too small: it says so, with the size, and its box scrolls
            w, h = map(int, placed["needs"].split("x"))
            assert placed["note"] == f"Needs {w} × {h} px to show it whole: scroll."
            assert placed["scrolls"] and (w > 320 or h > 240), placed
            # at the size it names, the figure fits and the note goes
            page.evaluate("([w, h]) => { const f = document.getElementById('f'); f.width = w; f.height = h; }", [w, h])
            f.wait_for_function("() => document.getElementById('embed-size').hidden", timeout=10_000)
            page.wait_for_timeout(300)
            again = f.evaluate(PLACED)
            assert inside(again["figure"], w, h) and all(inside(layer, w, h) for layer in again["layers"]), again
        assert errors == []


@pytest.mark.parametrize(("view", "target"), [("fig-h", "fig-h"), ("cell", "cell")])
def test_open_in_lands_on_the_embedded_figure_with_the_comparison(browser, base_url, view, target):
    embed = browser.new_context(viewport={"width": 320, "height": 240})
    page = embed.new_page()
    page.goto(f"{base_url}/embed?view={view}&vs.emb_dropout=0#t=3")
    wait_drawn(page.main_frame)
    href = page.get_by_role("link", name="Open in the LSTM Dropout Lab").get_attribute("href")
    embed.close()
    with opened(browser, base_url + href, viewport=(1280, 800)) as (lab, errors):
        lab.wait_for_function("() => document.body.dataset.openedAt", timeout=20_000)
        lab.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state", timeout=20_000)
        lab.wait_for_timeout(500)
        # the comparison is kept: model B beside A, the same step
        assert lab.locator("#strip-b").is_visible()
        assert lab.evaluate("document.body.dataset.openedAt") == target
        assert lab.url.endswith("vs.emb_dropout=0#" + target + "&t=3")
        assert lab.locator("#timestep").input_value() == "3"
        # the figure at the top of the window, under the sticky bar, not at the top of the page
        bar = lab.locator(".cursor-bar").bounding_box()
        box = lab.locator(f"#{target}").bounding_box()
        assert lab.evaluate("scrollY") > 300
        assert bar["y"] + bar["height"] - 1 <= box["y"] < 800 * 0.5, (bar, box)
        assert errors == []
