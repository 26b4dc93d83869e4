"""What is wrong with an input, said so that a person can fix it: the field, the value, what is
allowed, and a sentence. Every layer that reads input (the link, the lab's query, the CLI, the API's
extra parameters) reports with these; the web layer turns a ``StateError`` into a 422 listing all."""

from __future__ import annotations

from dataclasses import asdict, dataclass

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


class StateError(ValueError):
    """Every problem of an input at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))
