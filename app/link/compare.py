"""Compare mode: model B is model A with some fields changed, written ``vs.FIELD=VALUE``.

    /?<state A>&vs.emb_dropout=0         the seed's first model (B) against its second (A)

B is parsed from A's canonical fields overridden by the ``vs.`` ones, with every check of the
state; its problems are named ``vs.FIELD``. The canonical compare link is A's canonical string
and the ``vs.`` fields whose value differs from A's, sorted, so equal comparisons share one link.
The API knows nothing of it: the page fetches B's trace by B's own canonical link.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, quote

from app.core.problems import Problem, StateError, shown
from app.link.state import FIELD, State, format_value, parse

PREFIX = "vs."


def split(pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(A's pairs, the vs. pairs without their prefix)."""
    a = [(k, v) for k, v in pairs if not k.startswith(PREFIX)]
    vs = [(k[len(PREFIX) :], v) for k, v in pairs if k.startswith(PREFIX)]
    return a, vs


def parse_b(a: State, vs: list[tuple[str, str]]) -> State | None:
    """B, or None without vs. fields; StateError names every problem as vs.FIELD."""
    if not vs:
        return None
    problems = [
        Problem(
            PREFIX + k, shown(v), "a state field other than v", f"vs.{shown(k)} is not a field of the state to change."
        )
        for k, v in vs
        if k not in FIELD or k == "v"
    ]
    given = {k for k, _ in vs}
    base = [(k, v) for k, v in parse_qsl(a.canonical()) if k not in given and not (k == "text" and "tokens" in given)]
    if "text" in given:
        base = [(k, v) for k, v in base if k != "tokens"]
    try:
        b = parse(base + [(k, v) for k, v in vs if k in FIELD and k != "v"])
    except StateError as err:
        problems += [
            replace(p, field=PREFIX + p.field, message=f"In the compared model: {p.message}") for p in err.problems
        ]
        b = None
    if problems:
        raise StateError(problems)
    return b


def canonical(a: State, b: State | None) -> str:
    """A's canonical string and B's differences as vs. fields, sorted."""
    if b is None:
        return a.canonical()
    parts = a.canonical().split("&")
    for name in FIELD:
        value = getattr(b, name)
        if value != getattr(a, name) and not (name == "text" and b.tokens is not None):
            text = "" if value is None else format_value(value)
            parts.append(f"{PREFIX}{name}={quote(text, safe=',')}")
    return "&".join(sorted(parts))
