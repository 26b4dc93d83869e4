"""Units under the words: the few units a change moves most, as lines over the sentence's words.

The units drawn, their values and the caption's numbers are checked against the API's own traces
(model A and B in compare mode, A and the same model without dropout otherwise), ranked here in
Python by the rule the figure states: the max over steps of |B - A|. Screenshots at 1280x800 and
390x844 go to artifacts/screenshots/units-*.png."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from app.core.encoding import decode
from app.documents.run import without_dropout
from app.link.state import parse
from tests.browser.conftest import SCREENSHOTS, Watched, device

K = 5
CAPTION = re.compile(
    r"^Units ([\d, and]+) move most \(of (\d+)\): unit (\d+)'s (\w) is ([\d.e+-]+) (higher|lower) "
    r"(in B than in A|without dropout than with these masks) at “(.+)” \(step (\d+)\)\.$"
)


def api_trace(watched: Watched, base_url: str, query: str) -> dict:
    r = watched.page.request.get(f"{base_url}/api/trace?{query}")
    assert r.ok, query
    return r.json()


def values(trace: dict, name: str) -> np.ndarray:
    """(T, H) of h, c or a gate at layer 0, in float64 (the page subtracts in doubles too)."""
    layer = trace["layers"][0]
    spec = layer[name] if name in ("h", "c") else layer["gates"][name]
    return decode(spec).astype(np.float64)


def top_units(a: np.ndarray, b: np.ndarray) -> list[int]:
    """The rule: rank units by the max over steps of |b - a| (ties: the lower unit), the top K that move."""
    moved = np.abs(b - a).max(axis=0)
    order = sorted(range(a.shape[1]), key=lambda u: (-moved[u], u))
    return [u for u in order[:K] if moved[u] > 0]


def plotted(page) -> list[dict]:
    return page.evaluate(
        """() => document.getElementById('fig-units').data.map(d => ({
             unit: d.meta.unit, dash: d.line.dash, y: Array.from(d.y), x: Array.from(d.x)}))"""
    )


def wait_units(page, name: str) -> None:
    page.locator("#units-panel").scroll_into_view_if_needed()
    page.wait_for_function(
        """n => { const el = document.getElementById('fig-units');
                  return el.layout && el.layout.title.text.startsWith(`The units whose ${n} moves most`)
                         && (el.data || []).length > 0; }""",
        arg=name,
    )


def check_units(page, a: np.ndarray, b: np.ndarray, name: str, tokens: list[dict], comparing: bool) -> list[int]:
    """The figure draws exactly the top-K units, A solid and B dashed, with the traces' values, and
    the caption names them and the largest difference, where it is."""
    expected = top_units(a, b)
    assert len(expected) == K, "this link's change should move at least K units"
    lines = plotted(page)
    assert len(lines) == 2 * K  # K lines per model
    assert [ln["unit"] for ln in lines[::2]] == expected
    assert [ln["unit"] for ln in lines[1::2]] == expected
    assert all(ln["dash"] == "solid" for ln in lines[::2]) and all(ln["dash"] == "dash" for ln in lines[1::2])
    words = [f"{t} {tok['word']}" for t, tok in enumerate(tokens)]
    for solid, dashed in zip(lines[::2], lines[1::2], strict=True):
        u = solid["unit"]
        assert solid["x"] == words  # the words under the lines
        assert np.allclose(solid["y"], a[:, u], atol=1e-7) and np.allclose(dashed["y"], b[:, u], atol=1e-7)
    title = page.evaluate("document.getElementById('fig-units').layout.title.text")
    assert "max over steps of |" in title  # the rule is said

    caption = page.locator("#units-caption").inner_text()
    m = CAPTION.match(caption)
    assert m, caption
    units = [int(u) for u in re.findall(r"\d+", m.group(1))]
    assert units == expected and int(m.group(2)) == a.shape[1] and int(m.group(3)) == expected[0]
    assert m.group(4) == name
    assert m.group(7) == ("in B than in A" if comparing else "without dropout than with these masks")
    top = expected[0]
    d = b[:, top] - a[:, top]
    t = int(np.argmax(np.abs(d)))
    assert abs(float(m.group(5)) - abs(d[t])) <= 0.005 + 1e-9
    assert m.group(6) == ("higher" if d[t] > 0 else "lower")
    assert m.group(8) == tokens[t]["word"] and int(m.group(9)) == t
    return expected


def point_at(page, index: int, t: int) -> tuple[float, float]:
    """Where Plotly draws line `index`'s point at step t, in page pixels."""
    return page.evaluate(
        """([k, t]) => {
             const el = document.getElementById('fig-units');
             const {xaxis, yaxis} = el._fullLayout;
             const box = el.querySelector('.nsewdrag').getBoundingClientRect();
             return [box.left + xaxis.l2p(t), box.top + yaxis.l2p(el.data[k].y[t])];
           }""",
        [index, t],
    )


