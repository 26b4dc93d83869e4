"""Fields of a link: one small class per kind of value, and the declaration of a field.

A field is declared once, as an attribute of its table (``State`` in app/link/state.py, ``LabQuery``
in app/link/lab_query.py)::

    dropout: float = field(Rate(), 0.5, "The LSTM's dropout: ...", label="LSTM dropout", group="main")

The kind knows everything that depends on the kind alone: how a link's text parses
(``parse``), what is allowed in words (``allowed``), the OpenAPI schema (``schema``), how the
value is written back into a link (``text``) and into JSON for the page (``to_json``), and which
control draws it (``control``: a macro of templates/_field.html). ``fields_of(Table)`` turns the
declarations into ``Field`` records; every other view of a field (the parameter list, the
OpenAPI parameters, the page's controls and constants, the lab's and the CLI's bounds) is derived
from those records, and tests/link/test_fields.py checks that each view agrees with the table.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from app.core.problems import Problem, shown

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # control characters but tab, LF, CR
INT = re.compile(r"[+-]?[0-9]{1,20}")
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,4})?")


class Bad(ValueError):
    """A value its kind refuses; ``why`` is added to the sentence (" (a rate of 1 ...)"), or
    ``message`` replaces it."""

    def __init__(self, why: str = "", message: str = ""):
        super().__init__(message or why)
        self.why, self.message = why, message


def number_text(x: float) -> str:
    """A number as a link writes it: 1.0 -> 1, 0.25 -> 0.25 (shortest round trip)."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


class Kind:
    """What a kind of value knows. Subclasses set ``name`` (the page's scripts read it) and
    ``control`` (the macro that draws it; None: the page draws no control for it)."""

    name: ClassVar[str]
    control: ClassVar[str | None] = None
    max_length: ClassVar[int] = 64  # longest link text read at all

    lo: int | float | None = None
    hi: int | float | None = None
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    def parse(self, raw: str) -> object:
        """The typed value of ``raw``; raises Bad."""
        raise NotImplementedError

    def allowed(self) -> str:
        raise NotImplementedError

    def schema(self, default: object) -> dict:
        """The OpenAPI schema of the query parameter."""
        raise NotImplementedError

    def text(self, value: object) -> str:
        """The value as a link writes it."""
        return str(value)

    def to_json(self, value: object) -> object:
        return value


@dataclass(frozen=True)
class Int(Kind):
    """A whole number from lo to hi, both included."""

    lo: int
    hi: int
    name: ClassVar[str] = "int"
    control: ClassVar[str | None] = "number"

    def parse(self, raw: str) -> int:
        if not INT.fullmatch(raw) or not self.lo <= (n := int(raw)) <= self.hi:
            raise Bad
        return n

    def allowed(self) -> str:
        return f"a whole number from {self.lo} to {self.hi}"

    def schema(self, default: object) -> dict:
        return {"type": "integer", "minimum": self.lo, "maximum": self.hi, "default": default}


@dataclass(frozen=True)
class Rate(Kind):
    """A dropout rate: from 0 up to, not including, 1 (a rate of 1 would drop everything)."""

    lo: float = 0.0
    hi: float = 1.0
    name: ClassVar[str] = "rate"
    control: ClassVar[str | None] = "rate"

    def parse(self, raw: str) -> float:
        if not NUMBER.fullmatch(raw):
            raise Bad
        x = float(raw)
        if not (math.isfinite(x) and 0.0 <= x < 1.0):
            raise Bad(" (a rate of 1 would drop everything)" if x == 1.0 else "")
        return x + 0.0  # -0.0 -> 0.0

    def allowed(self) -> str:
        return "a number from 0 up to, not including, 1"

    def schema(self, default: object) -> dict:
        return {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "default": default}

    def text(self, value: object) -> str:
        return number_text(value)


@dataclass(frozen=True)
class Number(Kind):
    """A real number from lo to hi, both included (the lab's learning rate and label noise)."""

    lo: float
    hi: float
    name: ClassVar[str] = "number"
    control: ClassVar[str | None] = "number"
    max_length: ClassVar[int] = 32

    def parse(self, raw: str) -> float:
        if not NUMBER.fullmatch(raw) or not (math.isfinite(x := float(raw)) and self.lo <= x <= self.hi):
            raise Bad
        return x + 0.0

    def allowed(self) -> str:
        return f"a number from {number_text(self.lo)} to {number_text(self.hi)}"

    def schema(self, default: object) -> dict:
        return {"type": "number", "minimum": self.lo, "maximum": self.hi, "default": default}

    def text(self, value: object) -> str:
        return number_text(value)


