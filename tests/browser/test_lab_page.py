"""The training lab (/train) in Chromium: Train moves the progress bar, one curve per
configuration, the table is the last epochs' numbers, problems beside their controls, a busy
lab and a dropped connection, the keyboard, the link, a phone and "Larger text".

Small runs (8 units, 50 sentences, 3 epochs: about a second each). The server is fresh for the
session, so a data_seed used once below is trained, not replayed. Screenshots of a finished run go
to artifacts/screenshots/lab-*.png."""

from __future__ import annotations

import json
import random

import pytest

from app.link.lab_query import CONFIGS, LabQuery
from app.link.state import parse
from tests.browser.conftest import SCREENSHOTS, Watched, device

SMALL = "units=8&weights=random&train_size=50&epochs=3&batch=25"
TITLES = {"none": "no dropout", "emb": "embedding dropout only", "cell": "the LSTM's dropout only", "both": "both"}
FINISHED = "() => ['done', 'error', 'stopped', 'dropped', 'problems'].includes(document.body.dataset.run)"
LABELS = ["Epochs", "Training sentences", "Batch size", "Optimizer", "Learning rate", "Label noise", "Data seed"]


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


def epoch_rows(page) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for name, data in events(page):
        if name == "epoch":
            rows.setdefault(data["config"], []).append(data)
    return rows


def curves(page) -> list[dict]:
    """What Plotly draws in the learning curves: name, dash, x and y of every trace."""
    return page.evaluate(
        """Array.from(document.getElementById('fig-curves').data, t => ({name: t.name, legend: t.showlegend,
             dash: t.line?.dash ?? null, mode: t.mode, x: Array.from(t.x), y: Array.from(t.y)}))"""
    )


def wait_drawn(page):
    """Until the curves show every event the page has (they are drawn once a frame)."""
    page.wait_for_function("() => document.body.dataset.drawn?.endsWith('|' + window.labEvents.length)")


def table(page) -> dict[str, dict[str, float]]:
    """The table's numbers (each cell keeps the event's in data-value), per configuration."""
    return page.evaluate(
        """Object.fromEntries([...document.querySelectorAll('#results-body tr[data-config]')].map(tr => [
             tr.dataset.config, Object.fromEntries([...tr.querySelectorAll('td[data-key]')].flatMap(td => [
               [td.dataset.key, Number(td.dataset.value)],
               ...(td.dataset.epoch ? [['best_epoch', Number(td.dataset.epoch)]] : [])]))]))"""
    )


