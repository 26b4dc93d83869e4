"""Pieces shared by the code generators: fidelity, numbers, comments, calls, MaskedLSTM's arguments."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from app.engine.semantics import LayerPlan


@dataclass(frozen=True)
class Fidelity:
    """Whether one framework's code does what the plan says with built-in layers alone.

    ``exact`` is True when it does; otherwise the code defines ``custom`` (class names) that do.
    ``how`` says which, in one sentence."""

    exact: bool
    custom: tuple[str, ...]
    how: str

    def as_dict(self) -> dict:
        return {"exact": self.exact, "custom": list(self.custom), "how": self.how}


def num(x: float) -> str:
    return repr(float(x))


def comment(text: str, width: int = 100) -> list[str]:
    """``text`` as ``#`` lines of at most ``width`` characters."""
    return ["# " + line for line in textwrap.wrap(text, width - 2)]


def call(head: str, args: list[str], tail: str = "", width: int = 100) -> list[str]:
    """``head(arg, ...)tail`` on one line, or one argument per line when it would be too long."""
    line = f"{head}({', '.join(args)}){tail}"
    if len(line) <= width:
        return [line]
    return [f"{head}(", *(f"    {a}," for a in args), f"){tail}"]


def features(lp: LayerPlan) -> set[str]:
    """The optional parts of MaskedLSTM (cells.py) that the layer's plan uses."""
    on = {
        "candidate": lp.candidate,
        "zoneout": lp.zoneout_c or lp.zoneout_h,
        "weight_drop": lp.weight_drop,
        "gate_output": lp.gate_output,
    }
    return {name for name, used in on.items() if used}


def masked_kwargs(lp: LayerPlan) -> dict[str, str]:
    """MaskedLSTM's keyword arguments for one layer's plan (defaults left out)."""
    kw: dict[str, str] = {}
    for arg, prefix, spec in (("dropout", "dropout", lp.input), ("recurrent_dropout", "recurrent", lp.recurrent)):
        if spec:
            kw[arg] = num(spec.rate)
            if spec.per_gate:
                kw[f"{prefix}_gates"] = "4"
            if spec.per_step:
                kw[f"{prefix}_per_step"] = "True"
    if lp.candidate:
        kw["candidate_dropout"] = num(lp.candidate.rate)
    if lp.gate_output:
        kw["gate_dropout"] = num(lp.gate_output.rate)
    for arg in ("zoneout_c", "zoneout_h", "weight_drop"):
        if getattr(lp, arg):
            kw[arg] = num(getattr(lp, arg))
    return kw