@dataclass(frozen=True)
class Choice(Kind):
    """One of ``choices``; ``labels``: how the page names each, in the same order."""

    choices: tuple[str, ...]
    labels: tuple[str, ...] = ()
    name: ClassVar[str] = "choice"
    control: ClassVar[str | None] = "choice"

    def parse(self, raw: str) -> str:
        if raw not in self.choices:
            raise Bad
        return raw

    def allowed(self) -> str:
        return "one of " + ", ".join(self.choices)

    def schema(self, default: object) -> dict:
        return {"type": "string", "enum": list(self.choices), "default": default}


@dataclass(frozen=True)
class Names(Kind):
    """A comma-separated set of ``choices``, each at most once, kept in the order of ``choices``;
    ``empty``: whether none at all is allowed."""

    choices: tuple[str, ...]
    labels: tuple[str, ...] = ()
    empty: bool = True
    name: ClassVar[str] = "names"
    max_length: ClassVar[int] = 200

    def parse(self, raw: str) -> tuple[str, ...]:
        names = raw.split(",") if raw else []
        if self.empty:
            names = [n for n in names if n]  # a trailing comma is forgiven
        if len(set(names)) != len(names) or not set(names) <= set(self.choices) or not (names or self.empty):
            raise Bad
        return tuple(n for n in self.choices if n in names)

    def allowed(self) -> str:
        return "a comma-separated list of " + ", ".join(self.choices) + " (each once)" + (", or nothing" * self.empty)

    def schema(self, default: object) -> dict:
        one = "(" + "|".join(self.choices) + ")"
        pattern = f"^{one}(,{one})*$"
        if self.empty:
            pattern = f"^({one}(,{one})*)?$"
        return {"type": "string", "pattern": pattern, "maxLength": self.max_length, "default": ",".join(default)}

    def text(self, value: object) -> str:
        return ",".join(value)

    def to_json(self, value: object) -> object:
        return list(value)


@dataclass(frozen=True)
class Text(Kind):
    """A sentence: white space folded, at least one word (``words`` splits a text into words)."""

    most: int
    example: str
    words: object  # callable: str -> list of words
    name: ClassVar[str] = "text"
    control: ClassVar[str | None] = "text"
    max_length: ClassVar[int] = 10_000
    WORD: ClassVar[str] = r"[^\s!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~]"

    def parse(self, raw: str) -> str:
        if (bad := CONTROL.search(raw)) is not None:
            raise Bad(
                message=f"text must be words, without control characters: U+{ord(bad.group()):04X} at position "
                f"{bad.start()}; give a sentence such as '{self.example}'."
            )
        text = " ".join(raw.split())
        if not self.words(text):
            raise Bad(message=f"text has no words: give a sentence such as '{self.example}'.")
        return text

    def allowed(self) -> str:
        return f"a sentence of at most {self.most} characters with at least one word"

    def schema(self, default: object) -> dict:
        return {"type": "string", "minLength": 1, "maxLength": self.most, "pattern": self.WORD, "default": default}


@dataclass(frozen=True)
class Tokens(Kind):
    """Comma-separated word ids, at most ``most`` of them (their range is checked with the vocab)."""

    most: int
    name: ClassVar[str] = "tokens"
    PATTERN: ClassVar[str] = r"^\s*[0-9]{1,20}\s*(,\s*[0-9]{1,20}\s*)*$"

    @property
    def max_length(self) -> int:  # each id below vocab (at most 1024): 4 digits, a comma, a space
        return self.most * 6

    def parse(self, raw: str) -> tuple[int, ...]:
        parts = raw.split(",")
        if len(parts) > self.most or not all(INT.fullmatch(p.strip()) for p in parts):
            raise Bad
        return tuple(int(p) for p in parts)

    def allowed(self) -> str:
        return f"comma-separated word ids from 0 to vocab - 1, at most {self.most} of them"

    def schema(self, default: object) -> dict:
        return {"type": "string", "pattern": self.PATTERN, "maxLength": self.max_length}

    def text(self, value: object) -> str:
        return ",".join(map(str, value))

    def to_json(self, value: object) -> object:
        return None if value is None else list(value)


