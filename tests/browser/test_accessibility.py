"""axe-core on every page a student, a teacher or a reader of a course page meets, in its states
that add content: the explorer (a clean link, a link with problems, compare mode, the code and
gradient panels open, a phone), the lab before and after a run. No serious or critical violation.
Presenter mode, lesson steps and the embed have theirs in test_present.py, test_lessons.py and
test_embed.py."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import Watched, serious
from tests.browser.test_lab_page import SMALL, open_lab, wait_drawn, wait_finished


@pytest.mark.parametrize(
    ("query", "viewport"),
    [
        ("seed=3", (1280, 900)),
        ("seed=3&dropout=9&text=zzz", (1280, 900)),  # problems beside their controls
        ("seed=3&vs.emb_dropout=0&vs.dropout=0.5", (1280, 900)),  # compare mode
        ("seed=3&vs.dropout=0", (390, 844)),  # compare mode on a phone
        ("preset=zaremba&weights=random&seed=1", (1024, 768)),
    ],
)
def test_the_explorer_has_no_serious_violation(browser, base_url, query, viewport):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    w = Watched(context.new_page()).open(f"{base_url}/?{query}")
    assert serious(Axe().run(w.page)) == [], query
    assert w.problems == []
    context.close()


def test_the_explorers_panels_opened_have_no_serious_violation(watched, base_url):
    """Everything a student can open: every <details> (code, gradients, the plan...) at once."""
    page = watched.open(f"{base_url}/?seed=3").page
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(300)
    assert serious(Axe().run(page)) == [] and watched.problems == []


def test_the_lab_has_no_serious_violation_before_and_after_a_run(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&data_seed=71")
    assert serious(Axe().run(page)) == [], "before a run"
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "done"
    wait_drawn(page)
    assert serious(Axe().run(page)) == [], "after a run: curves, table and sentence"
