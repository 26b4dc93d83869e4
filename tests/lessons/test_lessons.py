"""Lessons load, are valid, and every claim they make has a test that exists."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from app.lessons import lesson_by_slug, load
from app.lessons import model as lesson_model
from app.lessons.claims import CLAIMS
from app.lessons.model import plain
from app.studies import recorded

ROOT = Path(__file__).parents[2]


def test_at_least_seven_lessons_in_order():
    lessons = load()
    assert len(lessons) >= 7
    assert [lesson.order for lesson in lessons] == sorted(lesson.order for lesson in lessons)
    assert {"seed-question", "inside-the-cell", "recurrent-dropout", "pytorch", "does-it-matter", "inference"} <= {
        lesson.slug for lesson in lessons
    }
    for lesson in lessons:
        assert lesson.title and lesson.summary and lesson.minutes > 0 and lesson.steps


def test_every_step_names_tested_claims_and_valid_links():
    used = set()
    for lesson in load():
        for step in lesson.steps:
            used |= set(step.claims)
            assert step.link.endswith("v=3") or "v=3&" in step.link  # pinned: a lesson link is a promise
            assert "<script" not in step.html and step.html.startswith("<")
    assert used <= set(CLAIMS)
    assert len(used) >= 20


def refused(tmp_path, monkeypatch, step_toml: str) -> str:
    """Load a lesson of one step (title "Told") from tmp_path; the LessonError's message, which
    must name the file and the step."""
    (tmp_path / "01-bad.toml").write_text(
        f'title = "Bad"\nsummary = "s"\nlevel = "beginner"\nminutes = 3\n[[steps]]\ntitle = "Told"\n{step_toml}\n'
    )
    monkeypatch.setattr(lesson_model, "CONTENT", tmp_path)
    load.cache_clear()
    try:
        with pytest.raises(lesson_model.LessonError, match=r"01-bad\.toml, step 1 \('Told'\): ") as err:
            load()
        return str(err.value)
    finally:
        load.cache_clear()


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_every_claim_names_a_test_that_exists(claim):
    path, _, name = CLAIMS[claim].test.partition("::")
    assert (ROOT / path).exists(), path
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert callable(getattr(module, name, None)), CLAIMS[claim].test


def test_steps_declare_the_facts_their_text_relies_on():
    """Every explorer step says which facts of its trace its text relies on; the loader has measured each
    on the step's trace (a wrong one is refused, below)."""
    steps = [s for lesson in load() for s in lesson.steps if s.view == "explorer"]
    assert len(steps) >= 20 and all(s.facts for s in steps), [s.title for s in steps if not s.facts]
    assert {k for s in steps for k, _ in s.facts} >= {"input_per_gate", "input_per_step", "keep", "other_masks"}


def test_a_teacher_adds_a_lesson_by_adding_a_file(tmp_path, monkeypatch):
    (tmp_path / "08-my-lesson.toml").write_text(
        'title = "Mine"\nsummary = "s"\nlevel = "beginner"\nminutes = 3\n'
        '[[steps]]\ntitle = "One"\nview = "explorer"\nlink = "seed=9"\nfocus = "cell"\ntext = "*hello*"\n'
    )
    monkeypatch.setattr(lesson_model, "CONTENT", tmp_path)
    load.cache_clear()
    try:
        (lesson,) = load()
        assert (lesson.slug, lesson.order) == ("my-lesson", 8)
        assert lesson.steps[0].html == "<p><em>hello</em></p>\n" and lesson.steps[0].link == "seed=9&v=3"
    finally:
        load.cache_clear()


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ('link = "dropout=2"\nfocus = "cell"', "dropout"),
        ('link = "seed=1"\nfocus = "nowhere"', "focus 'nowhere'"),
        ('link = "seed=1"\nfocus = "cell"\nhighlight = "gate:z"', "highlight 'gate:z'"),
        ('link = "seed=1"\nfocus = "cell"\nclaims = ["made-up"]', "claims without a test: made-up"),
        # a text that relies on a fact the step's trace contradicts (Keras 3 with recurrent_dropout = 0 shares)
        (
            'link = "recurrent_dropout=0"\nfocus = "cell"\nfacts = { input_per_gate = true }',
            "input_per_gate is False on the step's trace, the text relies on True",
        ),
        ('link = "phase=infer"\nfocus = "cell"\nfacts = { keep = 0.375 }', "keep is 1.0 on the step's trace"),
        ('link = "seed=1"\nfocus = "cell"\nfacts = { made_up = true }', "unknown facts made_up"),
        ('view = "lab"\nlink = ""\nfocus = "lab-curves"\nfacts = { keep = 1 }', "explorer steps only"),
        (
            'link = "seed=1"\nfocus = "cell"\n[[steps.questions]]\nprompt = "?"\nchoices = ["a", "b"]\nanswer = 0\n'
            'explanations = ["only one"]',
            "one explanation for each choice",
        ),
    ],
)
def test_a_bad_lesson_is_refused_with_file_step_and_reason(tmp_path, monkeypatch, step, message):
    assert message in refused(tmp_path, monkeypatch, f'text = "t"\n{step}')


