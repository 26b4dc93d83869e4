"""Every JSON document the API serves besides the trace (app/documents/trace.py): the resolved state,
Monte Carlo draws, the presets, the framework code. Each is a pure function of its input and
returns the exact text served (and cached); routes only parse, bound and cache."""

from __future__ import annotations

from functools import lru_cache

from app.codegen import code
from app.core.encoding import dumps, f32, typed_array
from app.documents.trace import (
    TRACE_VERSION,
    config,
    plan_fragment,
    spec_of,
    state_kernels,
    state_weights,
    through_time,
    without_dropout,
)
from app.engine.data import label as data_label
from app.engine.lstm import GATES
from app.engine.mc import monte_carlo
from app.engine.semantics import PRESETS
from app.engine.summary import preset_summary
from app.engine.vocab import word
from app.link.state import State


def state_json(s: State) -> str:
    steps = s.sequence()
    return dumps(
        {
            "version": TRACE_VERSION,
            "state": s.canonical(),
            "link": "/?" + s.canonical(),
            "config": config(s, len(steps)),
            "plan": plan_fragment(s),
            "tokens": [{"id": int(t), "word": word(int(t))} for t in steps],
            "unknown_words": s.unknown_words(),
        }
    )


def mc_json(s: State, samples: int) -> str:
    seq = s.sequence()
    res = monte_carlo(seq, state_weights(s), state_kernels(s), spec_of(s), samples)
    notes = [f"Draw k uses the masks of seed {s.seed} + k; draw 0 is the trace of this state."]
    if not s.train:
        notes.append("phase=infer drops nothing, so every draw is the same: Monte Carlo dropout needs phase=train.")
    return dumps(
        {
            "version": TRACE_VERSION,
            "state": s.canonical(),
            "samples": samples,
            "seeds": list(res.seeds),
            "probability": [f32(p) for p in res.probability],
            "probability_mean": f32(res.probability.mean()),
            "probability_std": f32(res.probability.std()),
            "layers": [
                {
                    "h": {"mean": typed_array(layer.h.mean), "std": typed_array(layer.h.std)},
                    "gates": {
                        g: {"mean": typed_array(sp.mean), "std": typed_array(sp.std)}
                        for g, sp in zip(GATES, layer.gates, strict=True)
                    },
                }
                for layer in res.layers
            ],
            "notes": notes,
        }
    )


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


def rule_label(s: State) -> int:
    """The toy task's label of the state's sentence (a sentence without a sentiment word: 1)."""
    found = data_label(s.sequence())
    return 1 if found is None else found


def grads_json(s: State, label: int) -> str:
    """/api/grads: gradients through time with the state's masks, and without any dropout."""
    notes = [
        "dh_norm, dc_norm: the norm over units of dL/dh_t and dL/dc_t at each step; embedding.grad: "
        "dL/de_t of the embedding output. A mask blocks the backward pass as it blocks the forward "
        "one: an element it dropped gets exactly zero gradient."
    ]
    if not s.train:
        notes.append("phase=infer applies no mask: both halves are the same computation.")
    return dumps(
        {
            "version": TRACE_VERSION,
            "state": s.canonical(),
            "label": label,
            "rule_label": rule_label(s),
            **through_time(s, label),
            "without_dropout": through_time(without_dropout(s), label),
            "notes": notes,
        }
    )


def code_json(s: State) -> str:
    return dumps(code(s))
