"""Compare mode: model B is model A with the link's vs. fields changed, shown beside A, with B - A.

Checked on the plotted data (what Plotly holds), against the API's own traces."""

from __future__ import annotations

from urllib.parse import quote

import numpy as np
import pytest

from app.core.encoding import decode
from tests.browser.conftest import Watched

SEED_TEXT = "the movie was not good but the music was really great"
A_AND_B = [
    "fig-embedding-mask",
    "fig-input-mask",
    "fig-recurrent-mask",
    "fig-gate-i",
    "fig-gate-f",
    "fig-gate-g",
    "fig-gate-o",
    "fig-c",
    "fig-h",
]


def api_trace(watched: Watched, base_url: str, query: str) -> dict:
    return watched.page.request.get(f"{base_url}/api/trace?{query}").json()


def diffs(watched: Watched) -> dict[str, np.ndarray]:
    """B - A as plotted, for every choice of "Difference of"."""
    page = watched.page
    out = {}
    for name in ("h", "c", "i", "f", "g", "o"):
        page.get_by_label("Difference of", exact=True).select_option(name)
        page.wait_for_function(
            "n => document.getElementById('fig-diff').layout?.title.text.startsWith(n + ' of B')", arg=name
        )
        out[name] = np.array(watched.z("fig-diff"))
    return out


def shown_b(watched: Watched):
    """Wait until B's twins are drawn (they come into view with their A figures)."""
    page = watched.page
    page.locator("#fig-embedding-mask").scroll_into_view_if_needed()
    page.wait_for_function("() => (document.getElementById('fig-embedding-mask-b').data || []).length > 0")


def test_a_vs_link_renders_both_models(watched, base_url):
    watched.open(base_url + "/?vs.emb_dropout=0")
    page = watched.page
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    assert page.url.endswith("/?v=3&vs.emb_dropout=0")
    # two strips, B saying what makes it B, and its Dropout off
    assert page.locator("#strip-b").is_visible() and page.locator("#strip-who").is_visible()
    assert page.locator("#strip-b-vs").inner_text() == "B = A with emb_dropout = 0"
    assert page.locator("#strip-b-emb-drop").get_attribute("data-on") == "false"
    assert page.locator("#strip-emb-drop").get_attribute("data-on") == "true"
    assert page.get_by_label("Compare with…", exact=True).input_value() == "seed-model"
    # B's fields in plain words, each with its name in the link beside it
    assert page.locator("#compare-fields .compare-plain").all_inner_texts() == ["Embedding dropout: 0"]
    assert page.locator("#compare-fields code").all_inner_texts() == ["vs.emb_dropout=0"]
    # every view of a model has B's twin beside it, titled A and B
    shown_b(watched)
    page.locator("#fig-h").scroll_into_view_if_needed()
    page.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state")
    for fig in A_AND_B:
        assert page.evaluate(f"document.getElementById('{fig}').layout.title.text").startswith("A · "), fig
        assert page.evaluate(f"document.getElementById('{fig}-b').layout.title.text").startswith("B · "), fig
    # the embedding masks differ exactly where vs.emb_dropout=0 says: B keeps everything, A is A's trace
    a = decode(api_trace(watched, base_url, "v=3")["embedding"]["mask"])  # (T, E)
    plotted_a = np.array(watched.z("fig-embedding-mask")).T
    plotted_b = np.array(watched.z("fig-embedding-mask-b")).T
    assert (plotted_a == a).all() and (a == 0).any()
    assert (plotted_b == 1).all()
    assert ((plotted_a != plotted_b) == (a == 0)).all()
    # the same mask seed: the LSTM's own masks are the same in A and B
    for k in range(4):
        assert watched.z("fig-input-mask", k) == watched.z("fig-input-mask-b", k)
    # B - A is B's h minus A's h, from the two traces
    b_trace = api_trace(watched, base_url, "emb_dropout=0&v=3")
    expected = decode(b_trace["layers"][0]["h"]) - decode(api_trace(watched, base_url, "v=3")["layers"][0]["h"])
    page.locator("#fig-diff").scroll_into_view_if_needed()
    page.wait_for_function("() => document.getElementById('fig-diff').layout?.title.text.startsWith('h of B − h of A')")
    assert np.allclose(np.array(watched.z("fig-diff")).T, expected, atol=1e-6)
    assert np.abs(expected).max() > 0.01
    # the output: A and B, each with its Monte Carlo spread
    page.locator("#fig-output").scroll_into_view_if_needed()
    page.wait_for_function("() => (document.getElementById('fig-output').data || []).length === 4")
    rows = page.evaluate("document.getElementById('fig-output').data.map(d => d.y[0])")
    assert rows[0] == "A" and rows[2] == "B" and rows[1].startswith("A: ") and rows[3].startswith("B: ")
    assert watched.problems == []


