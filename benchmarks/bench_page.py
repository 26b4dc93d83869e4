"""The explorer in headless Chromium: time to first paint, to first plot, and from a control
change to the redraw, for the default state and the seed configuration (len=498), each with one
model and in compare mode (vs.seed=1: a knob change moves A and B, both fetched and redrawn).

    .venv/bin/python benchmarks/bench_page.py      (needs Debian's chromium and playwright)

Starts `dropout-lab serve` on a free loopback port. Each run opens the page in a fresh
browser context (an empty cache, as a student's first visit) and reads the page's own
performance marks: lab-first-paint (plan, model strip and cell diagram drawn, no Plotly
needed), lab-first-plot (plotly.js evaluated and the figures in view drawn), lab-plotted-all
(every figure drawn, those out of view in idle time); then, scrolled to the masks and gates,
the time from pressing ArrowRight on "Embedding dropout" to lab-redrawn (everything in view
redrawn: in compare mode A's figures and B's beside them) and to lab-plotted-all; and the time
from "next step" in the sticky bar to the next frame painted (the cell, what reaches each gate,
and the cursor on every heatmap in view).
Medians of --runs runs.
Targets on loopback: first plot <= 1.0 s, redraw <= 150 ms, timestep <= 50 ms for the default state.

The floor: a bare page on the same server that loads the same plotly.js (same URL, same headers)
and draws one 100 x 11 heatmap, each run in a fresh context, interleaved with the explorer's runs so
both see the same load. Target: the explorer's first plot <= 1.3 x the bare page's (issue 18).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from playwright.sync_api import sync_playwright

from tests.browser.conftest import ARGS, CHROMIUM
from tests.live_server import server

STATES = {
    "default": "/",
    "seed configuration (len=498)": "/?len=498",
    "compare (vs.seed=1)": "/?vs.seed=1",
    "compare, len=498 (vs.seed=1)": "/?len=498&vs.seed=1",
}
# One step on, from the sticky bar's button to the next frame painted.
STEP = """async () => {
  const t0 = performance.now();
  document.getElementById('step-next').click();
  await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - t0;
}"""


# The floor: plotly.js from the same URL as the explorer's, then one heatmap of 100 units x 11 steps.
BARE = """<!doctype html><html><head><meta charset="utf-8"><title>bare</title>
<script src="{plotly}"></script></head><body><div id="fig" style="width:900px;height:300px"></div>
<script>
const z = Array.from({{length: 100}}, (_, u) => Array.from({{length: 11}}, (_, t) => Math.sin(u * 0.3 + t)));
Plotly.newPlot("fig", [{{type: "heatmap", z, colorscale: "Viridis"}}], {{margin: {{t: 30}}, title: "one heatmap"}})
  .then(() => performance.mark("bare-first-plot"));
