"""Lessons read from TOML, checked, with their Markdown rendered once (see the package docstring)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl

from markdown_it import MarkdownIt

from app.core.problems import StateError
from app.documents.run import facts_of
from app.engine.facts import Facts
from app.lessons.claims import CLAIMS
from app.lessons.targets import FOCUS, HIGHLIGHT, VIEW_HIGHLIGHTS
from app.link import compare
from app.link.lab_query import parse_lab
from app.link.state import parse
from app.studies import recorded

CONTENT = Path(__file__).parent / "content"
LEVELS = ("beginner", "intermediate", "advanced")
MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


class LessonError(ValueError):
    """A lesson file that cannot be taught: the file, the step and what is wrong."""


# What a lesson's words may quote from a recording, by name: {recorded:seed} in a text becomes the
# seed study's answer to "will it make any difference?", read off its shipped recording
# (app/studies/recorded.py answer()): a number in a lesson is measured, never typed.
RECORDED = {"seed": lambda: _sentence(recorded.answer())}
QUOTE = re.compile(r"\{recorded:([a-z-]+)\}")


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def _quoted(text: str) -> str:
    """A lesson text with its {recorded:NAME} quotes filled in; LessonError names an unknown one."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in RECORDED:
            raise LessonError(f"{{recorded:{name}}}: no such recording to quote (one of {', '.join(RECORDED)})")
        return RECORDED[name]()

    return QUOTE.sub(fill, text)


def plain(text: str) -> str:
    """A text as a reader sees it, to look for a phrase in: no Markdown emphasis or code marks,
    one space between words, lower case."""
    return " ".join(re.sub(r"[*_`]", "", text).split()).lower()


@dataclass(frozen=True)
class Question:
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanations: tuple[str, ...]  # one per choice: why a wrong one is wrong, why the right one is right
    reveals: tuple[str, ...]  # the phrases that answer it: never in the step's visible text

    def as_dict(self) -> dict:
        return {
            "prompt": self.prompt,
            "choices": list(self.choices),
            "answer": self.answer,
            "explanations": list(self.explanations),
        }


@dataclass(frozen=True)
class Step:
    title: str
    text: str  # Markdown, shown from the start
    html: str  # rendered
    reveal: str  # Markdown, shown once the step's questions are answered ("" if none)
    reveal_html: str  # rendered
    hides: tuple[str, ...]  # the page's panels (focus targets) hidden until then: they give the answer away
    view: str  # explorer | lab
    link: str  # the page's canonical query string
    focus: str
    highlight: str | None
    claims: tuple[str, ...]
    facts: tuple[tuple[str, object], ...]  # what the text relies on, checked against the link's trace
    questions: tuple[Question, ...]

    @property
    def page(self) -> str:
        """The page that draws this step by itself, to play freely."""
        return ("/?" if self.view == "explorer" else "/train?") + self.link

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "html": self.html,
            "reveal_html": self.reveal_html,
            "hides": list(self.hides),
            "view": self.view,
            "link": self.link,
            "page": self.page,
            "focus": self.focus,
            "highlight": self.highlight,
            "claims": [{"id": c, "statement": CLAIMS[c].statement, "checked": CLAIMS[c].checked} for c in self.claims],
            "facts": dict(self.facts),
            "questions": [q.as_dict() for q in self.questions],
        }


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    summary: str
    level: str
    minutes: int
    order: int
    steps: tuple[Step, ...]

    def as_dict(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "summary": self.summary,
            "level": self.level,
            "minutes": self.minutes,
            "steps": [s.as_dict() for s in self.steps],
        }


def _canonical_link(view: str, link: str) -> str:
    """The canonical form of a step's link; LessonError names what is invalid."""
    pairs = parse_qsl(link, keep_blank_values=True)
    try:
        if view == "lab":
            return parse_lab(pairs).canonical()
        a_pairs, vs = compare.split(pairs)
        a = parse(a_pairs)
        return compare.canonical(a, compare.parse_b(a, vs))
    except StateError as err:
        raise LessonError("; ".join(f"{p.field}: {p.message}" for p in err.problems)) from None


def _check_facts(view: str, link: str, declared: dict) -> tuple[tuple[str, object], ...]:
    """The facts a step's text relies on, as measured on its link's trace (model A); LessonError
    names each one the trace contradicts."""
    if not declared:
        return ()
    if view != "explorer":
        raise LessonError("facts can be declared on explorer steps only (they are read off the trace)")
    unknown = sorted(set(declared) - set(Facts.__dataclass_fields__))
    if unknown:
        raise LessonError(f"unknown facts {', '.join(unknown)}: one of {', '.join(Facts.__dataclass_fields__)}")
    a_pairs, _ = compare.split(parse_qsl(link, keep_blank_values=True))
    measured = facts_of(parse(a_pairs))[0].as_dict()
    wrong = []
    for name, want in declared.items():
        got = measured[name]
        if isinstance(got, float) and isinstance(want, int | float) and not isinstance(want, bool):
            same = abs(got - want) <= 1e-6 * max(1.0, abs(want))
        else:
            same = (list(got) if isinstance(got, tuple) else got) == want
        if not same:
            wrong.append(f"{name} is {got!r} on the step's trace, the text relies on {want!r}")
    if wrong:
        raise LessonError("; ".join(wrong))
    return tuple(sorted(declared.items()))


