"""Gradients through time: dropped elements get exactly zero gradient, on the plotted data; the
norms of dL/de, dL/dh and dL/dc over the words, with the masks and without dropout; the label."""

from __future__ import annotations

import numpy as np

from tests.browser.conftest import Watched


def open_panel(watched: Watched, url: str, label: str | None = None) -> str:
    """Open url, scroll to the panel and wait for its gradients (state|label) to be drawn."""
    watched.open(url)
    page = watched.page
    page.locator("#grads-panel").scroll_into_view_if_needed()
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    page.wait_for_function(
        "l => { const k = document.getElementById('grads-panel').dataset.grads || '';"
        " return k.startsWith(document.body.dataset.state + '|') && (l === null || k.endsWith('|' + l)); }",
        arg=label,
    )
    for fig in ("fig-grad-norms", "fig-grad-mask", "fig-grad-embedding"):
        page.locator(f"#{fig}").scroll_into_view_if_needed()
        page.wait_for_function(f"() => (document.getElementById('{fig}').data || []).length > 0")
    return page.evaluate("document.getElementById('grads-panel').dataset.grads")


def test_dropped_elements_get_exactly_zero_gradient(watched, base_url):
    # the LSTM's own masks keep everything here, so the embedding mask alone decides
    open_panel(watched, base_url + "/?dropout=0&recurrent_dropout=0")
    page = watched.page
    mask = np.array(watched.z("fig-grad-mask"))  # (E, T), the embedding mask beside the gradient
    grad = np.array(watched.z("fig-grad-embedding"))  # (E, T), dL/de as plotted
    assert mask.shape == grad.shape == (64, 11)
    assert (mask == 0).sum() > 50
    assert ((grad == 0) == (mask == 0)).all()  # zero exactly where dropped, nowhere else
    assert watched.z("fig-grad-mask") == watched.z("fig-embedding-mask")
    # the exact zeros are drawn in the "dropped" colour on top, square for square
    zeros = page.evaluate("Array.from(document.getElementById('fig-grad-embedding').data[1].z, r => Array.from(r))")
    assert ((np.array(zeros, dtype=float) == 1) == (mask == 0)).all()
    summary = page.locator("#grads-summary").inner_text()
    dropped = int((mask == 0).sum())
    assert f"dropped {dropped} of 704 elements of e(t): every one of them gets exactly 0 gradient" in summary
    assert "an element it dropped gets exactly zero gradient" in page.locator("#grads-notes").inner_text()
    assert watched.problems == []


def test_with_the_lstm_masks_too_every_zero_is_explained(watched, base_url):
    open_panel(watched, base_url + "/")
    page = watched.page
    mask = np.array(watched.z("fig-grad-mask"))
    grad = np.array(watched.z("fig-grad-embedding"))
    assert (grad[mask == 0] == 0).all() and (grad == 0).sum() > (mask == 0).sum()
    # the rest: dropped for all four gates by the LSTM's input mask, or at step 0 let through to f alone
    gates = np.array([watched.z("fig-input-mask", k) for k in range(4)])  # (4, E, T): i, f, g, o
    blocked = (gates == 0).all(axis=0)
    blocked[:, 0] |= (gates[[0, 2, 3], :, 0] == 0).all(axis=0)  # f multiplies c(-1) = 0
    assert ((grad == 0) == ((mask == 0) | blocked)).all()
    assert "the LSTM's own input mask dropped for all four gates" in page.locator("#grads-summary").inner_text()


def test_norms_over_the_words_with_and_without_dropout_and_the_cursor(watched, base_url):
    open_panel(watched, base_url + "/#t=4")
    page = watched.page
    data = page.evaluate(
        "document.getElementById('fig-grad-norms').data.map(d => ({name: d.name, x: d.x, n: d.y.length, y: d.yaxis}))"
    )
    assert [d["name"] for d in data] == ["with these masks", "no dropout"] * 3
    assert {d["y"] for d in data} == {"y", "y2", "y3"}
    assert all(d["n"] == 11 and d["x"][3] == "3 not" for d in data)
    api = page.request.get(base_url + "/api/grads?v=3").json()
    assert api["label"] == 1
    shapes = page.evaluate("document.getElementById('fig-grad-norms').layout.shapes")
    assert sorted(s["yref"] for s in shapes if s["name"] == "cursor-t") == ["y domain", "y2 domain", "y3 domain"]
    assert all(s["x0"] == 4 for s in shapes)
    assert page.get_by_label("Label of the loss", exact=True).input_value() == "1"
    assert "1: positive (the toy rule's)" in page.locator("#grad-label").inner_text()
    assert watched.problems == []


def test_the_label_is_in_the_link_and_reload_restores_it(watched, base_url):
    first = open_panel(watched, base_url + "/?seed=2")
    page = watched.page
    norms = page.evaluate("JSON.stringify(document.getElementById('fig-grad-norms').data)")
    page.get_by_label("Label of the loss", exact=True).select_option("0")
    page.wait_for_function("() => document.getElementById('grads-panel').dataset.grads.endsWith('|0')")
    assert page.evaluate("location.hash") == "#label=0"
    assert page.locator("#grads-summary li").first.inner_text().startswith("Label 0 (negative): loss ")
    shown = {
        fig: page.evaluate(f"JSON.stringify(document.getElementById('{fig}').data)")
        for fig in ("fig-grad-norms", "fig-grad-embedding")
    }
    assert shown["fig-grad-norms"] != norms
    page.reload()
    assert open_panel(watched, page.url, "0") != first
    assert page.get_by_label("Label of the loss", exact=True).input_value() == "0"
    for fig, data in shown.items():
        assert page.evaluate(f"JSON.stringify(document.getElementById('{fig}').data)") == data, fig
    # the rule's label again: out of the hash
    page.get_by_label("Label of the loss", exact=True).select_option("1")
    page.wait_for_function("() => document.getElementById('grads-panel').dataset.grads.endsWith('|1')")
    assert page.evaluate("location.hash") == ""
    assert watched.problems == []


def test_gradients_over_the_cost_bound_say_why(watched, base_url):
    """The gradients of the longest links cost more than one request may (app/link/cost.py): the
    panel says so with the server's sentence, instead of waiting for data that will not come."""
    watched.open(base_url + "/?len=1000&layers=3")
    page = watched.page
    page.locator("#grads-panel").scroll_into_view_if_needed()
    page.wait_for_function("() => document.getElementById('grads-summary').textContent.includes('No gradients')")
    summary = page.locator("#grads-summary").inner_text()
    assert "No gradients for this state: computing these gradients would cost about" in summary
    assert "len (or the sentence's words), layers, units and emb" in summary
    # the 422 itself (and the console's line about it) is the only problem
    assert [p for p in watched.problems if "/api/grads" not in p and "status of 422" not in p] == []