def test_every_question_comes_before_its_answer():
    """Every shipped question declares the phrases that answer it; none is in the words shown before it is
    answered, each is in what it reveals (the step's reveal or the right choice's explanation)."""
    questions = 0
    for lesson in load():
        for n, step in enumerate(lesson.steps, start=1):
            visible = plain(step.text + " " + " ".join(q.prompt for q in step.questions))
            for q in step.questions:
                questions += 1
                assert q.reveals, (lesson.slug, n)
                for phrase in q.reveals:
                    assert plain(phrase) not in visible, (lesson.slug, n, phrase)
                    assert plain(phrase) in plain(step.reveal + " " + q.explanations[q.answer]), (
                        lesson.slug,
                        n,
                        phrase,
                    )
            if step.questions:  # the answering sentences moved after the question, or the page's panels hidden
                assert step.reveal_html or step.hides, (lesson.slug, n)
            else:
                assert not step.reveal and not step.hides, (lesson.slug, n)
    assert questions >= 12


def test_lesson_one_ends_with_both_seed_questions_answered():
    last = lesson_by_slug("seed-question").steps[-1]
    visible = plain(last.text)
    # (1) the same? No: where, how often, per gate, shown from the start
    assert "does dropout(0.25) after the embedding do the same as dropout=0.5? no." in visible
    assert all(word in visible for word in ("where:", "how often:", "per gate:"))
    # (2) will it make any difference? The recording's own words, with its interval, after the question
    (q,) = last.questions
    said = recorded.answer()
    assert said[1:] in last.reveal and "95% interval" in said and said[1:] not in last.text
    assert 'href="/train"' in last.reveal_html and "recorded-seed-answer" in last.claims
    assert q.choices[q.answer].lower().startswith(recorded.done_of("seed")["comparisons"][0]["verdict"])
    assert last.hides == ("verdict",)  # the verdict quotes the same recording


def test_lesson_one_draws_the_forum_answer_beside_keras():
    steps = lesson_by_slug("seed-question").steps
    titles = [s.title for s in steps]
    forum = steps[titles.index("The forum's picture, computed")]
    assert titles.index("The forum's picture, computed") + 1 == titles.index("The popular answer, checked")
    assert forum.link == "seed=3&v=3&vs.preset=forum" and forum.questions
    assert "hypothetical" in plain(forum.reveal) and "semeniuta" in plain(forum.reveal)
    assert "forum-hypothetical-scheme" in forum.claims


QUESTION = (
    '[[steps.questions]]\nprompt = "How many?"\nchoices = ["one", "four"]\nanswer = 1\nexplanations = ["no", "yes"]\n'
)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        # the question's answer printed above it: refused, naming the phrase
        (
            'link = "seed=1"\nfocus = "cell"\ntext = "Keras draws **four masks**, one per gate."\n'
            'reveal = "Four masks."\n' + QUESTION + 'reveals = ["four masks"]',
            "question 'How many?' is answered before it is asked: the visible text says 'four masks'",
        ),
        # ... whatever its Markdown marks and line breaks
        (
            'link = "seed=1"\nfocus = "cell"\ntext = "Keras draws *four*\\n`masks`."\nreveal = "Four masks."\n'
            + QUESTION
            + 'reveals = ["four masks"]',
            "the visible text says 'four masks'",
        ),
        (
            'link = "seed=1"\nfocus = "cell"\ntext = "t"\n' + QUESTION,
            'say what reveals its answer, reveals = ["phrase"',
        ),
        (
            'link = "seed=1"\nfocus = "cell"\ntext = "t"\nreveal = "Four."\n' + QUESTION + 'reveals = ["eleven"]',
            "'eleven' is in neither the step's reveal nor the right choice's explanation",
        ),
        ('link = "seed=1"\nfocus = "cell"\ntext = "t"\nreveal = "Four."', "a reveal or hides without a question"),
        (
            'link = "seed=1"\nfocus = "cell"\ntext = "t"\nhides = ["lab-table"]\n' + QUESTION + 'reveals = ["yes"]',
            "hides 'lab-table': not on the explorer page",
        ),
        ('link = "seed=1"\nfocus = "cell"\ntext = "{recorded:nothing}"', "{recorded:nothing}: no such recording"),
    ],
)
def test_a_step_that_answers_its_question_before_asking_is_refused(tmp_path, monkeypatch, step, message):
    assert message in refused(tmp_path, monkeypatch, step)


def test_the_same_step_with_its_answer_after_the_question_loads(tmp_path, monkeypatch):
    (tmp_path / "01-good.toml").write_text(
        'title = "Good"\nsummary = "s"\nlevel = "beginner"\nminutes = 3\n[[steps]]\ntitle = "Asked"\n'
        'link = "seed=1"\nfocus = "cell"\nhides = ["cell"]\ntext = "Keras draws masks."\n'
        'reveal = "Keras draws **four masks**, one per gate. {recorded:seed}."\n'
        + QUESTION
        + 'reveals = ["four masks"]\n'
    )
    monkeypatch.setattr(lesson_model, "CONTENT", tmp_path)
    load.cache_clear()
    try:
        (lesson,) = load()
        step = lesson.steps[0]
        assert step.hides == ("cell",) and step.questions[0].reveals == ("four masks",)
        assert "<strong>four masks</strong>" in step.reveal_html and recorded.answer()[1:] in step.reveal_html
        assert step.as_dict()["reveal_html"] == step.reveal_html and step.as_dict()["hides"] == ["cell"]
    finally:
        load.cache_clear()