@pytest.mark.parametrize(
    "vs,link",
    [
        # the same sentence written with a capital: another state (the link keeps it), the same numbers
        (f"vs.text={quote(SEED_TEXT.capitalize())}", f"v=3&vs.text={quote(SEED_TEXT.capitalize())}"),
        # at inference no mask is drawn: another mask seed changes nothing
        ("phase=infer&vs.seed=5", "phase=infer&v=3&vs.seed=5"),
    ],
    ids=["text-written-differently", "seed-at-inference"],
)
def test_b_minus_a_is_zero_where_the_fields_change_nothing(watched, base_url, vs, link):
    watched.open(f"{base_url}/?{vs}")
    page = watched.page
    assert page.url.endswith(f"/?{link}")
    assert page.locator("#strip-b").is_visible()
    page.locator("#fig-diff").scroll_into_view_if_needed()
    for name, d in diffs(watched).items():
        assert d.size and (d == 0).all(), name
    assert "0 everywhere" in page.evaluate("document.getElementById('fig-diff').layout.title.text")
    shown_b(watched)
    for fig in ("fig-embedding-mask", "fig-input-mask"):
        assert watched.z(fig) == watched.z(f"{fig}-b"), fig
    assert watched.problems == []


def test_b_equal_to_a_is_said_and_left_out_of_the_link(watched, base_url):
    """The server drops vs. fields equal to A's from the canonical link; the page says why."""
    watched.open(base_url + "/?vs.text=" + quote(f"  {SEED_TEXT.replace(' ', '  ')} "))
    page = watched.page
    assert page.url.endswith("/?v=3")
    assert "B is the same model as A" in page.locator("#compare-note").inner_text()
    page.locator("#fig-diff").scroll_into_view_if_needed()
    page.wait_for_function("() => document.getElementById('fig-diff').layout?.title.text.startsWith('h of B')")
    assert (np.array(watched.z("fig-diff")) == 0).all()


def test_a_bad_vs_value_in_the_link_is_named_beside_the_control(watched, base_url):
    page = watched.page
    page.goto(base_url + "/?seed=3&vs.emb_dropout=2")
    watched.wait_plotted()
    error = page.locator("#compare-error")
    assert error.is_visible()
    assert "vs.emb_dropout" in error.inner_text() and "emb_dropout must be a number from 0" in error.inner_text()
    assert page.url.endswith("/?seed=3&vs.emb_dropout=2")  # kept as written: a reload says the same
    assert not page.locator("#strip-b").is_visible()
    assert page.evaluate("document.body.dataset.plotted") == "seed=3&v=3"
    assert watched.problems == []


def test_a_bad_vs_edit_shows_the_api_message_beside_the_control(watched, base_url):
    watched.open(base_url + "/?vs.emb_dropout=0")
    page = watched.page
    url = page.url
    page.locator("#compare-more > summary").click()  # the field/value form is behind "More"
    page.get_by_label("Field of B", exact=True).select_option("dropout")
    value = page.get_by_label("Its value in B", exact=True)
    value.fill("7")
    value.press("Enter")
    error = page.locator("#compare-error")
    error.wait_for(state="visible")
    assert "vs.dropout" in error.inner_text() and "In the compared model: dropout must be" in error.inner_text()
    # not applied: the last comparison stays, with its link
    assert page.url == url
    assert page.locator("#compare-fields code").all_inner_texts() == ["vs.emb_dropout=0"]
    assert page.get_by_label("Compare with…", exact=True).input_value() == "seed-model"
    # a good value is applied, and the message goes
    value.fill("0.2")
    value.press("Enter")
    page.wait_for_function("() => location.search.includes('vs.dropout=0.2')")
    assert page.url.endswith("/?v=3&vs.dropout=0.2&vs.emb_dropout=0")
    assert not error.is_visible()


