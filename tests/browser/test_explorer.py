"""The explorer in Chromium: plots, links, keyboard, phone, and what the plotted data says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, device

CONTROLS = [
    "Framework",
    "Embedding dropout",
    "Embedding dropout mode",
    "LSTM dropout",
    "Recurrent dropout",
    "Phase",
    "Mask seed",
    "Input text",
    "Weights",
]


def stripes(rows) -> bool:
    """Every feature row constant over time: one mask for the whole sequence."""
    return all(len(set(r)) == 1 for r in rows)


def test_loads_clean_with_every_control(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    for name in CONTROLS:
        assert page.get_by_label(name, exact=True).count() == 1, name
    assert page.get_by_role("button", name="Resample masks").count() == 1
    assert page.get_by_role("button", name="Copy link").count() == 1
    assert page.get_by_role("button", name="Download trace (JSON)").count() == 1
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    assert watched.problems == []
    assert page.url.endswith("/?v=3")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desktop.png"), full_page=True)


def test_embedding_dropout_changes_masks_gates_and_url(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    emb, gate, h = watched.z("fig-embedding-mask"), watched.z("fig-gate-i"), watched.z("fig-h")
    before = page.evaluate("document.body.dataset.plotted")
    slider = page.get_by_label("Embedding dropout", exact=True)
    slider.focus()
    page.keyboard.press("ArrowRight")
    state = watched.wait_plotted(before)
    assert "emb_dropout=0.3" in page.url and "emb_dropout=0.3" in state
    assert watched.z("fig-embedding-mask") != emb
    assert watched.z("fig-gate-i") != gate and watched.z("fig-h") != h

    shown = {fig: watched.z(fig) for fig in ("fig-embedding-mask", "fig-input-mask", "fig-gate-i", "fig-c")}
    url = page.url
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    assert watched.problems == []
    page.reload()
    watched.wait_plotted()
    assert page.url == url
    for fig, values in shown.items():
        assert watched.z(fig) == values, fig


def test_keras3_stripes_become_tfkeras2_noise(watched, base_url):
    watched.open(base_url + "/?recurrent_dropout=0")
    page = watched.page
    rows = watched.z("fig-input-mask")
    assert page.evaluate("document.getElementById('fig-input-mask').data.length") == 1  # shared by the gates
    assert stripes(rows) and any(0 in r for r in rows)
    before = page.evaluate("document.body.dataset.plotted")
    page.get_by_label("Framework", exact=True).select_option("tfkeras2")
    watched.wait_plotted(before)
    rows = watched.z("fig-input-mask")
    assert page.evaluate("document.getElementById('fig-input-mask').data.length") == 1
    assert not stripes(rows)
    assert "preset=tfkeras2" in page.url


def test_keras3_with_recurrent_dropout_shows_four_masks(watched, base_url):
    watched.open(base_url + "/")
    figure = watched.page.evaluate("document.getElementById('fig-input-mask').data.length")
    assert figure == 4
    masks = [watched.z("fig-input-mask", k) for k in range(4)]
    assert all(stripes(m) for m in masks) and len({str(m) for m in masks}) == 4


def test_inference_drops_nothing(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    before = page.evaluate("document.body.dataset.plotted")
    page.get_by_label("Phase", exact=True).select_option("infer")
    watched.wait_plotted(before)
    for fig in ("fig-embedding-mask", "fig-input-mask", "fig-recurrent-mask"):
        n = page.evaluate(f"document.getElementById('{fig}').data.length")
        for k in range(n):
            assert all(v == 1 for r in watched.z(fig, k) for v in r), fig
    assert "phase=infer" in page.url


def test_link_with_errors_names_the_control_and_keeps_the_rest(watched, base_url):
    page = watched.page
    page.goto(base_url + "/?dropout=2&seed=7&units=12")
    watched.wait_plotted()
    error = page.locator("#dropout-error")
    assert error.is_visible() and "dropout must be a number from 0" in error.inner_text()
    assert page.get_by_label("Mask seed", exact=True).input_value() == "7"
    assert page.evaluate("document.body.dataset.plotted") == "seed=7&units=12&v=3&weights=random"


def test_bad_edit_shows_the_api_message_beside_the_control(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    text = page.get_by_label("Input text", exact=True)
    text.fill("?!")
    text.press("Enter")
    page.locator("#text-error").wait_for(state="visible")
    assert "text has no words" in page.locator("#text-error").inner_text()
    assert watched.z("fig-h")  # the last good picture stays


def test_keyboard_alone_reaches_and_changes_every_control(watched, base_url):
    watched.open(base_url + "/?preset=custom&dropout=0.5&layers=2")
    page = watched.page
    controls = page.evaluate(
        "Array.from(document.querySelectorAll('#controls input, #controls select, #timestep, #layer-shown, #diff-of'))"
        ".filter(e => !e.disabled).map(e => e.id)"
    )
    changed = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        el = page.evaluate(
            "({id: document.activeElement.id, tag: document.activeElement.tagName, "
            "type: document.activeElement.type, value: document.activeElement.value})"
        )
        if el["tag"] == "SUMMARY" and page.evaluate("!document.activeElement.parentElement.open"):
            page.keyboard.press("Enter")  # a closed disclosure ("More": B's field/value form) opens from the keyboard
            continue
        if el["id"] not in controls or el["id"] in changed:
            if set(controls) <= changed:
                break
            continue
        if el["tag"] == "SELECT":
            first = page.evaluate("document.activeElement.selectedIndex") == 0
            keys = ("ArrowDown", "ArrowUp") if first else ("ArrowUp", "ArrowDown")
        elif el["type"] == "range":
            at_max = page.evaluate("+document.activeElement.value >= +document.activeElement.max")
            keys = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
        elif el["type"] == "number":
            keys = ("ArrowUp", "ArrowDown")
        else:
            page.keyboard.press("End")  # tabbing in selects the whole text
            keys = ("x", "Backspace")
        page.keyboard.press(keys[0])
        assert page.evaluate("document.activeElement.value") != el["value"], el["id"]
        page.keyboard.press(keys[1])
        assert page.evaluate("document.activeElement.value") == el["value"], el["id"]
        changed.add(el["id"])
    assert set(controls) <= changed, set(controls) - changed
    seed = page.get_by_label("Mask seed", exact=True).input_value()
    page.get_by_role("button", name="Resample masks").focus()
    page.keyboard.press("Enter")
    assert page.get_by_label("Mask seed", exact=True).input_value() == str(int(seed) + 1)


def test_clicking_a_gate_cell_follows_that_unit(watched, base_url):
    watched.open(base_url + "/?units=8&weights=random")
    page = watched.page
    cells = page.locator("#fig-gate-f .nsewdrag").first
    cells.scroll_into_view_if_needed()
    box = cells.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.up()
    page.wait_for_function("() => (document.getElementById('fig-unit').data || []).length >= 6")
    assert page.evaluate("document.getElementById('fig-unit').layout.title.text").startswith("Unit ")


@pytest.mark.parametrize("width", [390])
def test_phone_has_no_horizontal_scroll(browser, base_url, width):
    context = device(browser, width, 844)
    page = context.new_page()
    page.goto(base_url + "/")
    page.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state", timeout=20_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone.png"), full_page=True)
    context.close()


def test_download_trace_is_the_api_trace(watched, base_url):
    watched.open(base_url + "/?seed=5")
    page = watched.page
    with page.expect_download() as info:
        page.get_by_role("button", name="Download trace (JSON)").click()
    body = Path(info.value.path()).read_bytes()
    api = page.request.get(base_url + "/api/trace?seed=5&v=3").body()
    assert body == api


def test_custom_extra_masks_are_plotted(watched, base_url):
    query = "preset=custom&candidate_dropout=0.3&zoneout_c=0.2&weight_drop=0.4&units=6&weights=random"
    watched.open(f"{base_url}/?{query}")
    page = watched.page
    page.locator("#fig-weight-mask").scroll_into_view_if_needed()
    page.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state")
    assert page.evaluate("document.getElementById('fig-extra-mask').data.length") == 2  # candidate, zoneout_c
    weights = watched.z("fig-weight-mask")
    assert len(weights) == 6 and len(weights[0]) == 24 and 0 in weights[0] + weights[1]
    assert page.locator("#fig-weight-mask").is_visible()
    assert watched.problems == []


def test_code_tabs_say_whether_the_built_in_layers_do_it(watched, base_url):
    watched.open(base_url + "/?preset=tfkeras2-fit&out_dropout=0.3")
    page = watched.page
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    verdict = page.locator("#code-fidelity")
    assert "cannot" in verdict.inner_text() and "MaskedLSTM" in verdict.inner_text()  # Keras 3 tab
    page.get_by_role("tab", name="tf.keras 2").click()
    assert verdict.inner_text().startswith("Exact") and "model.fit" in verdict.inner_text()
    assert "layers.Dropout(0.3)" in page.locator("#code").inner_text()  # the output dropout
    strip = page.locator("#strip-out-rate")
    assert strip.inner_text() == "0.3" and "off" not in page.locator("#strip-out-drop").get_attribute("class")
    assert watched.problems == []


def test_trained_weights_fix_the_shape_and_random_frees_it(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    assert page.get_by_label("Weights", exact=True).input_value() == "trained"
    assert page.get_by_label("Units", exact=True).is_disabled()
    before = page.evaluate("document.body.dataset.plotted")
    page.get_by_label("Weights", exact=True).select_option("random")
    state = watched.wait_plotted(before)
    assert "weights=random" in state and "weights=random" in page.url
    assert page.get_by_label("Units", exact=True).is_enabled()
    assert watched.problems == []
