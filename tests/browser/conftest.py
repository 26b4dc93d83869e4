"""A real server and Debian's Chromium driven by Playwright (never `playwright install`).

Missing Chromium or playwright skips these tests on a developer's machine; in CI
(DROPOUT_LAB_REQUIRE_ALL=1, .ci/run installs both) a skip is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.live_server import server

CHROMIUM = os.environ.get("DROPOUT_LAB_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def base_url():
    with server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page whose console errors, page errors and failed requests are collected."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on(
            "console", lambda m: m.type in ("error", "warning") and self.problems.append(f"console {m.type}: {m.text}")
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def open(self, url: str):
        self.page.goto(url)
        self.wait_plotted()
        return self

    def wait_plotted(self, previous: str | None = None):
        """Until the figures show the state in the URL (and differ from ``previous``)."""
        self.page.wait_for_function(
            """prev => document.body.dataset.busy === 'false' && document.body.dataset.plotted
                       && document.body.dataset.plotted === document.body.dataset.state
                       && document.body.dataset.plotted !== prev""",
            arg=previous,
            timeout=20_000,
        )
        return self.page.evaluate("document.body.dataset.plotted")

    def z(self, fig: str, trace: int = 0):
        """The z values Plotly is showing in figure ``fig`` (rows of numbers)."""
        return self.page.evaluate(
            "([id, k]) => Array.from(document.getElementById(id).data[k].z, r => Array.from(r))", [fig, trace]
        )


def serious(results) -> list[str]:
    """The serious and critical violations of an axe-core run, with where they are."""
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def device(browser, width: int, height: int):
    """A browser context of that viewport; under 500 px wide, a phone (touch, 2x pixels)."""
    phone = width < 500
    return browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
    )


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    w = Watched(page)
    yield w
    context.close()