def test_choices_are_valid_and_reload_restores_the_same_plotted_values(watched, base_url):
    watched.open(base_url + "/#t=3")
    page = watched.page
    choose = page.get_by_label("Compare with…", exact=True)
    choose.focus()  # the server is asked about every choice
    page.wait_for_function("() => document.getElementById('compare-with').dataset.checked === 'v=3'")
    labels = page.evaluate("[...document.getElementById('compare-with').options].map(o => o.text)")
    assert "PyTorch nn.LSTM (Recurrent dropout 0)" in labels and "No dropout (every rate 0)" in labels
    assert "The inference phase (phase=infer)" in labels and "Another mask seed (seed 1)" in labels
    assert "The seed's other model: no Dropout after the Embedding" in labels
    assert page.evaluate("[...document.getElementById('compare-with').options].filter(o => o.disabled).length") == 1
    before = page.evaluate("document.body.dataset.plotted")
    choose.select_option(label="PyTorch nn.LSTM (Recurrent dropout 0)")
    watched.wait_plotted(before)
    assert page.url.endswith("/?v=3&vs.preset=pytorch&vs.recurrent_dropout=0#t=3")
    before = page.evaluate("document.body.dataset.plotted")
    choose.select_option(label="No dropout (every rate 0)")
    watched.wait_plotted(before)
    assert page.url.endswith("/?v=3&vs.dropout=0&vs.emb_dropout=0&vs.recurrent_dropout=0#t=3")
    # the link the page wrote is the server's canonical compare link
    html = page.request.get(page.url.split("#")[0]).text()
    assert '"link":"v=3\\u0026vs.dropout=0\\u0026vs.emb_dropout=0\\u0026vs.recurrent_dropout=0"' in html
    page.get_by_label("Difference of", exact=True).select_option("c")
    figs = [*(f for fig in [*A_AND_B[:3], "fig-c"] for f in (fig, f"{fig}-b")), "fig-diff", "fig-output"]
    for fig in figs:
        page.locator(f"#{fig}").scroll_into_view_if_needed()
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    page.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state")
    page.wait_for_function("() => document.getElementById('fig-output').data.length === 4")
    shown = {fig: page.evaluate(f"JSON.stringify(document.getElementById('{fig}').data)") for fig in figs}
    url = page.url
    page.reload()
    watched.wait_plotted()
    assert page.url == url
    assert choose.input_value() == "no-dropout"
    for fig in figs:
        page.locator(f"#{fig}").scroll_into_view_if_needed()
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    page.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state")
    page.wait_for_function("() => document.getElementById('fig-output').data.length === 4")
    for fig in figs:
        assert page.evaluate(f"JSON.stringify(document.getElementById('{fig}').data)") == shown[fig], fig
    assert page.evaluate("document.getElementById('fig-diff').layout.title.text").startswith("c of B − c of A")
    # back to one model: the link loses its vs. fields, "Against no dropout" comes back
    before = page.evaluate("document.body.dataset.plotted")
    choose.select_option("none")
    watched.wait_plotted(before)
    assert page.url.endswith("/?v=3#t=3&diff=c")
    assert not page.locator("#strip-b").is_visible() and not page.locator("#fig-h-b").is_visible()
    assert page.locator("#diff-title").inner_text() == "Against no dropout"
    assert watched.problems == []


def test_a_knob_change_redraws_both_models(watched, base_url):
    watched.open(base_url + "/?recurrent_dropout=0&vs.emb_dropout=0")
    page = watched.page
    shown_b(watched)
    a, b = watched.z("fig-input-mask"), watched.z("fig-input-mask-b")
    assert a == b
    before = page.evaluate("document.body.dataset.plotted")
    slider = page.get_by_label("LSTM dropout", exact=True)
    slider.focus()
    page.keyboard.press("ArrowRight")
    state = watched.wait_plotted(before)
    assert state == "dropout=0.55&recurrent_dropout=0&v=3 vs dropout=0.55&emb_dropout=0&recurrent_dropout=0&v=3"
    assert page.url.endswith("/?dropout=0.55&recurrent_dropout=0&v=3&vs.emb_dropout=0")
    assert watched.z("fig-input-mask") != a and watched.z("fig-input-mask-b") != b
    assert watched.z("fig-input-mask") == watched.z("fig-input-mask-b")
    assert all(v == 1 for r in watched.z("fig-embedding-mask-b") for v in r)
    assert watched.problems == []


