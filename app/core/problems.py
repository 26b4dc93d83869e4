"""What is wrong with an input, said so that a person can fix it: the field, the value, what is
allowed, and a sentence. Every layer that reads input (the link, the lab's query, the CLI, the API's
extra parameters) reports with these; the web layer turns a ``StateError`` into a 422 listing all."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import orjson

SHOWN = 80  # longest value quoted back in a problem


def shown(raw: str) -> str:
    """A value as a problem quotes it: at most SHOWN characters."""
    return raw if len(raw) <= SHOWN else raw[: SHOWN - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One problem of an input. ``fallback``: the value a page may use instead to show the rest
    of a link (None: the field's default)."""

    field: str
    value: str
    allowed: str
    message: str
    fallback: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


LISTED = 20  # problems an answer lists; it says how many more there are
MAX_BODY = 16_000  # bytes of an error body at most


def listed(problems: list[Problem]) -> tuple[list[Problem], int]:
    """The problems an answer lists (the first LISTED, fewer if their text is long) and how many more."""
    shown_, size = [], 100  # the body's keys and the "and N more" sentence
    for p in problems[:LISTED]:
        size += len(orjson.dumps(p.as_dict())) + len(p.message.encode()) + 3  # in problems, and in detail
        if shown_ and size > MAX_BODY:
            break
        shown_.append(p)
    return shown_, len(problems) - len(shown_)


def capped(problems: list[Problem]) -> list[Problem]:
    """A page's list: the problems an answer lists, and one line saying how many more there are."""
    first, more = listed(problems)
    if more:
        first.append(Problem("", "", "", f"... and {more} more problems in this link, not listed."))
    return first


def error_body(problems: list[Problem]) -> dict:
    """The JSON of a 422: the first problems, their sentences, and how many more."""
    first, more = listed(problems)
    detail = "; ".join(p.message for p in first) + (f"; and {more} more problems" if more else "")
    return {"detail": detail, "problems": [p.as_dict() for p in first], "more": more}


class StateError(ValueError):
    """Every problem of an input at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems[:LISTED]) + (" ..." if len(problems) > LISTED else ""))
