"""The verdict first, and every panel telling the same story as the plan."""

from __future__ import annotations


def answer(page) -> str:
    return page.locator("#verdict-answer").inner_text()


def change(watched, label: str, value: str):
    before = watched.page.evaluate("document.body.dataset.plotted")
    watched.page.get_by_label(label, exact=True).select_option(value)
    watched.wait_plotted(before)


def test_the_verdict_follows_preset_and_phase(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    keras = answer(page)
    assert keras.startswith("No")
    assert page.locator("#verdict .verdict-points > li").count() == 3
    assert "recurrent_dropout" in page.locator("#verdict").inner_text()
    assert not page.locator("#verdict details").evaluate("d => d.open")  # jargon behind a disclosure
    assert "The seed question" not in page.locator("body").inner_text()
    # "will it make any difference?" leads to the lab, for this very model; a newcomer finds the lesson
    state = page.evaluate("document.body.dataset.state")
    assert page.locator("#verdict-lab").get_attribute("href") == f"/train?{state}"
    assert page.get_by_role("link", name="New here? Start the first lesson").get_attribute("href") == (
        "/lessons/seed-question/1"
    )
    change(watched, "Framework", "pytorch")
    torch = answer(page)
    assert torch != keras
    change(watched, "Phase", "inference")
    assert answer(page) not in (keras, torch)
    assert watched.problems == []


def test_at_inference_no_mask_is_shown_on_anywhere(watched, base_url):
    watched.open(base_url + "/?phase=infer&out_dropout=0.3&preset=custom&candidate_dropout=0.2&weight_drop=0.3")
    page = watched.page
    # the strip
    assert page.evaluate("[...document.querySelectorAll('.model-strip .drop')].map(b => b.dataset.on)") == ["false"] * 4
    assert page.locator(".model-strip .drop:not(.off)").count() == 0
    # the plan's badges
    assert page.locator("#plan .badge").count() > 0 and page.locator("#plan .badge.on").count() == 0
    # the cell: every element reaches every gate, no dropped square
    counts = page.locator("#cell .reach-x, #cell .reach-h").all_text_contents()
    assert counts and all(a == b for a, b in (c.split(" ")[1].split("/") for c in counts))
    assert (
        page.evaluate(
            "[...document.querySelectorAll('#reach rect')].filter(r => r.getAttribute('fill') === '#12355b').length"
        )
        == 0
    )
    assert "No mask acts here" in page.locator("#equation-key").inner_text()
    # the figures: every mask keeps everything and says it is off
    for fig in ("fig-embedding-mask", "fig-input-mask", "fig-recurrent-mask"):
        page.locator(f"#{fig}").scroll_into_view_if_needed()
        n = page.evaluate(f"document.getElementById('{fig}').data.length")
        for k in range(n):
            assert all(v == 1 for r in watched.z(fig, k) for v in r), fig
        assert "off at inference" in page.evaluate(f"document.getElementById('{fig}').layout.title.text")
    assert watched.problems == []


def test_pytorch_with_one_layer_shows_its_dropout_doing_nothing(watched, base_url):
    watched.open(base_url + "/?preset=pytorch&recurrent_dropout=0")
    page = watched.page
    strip = page.locator("#strip-dropout")
    assert strip.get_attribute("data-on") == "false" and "does nothing" in strip.inner_text()
    assert "does nothing" in page.locator("[data-field=dropout] .idle").inner_text()  # the slider's 0.5 explained
    recurrent = page.get_by_label("Recurrent dropout", exact=True)
    assert recurrent.is_disabled() and recurrent.input_value() == "0"  # greyed, and saying what the model uses
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    warning = "dropout option adds dropout after all but last recurrent layer"
    assert page.locator("body").inner_text().count(warning) == 1  # PyTorch's warning, printed once
    before = page.evaluate("document.body.dataset.plotted")
    page.locator("#advanced summary").click()
    page.get_by_label("Layers", exact=True).fill("2")
    watched.wait_plotted(before)
    assert strip.get_attribute("data-on") == "true"
    assert not page.locator("[data-field=dropout] .idle").is_visible()
    assert watched.problems == []


def test_unknown_words_are_named_with_the_vocabulary_one_click_away(watched, base_url):
    watched.open(base_url + "/?text=the+zebra+was+good")
    page = watched.page
    assert page.locator("#unknown-words").is_visible()
    assert page.locator("#unknown-list").inner_text() == "zebra"
    page.locator("#vocabulary summary").click()
    page.locator("#vocabulary-words li").nth(63).wait_for()
    words = page.locator("#vocabulary-words li").all_inner_texts()
    assert len(words) == 64 and "good" in words and "<unk>" in words
