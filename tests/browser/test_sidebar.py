"""The sidebar in plain words: "Compare with..." first, B's field/value form behind "More", every field
named as its control is (never `hide`, `tokens`, `len`), while the link keeps the fields' names.

Screenshots of the sidebar at 1280x800 and 390x844 go to artifacts/screenshots/sidebar-*.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, Watched, device

RAW = ["hide", "tokens", "len", "vocab", "emb", "emb_dropout", "recurrent_dropout", "init_seed"]


def open_drawer(page):
    """Narrow layouts keep the controls in a drawer, opened from the sticky bar."""
    if not page.locator("#compare-with").is_visible():
        page.locator("[aria-controls='controls']").first.click()
        page.locator("#compare-with").wait_for(state="visible")


def test_more_hides_the_field_value_form_and_the_names_are_plain(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    form = page.locator("#controls")
    # the plain choices first, visible; the field/value form closed behind "More"
    assert page.get_by_label("Compare with…", exact=True).is_visible()
    more = page.locator("#compare-more")
    assert more.evaluate("d => d.tagName") == "DETAILS" and more.get_attribute("open") is None
    assert more.locator("summary").inner_text() == "More"
    assert not page.get_by_label("Field of B", exact=True).is_visible()
    assert not page.get_by_label("Its value in B", exact=True).is_visible()
    assert not page.get_by_role("button", name="Apply to B", exact=True).is_visible()
    shown = form.inner_text()
    for old in ("B's field", "B's value", "Set this field of B"):
        assert old not in shown
    # the compare fieldset shows no field name of the link before "More" is opened
    words = page.locator("#compare").inner_text().replace("\n", " ").split(" ")
    assert not [w for w in words if w in RAW], words
    # More: every field by its plain name, the link's name as the value
    more.locator("summary").click()
    field = page.get_by_label("Field of B", exact=True)
    assert field.is_visible()
    options = page.evaluate("[...document.getElementById('compare-field').options].map(o => [o.value, o.text])")
    names = dict(options)
    assert names["hide"] == "Controls hidden from students"
    assert names["tokens"] == "Token ids" and names["len"] == "Sequence length"
    assert names["emb_dropout"] == "Embedding dropout" and names["seed"] == "Mask seed"
    assert not [text for _, text in options if text in RAW or "_" in text], options
    # the hint under the form names the field as the link does, in code
    field.select_option("len")
    assert page.locator("#compare-allowed code").inner_text() == "vs.len"
    assert "(Sequence length)" in page.locator("#compare-allowed").inner_text()
    assert watched.problems == []


def test_the_link_keeps_field_names_while_the_sidebar_says_them_plainly(watched, base_url):
    watched.open(base_url + "/?vs.emb_dropout=0")
    page = watched.page
    assert page.locator("#compare-fields .compare-plain").all_inner_texts() == ["Embedding dropout: 0"]
    assert page.locator("#compare-fields code").all_inner_texts() == ["vs.emb_dropout=0"]
    assert page.locator("#compare-note").inner_text().startswith("B is A with Embedding dropout 0.")
    remove = page.get_by_role("button", name="Stop changing Embedding dropout in B")
    assert remove.is_visible()
    # a field set through "More" goes in the link under its own name
    page.locator("#compare-more > summary").click()
    page.get_by_label("Field of B", exact=True).select_option(label="Mask seed")
    value = page.get_by_label("Its value in B", exact=True)
    value.fill("9")
    before = page.evaluate("document.body.dataset.plotted")
    page.get_by_role("button", name="Apply to B", exact=True).click()
    watched.wait_plotted(before)
    assert page.url.endswith("/?v=3&vs.emb_dropout=0&vs.seed=9")
    assert page.locator("#compare-fields .compare-plain").all_inner_texts() == ["Embedding dropout: 0", "Mask seed: 9"]
    assert page.locator("#compare-note").inner_text().startswith("B is A with Embedding dropout 0, Mask seed 9.")
    # the framework choices in plain words too
    labels = page.evaluate("[...document.getElementById('compare-with').options].map(o => o.text)")
    assert any(label.startswith("PyTorch nn.LSTM (Recurrent dropout 0") for label in labels), labels
    assert not [label for label in labels if "recurrent_dropout" in label], labels
    assert watched.problems == []


@pytest.mark.parametrize("present", [False, True])
def test_classroom_mode_opens_on_the_plain_controls_too(browser, base_url, present):
    context = device(browser, 1280, 800)
    page = context.new_page()
    w = Watched(page)
    w.open(base_url + "/?vs.emb_dropout=0" + ("&present=1" if present else ""))
    open_drawer(page)
    assert page.get_by_label("Compare with…", exact=True).is_visible()
    assert page.locator("#compare-more").get_attribute("open") is None
    assert not page.get_by_label("Field of B", exact=True).is_visible()
    size = page.locator("#compare-fields .compare-plain").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    code = page.locator("#compare-fields code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    least = 18 if present else 12  # legible on a projector
    assert size >= least and code >= least, (size, code)
    assert w.problems == []
    context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_screenshots_of_the_sidebar(browser, base_url, width, height):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = device(browser, width, height)
    page = context.new_page()
    w = Watched(page)
    w.open(base_url + "/?vs.emb_dropout=0&vs.seed=4")
    open_drawer(page)
    form = page.locator("#controls")
    name = f"sidebar-{width}x{height}"
    form.screenshot(path=str(SCREENSHOTS / f"{name}.png")) if width > 500 else page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png")
    )
    page.locator("#compare-more > summary").click()
    page.get_by_label("Field of B", exact=True).wait_for(state="visible")
    page.locator("#compare").scroll_into_view_if_needed()
    page.locator("#compare").screenshot(path=str(SCREENSHOTS / f"{name}-more.png"))
    # the form is whole inside the window's width, nothing off to the side
    box = page.locator("#compare").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert w.problems == []
    context.close()
