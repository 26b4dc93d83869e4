"""Lessons load, are valid, and every claim they make has a test that exists."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from app.lessons import load
from app.lessons import model as lesson_model
from app.lessons.claims import CLAIMS

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
    (tmp_path / "01-bad.toml").write_text(
        f'title = "Bad"\nsummary = "s"\nlevel = "beginner"\nminutes = 3\n[[steps]]\ntitle = "One"\ntext = "t"\n{step}\n'
    )
    monkeypatch.setattr(lesson_model, "CONTENT", tmp_path)
    load.cache_clear()
    try:
        with pytest.raises(lesson_model.LessonError, match=r"01-bad\.toml, step 1") as err:
            load()
        assert message in str(err.value)
    finally:
        load.cache_clear()
