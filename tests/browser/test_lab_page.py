"""The training lab (/train) in Chromium: Train moves the progress bar and counts the time left,
the curves are each configuration's mean over its seeds (each seed faint), the table is the last
epochs' numbers over the seeds, the comparisons carry the verdicts of the `done` event, a recorded
study replays with the form hidden, problems beside their controls, a busy lab and a dropped
connection, the keyboard, the link, a phone and "Larger text".

Small runs (8 units, 50 sentences, 3 epochs, 2 seeds: about a second each). The server is fresh for
the session, so a data_seed used once below is trained, not replayed. Screenshots of a finished run
go to artifacts/screenshots/lab-*.png."""

from __future__ import annotations

import json
import math
import random
import re

import pytest

from app.link.lab_query import CONFIGS, LabQuery
from app.link.state import parse
from app.web.static_files import static_url
from tests.browser.conftest import SCREENSHOTS, Watched, device

SMALL = "units=8&weights=random&train_size=50&epochs=3&batch=25&seeds=2"
ALL = "configs=none,emb,cell,both"
TITLES = {"none": "no dropout", "emb": "embedding dropout only", "cell": "the LSTM's dropout only", "both": "both"}
FINISHED = "() => ['done', 'error', 'stopped', 'dropped', 'problems'].includes(document.body.dataset.run)"
LABELS = [
    "Seeds",
    "Epochs",
    "Training sentences",
    "Batch size",
    "Optimizer",
    "Learning rate",
    "Label noise",
    "Data seed",
]
CLEAR, UNCLEAR = "#0b3d91", "#8a94a6"  # lab/comparisons.js: an interval that excludes 0, one that does not
STUDIES = ("seed", "seed-context", "recurrent-timing", "embedding-kinds")


def open_lab(watched: Watched, base_url: str, query: str, hash_: str = ""):
    watched.page.goto(f"{base_url}/train?{query}{hash_}")
    watched.page.wait_for_function("() => document.body.dataset.plotly === 'ready'")
    return watched.page


def wait_finished(page, timeout=60_000) -> str:
    """Until the run is over and its request too (the server ends the response after the last event)."""
    page.wait_for_function(FINISHED, timeout=timeout)
    page.wait_for_function("() => document.body.dataset.stream !== 'open'", timeout=10_000)
    return page.evaluate("document.body.dataset.run")


def events(page) -> list[tuple[str, dict]]:
    return [tuple(e) for e in page.evaluate("window.labEvents")]


def last(page, name: str) -> dict:
    return next(data for n, data in reversed(events(page)) if n == name)


def epoch_rows(page) -> dict[str, dict[int, list[dict]]]:
    """The epoch events by configuration and seed, each seed's in epoch order."""
    rows: dict[str, dict[int, list[dict]]] = {}
    for name, data in events(page):
        if name == "epoch":
            rows.setdefault(data["config"], {}).setdefault(data["seed"], []).append(data)
    for seeds in rows.values():
        for epochs in seeds.values():
            epochs.sort(key=lambda r: r["epoch"])
    return rows


def mean(xs):
    return sum(xs) / len(xs)


def curves(page) -> list[dict]:
    """What Plotly draws in the learning curves: name, dash, opacity, colour, x, y and meta of every trace."""
    return page.evaluate(
        """Array.from(document.getElementById('fig-curves').data, t => ({name: t.name, legend: t.showlegend,
             dash: t.line?.dash ?? null, width: t.line?.width, color: t.line?.color, opacity: t.opacity,
             meta: t.meta ?? null, x: Array.from(t.x), y: Array.from(t.y)}))"""
    )


def wait_drawn(page):
    """Until the curves show every event the page has (they are drawn once a frame)."""
    page.wait_for_function("() => document.body.dataset.drawn?.endsWith('|' + window.labEvents.length)")


def table(page) -> dict[str, dict]:
    """The table's numbers (each cell keeps the event's in data-value; the metric's per seed in
    data-values), per configuration."""
    return page.evaluate(
        """Object.fromEntries([...document.querySelectorAll('#results-body tr[data-config]')].map(tr => [
             tr.dataset.config, Object.fromEntries([...tr.querySelectorAll('td[data-key]')].flatMap(td => [
               [td.dataset.key, Number(td.dataset.value)],
               ...(td.dataset.sd ? [[td.dataset.key + '_sd', Number(td.dataset.sd)]] : []),
               ...(td.dataset.values ? [[td.dataset.key + '_values', td.dataset.values.split(',').map(Number)]]
                                     : [])]))]))"""
    )