def refusals_only(problems: list[str], status: int) -> bool:
    """Only the refusal itself: its status (the stream's and the request reading why, each logged
    by Chromium), and the refused stream's body, which Chromium may abort as it fails the EventSource."""
    return all(str(status) in p or ("/api/train?" in p and p.endswith("ERR_ABORTED")) for p in problems)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_train_moves_the_progress_bar_and_draws_one_curve_per_configuration(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&data_seed=11")
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
    assert start["configs"] == ["none", "emb", "cell", "both"] and start["epochs"] == 3
    assert int(page.evaluate("document.body.dataset.progress")) == 4 * 3 * start["batches"]

    wait_drawn(page)
    drawn = curves(page)
    rows = epoch_rows(page)
    validation = [t for t in drawn if t["legend"]]
    assert [t["name"] for t in validation] == [TITLES[c] for c in start["configs"]]  # one per configuration
    for config in start["configs"]:
        val, train = (t for t in drawn if t["name"] == TITLES[config] and t["dash"] in ("solid", "dash"))
        assert val["dash"] == "solid" and train["dash"] == "dash"
        assert val["x"] == [1, 2, 3] and val["y"] == pytest.approx([r["val_acc"] for r in rows[config]])
        assert train["y"] == pytest.approx([r["train_acc"] for r in rows[config]])
    page.get_by_text("Loss", exact=True).click()  # the loss view: the same runs, their losses
    page.wait_for_function("() => document.getElementById('fig-curves').layout.title.text.startsWith('Loss')")
    loss = [t for t in curves(page) if t["legend"]]
    assert loss[0]["y"] == pytest.approx([r["val_loss"] for r in rows["none"]])
    assert "view=loss" in page.url
    assert page.get_by_role("button", name="Train", exact=True).is_enabled()  # offered again
    assert watched.problems == []


def test_the_table_and_the_sentence_are_the_last_events(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&configs=none,both&data_seed=12")
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "done"
    rows = epoch_rows(page)
    shown = table(page)
    assert set(shown) == {"none", "both"}
    for config, epochs in rows.items():
        last = epochs[-1]
        best = max(epochs, key=lambda r: (r["val_acc"], -r["epoch"]))
        assert shown[config]["final_train_acc"] == pytest.approx(last["train_acc"])
        assert shown[config]["final_val_acc"] == pytest.approx(last["val_acc"])
        assert shown[config]["gap"] == pytest.approx(last["train_acc"] - last["val_acc"], abs=1e-6)
        assert shown[config]["best_val_acc"] == pytest.approx(best["val_acc"])
        assert shown[config]["best_epoch"] == best["epoch"]
    done = events(page)[-1]
    assert done[0] == "done"
    assert page.locator("#answer").inner_text() == done[1]["sentence"]  # the answer, as the server wrote it
    assert page.locator("#results-body tr.best").count() >= 1
    assert watched.problems == []


def test_the_link_is_canonical_and_replays_the_run(watched, base_url):
    page = open_lab(watched, base_url, "units=8&weights=random&batch=25&train_size=50&epochs=2&data_seed=13")
    assert page.url.endswith("/train?batch=25&data_seed=13&epochs=2&train_size=50&units=8&v=2&weights=random")
    page.get_by_label("Epochs", exact=True).fill("3")
    page.get_by_role("checkbox", name="embedding dropout only").uncheck()
    page.get_by_label("Optimizer", exact=True).select_option("rmsprop")
    page.wait_for_function("() => location.search.includes('optimizer=rmsprop')")
    # sorted, defaults omitted, v kept: as app/link/lab_query.py LabQuery.canonical writes it
    query = "batch=25&configs=none,cell,both&data_seed=13&epochs=3&optimizer=rmsprop&train_size=50&units=8"
    query += "&v=2&weights=random"
    assert page.url.endswith(f"/train?{query}")
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "done"
    first = events(page)
    assert first[0][1]["query"] == query  # the server's own canonical form
    page.reload()
    page.wait_for_function("() => document.body.dataset.plotly === 'ready'")
    assert not page.get_by_role("checkbox", name="embedding dropout only").is_checked()
    assert page.get_by_label("Epochs", exact=True).input_value() == "3"
    assert page.get_by_label("Optimizer", exact=True).input_value() == "rmsprop"
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page, timeout=5_000) == "done"  # replayed, not retrained
    assert events(page) == first  # the same events, seconds included
    page.get_by_label("Batch size", exact=True).fill("10")  # other settings: the results say they are not theirs
    page.wait_for_function("() => location.search.includes('batch=10')")
    assert page.locator("#stale-note").is_visible()
    assert watched.problems == []


def test_the_pages_link_is_the_servers_canonical_form(watched, base_url):
    """lab/link.js writes what app/link/lab_query.py LabQuery.canonical writes, for values as typed."""
    page = open_lab(watched, base_url, "units=8&weights=random&preset=tfkeras2")
    rng = random.Random(0)
    cases = []
    for _ in range(40):
        configs = rng.sample(CONFIGS, rng.randint(1, 4))
        lr = rng.choice([0.0001, 0.0005, 0.001, 0.003, 0.01, 0.1, 0.0123])
        noise = rng.choice([0.0, 0.05, 0.15, 0.2, 0.45])
        typed = {  # as the controls give them
            "configs": configs,
            "epochs": str(rng.choice([1, 3, 40, 100])),
            "train_size": str(rng.choice([50, 1000, 5000])),
            "batch": str(rng.choice([4, 25, 32, 256])),
            "optimizer": rng.choice(["adam", "rmsprop"]),
            "lr": rng.choice([str(lr), f"{lr:.5f}"]),
            "label_noise": rng.choice([str(noise), f"{noise:.3f}"]),
            "data_seed": str(rng.choice([0, 7, 4294967295])),
        }
        values = {k: v if k in ("configs", "optimizer") else float(v) for k, v in typed.items()}
        values.update({k: int(values[k]) for k in ("epochs", "train_size", "batch", "data_seed")})
        values["configs"] = tuple(c for c in CONFIGS if c in configs)
        cases.append((typed, LabQuery(state=parse("units=8&weights=random&preset=tfkeras2"), **values).canonical()))
    written = page.evaluate(
        """async cases => { const link = await import('/static/js/lab/link.js');
             const state = JSON.parse(document.getElementById('page-constants').textContent).lab.state;
             return cases.map(values => link.labQuery(state, values)); }""",
        [typed for typed, _ in cases],
    )
    assert written == [canonical for _, canonical in cases]


def test_run_1_in_the_hash_starts_the_run_on_opening(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&configs=cell&data_seed=14", "#run=1")
    assert wait_finished(page) == "done"
    assert table(page).keys() == {"cell"}
    assert page.url.endswith("#run=1")
    assert watched.problems == []


def test_a_bad_value_shows_its_message_beside_its_control(watched, base_url):
    # in the link: the server falls back to the default and says why, beside the control
    page = open_lab(watched, base_url, "units=8&weights=random&train_size=50&batch=25&epochs=0")
    error = page.locator("#epochs-error")
    assert error.is_visible() and "epochs" in error.inner_text() and "'0'" in error.inner_text()
    assert page.get_by_label("Epochs", exact=True).input_value() == "40"
    assert page.locator("#link-problems").is_visible()
    # typed: checked against the field table before any request
    page.get_by_label("Batch size", exact=True).fill("2")
    page.wait_for_function("() => !document.getElementById('batch-error').hidden")
    assert "from 4 to 256" in page.locator("#batch-error").inner_text()
    assert page.get_by_label("Batch size", exact=True).get_attribute("aria-invalid") is not None
    page.get_by_role("checkbox", name="no dropout").uncheck()
    for c in ("embedding dropout only", "the LSTM's dropout only", "both"):
        page.get_by_role("checkbox", name=c).uncheck()
    page.wait_for_function("() => !document.getElementById('configs-error').hidden")
    page.get_by_role("button", name="Train", exact=True).click()
    assert page.evaluate("document.body.dataset.run") == "idle"  # nothing sent
    assert page.evaluate("document.activeElement.id") == "config-none"  # the first problem, focused
    assert watched.problems == []


def test_the_servers_422_shows_beside_its_control(watched, base_url):
    # each value within its bounds, together beyond the work bound only the server knows
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
    page = open_lab(watched, base_url, f"{SMALL}&configs=none&data_seed=15")
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


def test_a_dropped_connection_is_reported_and_train_offered_again(watched, base_url):
    page = open_lab(watched, base_url, f"{SMALL}&configs=none&data_seed=16")
    query = page.url.split("?", 1)[1]
    start = {"query": query, "configs": ["none"], "titles": ["no dropout"], "epochs": 3, "batches": 2}
    cut = f"event: start\ndata: {json.dumps(start)}\n\nevent: progress\ndata: " + json.dumps(
        {"config": "none", "epoch": 1, "batch": 1, "batches": 2}
    )
    page.route(
        "**/api/train?*",
        lambda route: route.fulfill(status=200, content_type="text/event-stream", body=cut + "\n\n"),
    )
    page.get_by_role("button", name="Train", exact=True).click()
    assert wait_finished(page) == "dropped"
    assert "dropped" in page.locator("#status").inner_text()
    assert page.url.endswith(f"/train?{query}")
    assert page.get_by_role("button", name="Train", exact=True).is_enabled()
    assert page.get_by_label("Epochs", exact=True).is_enabled()  # the settings unlocked again
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
    for name in ("config-none", "epochs", "train_size", "batch", "optimizer", "lr", "label_noise", "data_seed"):
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
    page = open_lab(w, base_url, f"{SMALL}&data_seed=11", "#run=1" + hash_)
    assert wait_finished(page) == "done"
    wait_drawn(page)
    page.wait_for_timeout(200)  # Plotly's own transitions
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"lab-{name}.png"), full_page=True)
    return context, w, page


