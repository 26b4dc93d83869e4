"""The explorer in headless Chromium: time to first paint, to first plot, and from a control
change to the redraw, for the default state and the seed configuration (len=498).

    .venv/bin/python benchmarks/bench_page.py      (needs Debian's chromium and playwright)

Starts `dropout-lab serve` on a free loopback port. Each run opens the page in a fresh
browser context (an empty cache, as a student's first visit) and reads the page's own
performance marks: lab-first-paint (plan, model strip and cell diagram drawn, no Plotly
needed), lab-first-plot (plotly.js evaluated and the figures in view drawn), lab-plotted-all
(every figure drawn, those out of view in idle time); then, scrolled to the masks and gates,
the time from pressing ArrowRight on "Embedding dropout" to lab-redrawn (everything in view
redrawn) and to lab-plotted-all. Medians of --runs runs.
Targets on loopback: first plot <= 1.0 s, redraw <= 150 ms for the default state.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from playwright.sync_api import sync_playwright

from tests.browser.conftest import ARGS, CHROMIUM
from tests.live_server import server

STATES = {"default": "/", "seed configuration (len=498)": "/?len=498"}


def mark(page, name: str) -> float:
    return page.evaluate(f"() => performance.getEntriesByName('{name}').at(-1).startTime")


def one_run(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state", timeout=60_000)
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state", timeout=60_000)
    out = {
        "first paint": mark(page, "lab-first-paint"),
        "first plot": mark(page, "lab-first-plot"),
        "all plots": mark(page, "lab-plotted-all"),
    }
    # the student looks at the masks and the gates while moving the slider (controls are sticky)
    page.locator("#masks-title").scroll_into_view_if_needed()
    page.evaluate("() => document.getElementById('masks-title').scrollIntoView()")
    page.wait_for_timeout(300)
    before = page.evaluate("() => document.body.dataset.plotted")
    slider = page.get_by_label("Embedding dropout", exact=True)
    slider.focus()
    t0 = page.evaluate("() => performance.now()")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "prev => document.body.dataset.plotted !== prev && document.body.dataset.busy === 'false'", arg=before
    )
    out["redraw"] = mark(page, "lab-redrawn") - t0
    out["all redrawn"] = mark(page, "lab-plotted-all") - t0
    context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"headless Chromium ({browser.version}), server on loopback, {args.runs} runs each, medians in ms")
        heads = ("first paint", "first plot", "all plots", "redraw", "all redrawn")
        print(f"{'state':30}" + "".join(f"{h:>13}" for h in heads))
        for name, path in STATES.items():
            one_run(browser, base + path)  # warm the server's caches and the OS
            runs = [one_run(browser, base + path) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(f"{name:30}" + "".join(f"{med[h]:13.0f}" for h in heads))
        browser.close()


if __name__ == "__main__":
    main()
