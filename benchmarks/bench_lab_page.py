"""The training lab's page (/train) in headless Chromium: a default run live, then replayed.

    .venv/bin/python benchmarks/bench_lab_page.py [--query data_seed=1] (needs Debian's chromium and playwright)

Starts `dropout-lab serve` on a free loopback port (an empty lab cache), opens /train?<query>
(default: the lab's defaults on data seed 1, two configurations x 5 seeds x 15 epochs x 1,000
sentences; data seed 0 would replay the recorded study) and presses Train:
  (1) live: seconds from the click to the `done` event drawn; the main thread's long tasks
      (> 50 ms) meanwhile, how many and the longest (the progress bar and the curves are drawn
      at most once a frame, so a run's thousands of events must not block the page);
  (2) replayed: the same link in a fresh page, Train again: ms from the click to the table and
      the curves drawn (the whole run arrives in one response), and its longest task.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from playwright.sync_api import sync_playwright

from tests.browser.conftest import ARGS, CHROMIUM
from tests.live_server import server

LONG_TASKS = """() => { window.longTasks = [];
  new PerformanceObserver(list => window.longTasks.push(...list.getEntries().map(e => e.duration)))
    .observe({type: 'longtask'}); }"""
DRAWN = """() => document.body.dataset.run === 'done' && document.body.dataset.stream === 'closed'
  && document.body.dataset.drawn?.endsWith('|' + window.labEvents.length)"""


def train(browser, url: str) -> tuple[float, list[float], int]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.plotly === 'ready'")
    page.evaluate(LONG_TASKS)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(DRAWN, timeout=300_000, polling=20)
    seconds = time.perf_counter() - t0
    tasks = page.evaluate("window.longTasks")
    epochs = int(page.evaluate("document.body.dataset.progress"))
    context.close()
    return seconds, tasks, epochs


def describe(tasks: list[float]) -> str:
    return f"{len(tasks)} long tasks, longest {max(tasks, default=0):.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="data_seed=1", help="the lab link's query (default: data_seed=1)")
    args = parser.parse_args()
    with server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        url = f"{base}/train?{args.query}"
        seconds, tasks, epochs = train(browser, url)
        print(f"live run      {seconds:6.1f} s   {epochs} epochs trained   {describe(tasks)}")
        seconds, tasks, _ = train(browser, url)
        print(f"replayed run  {1000 * seconds:6.0f} ms  {describe(tasks)}")
        browser.close()


if __name__ == "__main__":
    main()
