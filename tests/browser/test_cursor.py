"""One cursor across every view: the timestep and the unit, kept in the link's hash."""

from __future__ import annotations


def shapes(page, fig: str) -> list[dict]:
    return page.evaluate(f"document.getElementById('{fig}').layout.shapes || []")


def cursor_of(page, fig: str) -> tuple[float | None, float | None]:
    """(step, unit) outlined on a heatmap: the column's centre and the row's centre."""
    t = unit = None
    for s in shapes(page, fig):
        if s.get("name") == "cursor-t":
            t = (s["x0"] + s["x1"]) / 2
        if s.get("name") == "cursor-unit":
            unit = (s["y0"] + s["y1"]) / 2
    return t, unit


def hash_of(page) -> dict:
    return dict(p.split("=") for p in page.evaluate("location.hash.slice(1)").split("&") if p)


def test_heatmap_click_sets_step_and_unit_everywhere_and_the_link_keeps_them(watched, base_url):
    watched.open(base_url + "/?units=8&weights=random")
    page = watched.page
    assert cursor_of(page, "fig-gate-i") == (0, None)
    cells = page.locator("#fig-gate-f .nsewdrag").first
    cells.scroll_into_view_if_needed()
    box = cells.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.72, box["y"] + box["height"] * 0.45)
    page.wait_for_function("() => location.hash.includes('unit=')")
    view = hash_of(page)
    t, unit = int(view["t"]), int(view["unit"])
    assert t > 0
    # the cursor is on every heatmap in view, the cell and the compact cell follow
    page.wait_for_function(
        "u => (document.getElementById('fig-h').layout.shapes || [])"
        ".some(s => s.name === 'cursor-unit' && s.y0 === u - 0.5)",
        arg=unit,
    )
    assert cursor_of(page, "fig-gate-f") == (t, unit)
    assert page.locator("#timestep").input_value() == str(t)
    assert page.locator("#cursor-word").inner_text().endswith(f"unit {unit}")
    assert page.locator("#cell .unit-mark").count() == 4
    page.wait_for_function("() => (document.getElementById('fig-unit').data || []).length >= 6")
    assert page.evaluate("document.getElementById('fig-unit').layout.title.text") == f"Unit {unit} over time"

    page.reload()
    watched.wait_plotted()
    assert hash_of(page)["t"] == str(t) and hash_of(page)["unit"] == str(unit)
    assert page.locator("#timestep").input_value() == str(t)
    page.locator("#fig-gate-f").scroll_into_view_if_needed()
    page.wait_for_function("() => (document.getElementById('fig-gate-f').layout?.shapes || []).length > 0")
    assert cursor_of(page, "fig-gate-f") == (t, unit)
    page.locator("#fig-unit").scroll_into_view_if_needed()
    page.wait_for_function("() => (document.getElementById('fig-unit').data || []).length >= 6")
    assert watched.problems == []


def test_scrubbing_moves_the_cursor_on_the_heatmaps(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    page.locator("#timestep").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert hash_of(page)["t"] == "2"
    page.locator("#fig-embedding-mask").scroll_into_view_if_needed()  # out of view: restyled when seen
    page.wait_for_function(
        "() => (document.getElementById('fig-embedding-mask').layout.shapes || []).some(s => s.x0 === 1.5)"
    )
    assert page.locator("#timestep-word").inner_text() == "2: was"
    # what reaches each gate: the changes since step 1 are marked
    assert page.locator("#reach .changed").count() > 0
    assert "changed since step 1" in page.locator("#reach").inner_text()


def test_play_and_space_step_through_the_sentence(watched, base_url):
    watched.open(base_url + "/#t=3")
    page = watched.page
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => location.hash.includes('t=4')", timeout=5_000)
    assert page.get_by_role("button", name="Pause").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Pause").click()
    stopped = hash_of(page)["t"]
    page.wait_for_timeout(1_100)
    assert hash_of(page)["t"] == stopped
    page.locator("h1").click()
    page.keyboard.press("Space")
    page.wait_for_function(f"() => !location.hash.includes('t={stopped}')", timeout=5_000)
    page.keyboard.press("Space")
    assert int(hash_of(page)["t"]) > int(stopped)


def test_the_difference_and_the_code_tab_are_in_the_link(watched, base_url):
    watched.open(base_url + "/")
    page = watched.page
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    page.get_by_label("Difference of", exact=True).select_option("c")
    page.get_by_role("tab", name="PyTorch").click()
    assert hash_of(page) == {"diff": "c", "code": "pytorch"}
    page.reload()
    watched.wait_plotted()
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state")
    assert page.get_by_label("Difference of", exact=True).input_value() == "c"
    assert page.get_by_role("tab", name="PyTorch").get_attribute("aria-selected") == "true"
    assert "torch" in page.locator("#code").inner_text()
    page.locator("#fig-diff").scroll_into_view_if_needed()
    page.wait_for_function("() => document.getElementById('fig-diff').layout?.title.text.startsWith('c with')")
    assert watched.problems == []