def test_compare_mode_draws_the_units_b_moves_most_and_follows_the_cursor(watched, base_url):
    watched.open(base_url + "/?seed=3&vs.emb_dropout=0")
    page = watched.page
    state_a, state_b = page.evaluate("document.body.dataset.state").split(" vs ")
    ta, tb = api_trace(watched, base_url, state_a), api_trace(watched, base_url, state_b)
    assert ta["config"]["emb_dropout"] > 0 and tb["config"]["emb_dropout"] == 0

    wait_units(page, "h")
    check_units(page, values(ta, "h"), values(tb, "h"), "h", ta["tokens"], comparing=True)
    assert page.get_by_label("Value of each unit", exact=True).input_value() == "h"

    # the select switches to a gate: the ranking and the caption are the gate's
    page.get_by_label("Value of each unit", exact=True).select_option("f")
    wait_units(page, "f")
    f_units = check_units(page, values(ta, "f"), values(tb, "f"), "f", ta["tokens"], comparing=True)

    # hovering a point shows its values: the unit, the model, the word, the value and B - A there
    t = 4
    u = f_units[1]
    fa, fb = values(ta, "f"), values(tb, "f")
    x, y = point_at(page, 2, t)  # the second unit's solid line (A)
    page.mouse.move(x, y)
    page.wait_for_selector("#fig-units .hoverlayer .hovertext")
    hover = page.locator("#fig-units .hoverlayer .hovertext").first.text_content().replace("−", "-")
    assert f"unit {u} · A" in hover and ta["tokens"][t]["word"] in hover, hover
    assert f"f = {fa[t, u]:.4f}" in hover and f"B - A = {fb[t, u] - fa[t, u]:.4f}" in hover, hover

    # the cursor: a line at the current step; clicking a point moves it there and follows that unit
    assert page.locator("#timestep").input_value() == "0"
    page.mouse.click(x, y)
    page.wait_for_function("t => document.getElementById('timestep').value === String(t)", arg=t)
    page.wait_for_function("() => location.hash.includes('unit=')")
    assert f"unit={u}" in page.evaluate("location.hash")
    page.wait_for_function(
        "t => (document.getElementById('fig-units').layout.shapes || [])"
        ".some(s => s.name === 'cursor-t' && s.x0 === t)",
        arg=t,
    )
    assert watched.problems == []


def test_one_model_is_set_against_the_same_model_without_dropout(watched, base_url):
    watched.open(base_url + "/?seed=3")
    page = watched.page
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    state = page.evaluate("document.body.dataset.state")
    ta = api_trace(watched, base_url, state)
    base = api_trace(watched, base_url, replace(without_dropout(parse(state)), phase="train").canonical())
    assert all(base["config"][k] == 0 for k in ("emb_dropout", "dropout", "recurrent_dropout"))
    wait_units(page, "h")
    check_units(page, values(ta, "h"), values(base, "h"), "h", ta["tokens"], comparing=False)
    assert "no dropout" in page.evaluate("document.getElementById('fig-units').layout.title.text")
    page.get_by_label("Value of each unit", exact=True).select_option("c")
    wait_units(page, "c")
    check_units(page, values(ta, "c"), values(base, "c"), "c", ta["tokens"], comparing=False)
    assert watched.problems == []


def test_nothing_moves_at_inference_and_the_caption_says_so(watched, base_url):
    """At inference no mask is drawn: no unit differs from no dropout, and no line is drawn."""
    watched.open(base_url + "/?seed=3&phase=infer")
    page = watched.page
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    page.locator("#units-panel").scroll_into_view_if_needed()
    page.wait_for_function("() => document.getElementById('units-caption').textContent.length > 0")
    assert page.locator("#units-caption").inner_text() == (
        "No unit's h differs between these masks and no dropout at any step of this layer."
    )
    assert page.locator("#fig-units").is_hidden()
    assert watched.problems == []


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_screenshots_of_the_units_panel(browser, base_url, size):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width, height = size
    context = device(browser, width, height)
    page = context.new_page()
    watched = Watched(page)
    watched.open(base_url + "/?seed=3&vs.emb_dropout=0")
    wait_units(page, "h")
    panel = page.locator("#units-panel")
    box = panel.bounding_box()
    assert box["width"] <= width  # the panel fits the screen's width
    # every text legible: the caption, the select, the tick words
    assert page.evaluate("parseFloat(getComputedStyle(document.getElementById('units-caption')).fontSize)") >= 12
    ticks = page.evaluate(
        "Array.from(document.querySelectorAll('#fig-units .xtick text'), t => parseFloat(t.style.fontSize))"
    )
    assert len(ticks) == len(plotted(page)[0]["x"]) and min(ticks) >= 11
    page.wait_for_timeout(300)
    panel.screenshot(path=str(SCREENSHOTS / f"units-{width}x{height}.png"))
    assert watched.problems == []
    context.close()