def test_one_cursor_across_a_b_and_b_minus_a(watched, base_url):
    watched.open(base_url + "/?units=8&weights=random&vs.seed=3")
    page = watched.page
    cells = page.locator("#fig-gate-f-b .nsewdrag").first
    cells.scroll_into_view_if_needed()
    page.wait_for_function("() => (document.getElementById('fig-gate-f-b').data || []).length > 0")
    box = cells.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.72, box["y"] + box["height"] * 0.45)
    page.wait_for_function("() => location.hash.includes('unit=')")
    view = dict(p.split("=") for p in page.evaluate("location.hash.slice(1)").split("&"))
    t, unit = int(view["t"]), int(view["unit"])
    framed = """([fig, t, u]) => { const s = document.getElementById(fig).layout.shapes || [];
        return s.some(x => x.name === 'cursor-t' && x.x0 === t - 0.5)
            && s.some(x => x.name === 'cursor-unit' && x.y0 === u - 0.5); }"""
    for fig in ("fig-gate-f", "fig-gate-f-b", "fig-h-b", "fig-diff"):
        page.locator(f"#{fig}").scroll_into_view_if_needed()
        page.wait_for_function(framed, arg=[fig, t, unit])
    # one unit over time: A's lines and B's h
    page.locator("#fig-unit").scroll_into_view_if_needed()
    page.wait_for_function("() => (document.getElementById('fig-unit').data || []).some(d => d.name === 'h of B')")
    assert watched.problems == []


def test_compare_mode_from_the_keyboard_alone(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    page.locator("#controls select").first.focus()  # the first control of the form
    assert page.evaluate("document.activeElement.id") == "compare-with"
    before = page.evaluate("document.body.dataset.plotted")
    page.keyboard.press("ArrowDown")  # the seed's other model
    watched.wait_plotted(before)
    assert page.url.endswith("/?v=3&vs.emb_dropout=0")
    # B's field editor behind "More": open it, then a field, a value, Enter
    page.keyboard.press("Tab")  # the remove button of vs.emb_dropout=0
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Stop changing Embedding dropout in B"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "More"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "compare-field"
    page.keyboard.type("Mask seed")  # a closed select picks the option typed (its plain name)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("9")
    before = page.evaluate("document.body.dataset.plotted")
    page.keyboard.press("Enter")
    watched.wait_plotted(before)
    assert page.url.endswith("/?v=3&vs.emb_dropout=0&vs.seed=9")
    assert page.get_by_label("Compare with…", exact=True).input_value() == "other"
    # remove both from the keyboard: focus returns to "Compare with..."
    for _ in range(2):
        page.locator("#compare-fields button").first.focus()
        before = page.evaluate("document.body.dataset.plotted")
        page.keyboard.press("Enter")
        watched.wait_plotted(before)
        assert page.evaluate("document.activeElement.id") == "compare-with"
    assert page.url.endswith("/?v=3") and not page.locator("#strip-b").is_visible()
    assert watched.problems == []


def test_a_change_b_cannot_take_hides_b_and_names_the_problem(watched, base_url):
    watched.open(base_url + "/?preset=custom&vs.preset=pytorch&vs.recurrent_dropout=0")
    page = watched.page
    assert page.locator("#strip-b").is_visible()
    page.evaluate("document.getElementById('advanced').open = true")
    before = page.evaluate("document.body.dataset.plotted")
    page.get_by_label("Candidate dropout", exact=True).focus()
    page.keyboard.press("ArrowRight")  # PyTorch has no candidate dropout: B is no longer a valid state
    watched.wait_plotted(before)
    link = "/?candidate_dropout=0.05&preset=custom&v=3&vs.preset=pytorch&vs.recurrent_dropout=0"
    assert page.url.endswith(link)  # the vs. fields kept: a reload names the same problem
    assert not page.locator("#strip-b").is_visible() and not page.locator("#fig-h-b").is_visible()
    error = page.locator("#compare-error")
    assert "vs.candidate_dropout" in error.inner_text() and "not part of preset pytorch" in error.inner_text()
    page.reload()
    watched.wait_plotted()
    assert page.url.endswith(link) and "vs.candidate_dropout" in error.inner_text()
    # the choices follow A: PyTorch now comes with candidate_dropout 0
    before = page.evaluate("document.body.dataset.plotted")
    page.get_by_label("Compare with…", exact=True).select_option(
        label="PyTorch nn.LSTM (Recurrent dropout 0, Candidate dropout 0)"
    )
    watched.wait_plotted(before)
    assert page.url.endswith("&vs.candidate_dropout=0&vs.preset=pytorch&vs.recurrent_dropout=0")
    assert page.locator("#strip-b").is_visible() and not error.is_visible()
