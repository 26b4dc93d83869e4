"""``explain(x)``: the explorer's answer for a model, in a notebook, without a server.

``x`` is a built Keras 3 / tf.keras 2 model or a PyTorch module, pasted code (read, never run),
or an explorer link (inputs.py). Each model is traced once (traced.py); the ``Explanation`` holds
the state (A, and B in compare mode), the plan's verdict in the explorer's words, the figures and
the cell, and renders all of it as HTML in Jupyter or Colab (notebook_html.py). What cannot be
opened (a reading's reasons, a link's problems) is an ``Explanation`` too, ``ok`` False, showing
why line by line: ``explain`` raises nothing for what it is given.
"""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

from app.link import compare
from app.link.state import State
from dropout_lab import notebook_html
from dropout_lab.cell_svg import cell_svg
from dropout_lab.figures import figures
from dropout_lab.inputs import Given, overridden, read_given
from dropout_lab.traced import Traced, traced

BASE_URL = "http://127.0.0.1:8000"  # dropout-lab serve's default address


class Explanation:
    """What the explorer shows for one model (or two, compared). ``state``: A; ``compared``: B or None."""

    def __init__(self, given: Given) -> None:
        self.given = given
        self.a: Traced | None = traced(given.a) if given.a is not None else None
        self.b: Traced | None = traced(given.b) if given.b is not None else None

    @property
    def ok(self) -> bool:
        return self.a is not None

    @property
    def state(self) -> State | None:
        return self.given.a

    @property
    def compared(self) -> State | None:
        return self.given.b

    @property
    def notes(self) -> list:
        return self.given.notes

    @property
    def reasons(self) -> list:
        """Why the model cannot be opened: the reading's reasons (line-numbered), a link's problems."""
        return [*self.given.reasons, *self.given.problems]

    @property
    def query(self) -> str | None:
        """The canonical link's query: A's fields and B's differences as vs. fields."""
        return compare.canonical(self.given.a, self.given.b) if self.given.a is not None else None

    def link(self, base_url: str = BASE_URL) -> str | None:
        """The explorer's URL for these models (``dropout-lab serve`` answers it)."""
        return f"{base_url.rstrip('/')}/?{self.query}" if self.query is not None else None

    @property
    def plan(self) -> dict | None:
        """A's plan as the page's trace carries it: per mask its words, the verdict, the notes."""
        return self.a.plan if self.a is not None else None

    @property
    def verdict(self) -> str | None:
        """The answer the explorer shows for A, its points and the difference, as text."""
        if self.a is None:
            return None
        v = self.a.plan["verdict"]
        points = [f"{k}. {p['title']}. {p['text']}" for k, p in enumerate(v["points"], 1)]
        return "\n".join([v["answer"], *points, v["difference"]])

    def figures(self, units: tuple[int, ...] = (0, 1, 2)) -> list[go.Figure]:
        """The masks over time of A (and B), then the gates, c and h of ``units`` over time."""
        return figures(self.a, self.b, units) if self.a is not None else []

    def cell_svg(self, step: int | None = None, layer: int = 0, model: str = "A") -> str | None:
        """The cell at ``step`` (default the last) as SVG, with every mask on its wire; model "A" or "B"."""
        if model.upper() not in ("A", "B"):
            raise ValueError(f"model must be 'A' or 'B'; got {model!r}")
        tr = self.a if model.upper() == "A" else self.b
        if tr is None:
            return None
        return cell_svg(tr, step, layer, model.upper() if self.b is not None else "")

    def alternatives(self, base_url: str = BASE_URL) -> dict[str, str]:
        """Keras code read under each other Keras the lab knows: {title: explorer URL}."""
        return {title: f"{base_url.rstrip('/')}/?{query}" for title, query in self.given.alternatives.values()}

    def _reasons(self) -> list[tuple[str, str]]:
        """(why, the code or the link's field it is about) of each reason and problem."""
        out = [(str(r), getattr(r, "code", "").strip()) for r in self.given.reasons]
        return out + [(p.message, f"{p.field}={p.value}" if p.field else "") for p in self.given.problems]

    @property
    def models(self) -> list[dict]:
        """The models read from code or a built model, A first, as the page's "Read from your code"
        panel shows them: role, first_line, last_line, framework and its title, mapping (line, code,
        fields); empty for a link."""
        return self.given.models

    def _read_html(self) -> str:
        """What was read: the page's panel for code or a built model; a link's notes, if any."""
        notes = [str(n) for n in self.notes]
        if not self.given.models:
            return notebook_html.items_html("Notes", notes, "notes")
        title = "Read from your code" if self.given.kind == "code" else "Read from your model"
        return notebook_html.read_panel_html(title, self.given.models, notes, self.alternatives())

    def _link_html(self) -> str:
        """The explorer's link, with A's (and B's) query in small print: the panel says which is which."""
        queries = [("A: " if self.b is not None else "", self.a.state.canonical())] if self.a is not None else []
        if self.b is not None:
            queries.append(("B: ", self.b.state.canonical()))
        small = " \u00b7 ".join(f"{who}<code>{escape(q)}</code>" for who, q in queries)
        return (
            f'<p><a href="{escape(self.link() or "")}">Open in the explorer</a> (with <code>dropout-lab serve</code> '
            f'running)<br><small class="queries" style="color: #5b6577">{small}</small></p>'
        )

    def _repr_html_(self) -> str:
        if self.a is None:
            title = "The lab cannot open this model" if self.given.kind != "link" else "This link has problems"
            notes = notebook_html.items_html("Notes", [str(n) for n in self.notes], "notes")
            return notebook_html.page(f"<h3>{escape(title)}</h3>", notebook_html.reasons_html(self._reasons()), notes)
        heading = "The answer, for model A below" if self.b is not None else "The answer, for the model below"
        cells = "".join(
            f'<div style="flex: 1 1 600px; min-width: 0; max-width: 780px">{svg}</div>'
            for svg in (self.cell_svg(), self.cell_svg(model="B") if self.b is not None else None)
            if svg
        )
        return notebook_html.page(
            self._read_html(),  # above the answer, as on the page the code opens
            notebook_html.verdict_html(self.a.plan["verdict"], heading),
            self._link_html(),
            f'<div class="cells" style="display: flex; flex-wrap: wrap; gap: 8px">{cells}</div>',
            scripts=notebook_html.figures_html(self.figures(), notebook_html.take_plotlyjs()),
        )

    def __repr__(self) -> str:
        if self.a is None:
            lines = [why + (f"\n    {code}" if code else "") for why, code in self._reasons()]
            return "\n".join(["Explanation: cannot open this model", *lines])
        read = [
            (f"{m['role']}: " if len(self.models) > 1 else "") + f"{notebook_html.lines_of(m)}, {m['title']}"
            for m in self.models
        ]
        return "\n".join([f"Explanation({self.query!r})", *read, self.verdict])


def explain(x: object, *, seed: int | None = None, phase: str | None = None) -> Explanation:
    """The explorer's answer for ``x``: a built Keras / PyTorch model, its code (a string, never run)
    or an explorer link; ``seed`` (the masks') and ``phase`` ("train" or "infer") replace the state's."""
    return Explanation(overridden(read_given(x), seed, phase))