</script></body></html>"""


def plotly_url(browser, base: str) -> str:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/")
    url = page.evaluate("() => document.querySelector('link[rel=preload][as=script]').href")
    context.close()
    return url


def bare_run(browser, base: str, plotly: str) -> float:
    """Time to the bare page's first plot (ms from navigation start), in a fresh context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    html = BARE.format(plotly=plotly)
    page.route(base + "/__bare", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(base + "/__bare")
    page.wait_for_function("() => performance.getEntriesByName('bare-first-plot').length > 0", timeout=60_000)
    out = mark(page, "bare-first-plot")
    context.close()
    return out


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
    page.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state")
    out["timestep"] = statistics.median(page.evaluate(STEP) for _ in range(5))
    context.close()
    return out


TRACE_CATEGORIES = [
    "devtools.timeline",
    "v8",
    "v8.execute",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
]


def _sum(events, names, url=None) -> float:
    """Total duration (ms) of complete events with these names (on scripts whose URL has url)."""
    total = 0.0
    for e in events:
        if e.get("ph") != "X" or e.get("name") not in names:
            continue
        data = e.get("args", {}).get("data", {}) or {}
        if url is not None and url not in str(data.get("url", "")) + str(data.get("scriptName", "")):
            continue
        total += e.get("dur", 0) / 1000
    return total


def profile(browser, url: str) -> dict:
    """Where the time to the first plot goes, from a Chrome performance trace of one cold load."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trace.json"
        browser.start_tracing(page=page, path=str(path), categories=TRACE_CATEGORIES)
        page.goto(url)
        page.wait_for_function("() => document.body.dataset.plotted === document.body.dataset.state", timeout=60_000)
        browser.stop_tracing()
        events = json.loads(path.read_text())["traceEvents"]
    timing = page.evaluate(
        """() => {
          const r = performance.getEntriesByType('resource').find(e => e.name.includes('plotly'));
          const m = (n) => performance.getEntriesByName(n).at(-1)?.startTime ?? null;
          const first = m('lab-first-plot');
          const sum = (n, end) => performance.getEntriesByName(n).filter(e => e.startTime <= end)
            .reduce((a, e) => a + e.duration, 0);
          const all = m('lab-plotted-all');
          return {nav: performance.getEntriesByType('navigation')[0].responseEnd, start: m('lab-start'),
                  paint: m('lab-first-paint'),
                  request: r.startTime, downloaded: r.responseEnd, loaded: m('lab-plotly-loaded'), first, all,
                  build: sum('lab-build', first), draw: sum('lab-draw', first),
                  buildAll: sum('lab-build', all), drawAll: sum('lab-draw', all)};
        }"""
    )
    context.close()
    plotly = "plotly-"
    return {
        "HTML received": timing["nav"],
        "our modules loaded, start()": timing["start"],
        "first paint (no Plotly)": timing["paint"],
        "plotly.js requested at": timing["request"],
        "plotly.js download": timing["downloaded"] - timing["request"],
        "plotly.js compile": _sum(events, {"v8.compile", "V8.CompileCode", "v8.parseOnBackground"}, plotly),
        "plotly.js evaluate (start-up)": _sum(events, {"EvaluateScript"}, plotly),
        "plotly.js loaded at": timing["loaded"],
        "our figure building (in view)": timing["build"],
        "Plotly drawing (in view)": timing["draw"],
        "first plot at": timing["first"],
        "our figure building (all)": timing["buildAll"],
        "Plotly drawing (all)": timing["drawAll"],
        "all plots at": timing["all"],
        "style+layout (whole load)": _sum(events, {"UpdateLayoutTree", "Layout"}),
        "paint (whole load)": _sum(events, {"Paint", "PaintImage", "RasterTask"}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="where the first plot's time goes (Chrome trace)")
    args = parser.parse_args()
    with server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        if args.profile:
            profile(browser, base + "/")  # warm the server
            runs = [profile(browser, base + "/") for _ in range(args.runs)]
            print(f"first plot of the default state, medians of {args.runs} cold loads, ms")
            for key in runs[0]:
                print(f"  {key:32}{statistics.median(r[key] for r in runs):8.0f}")
            browser.close()
            return
        print(f"headless Chromium ({browser.version}), server on loopback, {args.runs} runs each, medians in ms")
        plotly = plotly_url(browser, base)
        bare_run(browser, base, plotly)
        one_run(browser, base + "/")
        runs = range(args.runs)
        pairs = [(bare_run(browser, base, plotly), one_run(browser, base + "/")["first plot"]) for _ in runs]
        bare = statistics.median(b for b, _ in pairs)
        ours = statistics.median(e for _, e in pairs)
        ratio = statistics.median(e / b for b, e in pairs)
        print(f"first plot, bare page (plotly.js + one heatmap) {bare:.0f} ms; explorer {ours:.0f} ms; ")
        print(f"  median of the paired ratios {ratio:.2f} (target <= 1.3)")
        heads = ("first paint", "first plot", "all plots", "redraw", "all redrawn", "timestep")
        print(f"{'state':30}" + "".join(f"{h:>13}" for h in heads))
        for name, path in STATES.items():
            one_run(browser, base + path)  # warm the server's caches and the OS
            runs = [one_run(browser, base + path) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(f"{name:30}" + "".join(f"{med[h]:13.0f}" for h in heads))
        browser.close()


if __name__ == "__main__":
    main()