def _question(raw: dict, visible: str, revealed: str) -> Question:
    """A step's question; visible: what the step shows before it is answered, revealed: what after
    (both as plain(): a phrase is looked for whatever its Markdown marks)."""
    choices = tuple(raw["choices"])
    explanations = tuple(raw.get("explanations", ()))
    answer = raw["answer"]
    name = f"question {raw['prompt'][:40]!r}"
    if not (2 <= len(choices) <= 6 and isinstance(answer, int) and 0 <= answer < len(choices)):
        raise LessonError(f"{name}: 2 to 6 choices and an answer index among them")
    if len(explanations) != len(choices) or not all(e.strip() for e in explanations):
        raise LessonError(f"{name}: one explanation for each choice")
    reveals = tuple(raw.get("reveals", ()))
    if not reveals or not all(isinstance(r, str) and r.strip() for r in reveals):
        raise LessonError(
            f'{name}: say what reveals its answer, reveals = ["phrase", ...]: the key phrases of its answer, '
            "kept out of the step's text until it is answered"
        )
    answer_words = plain(revealed + " " + explanations[answer])
    for phrase in reveals:
        if plain(phrase) in visible:
            raise LessonError(
                f"{name} is answered before it is asked: the visible text says {phrase!r} "
                "(move the sentence into the step's reveal)"
            )
        if plain(phrase) not in answer_words:
            raise LessonError(f"{name}: {phrase!r} is in neither the step's reveal nor the right choice's explanation")
    return Question(raw["prompt"], choices, answer, explanations, reveals)


def _questions(raw: dict, view: str, text: str, reveal: str) -> tuple[tuple[Question, ...], tuple[str, ...]]:
    """A step's questions, and the panels its page hides until they are answered."""
    hides = tuple(raw.get("hides", ()))
    wrong = [h for h in hides if h not in FOCUS[view]]
    if wrong:
        raise LessonError(
            f"hides {', '.join(map(repr, wrong))}: not on the {view} page (one of {', '.join(FOCUS[view])})"
        )
    raw_questions = raw.get("questions", ())
    if (reveal.strip() or hides) and not raw_questions:
        raise LessonError("a reveal or hides without a question: nothing would ever show them")
    visible = plain(text + " " + " ".join(q.get("prompt", "") for q in raw_questions))
    return tuple(_question(q, visible, plain(reveal)) for q in raw_questions), hides


def _step(raw: dict) -> Step:
    view = raw.get("view", "explorer")
    if view not in FOCUS:
        raise LessonError(f"view {view!r}: one of {', '.join(FOCUS)}")
    focus = raw["focus"]
    if focus not in FOCUS[view]:
        raise LessonError(f"focus {focus!r} is not on the {view} page: one of {', '.join(FOCUS[view])}")
    highlight = raw.get("highlight")
    if highlight is not None:
        kind, _, name = highlight.partition(":")
        if kind not in VIEW_HIGHLIGHTS[view] or name not in HIGHLIGHT.get(kind, ()):
            raise LessonError(f"highlight {highlight!r}: kind:name with kinds {VIEW_HIGHLIGHTS[view]} ({HIGHLIGHT})")
    claims = tuple(raw.get("claims", ()))
    unknown = [c for c in claims if c not in CLAIMS]
    if unknown:
        raise LessonError(f"claims without a test: {', '.join(unknown)} (app/lessons/claims.py)")
    text, reveal = _quoted(raw["text"]), _quoted(raw.get("reveal", ""))
    questions, hides = _questions(raw, view, text, reveal)
    return Step(
        title=raw["title"],
        text=text,
        html=MARKDOWN.render(text),
        reveal=reveal,
        reveal_html=MARKDOWN.render(reveal) if reveal.strip() else "",
        hides=hides,
        view=view,
        link=(link := _canonical_link(view, raw["link"])),
        focus=focus,
        highlight=highlight,
        claims=claims,
        facts=_check_facts(view, link, raw.get("facts", {})),
        questions=questions,
    )


def read(path: Path) -> Lesson:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    steps = []
    for n, step in enumerate(raw.get("steps", ()), start=1):
        try:
            steps.append(_step(step))
        except (LessonError, KeyError) as err:
            where = f" ({step['title']!r})" if isinstance(step.get("title"), str) else ""
            raise LessonError(f"{path.name}, step {n}{where}: {err}") from None
    if not steps:
        raise LessonError(f"{path.name}: a lesson has steps")
    if raw.get("level") not in LEVELS:
        raise LessonError(f"{path.name}: level must be one of {', '.join(LEVELS)}")
    return Lesson(
        slug=path.stem.split("-", 1)[1] if path.stem[:2].isdigit() else path.stem,
        title=raw["title"],
        summary=raw["summary"],
        level=raw["level"],
        minutes=int(raw["minutes"]),
        order=int(path.stem[:2]) if path.stem[:2].isdigit() else 99,
        steps=tuple(steps),
    )


@lru_cache(maxsize=1)
def load() -> tuple[Lesson, ...]:
    """Every lesson of app/lessons/content/, in order; LessonError if one cannot be taught."""
    lessons = tuple(sorted((read(p) for p in CONTENT.glob("*.toml")), key=lambda lesson: lesson.order))
    slugs = [lesson.slug for lesson in lessons]
    if len(set(slugs)) != len(slugs):
        raise LessonError(f"two lessons share a slug: {slugs}")
    return lessons


def lesson_by_slug(slug: str) -> Lesson | None:
    return next((lesson for lesson in load() if lesson.slug == slug), None)
