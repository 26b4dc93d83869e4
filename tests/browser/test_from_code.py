"""The "Your model" box: the seed question's two models pasted, "Open my model" pressed, the
explorer in compare mode on the seed's link, with what each line set and the notes on the page;
"Larger text" kept through the box, and applied on the reasons page."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.web.test_from_code import GRU_CODE, SEED_CODE, SEED_LINK


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


def test_larger_text_survives_open_my_model(watched, base_url):
    """The box is a GET form: the page it opens keeps its action's fragment, which follows the
    page's hash (static/js/your-model.js), and the explorer's canonical address keeps it too."""
    page = watched.open(base_url + "/#t=3&diff=c").page
    form = page.locator("#your-model form")
    assert form.get_attribute("action") == "/from-code#diff=c"  # t is this model's: not carried
    page.locator("#larger-text").click()  # the action follows the hash the button writes
    assert page.evaluate("document.documentElement.classList.contains('present')")
    assert form.get_attribute("action") == "/from-code#diff=c&big=1"
    page.locator("#your-model > summary").click()
    page.get_by_label("Your model's code", exact=True).fill(SEED_CODE)
    page.get_by_role("button", name="Open my model").click()
    page.wait_for_url(f"{base_url}/?{SEED_LINK}#diff=c&big=1", timeout=20_000)
    watched.wait_plotted()
    assert page.evaluate("document.documentElement.classList.contains('present')")
    assert page.locator("#larger-text").get_attribute("aria-pressed") == "true"
    assert page.url == f"{base_url}/?{SEED_LINK}#diff=c&big=1"
    # on a phone each line keeps a short form of its code: "line 9 Dropout(…) → emb_dropout = 0.25"
    page.set_viewport_size({"width": 400, "height": 800})
    line = page.locator("#from-code-panel .read-lines li", has_text="line 9")
    assert line.locator(".read-short").is_visible() and line.locator(".read-short").inner_text() == "Dropout(…)"
    assert not line.locator(".read-code").is_visible()
    assert watched.problems == []


def test_the_reasons_page_applies_larger_text(browser, base_url):
    """A 422 page (GRU: not modelled) opened with #big=1: the page's text is larger, as on the
    explorer (html.present), and its box sends the code on with the same fragment."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and "422" not in m.text and errors.append(m.text))
        url = f"{base_url}/from-code?{urlencode({'code': GRU_CODE})}"
        sizes = {}
        for hash_ in ("", "#big=1"):
            page.goto("about:blank")  # a new load, not a jump to the fragment
            response = page.goto(url + hash_)
            assert response.status == 422
            page.wait_for_load_state("load")
            page.wait_for_function("document.querySelector('#your-model form') !== null")
            big = hash_ != ""
            page.wait_for_function(f"document.documentElement.classList.contains('present') === {str(big).lower()}")
            sizes[big] = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
            assert page.locator("#your-model form").get_attribute("action") == f"/from-code{hash_}"
        assert sizes[True] > sizes[False] * 1.2
        assert page.locator("#code-notes-title").inner_text() == "Notes on what could be read"
        # a fragment typed after opening is followed too
        page.evaluate("location.hash = ''")
        page.wait_for_function("!document.documentElement.classList.contains('present')")
        assert page.locator("#your-model form").get_attribute("action") == "/from-code"
        assert errors == []
    finally:
        context.close()
