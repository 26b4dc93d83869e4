"""The lesson player in Chromium: lesson 1 stepped through in presenter mode with the keyboard
alone (the plots change as the lesson says, the step is the URL, no reload), questions with
feedback, reload and Back, the lab's steps, every focus target on its page, the index, and
axe-core on a lesson step. Screenshots: artifacts/screenshots/lesson-*.png."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from app.lessons import lesson_by_slug, load
from app.lessons.targets import FOCUS
from app.studies import recorded
from app.web.static_files import static_url
from tests.browser.conftest import SCREENSHOTS, Watched, device, serious

LESSON = "/lessons/seed-question"


def wait_step(w: Watched, n: int) -> None:
    """Until step n is shown: its link loaded, every figure drawn for it."""
    w.page.wait_for_function("n => document.body.dataset.step === String(n)", arg=n, timeout=20_000)
    w.wait_plotted()


def settle(w: Watched) -> None:
    """Before leaving the page: its side data loaded and no request in flight (the player asks for
    the next steps' traces ahead), so that none is cut off and reported as failed."""
    w.page.wait_for_function("() => document.body.dataset.side === document.body.dataset.state", timeout=20_000)
    w.page.wait_for_load_state("networkidle")


def in_view(page, element_id: str) -> bool:
    """The element's top is on screen (below the sticky bar), not hidden under the lesson panel."""
    return page.evaluate(
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   return r.top >= 0 && r.top < innerHeight * 0.5 && r.left < innerWidth; }""",
        element_id,
    )


def framed(page) -> dict:
    return page.evaluate(
        """() => ({focus: [...document.querySelectorAll('.lesson-focus')].map(e => e.id),
                   marked: [...document.querySelectorAll('.lesson-mark')].map(e => e.id),
                   highlight: document.body.dataset.highlight})"""
    )


def hidden_until_answered(page) -> dict:
    """What waits for the answer: the ids of the elements carrying data-reveal, and which of them are seen."""
    return page.evaluate(
        """() => ({awaiting: document.getElementById('lesson').hasAttribute('data-awaiting'),
                   marked: [...document.querySelectorAll('[data-reveal]')].map(e => e.id),
                   seen: [...document.querySelectorAll('[data-reveal]')]
                     .filter(e => e.checkVisibility({visibilityProperty: true})).map(e => e.id),
                   absent: [...document.querySelectorAll('[data-reveal]')]
                     .filter(e => e.hidden).map(e => e.id)})"""
    )


def expect_awaiting(page, panels: list[str]) -> None:
    """The step's revealed words and these page panels (and B's twins, when the page has them) hidden."""
    state = hidden_until_answered(page)
    twins = [f"{p}-b" for p in panels if page.locator(f"#{p}-b").count()]
    assert state["awaiting"] and sorted(state["marked"]) == sorted(["step-reveal", *panels, *twins]), state
    assert state["seen"] == [], state
    assert not page.locator("#step-reveal").is_visible()  # in the page (for a page without JS), not shown


def expect_open(page) -> None:
    page.wait_for_function("() => !document.getElementById('lesson').hasAttribute('data-awaiting')")
    state = hidden_until_answered(page)
    # all shown but what the page itself does not show (B's twin of a figure, with no B)
    assert sorted(state["seen"]) == sorted(set(state["marked"]) - set(state["absent"])), state
    assert page.locator("#step-reveal").is_visible()


def stripes(rows) -> bool:
    """Every row of a mask constant over time: one mask for the whole sequence."""
    return all(len(set(r)) == 1 for r in rows)


def test_lesson_one_in_presenter_mode_with_the_keyboard_alone(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    w = Watched(context.new_page())
    page = w.page
    page.goto(base_url + LESSON + "/1?present=1")
    wait_step(w, 1)
    page.evaluate("window.sameDocument = true")  # gone if a step change reloaded the page
    steps = lesson_by_slug("seed-question").steps

    # 1: the two models, A and B, the answer in focus
    assert page.url == base_url + LESSON + "/1?present=1"
    assert page.locator("#strip-b").is_visible()
    assert page.locator("#strip-b-vs").inner_text() == "B = A with emb_dropout = 0"
    assert framed(page)["focus"] == ["verdict"] and in_view(page, "verdict")
    assert page.locator("#lesson-count").inner_text() == f"Step 1 of {len(steps)}"

    # 2: one model (B gone), the embedding mask in focus and marked: speckle, a fresh draw per step
    page.keyboard.press("ArrowRight")
    wait_step(w, 2)
    assert page.url == base_url + LESSON + "/2?present=1"
    assert not page.locator("#strip-b").is_visible()
    marks = framed(page)
    assert marks["focus"] == ["fig-embedding-mask"] and marks["highlight"] == "mask:embedding"
    assert marks["marked"] == ["fig-embedding-mask", "fig-embedding-mask-b"]  # B's twin too, when B is shown
    assert in_view(page, "fig-embedding-mask")
    assert page.locator("#step-title").inner_text() == steps[1].title
    assert not stripes(w.z("fig-embedding-mask"))

    # 3: the LSTM's input mask in focus: stripes (one mask per sequence), one panel per gate
    page.keyboard.press("ArrowRight")
    wait_step(w, 3)
    assert framed(page)["focus"] == ["fig-input-mask"] and in_view(page, "fig-input-mask")
    for k in range(4):
        assert stripes(w.z("fig-input-mask", k)), k

    # 4: the cell, its input gate marked
    page.keyboard.press("ArrowRight")
    wait_step(w, 4)
    assert framed(page)["focus"] == ["cell"] and framed(page)["highlight"] == "gate:i"
    stroke = page.evaluate("getComputedStyle(document.querySelector('#cell rect.gate-box.gate-i')).strokeWidth")
    assert stroke == "5px"
    assert page.evaluate("getComputedStyle(document.querySelector('#cell rect.gate-box.gate-f')).strokeWidth") != "5px"

    # 5: what reaches each gate
    page.keyboard.press("ArrowRight")
    wait_step(w, 5)
    assert framed(page)["focus"] == ["reach"] and in_view(page, "reach")

    # 6: the forum's picture beside Keras's, B's strip hidden until the teacher reveals the answer (A key)
    page.keyboard.press("ArrowRight")
    wait_step(w, 6)
    assert page.url == base_url + LESSON + "/6?present=1"
    expect_awaiting(page, ["verdict", "strip-b"])
    assert framed(page)["focus"] == ["fig-input-mask"] and not page.locator("#strip-b").is_visible()
    assert page.evaluate("document.body.dataset.plotted") == "seed=3&v=3 vs preset=forum&seed=3&v=3"  # B: the forum
    page.keyboard.press("a")
    expect_open(page)
    assert page.locator("#strip-b").is_visible()

    # 7: the popular answer checked, in compare mode again: B appears, the strip's LSTM dropout marked
    page.keyboard.press("ArrowRight")
    wait_step(w, 7)
    assert page.url == base_url + LESSON + "/7?present=1"
    assert page.locator("#strip-b").is_visible()
    assert framed(page)["focus"] == ["plan"] and "strip-dropout" in framed(page)["marked"]
    page.locator("#fig-embedding-mask").scroll_into_view_if_needed()
    page.wait_for_function("() => (document.getElementById('fig-embedding-mask-b').data || []).length > 0")
    assert all(v == 1 for row in w.z("fig-embedding-mask-b") for v in row)  # B: no Dropout after the Embedding

    # back with the keyboard, and with the browser's Back
    page.keyboard.press("ArrowLeft")
    wait_step(w, 6)
    assert page.url == base_url + LESSON + "/6?present=1" and page.locator("#strip-b").is_visible()  # still answered
    page.keyboard.press("ArrowLeft")
    wait_step(w, 5)
    assert page.url == base_url + LESSON + "/5?present=1" and not page.locator("#strip-b").is_visible()
    page.go_back()
    wait_step(w, 6)
    assert page.url == base_url + LESSON + "/6?present=1" and page.locator("#strip-b").is_visible()
    assert page.evaluate("window.sameDocument") is True  # every step change without a reload

    # 8: both answers; the recorded one waits for the question
    page.keyboard.press("ArrowRight")
    wait_step(w, 7)
    page.keyboard.press("ArrowRight")
    wait_step(w, 8)
    expect_awaiting(page, ["verdict"])
    page.keyboard.press("a")
    expect_open(page)
    assert recorded.answer()[1:] in page.locator("#step-reveal").inner_text()
    # the last step's Next leads to the next lesson, in presenter mode still
    assert page.locator("#lesson-next").inner_text().startswith("Next lesson: Inside the cell")
    settle(w)
    page.keyboard.press("ArrowRight")
    page.wait_for_url(base_url + "/lessons/inside-the-cell/1?present=1")
    wait_step(w, 1)
    assert w.problems == []
    context.close()


def test_a_question_gives_feedback_right_and_wrong(watched, base_url):
    w = watched
    w.page.goto(base_url + LESSON + "/3")
    wait_step(w, 3)
    page = w.page
    q = lesson_by_slug("seed-question").steps[2].questions[0]
    box = page.locator(".question")
    assert box.locator(".question-prompt").inner_text() == q.prompt
    wrong = 1
    box.get_by_role("button", name=q.choices[wrong]).focus()
    page.keyboard.press("Enter")
    feedback = box.locator(".feedback")
    assert feedback.get_attribute("aria-live") == "polite"
    text = feedback.inner_text()
    assert text.startswith("Not quite") and q.explanations[wrong] in text and q.explanations[q.answer] in text
    assert box.get_attribute("data-answered") == "wrong"
    assert box.locator(f'.choice[data-index="{wrong}"]').get_attribute("data-verdict") == "wrong"
    assert box.locator(f'.choice[data-index="{q.answer}"]').get_attribute("data-verdict") == "right"
    assert box.locator(".choice:disabled").count() == len(q.choices)
    # the focus stays in the question: Enter on "Try again", then the right answer
    assert page.evaluate("document.activeElement.textContent") == "Try again"
    page.keyboard.press("Enter")
    assert feedback.inner_text() == "" and box.locator(".choice:disabled").count() == 0
    box.get_by_role("button", name=q.choices[q.answer]).focus()
    page.keyboard.press("Space")
    text = feedback.inner_text()
    assert text.startswith("Right.") and q.explanations[q.answer] in text
    assert box.get_attribute("data-answered") == "right"
    # answering is not moving: the step and its plots stay
    assert page.url == base_url + LESSON + "/3" and page.evaluate("document.body.dataset.step") == "3"
    assert w.problems == []


def test_a_question_hides_its_answer_until_a_choice(watched, base_url):
    """Lesson 1, step 1: the verdict (it says "No") and the step's revealed words wait for a choice; the
    choice is remembered for the step (back to it, and after a reload, everything is shown)."""
    w = watched
    page = w.page
    page.goto(base_url + LESSON + "/1")
    wait_step(w, 1)
    steps = lesson_by_slug("seed-question").steps
    expect_awaiting(page, ["verdict"])
    assert page.locator("#verdict").get_attribute("data-reveal") == "panel"
    assert page.locator("#verdict-answer").count() == 1  # drawn, only not shown: it keeps its place
    assert page.locator("#step-text").inner_text().strip() != "" and page.locator(".question").is_visible()
    assert page.locator("#lesson-reveal").count() == 0  # the teacher's button is classroom mode's
    page.keyboard.press("a")  # and so is its key
    assert hidden_until_answered(page)["awaiting"]
    q = steps[0].questions[0]
    page.get_by_role("button", name=q.choices[0]).click()  # a wrong choice reveals too
    expect_open(page)
    assert page.locator("#verdict-answer").inner_text().startswith("No")
    reveal = page.locator("#step-reveal").inner_text()
    assert all(phrase in reveal for phrase in q.reveals)
    # the next step marks its own panels, not step 1's; back at step 1 everything is still shown
    page.keyboard.press("ArrowRight")
    wait_step(w, 2)
    assert hidden_until_answered(page) == {"awaiting": False, "marked": ["step-reveal"], "seen": [], "absent": []}
    page.keyboard.press("ArrowRight")
    wait_step(w, 3)
    expect_awaiting(page, ["fig-input-mask"])
    assert page.locator("#fig-input-mask").evaluate("e => getComputedStyle(e, '::after').content").startswith('"Hidden')
    page.keyboard.press("ArrowLeft")
    wait_step(w, 2)
    page.keyboard.press("ArrowLeft")
    wait_step(w, 1)
    expect_open(page)
    assert page.locator(".question").get_attribute("data-answered") == "wrong"
    settle(w)
    page.reload()
    wait_step(w, 1)
    expect_open(page)
    # "Try again" clears the choice, not what the student has seen
    page.get_by_role("button", name="Try again").click()
    assert page.locator(".question").get_attribute("data-answered") == ""
    expect_open(page)
    assert w.problems == []


def test_in_classroom_mode_the_teacher_reveals(browser, base_url):
    """present=1 at 1024x768: "Reveal the answer" (or A) shows the answer without a choice, the hidden
    panels and the revealed words; the button is legible on a projector and gone once used."""
    context = device(browser, 1024, 768)
    w = Watched(context.new_page())
    page = w.page
    page.goto(base_url + LESSON + "/5?present=1")
    wait_step(w, 5)
    expect_awaiting(page, ["reach"])
    button = page.get_by_role("button", name="Reveal the answer")
    assert button.is_visible() and button.get_attribute("aria-keyshortcuts") == "A"
    assert float(button.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 18
    box = button.bounding_box()
    assert box["y"] + box["height"] <= 768 - page.locator("#classroom-bar").bounding_box()["height"]  # on screen
    button.click()
    expect_open(page)
    q = lesson_by_slug("seed-question").steps[4].questions[0]
    question = page.locator(".question")
    assert question.get_attribute("data-answered") == "revealed"
    assert question.locator(f'.choice[data-index="{q.answer}"]').get_attribute("data-verdict") == "right"
    assert q.explanations[q.answer] in question.locator(".feedback").inner_text()
    assert not button.is_visible()
    # the key, on the next question step
    page.keyboard.press("ArrowRight")
    wait_step(w, 6)
    expect_awaiting(page, ["verdict", "strip-b"])
    assert button.is_visible()
    page.keyboard.press("a")
    expect_open(page)
    for selector in (".question-kicker", ".choice-letter", "#step-reveal p", ".lesson-crumbs"):
        size = page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 18, (selector, size)
    assert w.problems == []
    context.close()


def test_without_javascript_nothing_stays_hidden(browser, base_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base_url + LESSON + "/3")
    step = lesson_by_slug("seed-question").steps[2]
    assert page.locator("#lesson").get_attribute("data-awaiting") is not None  # as served: JS would hide
    assert page.locator("#step-reveal").is_visible()
    assert step.questions[0].prompt in page.locator(".question-prompt").inner_text()
    for phrase in step.questions[0].reveals:
        assert phrase in page.locator("#step-reveal").inner_text()
    context.close()


def test_lesson_one_ends_with_the_recorded_answer_and_the_lab(watched, base_url):
    w = watched
    page = w.page
    steps = lesson_by_slug("seed-question").steps
    page.goto(base_url + LESSON + f"/{len(steps)}")
    wait_step(w, len(steps))
    expect_awaiting(page, ["verdict"])
    text = page.locator("#step-text").inner_text()
    assert "No." in text and recorded.answer()[1:] not in text
    q = steps[-1].questions[0]
    page.get_by_role("button", name=q.choices[q.answer]).click()
    expect_open(page)
    assert recorded.answer()[1:] in page.locator("#step-reveal").inner_text()
    assert recorded.answer()[1:] in page.locator("#verdict").inner_text()  # the verdict quotes the same recording
    settle(w)
    page.locator("#step-reveal").get_by_role("link", name="the training lab").click()
    page.wait_for_url(base_url + "/train")
    page.wait_for_function("() => document.body.dataset.plotly === 'ready'")
    assert w.problems == []


def test_reload_restores_the_step_and_the_progress_links_move(watched, base_url):
    w = watched
    page = w.page
    page.goto(base_url + LESSON + "/2#t=3")
    wait_step(w, 2)
    page.get_by_role("button", name="Next →").click()
    wait_step(w, 3)
    assert page.url == base_url + LESSON + "/3#t=3"  # the view (the hash) is kept
    settle(w)
    page.reload()
    wait_step(w, 3)
    assert page.locator("#step-title").inner_text() == "Speckle against stripes"
    assert page.evaluate("document.getElementById('timestep').value") == "3"
    page.get_by_role("link", name="Step 7: The popular answer, checked").click()
    wait_step(w, 7)
    assert page.url == base_url + LESSON + "/7#t=3" and page.locator("#strip-b").is_visible()
    # "open this step in the explorer" plays the same state freely
    assert page.locator("#lesson-open").get_attribute("href") == "/?seed=3&v=3&vs.emb_dropout=0"
    assert w.problems == []


def test_a_changed_model_is_said_and_the_step_comes_back(watched, base_url):
    w = watched
    page = w.page
    page.goto(base_url + LESSON + "/2")
    wait_step(w, 2)
    assert not page.locator("#lesson-changed").is_visible()
    page.get_by_role("button", name="Controls").click()
    page.get_by_role("button", name="Resample masks").click()
    page.wait_for_function("() => document.body.dataset.plotted?.includes('seed=4')")
    assert page.locator("#lesson-changed").is_visible()
    assert page.url == base_url + LESSON + "/2"  # the step is the URL; what you made is one click away
    assert page.locator("#lesson-mine").get_attribute("href") == "/?seed=4&v=3"
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Back to the step's model").click()
    page.wait_for_function("() => document.body.dataset.plotted === 'seed=3&v=3'")
    assert not page.locator("#lesson-changed").is_visible()
    assert w.problems == []


def test_lab_steps_of_the_same_run_need_no_reload(watched, base_url):
    w = watched
    page = w.page
    page.goto(base_url + "/lessons/does-it-matter/1?present=1")
    page.wait_for_function("() => document.body.dataset.step === '1' && document.body.dataset.plotly === 'ready'")
    page.evaluate("window.sameDocument = true")
    assert framed(page)["focus"] == ["lab-curves"]
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.body.dataset.step === '2'")
    assert page.url == base_url + "/lessons/does-it-matter/2?present=1"
    assert framed(page)["highlight"] == "curve:both" and framed(page)["focus"] == ["lab-sentence"]
    outline = page.evaluate("getComputedStyle(document.querySelector('.config:has(#config-both)')).outlineStyle")
    assert outline == "solid" and page.evaluate("window.sameDocument") is True
    assert page.locator("#lesson-open").get_attribute("href") == "/train?units=32&v=3&weights=random&present=1"
    assert w.problems == []


def test_the_emphasised_curve_is_drawn_thicker(watched, base_url):
    """The curves of a run on the step that highlights 'both': its lines thicker, the others pale
    (the page's own figure builder, given two epochs of a run)."""
    page = watched.page
    page.goto(base_url + "/lessons/does-it-matter/2")
    page.wait_for_function("() => document.body.dataset.plotly === 'ready'")
    lines = page.evaluate(
        """async url => {
          const { curvesFigure } = await import(url);
          const rows = [1, 2].map(epoch => ({ epoch, train_acc: 0.6, val_acc: 0.6, train_loss: 1, val_loss: 1 }));
          const run = { start: { configs: ["none", "both"], epochs: 2 }, rows: { none: rows, both: rows } };
          const emphasis = document.body.dataset.highlight.split(":")[1];
          return curvesFigure(run, "acc", { none: "no dropout", both: "both" }, emphasis).data
            .map(t => ({ group: t.legendgroup, width: t.line.width, opacity: t.opacity }));
        }""",
        static_url("js/lab/curves.js"),
    )
    assert {line["group"] for line in lines} == {"none", "both"}
    for line in lines:
        if line["group"] == "both":
            assert line["width"] > 3 and line["opacity"] == 1
        else:
            assert line["width"] <= 2.5 and line["opacity"] < 1
    assert watched.problems == []


def test_every_focus_target_is_on_its_page(watched, base_url):
    page = watched.page
    first_of = {}
    for lesson in load():
        for n, step in enumerate(lesson.steps, start=1):
            first_of.setdefault(step.view, f"/lessons/{lesson.slug}/{n}")
    assert set(first_of) == set(FOCUS)
    for view, url in first_of.items():
        page.goto(base_url + url)
        missing = page.evaluate("ids => ids.filter(id => !document.getElementById(id))", list(FOCUS[view]))
        assert missing == [], (view, missing)


def test_the_index_lists_every_lesson_and_starts_it(watched, base_url):
    page = watched.page
    page.goto(base_url + "/lessons")
    cards = page.locator(".lesson-card")
    assert cards.count() == len(load())
    for lesson, card in zip(load(), cards.all(), strict=True):
        facts = card.locator(".lesson-facts").inner_text()
        assert lesson.level in facts and f"{lesson.minutes} minutes" in facts and f"{len(lesson.steps)} steps" in facts
        assert card.get_by_text(lesson.summary).is_visible()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Present to a room: Dropout at inference, and Monte Carlo dropout").click()
    page.wait_for_url(base_url + "/lessons/inference/1?present=1")
    watched.wait_plotted()
    assert page.evaluate("document.documentElement.classList.contains('classroom')")
    assert watched.problems == []


def test_no_serious_accessibility_violation_on_a_lesson_step(watched, base_url):
    w = watched
    w.page.goto(base_url + LESSON + "/3")
    wait_step(w, 3)
    w.page.locator(".choice").first.click()  # the question answered: its feedback is checked too
    assert serious(Axe().run(w.page)) == []
    w.page.goto(base_url + "/lessons")
    assert serious(Axe().run(w.page)) == []


def test_screenshots(browser, base_url):
    """A lesson step on a projector (present=1), at a desk and on a phone; the index."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = [
        ("lesson-step-present-1280x720", 1280, 720, LESSON + "/3?present=1"),
        ("lesson-step-present-1024x768", 1024, 768, LESSON + "/4?present=1"),
        ("lesson-step-desktop", 1440, 900, LESSON + "/3"),
        ("lesson-step-phone", 390, 844, LESSON + "/3"),
        ("lesson-lab-step-present", 1280, 720, "/lessons/does-it-matter/2?present=1"),
    ]
    for name, width, height, url in shots:
        context = device(browser, width, height)
        w = Watched(context.new_page())
        w.page.goto(base_url + url)
        if "does-it-matter" in url:
            w.page.wait_for_function("() => document.body.dataset.plotly === 'ready'")
        else:
            wait_step(w, int(url.split("/")[3].split("?")[0]))
        w.page.wait_for_timeout(300)
        if width < 500:
            assert w.page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        w.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        assert w.problems == []
        context.close()
    # a question step before and after its answer, at a desk and on a projector
    for name, width, height, url, answer in (
        ("lesson-question-1280x800", 1280, 800, LESSON + "/1", "document.querySelector('.choice').click()"),
        (
            "lesson-question-present-1024x768",
            1024,
            768,
            LESSON + "/3?present=1",
            "document.getElementById('lesson-reveal').click()",
        ),
    ):
        context = device(browser, width, height)
        w = Watched(context.new_page())
        w.page.goto(base_url + url)
        wait_step(w, int(url.split("/")[3].split("?")[0]))
        w.page.wait_for_timeout(300)
        w.page.screenshot(path=str(SCREENSHOTS / f"{name}-before.png"))
        w.page.evaluate(answer)
        expect_open(w.page)
        w.page.wait_for_timeout(300)
        w.page.screenshot(path=str(SCREENSHOTS / f"{name}-after.png"))
        assert w.problems == []
        context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/lessons")
    page.screenshot(path=str(SCREENSHOTS / "lesson-index.png"), full_page=True)
    context.close()
