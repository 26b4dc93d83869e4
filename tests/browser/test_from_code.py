"""The "Your model" box: the seed question's two models pasted, "Open my model" pressed, the
explorer in compare mode on the seed's link, with what each line set and the notes on the page."""

from __future__ import annotations

from tests.web.test_from_code import SEED_CODE, SEED_LINK


def test_pasting_the_seeds_two_models_opens_them_side_by_side(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    page.locator("#your-model > summary").click()  # "Your model", a <details> closed at first
    box = page.get_by_label("Your model's code", exact=True)
    box.fill(SEED_CODE)
    page.get_by_role("button", name="Open my model").click()
    page.wait_for_url(f"{base_url}/?{SEED_LINK}", timeout=20_000)  # the canonical link, not /from-code?code=...
    watched.wait_plotted()
    assert page.url == f"{base_url}/?{SEED_LINK}"
    # compare mode, as a vs. link opens it: two strips, B saying what makes it B
    assert page.locator("#strip-b").is_visible() and page.locator("#strip-who").is_visible()
    assert page.locator("#strip-b-vs").inner_text() == "B = A with emb_dropout = 0"
    assert page.locator("#strip-b-emb-drop").get_attribute("data-on") == "false"
    assert page.locator("#strip-emb-drop").get_attribute("data-on") == "true"
    assert page.evaluate("document.body.dataset.state") == "len=498&v=3 vs emb_dropout=0&len=498&v=3"
    # what was read, line by line, above the answer; the code kept in the (closed) box
    panel = page.locator("#from-code-panel")
    assert panel.is_visible() and panel.locator("h2").inner_text() == "Read from your code"
    assert "line 9" in panel.inner_text() and "emb_dropout = 0.25" in panel.inner_text()
    notes = page.locator("#from-code-notes li")
    assert notes.count() >= 1 and all(notes.nth(k).is_visible() for k in range(notes.count()))
    assert panel.bounding_box()["y"] < page.locator("#verdict").bounding_box()["y"]
    assert box.input_value() == SEED_CODE
    assert watched.problems == []
