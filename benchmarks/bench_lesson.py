"""Lessons and classroom mode in headless Chromium: how fast a lesson step change redraws, and
whether presenter mode's first plot is as fast as the explorer's.

    .venv/bin/python benchmarks/bench_lesson.py [--runs 5]   (needs Debian's chromium and playwright)

Starts `dropout-lab serve` on a free loopback port; a projector's window (1280x720).

1. Step changes: lesson 1 (/lessons/seed-question/1?present=1) stepped through with ArrowRight,
   1 -> 6 (compare to one model, the same state with another focus, one model to compare again),
   then ArrowLeft back to 1. Per change, from the key press to the page's mark lesson-step-drawn:
   the step's link loaded through the explorer's own path (its traces fetched, or taken from the
   browser's cache where the player asked for them ahead), every figure in view redrawn by the
   scheduler and the frame after it painted (lesson/player.js). Also to body[data-plotted] ==
   body[data-state] ("all": every figure of the page, those out of view drawn in idle time).
   Target: <= 150 ms in view. Each run is a fresh browser context (an empty cache); the first run
   warms the server's caches and is not counted.
2. First plot, presenter mode against the explorer, the same state, alternating in one run:
   /?present=1 against /, and lesson 1's first step in presenter mode against the explorer on its
   link (/?seed=3&vs.emb_dropout=0). The page's own marks: lab-first-paint, lab-first-plot.
Medians of --runs runs, in ms.
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

LESSON = "/lessons/seed-question"
STEPS = 6
KEYS = ["ArrowRight"] * (STEPS - 1) + ["ArrowLeft"] * (STEPS - 1)
FIRST_PLOT = {
    "default state": ("/?present=1", "/"),
    "lesson 1, step 1 (compare)": (LESSON + "/1?present=1", "/?seed=3&vs.emb_dropout=0"),
}
PLOTTED = (
    "() => document.body.dataset.busy === 'false' && document.body.dataset.plotted === document.body.dataset.state"
)


def context_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    return context, context.new_page()


def step_changes(browser, base: str) -> list[dict]:
    """One walk through lesson 1 and back: [{change, in view, all}] per key press."""
    context, page = context_page(browser)
    page.goto(base + LESSON + "/1?present=1")
    page.wait_for_function(PLOTTED, timeout=60_000)
    page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state", timeout=60_000)
    step = 1
    out = []
    for key in KEYS:
        step += 1 if key == "ArrowRight" else -1
        page.wait_for_timeout(250)  # a teacher talks between steps: the player's look-ahead has time
        t0 = page.evaluate("() => performance.now()")
        page.keyboard.press(key)
        page.wait_for_function("n => document.body.dataset.step === String(n)", arg=step, timeout=60_000)
        drawn = page.evaluate("() => performance.getEntriesByName('lesson-step-drawn').at(-1).startTime")
        page.wait_for_function(PLOTTED, timeout=60_000)
        everything = page.evaluate("() => performance.now()")
        before = step - 1 if key == "ArrowRight" else step + 1
        out.append({"change": f"{before} -> {step}", "in view": drawn - t0, "all": everything - t0})
    context.close()
    return out


def first_plot(browser, url: str) -> dict:
    context, page = context_page(browser)
    page.goto(url)
    page.wait_for_function("() => performance.getEntriesByName('lab-first-plot').length > 0", timeout=60_000)
    marks = page.evaluate(
        """() => Object.fromEntries(['lab-first-paint', 'lab-first-plot']
               .map(n => [n, performance.getEntriesByName(n).at(-1).startTime]))"""
    )
    context.close()
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"headless Chromium ({browser.version}), server on loopback, 1280x720, {args.runs} runs, medians in ms")

        step_changes(browser, base)  # warm the server's caches
        runs = [step_changes(browser, base) for _ in range(args.runs)]
        print("\n1. lesson step change, key press to redrawn (target <= 150 ms in view)")
        print(f"  {'step':10}{'in view':>10}{'max':>8}{'all':>10}")
        for i, first in enumerate(runs[0]):
            view = [r[i]["in view"] for r in runs]
            everything = statistics.median(r[i]["all"] for r in runs)
            print(f"  {first['change']:10}{statistics.median(view):10.0f}{max(view):8.0f}{everything:10.0f}")
        every = [c["in view"] for r in runs for c in r]
        print(f"  {'every':10}{statistics.median(every):10.0f}{max(every):8.0f}   ({len(every)} changes)")

        print("\n2. first plot: presenter mode against the explorer, same state (fresh context each, alternating)")
        print(f"  {'state':30}{'':12}{'first paint':>12}{'first plot':>12}")
        for name, (present, plain) in FIRST_PLOT.items():
            for url in (present, plain):
                first_plot(browser, base + url)  # warm
            marks = {present: [], plain: []}
            for _ in range(args.runs):
                for url in (present, plain):
                    marks[url].append(first_plot(browser, base + url))
            for label, url in (("presenter", present), ("explorer", plain)):
                paint = statistics.median(m["lab-first-paint"] for m in marks[url])
                plot = statistics.median(m["lab-first-plot"] for m in marks[url])
                print(f"  {name if label == 'presenter' else '':30}{label:12}{paint:12.0f}{plot:12.0f}")
        browser.close()


if __name__ == "__main__":
    main()
