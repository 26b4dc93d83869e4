"""/api/presets: every preset, its sourced lead and what its masks do, measured."""

from __future__ import annotations

from functools import lru_cache

from app.core.encoding import dumps
from app.engine.semantics import PRESETS
from app.engine.summary import preset_summary


@lru_cache(maxsize=1)
def presets_json() -> str:
    """Every preset: its sourced lead and, per case of its rates, what its masks do, measured on a
    trace (app/engine/summary.py)."""
    out = []
    for name, p in PRESETS.items():
        words = preset_summary(name)
        out.append(
            {
                "name": name,
                "title": p.title,
                "versions": p.versions,
                "source": p.source,
                "summary": words["summary"],
                "knobs": sorted(p.knobs),
                "resolves": words["resolves"],
            }
        )
    return dumps({"presets": out})