def comparisons_shown(page) -> list[dict]:
    """The comparisons in words: each item's data attributes and text."""
    return page.evaluate(
        """[...document.querySelectorAll('#comparison-list li')].map(li => ({verdict: li.dataset.verdict,
             a: li.dataset.a, b: li.dataset.b, lo: Number(li.dataset.lo), hi: Number(li.dataset.hi),
             difference: Number(li.dataset.difference), text: li.textContent}))"""
    )


def differences_drawn(page) -> list[dict]:
    """The chart of the differences: each comparison's marker (x, error bar, colour, verdict)."""
    page.wait_for_function("() => document.body.dataset.compared")
    return page.evaluate(
        """Array.from(document.getElementById('fig-differences').data).filter(t => t.meta?.verdict)
             .map(t => ({x: t.x[0], plus: t.error_x.array[0], minus: t.error_x.arrayminus[0],
                         color: t.marker.color, verdict: t.meta.verdict, a: t.meta.a, b: t.meta.b}))"""
    )


def sse(stream: list[tuple[str, dict]]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in stream)


def refusals_only(problems: list[str], status: int) -> bool:
    """Only the refusal itself: its status (the stream's and the request reading why, each logged
    by Chromium), and the refused stream's body, which Chromium may abort as it fails the EventSource."""
    return all(str(status) in p or ("/api/train?" in p and p.endswith("ERR_ABORTED")) for p in problems)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_train_moves_the_progress_bar_and_draws_each_configurations_mean_over_its_seeds(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&{ALL}&data_seed=11")
    assert page.evaluate("document.getElementById('progress').value") == 0
    page.evaluate(
        """() => { window.seen = []; new MutationObserver(() => window.seen.push(
             document.getElementById('progress').value)).observe(document.body, {attributes: true,
             attributeFilter: ['data-progress']}); }"""
    )
    page.get_by_role("button", name="Train", exact=True).click()
    assert page.get_by_role("button", name="Stop", exact=True).count() == 1  # while it trains
    assert wait_finished(page) == "done"
    seen = page.evaluate("window.seen")
    assert any(0 < v < 1 for v in seen), seen  # moved through the run, not only at its end
    assert page.evaluate("document.getElementById('progress').value") == 1
    start = events(page)[0][1]
    assert start["configs"] == list(CONFIGS) and start["epochs"] == 3 and start["seeds"] == 2
    assert start["total"] == 4 * 2 * 3
    assert int(page.evaluate("document.body.dataset.progress")) == start["total"]
    progress = page.evaluate("window.labProgress")  # the last progress event
    assert progress["done"] == progress["total"] == 24 and progress["elapsed"] > 0
    assert page.locator("#progress-count").inner_text().startswith("Done · 24 epochs trained in")
    assert page.locator("#time-left").is_hidden()

    wait_drawn(page)
    drawn = curves(page)
    rows = epoch_rows(page)
    means = [t for t in drawn if t["legend"]]
    assert [t["name"] for t in means] == [TITLES[c] for c in start["configs"]]  # one legend entry per configuration
    for config in start["configs"]:
        seeds = rows[config]
        assert sorted(seeds) == [0, 1]
        val, train = (t for t in drawn if t["meta"] and t["meta"]["arm"] == config and t["meta"]["stat"] == "mean")
        assert val["dash"] == "solid" and train["dash"] == "dash" and val["opacity"] == 1
        assert val["x"] == [1, 2, 3]
        assert val["y"] == pytest.approx([mean([seeds[k][e]["val_acc"] for k in seeds]) for e in range(3)])
        assert train["y"] == pytest.approx([mean([seeds[k][e]["train_acc"] for k in seeds]) for e in range(3)])
        faint = [t for t in drawn if t["meta"] and t["meta"]["arm"] == config and t["meta"]["stat"] == "seed"]
        assert sorted(t["meta"]["seed"] for t in faint) == [0, 1]  # each seed's own curve, thin and faint
        for t in faint:
            assert not t["legend"] and t["opacity"] < 0.5 and t["width"] < val["width"] and t["color"] == val["color"]
            assert t["y"] == pytest.approx([r["val_acc"] for r in seeds[t["meta"]["seed"]]])
    assert len({t["color"] for t in means}) == 4
    page.get_by_text("Loss", exact=True).click()  # the loss view: the same runs, their losses
    page.wait_for_function("() => document.getElementById('fig-curves').layout.title.text.startsWith('Loss')")
    loss = [t for t in curves(page) if t["legend"]]
    none = rows["none"]
    assert loss[0]["y"] == pytest.approx([mean([none[k][e]["val_loss"] for k in none]) for e in range(3)])
    assert "view=loss" in page.url
    assert page.get_by_role("button", name="Train", exact=True).is_enabled()  # offered again
    assert watched.problems == []


def test_the_table_the_sentence_and_the_comparisons_are_the_last_events(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&configs=none,cell,both&data_seed=12")
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "done"
    rows = epoch_rows(page)
    shown = table(page)
    assert set(shown) == {"none", "cell", "both"}
    for config, seeds in rows.items():
        final_val = [seeds[k][-1]["val_acc"] for k in sorted(seeds)]
        final_train = [seeds[k][-1]["train_acc"] for k in sorted(seeds)]
        assert shown[config]["mean_values"] == pytest.approx(final_val)  # per seed, from the epochs
        assert shown[config]["mean"] == pytest.approx(mean(final_val), abs=1e-6)
        assert shown[config]["train_mean"] == pytest.approx(mean(final_train), abs=1e-6)
        assert shown[config]["gap"] == pytest.approx(mean(final_train) - mean(final_val), abs=1e-6)
    done = events(page)[-1]
    assert done[0] == "done"
    done = done[1]
    for row in done["table"]:
        assert shown[row["config"]]["mean_sd"] == row["sd"]  # the event's numbers, kept exactly
    assert page.locator("#answer").inner_text() == done["sentence"]  # the answer, as the server wrote it
    assert page.locator("#lab-sentence #answer").count() == 1
    metric = page.locator("#results-table th[data-key=mean]").inner_text()
    assert metric.lower().startswith(done["metric_title"].lower())
    seconds = math.floor(done["seconds"] + 0.5)  # as JS rounds: half up
    assert f"Trained in {seconds} s" in page.locator("#table-note").inner_text()

    # the comparisons: the chart's rows and the list in words carry the event's verdicts and intervals
    assert len(done["comparisons"]) >= 2 and done["comparisons"][0]["a"] == "cell"  # the headline first
    listed = comparisons_shown(page)
    assert [(c["a"], c["b"], c["verdict"]) for c in listed] == [
        (c["a"], c["b"], c["verdict"]) for c in done["comparisons"]
    ]
    for item, c in zip(listed, done["comparisons"], strict=True):
        assert (item["lo"], item["hi"]) == tuple(c["interval"]) and item["difference"] == c["difference"]
        assert f"{TITLES[c['b']]} − {TITLES[c['a']]}" in item["text"]
    drawn = differences_drawn(page)
    assert [(d["a"], d["b"], d["verdict"]) for d in drawn] == [
        (c["a"], c["b"], c["verdict"]) for c in done["comparisons"]
    ]
    for d, c in zip(drawn, done["comparisons"], strict=True):
        lo, hi = c["interval"]
        assert d["x"] == pytest.approx(100 * c["difference"], abs=1e-4)
        assert d["x"] - d["minus"] == pytest.approx(100 * lo, abs=1e-4)
        assert d["x"] + d["plus"] == pytest.approx(100 * hi, abs=1e-4)
        assert d["color"] == (UNCLEAR if c["verdict"] == "no clear difference" else CLEAR)
    assert page.locator("#lab-comparisons").is_visible()
    assert watched.problems == []


def fixture_run(query: str) -> list[tuple[str, dict]]:
    """A run of three arms of any names (as a recorded study's), two seeds, two epochs, whose
    comparisons have each verdict once."""
    arms = ["per-sequence", "per-step", "word"]
    titles = ["mask once per sequence", "mask at every step", "word dropout"]
    start = {
        "query": query,
        "configs": arms,
        "titles": titles,
        "seeds": 2,
        "epochs": 2,
        "total": 12,
        "metric": "final_val_acc",
        "metric_title": "validation accuracy after the last epoch",
        "study": "",
        "links": ["", "", ""],
    }
    stream: list[tuple[str, dict]] = [("start", start)]
    done = 0
    for k in range(2):
        for i, arm in enumerate(arms):
            for epoch in (1, 2):
                acc = 0.6 + 0.05 * i + 0.02 * epoch + 0.01 * k
                stream.append(
                    (
                        "epoch",
                        {
                            "config": arm,
                            "seed": k,
                            "epoch": epoch,
                            "train_loss": 0.6,
                            "train_acc": acc + 0.1,
                            "val_loss": 0.65,
                            "val_acc": acc,
                        },
                    )
                )
                done += 1
                stream.append(("progress", {"done": done, "total": 12, "elapsed": 0.5 * done}))

    def row(i, arm):
        values = [0.64 + 0.05 * i, 0.65 + 0.05 * i]
        return {
            "config": arm,
            "title": titles[i],
            "values": values,
            "mean": mean(values),
            "sd": 0.007,
            "min": values[0],
            "max": values[1],
            "train_values": [v + 0.1 for v in values],
            "train_mean": mean(values) + 0.1,
            "gap": 0.1,
            "best_values": values,
            "best_epochs": [2, 2],
        }

    def comparison(a, b, d, lo, hi, verdict):
        return {
            "a": a,
            "b": b,
            "metric": "final_val_acc",
            "difference": d,
            "interval": [lo, hi],
            "seeds": 2,
            "verdict": verdict,
            "differences": [d - 0.01, d + 0.01],
        }

    comparisons = [
        comparison("per-sequence", "per-step", 0.05, 0.02, 0.08, "b better"),
        comparison("per-step", "word", -0.03, -0.05, -0.01, "a better"),
        comparison("per-sequence", "word", 0.01, -0.02, 0.04, "no clear difference"),
    ]
    sentence = "A sentence the server wrote: the page never composes it."
    stream.append(
        (
            "done",
            {
                "metric": "final_val_acc",
                "metric_title": "validation accuracy after the last epoch",
                "table": [row(i, a) for i, a in enumerate(arms)],
                "comparisons": comparisons,
                "sentence": sentence,
                "seconds": 6.2,
            },
        )
    )
    return stream


def test_any_arms_their_titles_colours_and_each_verdict_in_the_chart(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&data_seed=19")
    query = page.url.split("?", 1)[1]
    stream = fixture_run(query)
    body = sse(stream)
    page.route("**/api/train?*", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=body))
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "done"
    done = stream[-1][1]
    assert page.locator("#answer").inner_text() == done["sentence"]
    wait_drawn(page)
    means = [t for t in curves(page) if t["legend"]]
    assert [t["name"] for t in means] == stream[0][1]["titles"]  # the start event's titles, for any names
    assert len({t["color"] for t in means}) == 3
    assert list(table(page)) == stream[0][1]["configs"]
    listed = comparisons_shown(page)
    assert [c["verdict"] for c in listed] == ["b better", "a better", "no clear difference"]
    assert "mask at every step did better" in listed[0]["text"]
    assert "mask at every step did better" in listed[1]["text"]
    assert "no clear difference" in listed[2]["text"]
    drawn = differences_drawn(page)
    assert [d["color"] for d in drawn] == [CLEAR, CLEAR, UNCLEAR]  # coloured: the interval excludes 0
    assert [d["x"] for d in drawn] == pytest.approx([5, -3, 1])  # percentage points
    assert "in 6 s" in page.locator("#progress-count").inner_text()
    assert watched.problems == []


def test_the_time_left_is_elapsed_times_the_share_left_counted_down(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&data_seed=20")
    left = page.evaluate(
        """async url => { const { leftText } = await import(url);
             const run = { progress: null };
             const texts = [leftText(run, 0)];
             run.progress = { done: 3, total: 12, elapsed: 1.5, at: 1000 };
             texts.push(leftText(run, 1000), leftText(run, 3000), leftText(run, 6000));
             run.progress = { done: 10, total: 600, elapsed: 20, at: 0 };
             texts.push(leftText(run, 0));
             return texts; }""",
        static_url("js/lab/progress.js"),
    )
    # 1.5 s x 9 / 3 = 4.5 s, then 2 s later 2.5 s, then nothing left before the next event
    assert left == ["starting…", "about 5 s left", "about 3 s left", "finishing…", "about 19 min 40 s left"]


def test_the_time_left_shows_while_training_and_to_someone_joining(watched, browser, base_url):
    query = "units=8&weights=random&train_size=800&epochs=8&batch=25&seeds=2&data_seed=21"  # about 15 s
    page = open_lab(watched, base_url, query)
    page.evaluate(
        """() => { window.lefts = []; new MutationObserver(() => window.lefts.push(
             document.getElementById('time-left').textContent)).observe(document.getElementById('time-left'),
             {childList: true, characterData: true, subtree: true}); }"""
    )
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("() => Number(document.body.dataset.progress) >= 4", timeout=60_000)
    joiner = Watched(browser.new_context(viewport={"width": 1024, "height": 768}).new_page())
    other = open_lab(joiner, base_url, query, "#run=1")
    other.wait_for_function("() => /about \\d+/.test(document.getElementById('time-left').textContent)", timeout=10_000)
    mine, theirs = (p.evaluate("document.getElementById('time-left').textContent") for p in (page, other))
    if "about" in mine:  # both estimates come from the same progress events
        seconds = [int(re.search(r"about (\d+) s", t).group(1)) for t in (mine, theirs)]
        assert abs(seconds[0] - seconds[1]) <= 2, (mine, theirs)
    assert wait_finished(page) == "done" and wait_finished(other) == "done"
    lefts = page.evaluate("window.lefts")
    assert any(re.fullmatch(r"about \d+ s left", t) for t in lefts), lefts
    assert page.locator("#time-left").is_hidden() and other.locator("#time-left").is_hidden()
    assert events(other)[-1] == events(page)[-1]  # one run, joined
    assert watched.problems == [] and joiner.problems == []
    other.context.close()


def test_a_recorded_study_replays_at_once_with_the_form_hidden(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&data_seed=22")
    links = page.locator("#lab-studies a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [f"/train?study={n}" for n in STUDIES]
    links.first.click()
    page.wait_for_url("**/train?study=seed*")
    assert page.locator("#lab-form").is_hidden()  # nothing to set: the study is what it is
    assert page.get_by_label("Epochs", exact=True).is_hidden()
    assert "dropout-lab study seed" in page.locator("#study-box").inner_text()
    assert wait_finished(page, timeout=10_000) == "done"  # replayed at once, without pressing anything
    start, done = events(page)[0][1], events(page)[-1][1]
    assert start["study"] == "seed" and page.evaluate("window.labProgress") is None  # no progress events
    assert page.locator("#study-title").inner_text() == (start.get("study_title") or "The seed's two models")
    if start.get("study_question"):
        assert page.locator("#study-question").inner_text() == start["study_question"]
    assert page.locator("#progress-count").inner_text() == "Recorded study: replayed."
    assert page.evaluate("document.getElementById('progress').value") == 1
    assert page.locator("#answer").inner_text() == done["sentence"]
    assert [c["verdict"] for c in comparisons_shown(page)] == [c["verdict"] for c in done["comparisons"]]
    assert set(table(page)) == set(start["configs"])
    assert page.locator("#lab-studies a[aria-current=page]").get_attribute("data-study") == "seed"
    assert page.get_by_role("button", name="Replay", exact=True).is_enabled()
    assert watched.problems == []


def test_the_link_is_canonical_and_replays_the_run(watched, base_url):
    page = open_lab(watched, base_url, "units=8&weights=random&batch=25&train_size=50&epochs=2&seeds=2&data_seed=13")
    assert page.url.endswith("/train?batch=25&data_seed=13&epochs=2&seeds=2&train_size=50&units=8&v=3&weights=random")
    page.get_by_label("Epochs", exact=True).fill("3")
    page.get_by_role("checkbox", name="no dropout").check()
    page.get_by_label("Optimizer", exact=True).select_option("rmsprop")
    page.wait_for_function("() => location.search.includes('optimizer=rmsprop')")
    # sorted, defaults omitted, v kept: as app/link/lab_query.py LabQuery.canonical writes it
    query = "batch=25&configs=none,cell,both&data_seed=13&epochs=3&optimizer=rmsprop&seeds=2&train_size=50&units=8"
    query += "&v=3&weights=random"
    assert page.url.endswith(f"/train?{query}")
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "done"
    first = events(page)
    assert first[0][1]["query"] == query  # the server's own canonical form
    page.reload()
    page.wait_for_function("() => document.body.dataset.plotly === 'ready'")
    assert page.get_by_role("checkbox", name="no dropout").is_checked()
    assert not page.get_by_role("checkbox", name="embedding dropout only").is_checked()
    assert page.get_by_label("Epochs", exact=True).input_value() == "3"
    assert page.get_by_label("Seeds", exact=True).input_value() == "2"
    assert page.get_by_label("Optimizer", exact=True).input_value() == "rmsprop"
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page, timeout=5_000) == "done"  # replayed, not retrained
    assert events(page) == first  # the same events, seconds included
    page.get_by_label("Batch size", exact=True).fill("10")  # other settings: the results say they are not theirs
    page.wait_for_function("() => location.search.includes('batch=10')")
    assert page.locator("#stale-note").is_visible()
    assert watched.problems == []


def test_the_pages_link_is_the_servers_canonical_form(watched, base_url):
    """lab/link.js writes what app/link/lab_query.py LabQuery.canonical writes, for values as typed,
    with each state version's own lab defaults (v2: four configurations, 1 seed; v3: cell and both, 5)."""
    page = open_lab(watched, base_url, "units=8&weights=random&preset=tfkeras2")
    rng = random.Random(0)
    cases = []
    for _ in range(60):
        state = parse(rng.choice(["units=8&weights=random&preset=tfkeras2", "units=8&weights=random&v=2"]))
        configs = rng.sample(CONFIGS, rng.randint(1, 4))
        lr = rng.choice([0.0001, 0.0005, 0.001, 0.003, 0.01, 0.1, 0.0123])
        noise = rng.choice([0.0, 0.05, 0.15, 0.2, 0.45])
        typed = {  # as the controls give them
            "configs": configs,
            "seeds": str(rng.choice([1, 2, 5, 20])),
            "epochs": str(rng.choice([1, 3, 15, 40, 100])),
            "train_size": str(rng.choice([50, 1000, 5000])),
            "batch": str(rng.choice([4, 25, 32, 64, 256])),
            "optimizer": rng.choice(["adam", "rmsprop"]),
            "lr": rng.choice([str(lr), f"{lr:.5f}"]),
            "label_noise": rng.choice([str(noise), f"{noise:.3f}"]),
            "data_seed": str(rng.choice([0, 7, 4294967295])),
            "study": "",
        }
        values = {k: v if k in ("configs", "optimizer", "study") else float(v) for k, v in typed.items()}
        values.update({k: int(values[k]) for k in ("seeds", "epochs", "train_size", "batch", "data_seed")})
        values["configs"] = tuple(c for c in CONFIGS if c in configs)
        cases.append((state.canonical(), typed, LabQuery(state=state, **values).canonical()))
    written = page.evaluate(
        """async ([url, cases]) => { const link = await import(url);
             return cases.map(([state, values]) => link.labQuery(state, values)); }""",
        [static_url("js/lab/link.js"), [[state, typed] for state, typed, _ in cases]],
    )
    assert written == [canonical for _, _, canonical in cases]


def test_run_1_in_the_hash_starts_the_run_on_opening(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&configs=cell&data_seed=14", "#run=1")
    assert wait_finished(page) == "done"
    assert table(page).keys() == {"cell"}
    assert page.locator("#lab-comparisons").is_hidden()  # one configuration: nothing to compare
    assert page.url.endswith("#run=1")
    assert watched.problems == []


def test_a_bad_value_shows_its_message_beside_its_control(watched, base_url):
    # in the link: the server falls back to the default and says why, beside the control
    page = open_lab(watched, base_url, "units=8&weights=random&train_size=50&batch=25&epochs=0")
    error = page.locator("#epochs-error")
    assert error.is_visible() and "epochs" in error.inner_text() and "'0'" in error.inner_text()
    assert page.get_by_label("Epochs", exact=True).input_value() == "15"  # v3's default
    assert page.locator("#link-problems").is_visible()
    # typed: checked against the field table before any request
    page.get_by_label("Batch size", exact=True).fill("2")
    page.wait_for_function("() => !document.getElementById('batch-error').hidden")
    assert "from 4 to 256" in page.locator("#batch-error").inner_text()
    assert page.get_by_label("Batch size", exact=True).get_attribute("aria-invalid") is not None
    page.get_by_label("Seeds", exact=True).fill("21")
    page.wait_for_function("() => !document.getElementById('seeds-error').hidden")
    for c in TITLES.values():
        page.get_by_role("checkbox", name=c, exact=True).uncheck()
    page.wait_for_function("() => !document.getElementById('configs-error').hidden")
    page.get_by_role("button", name="Train", exact=True).click()
    assert page.evaluate("document.body.dataset.run") == "idle"  # nothing sent
    assert page.evaluate("document.activeElement.id") == "config-none"  # the first problem, focused
    assert watched.problems == []


def test_the_servers_422_shows_beside_its_control(watched, base_url):
    # each value within its bounds, together beyond the cost bound only the server knows
    page = open_lab(watched, base_url, "units=64&weights=random")
    page.get_by_label("Epochs", exact=True).fill("100")
    page.get_by_label("Training sentences", exact=True).fill("5000")
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "problems"
    error = page.locator("#epochs-error")
    assert error.is_visible() and "lower epochs" in error.inner_text()
    assert page.evaluate("document.activeElement.id") == "epochs"
    assert page.get_by_role("button", name="Train", exact=True).is_enabled()
    assert refusals_only(watched.problems, 422), "\n".join(watched.problems)


def test_a_busy_lab_counts_down_and_retries_by_itself(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&configs=cell&data_seed=15")
    refused = []

    def busy(route):
        if len(refused) < 2:  # the stream, then the request that reads why
            refused.append(route.request.url)
            body = {"detail": "every lab worker is busy; try again in about 2 s", "retry_after": 2}
            headers = {"Retry-After": "2"}
            route.fulfill(status=429, headers=headers, content_type="application/json", body=json.dumps(body))
        else:
            route.continue_()

    page.route("**/api/train?*", busy)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("() => document.body.dataset.run === 'busy'")
    assert "busy" in page.locator("#status").inner_text()
    assert "trying again in" in page.locator("#progress-text").inner_text()
    assert wait_finished(page, timeout=20_000) == "done"
    assert len(refused) == 2
    assert refusals_only(watched.problems, 429), "\n".join(watched.problems)


def test_a_run_waiting_in_the_queue_says_how_long(watched, base_url):
    """With Redis (README: More than one machine) a run that waits for a worker gets `queued` first."""
    page = open_lab(watched, base_url, f"{SMALL}&configs=cell&data_seed=17")
    page.evaluate(
        """() => { window.said = []; new MutationObserver(() => window.said.push(
             document.getElementById('progress-count').textContent + ' | ' +
             document.getElementById('status').textContent)).observe(document.body,
             {subtree: true, childList: true, characterData: true}); }"""
    )
    queued = sse([("queued", {"ahead": 2, "seconds": 40})])  # then the connection ends: dropped
    page.route("**/api/train?*", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=queued))
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "dropped"
    said = page.evaluate("window.said")
    assert any(
        "| Waiting for a lab worker: 2 runs ahead of this one, about 40 s. It starts by itself." in s for s in said
    )
    assert [n for n, _ in events(page)] == []  # no run event yet: the curves and table wait for `start`
    # the progress line of a run still queued (here the mocked stream ended before a frame showed it)
    shown = page.evaluate(
        """async () => {
             const src = document.querySelector('script[src*="/js/pages/train.js"]').src;
             const { renderProgress } = await import(new URL('../lab/progress.js', src));
             renderProgress({ phase: 'connecting', queued: { ahead: 2, seconds: 40 }, events: [] });
             return document.getElementById('progress-count').textContent; }"""
    )
    assert shown == "In the queue: 2 runs ahead, about 40 s."


def test_a_dropped_connection_is_reported_and_train_offered_again(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&configs=cell&data_seed=16")
    query = page.url.split("?", 1)[1]
    start = {
        "query": query,
        "configs": ["cell"],
        "titles": ["the LSTM's dropout only"],
        "seeds": 2,
        "epochs": 3,
        "total": 6,
        "metric": "final_val_acc",
        "metric_title": "validation accuracy after the last epoch",
        "study": "",
        "links": [""],
    }
    epoch = {
        "config": "cell",
        "seed": 0,
        "epoch": 1,
        "train_loss": 0.7,
        "train_acc": 0.5,
        "val_loss": 0.7,
        "val_acc": 0.5,
    }
    cut = sse([("start", start), ("epoch", epoch), ("progress", {"done": 1, "total": 6, "elapsed": 0.3})])
    page.route("**/api/train?*", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=cut))
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "dropped"
    assert "dropped" in page.locator("#status").inner_text()
    assert page.url.endswith(f"/train?{query}")
    assert page.get_by_role("button", name="Train", exact=True).is_enabled()
    assert page.get_by_label("Epochs", exact=True).is_enabled()  # the settings unlocked again
    assert page.locator("#time-left").is_hidden()  # no estimate for a run no longer followed
    page.unroute("**/api/train?*")
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "done"
    assert watched.problems == []


def test_stop_ends_the_run_and_unlocks_the_settings(watched, base_url):
    page = open_lab(watched, base_url, "units=8&weights=random&train_size=2000&epochs=50&configs=both&data_seed=17")
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("() => Number(document.body.dataset.progress) > 0")
    page.get_by_role("button", name="Stop", exact=True).click()
    assert page.evaluate("document.body.dataset.run") == "stopped"
    assert page.get_by_label("Epochs", exact=True).is_enabled()
    assert "Stopped" in page.locator("#status").inner_text()
    assert all("ERR_ABORTED" in p and "/api/train?" in p for p in watched.problems), watched.problems  # the stop itself


def test_the_keyboard_alone_starts_a_run(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&configs=none,emb&data_seed=18")
    for label in LABELS:
        assert page.get_by_label(label, exact=True).count() == 1, label
    for title in TITLES.values():
        assert page.get_by_role("checkbox", name=title, exact=True).count() == 1, title
    page.keyboard.press("Tab")
    reached = []
    for _ in range(40):
        focused = page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")
        reached.append(focused)
        if focused == "train":
            break
        page.keyboard.press("Tab")
    assert reached[-1] == "train", reached
    for name in (
        "config-none",
        "seeds",
        "epochs",
        "train_size",
        "batch",
        "optimizer",
        "lr",
        "label_noise",
        "data_seed",
    ):
        assert name in reached, name  # every control on the way
    page.keyboard.press("Enter")
    assert wait_finished(page) == "done"
    assert page.locator("#status").get_attribute("aria-live") == "polite"
    assert "Done" in page.locator("#status").text_content()  # announced, the sentence with it
    # Enter in a field trains too (the form's submit): the same link, replayed
    page.get_by_label("Data seed", exact=True).focus()
    page.keyboard.press("Enter")
    assert wait_finished(page, timeout=5_000) == "done"
    assert watched.problems == []


def shot(browser, base_url, width, height, name, hash_=""):
    context = device(browser, width, height)
    w = Watched(context.new_page())
    page = open_lab(w, base_url, f"{SMALL}&{ALL}&data_seed=11", "#run=1" + hash_)
    assert wait_finished(page) == "done"
    wait_drawn(page)
    page.wait_for_function("() => document.body.dataset.compared")
    page.wait_for_timeout(200)  # Plotly's own transitions
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"lab-{name}.png"), full_page=True)
    return context, w, page


def test_desktop_screenshot(browser, base_url):
    context, w, page = shot(browser, base_url, 1280, 900, "desktop")
    assert no_horizontal_scroll(page)
    assert w.problems == []
    context.close()


def test_larger_text_scales_the_page_and_the_charts(browser, base_url):
    context, w, page = shot(browser, base_url, 1280, 720, "1280x720-big", "&big=1")
    assert page.evaluate("document.documentElement.classList.contains('present')")
    assert page.get_by_role("button", name="Larger text").get_attribute("aria-pressed") == "true"
    for fig in ("fig-curves", "fig-differences"):
        ticks = page.evaluate(
            f"[...document.querySelectorAll('#{fig} .xtick text, #{fig} .ytick text')]"
            ".map(t => parseFloat(getComputedStyle(t).fontSize))"
        )
        assert ticks and min(ticks) >= 16, (fig, ticks)
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Larger text").click()  # off again: smaller ticks, no big=1
    page.wait_for_function("() => !location.hash.includes('big=1')")
    assert w.problems == []
    context.close()


def test_1024x768_has_no_horizontal_scroll(browser, base_url):
    context, w, page = shot(browser, base_url, 1024, 768, "1024x768")
    assert no_horizontal_scroll(page)
    box = page.locator("#fig-differences .main-svg").first.bounding_box()
    assert box["width"] >= 300
    assert w.problems == []
    context.close()


def test_phone_has_no_horizontal_scroll_and_readable_curves(browser, base_url):
    context, w, page = shot(browser, base_url, 390, 844, "390")
    assert no_horizontal_scroll(page)
    for fig in ("fig-curves", "fig-differences"):
        box = page.locator(f"#{fig} .main-svg").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] >= 300, fig
    ticks = page.evaluate(
        "[...document.querySelectorAll('#fig-curves .ytick text')].map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert ticks and min(ticks) >= 11
    # the table: one card per configuration, inside the screen
    cards = page.eval_on_selector_all("#results-body tr", "trs => trs.map(tr => tr.getBoundingClientRect().right)")
    assert len(cards) == 4 and max(cards) <= 390
    items = page.eval_on_selector_all("#comparison-list li", "lis => lis.map(li => li.getBoundingClientRect().right)")
    assert items and max(items) <= 390
    assert w.problems == []
    context.close()