@dataclass(frozen=True)
class Field:
    """One field of a table: its kind and default, the sentence that documents it (OpenAPI, the
    page's help), and how the page shows it: ``label`` names the control (and what a teacher's
    link hides), ``hint`` is the line under it, ``group`` the part of the form it sits in ("main",
    "advanced"; "" for a field the form has no control for), ``control`` the macro that draws it."""

    name: str
    kind: Kind
    default: object
    doc: str
    label: str = ""
    hint: str = ""
    group: str = ""
    control: str | None = None
    before: dict[int, object] = dataclasses.field(default_factory=dict, hash=False, compare=False)

    @property
    def lo(self):
        return self.kind.lo

    @property
    def hi(self):
        return self.kind.hi

    @property
    def choices(self) -> tuple[str, ...]:
        return self.kind.choices

    @property
    def label_of(self) -> dict[str, str]:
        return dict(zip(self.kind.choices, self.kind.labels or self.kind.choices, strict=True))

    @property
    def allowed(self) -> str:
        return self.kind.allowed()

    @property
    def max_length(self) -> int:
        return self.kind.max_length

    def problem(self, raw: str, why: str = "") -> Problem:
        got = f"got {shown(raw)!r}" if raw != "" else "got an empty value"
        return Problem(self.name, shown(raw), self.allowed, f"{self.name} must be {self.allowed}{why}; {got}.")

    def parse(self, raw: str) -> object:
        """The typed value of ``raw``, or the Problem naming the field, the value and what is allowed."""
        if len(raw) > self.max_length:
            return Problem(
                self.name,
                shown(raw),
                self.allowed,
                f"{self.name} is {len(raw)} characters long; it must be {self.allowed}.",
            )
        try:
            return self.kind.parse(raw)
        except Bad as bad:
            if bad.message:
                return Problem(self.name, shown(raw), self.allowed, bad.message)
            return self.problem(raw, bad.why)

    def text(self, value: object) -> str:
        return self.kind.text(value)

    def schema(self) -> dict:
        return self.kind.schema(self.default)

    def parameter(self) -> dict:
        """The OpenAPI query parameter."""
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": f"{self.doc} Allowed: {self.allowed}.",
            "schema": self.schema(),
        }

    def as_json(self) -> dict:
        """The field as the page's scripts read it."""
        return {
            "name": self.name,
            "kind": self.kind.name,
            "default": self.kind.to_json(self.default),
            "lo": self.lo,
            "hi": self.hi,
            "choices": list(self.choices),
            "labels": self.label_of,
            "allowed": self.allowed,
            "doc": self.doc,
            "label": self.label,
            "hint": self.hint,
            "group": self.group,
        }


def field(
    kind: Kind,
    default: object,
    doc: str,
    *,
    label: str = "",
    hint: str = "",
    group: str = "",
    control: str | None = None,
    before: dict[int, object] | None = None,
):
    """Declare a field of a table (a frozen dataclass): its attribute's default, with the rest kept
    as metadata for ``fields_of``. ``before``: the default of each earlier state version whose
    default was another ({1: "random"}); a link of that version keeps it forever."""
    hint = hint.format(lo=kind.lo, hi=kind.hi)  # "{lo} to {hi}": the bounds written once, in the kind
    spec = {"kind": kind, "doc": doc, "label": label, "hint": hint, "group": group, "control": control or kind.control}
    spec["before"] = dict(before or {})
    return dataclasses.field(default=default, metadata={"field": spec})


def fields_of(table: type) -> tuple[Field, ...]:
    """The Field records of a table's declared attributes, in declaration order."""
    return tuple(
        Field(f.name, default=f.default, **f.metadata["field"])
        for f in dataclasses.fields(table)
        if "field" in f.metadata
    )


def once(name: str, raw: str) -> Problem:
    """The problem of a field given twice in one link."""
    return Problem(name, shown(raw), "one value", f"{name} is given more than once; give it once.")


def read(pairs: Iterable[tuple[str, str]], table: dict[str, Field], other=None):
    """The pairs a table names, each parsed by its field: ``(values, given, problems)``, where
    ``given`` holds the raw text of each field given once. A pair the table does not name goes to
    ``other(name, raw)``, which returns a Problem (an unknown parameter) or None (kept elsewhere)."""
    given: dict[str, str] = {}
    problems: list[Problem] = []
    for name, raw in pairs:
        if name not in table:
            if other is not None and (problem := other(name, raw)) is not None:
                problems.append(problem)
        elif name in given:
            problems.append(once(name, raw))
        else:
            given[name] = raw
    values: dict[str, object] = {}
    for name, raw in given.items():
        parsed = table[name].parse(raw)
        if isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            values[name] = parsed
    return values, given, problems