def test_desktop_screenshot(browser, base_url):
    context, w, page = shot(browser, base_url, 1280, 900, "desktop")
    assert no_horizontal_scroll(page)
    assert w.problems == []
    context.close()


def test_larger_text_scales_the_page_and_the_chart(browser, base_url):
    context, w, page = shot(browser, base_url, 1280, 720, "1280x720-big", "&big=1")
    assert page.evaluate("document.documentElement.classList.contains('present')")
    assert page.get_by_role("button", name="Larger text").get_attribute("aria-pressed") == "true"
    ticks = page.evaluate(
        "[...document.querySelectorAll('#fig-curves .xtick text, #fig-curves .ytick text')]"
        ".map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert ticks and min(ticks) >= 16, ticks
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Larger text").click()  # off again: smaller ticks, no big=1
    page.wait_for_function("() => !location.hash.includes('big=1')")
    assert w.problems == []
    context.close()


def test_phone_has_no_horizontal_scroll_and_readable_curves(browser, base_url):
    context, w, page = shot(browser, base_url, 390, 844, "390")
    assert no_horizontal_scroll(page)
    box = page.locator("#fig-curves .main-svg").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] >= 300
    ticks = page.evaluate(
        "[...document.querySelectorAll('#fig-curves .ytick text')].map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert ticks and min(ticks) >= 11
    # the table: one card per configuration, inside the screen
    cards = page.eval_on_selector_all("#results-body tr", "trs => trs.map(tr => tr.getBoundingClientRect().right)")
    assert len(cards) == 4 and max(cards) <= 390
    assert w.problems == []
    context.close()
