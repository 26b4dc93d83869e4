"""What ``explain`` was given, read into the lab's states: a link, pasted code or a built model.

A string is a link when it is one: a URL (``http://host/?...``, ``/embed?...``, ``?...``), or a
query whose every name is a field of the state (``len=498&vs.emb_dropout=0``); any other string
is code, read by app.yourmodel (never run): code has lines, or names that are no field
(``units = 100`` names "units "). A link goes through the explorer's own parser
(app/link/state.py, app/link/compare.py), so it means here exactly what it means on the page;
code and built models go through ``read_code`` / ``read_model``, whose reasons and notes are kept
as the reading gave them (line-numbered), and whose models are kept as the page's "Read from your
code" panel shows them (``Reading.models_shown``): which lines are A and which B, and what each line set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from app.core.problems import Problem, StateError
from app.link import compare
from app.link.state import FIELD, State, parse

if TYPE_CHECKING:
    from app.yourmodel.state import Reading

# A page's own parameters, not the model's: the explorer's classroom mode and an embed's figure
# (app/web/pages/render.py PRESENT, app/web/pages/classroom.py); a link from either page works here.
PAGE_PARAMS = ("present", "view")
URL = re.compile(r"^(?:https?://|/|\?)[^\r\n]*$")  # one line: a link's text may have spaces


@dataclass
class Given:
    """The states of what was given: A and B (compare mode), or none with the reasons why.
    ``kind``: "link", "code", "model" or "state"; ``reasons``: the reading's (app/yourmodel/read.py
    Reason, line-numbered); ``problems``: a link's (app/core/problems.py); ``notes``: the reading's;
    ``models``: the reading's models as its panel shows them (``Reading.models_shown``), none for a link."""

    kind: str
    a: State | None = None
    b: State | None = None
    notes: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    alternatives: dict = field(default_factory=dict)  # Keras code under the other Keras: {preset: (title, query)}
    models: list[dict] = field(default_factory=list)


def query_of(text: str) -> str | None:
    """The query of ``text`` if it is a link, else None (it is code)."""
    t = text.strip()
    if URL.match(t):
        return urlsplit(t).query
    if not t or "\n" in t or "\r" in t:
        return None
    pairs = parse_qsl(t, keep_blank_values=True)
    names = [k.removeprefix(compare.PREFIX) for k, _ in pairs]
    if pairs and all(k in FIELD or k in PAGE_PARAMS for k in names):
        return t
    return None


def from_link(query: str) -> Given:
    """A and B of a link, through the explorer's parsers; else A's problems, or B's (named vs.FIELD)."""
    pairs = [(k, v) for k, v in parse_qsl(query.removeprefix("?"), keep_blank_values=True) if k not in PAGE_PARAMS]
    a_pairs, vs = compare.split(pairs)
    try:
        a = parse(a_pairs)
    except StateError as err:
        return Given("link", problems=list(err.problems))
    try:
        b = compare.parse_b(a, vs)
    except StateError as err:
        return Given("link", problems=list(err.problems))
    return Given("link", a, b)


def from_reading(kind: str, reading: Reading) -> Given:
    """A ``Reading`` of app.yourmodel (state.py): its states, or its reasons; its models and notes either way."""
    notes = sorted(reading.notes, key=lambda n: n.line)  # in the order of the code, as the page's panel
    if not reading.ok:
        return Given(kind, notes=notes, reasons=list(reading.reasons), models=reading.models_shown())
    return Given(
        kind, reading.a, reading.b, notes, list(reading.reasons), [], reading.alternatives, reading.models_shown()
    )


def read_given(x: object) -> Given:
    """A link, code, a State, or a built Keras / PyTorch model, as states."""
    if isinstance(x, State):
        return Given("state", x)
    if isinstance(x, str):
        query = query_of(x)
        if query is not None:
            return from_link(query)
        from app.yourmodel import read_code

        return from_reading("code", read_code(x))
    from app.yourmodel import read_model

    return from_reading("model", read_model(x))


def overridden(g: Given, seed: int | None, phase: str | None) -> Given:
    """The same models with another mask seed or phase, checked as a link's fields are."""
    given = {k: v for k, v in (("seed", seed), ("phase", phase)) if v is not None}
    if g.a is None or not given:
        return g

    def apply(s: State) -> State:
        pairs = [(k, v) for k, v in parse_qsl(s.canonical(), keep_blank_values=True) if k not in given]
        return parse(pairs + [(k, str(v)) for k, v in given.items()])

    try:
        a = apply(g.a)
        b = apply(g.b) if g.b is not None else None
    except StateError as err:
        return Given(g.kind, notes=g.notes, problems=list(err.problems), models=g.models)
    # no alternatives: their links hold the read seed; the models keep their lines (the code is the same)
    return Given(g.kind, a, b, g.notes, g.reasons, g.problems, models=g.models)
