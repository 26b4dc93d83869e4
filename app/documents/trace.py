"""A state in, a trace out: the glue between the shareable state, the engine and the JSON.

``trace_json(state)`` is exactly what ``dropout-lab trace`` prints and ``/api/trace`` serves:

    version, state (canonical), config (resolved), plan (per mask), tokens [{id, word}],
    embedding {x (T,E), mask (T,E), mask_scale},
    layers [{x (T,in), masks {input (T,4,in), recurrent (T,4,H), candidate, zoneout_c,
             zoneout_h, weight_drop (H,4H), between (T,H), gate_output (T,4,H: on the gate
             activations i, f, g, o, preset forum) when used, each NAME with NAME_scale},
             gates {i, f, g, o} (T,H), c (T,H), h (T,H)}],
    output {logit, probability, mask (H,), mask_scale}: mask on the last h before Dense
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import orjson

from app import __version__
from app.core.encoding import dumps, f32, typed_array
from app.documents.run import facts_of, run, spec_of
from app.engine import model
from app.engine.explain import describe
from app.engine.facts import Facts
from app.engine.lstm import GATES
from app.engine.semantics import PRESETS
from app.engine.vocab import word
from app.link import cost
from app.link.state import State
from app.studies import recorded

TRACE_VERSION = 1


def config(s: State, steps: int) -> dict:
    """The resolved configuration: every field with its value, and what follows from them."""
    return {
        **s.as_dict(),
        "steps": steps,
        "mc_samples_max": min(cost.SAMPLES_MAX, cost.most_samples(s)),  # the Monte Carlo draws one request may ask
        "preset_title": PRESETS[s.preset].title,
        "app_version": __version__,
    }


def plan_json(s: State) -> dict:
    return describe(spec_of(s), s.dropout, s.recurrent_dropout, *facts_of(s), recorded.answer())


@lru_cache(maxsize=256)  # a plan's JSON is about 6.5 KB: 256 hold under 2 MB
def _plan_text(spec: model.RunSpec, d: float, rd: float, now: Facts, train: Facts) -> orjson.Fragment:
    return orjson.Fragment(dumps(describe(spec, d, rd, now, train, recorded.answer())))


def plan_fragment(s: State, trace: model.Trace | None = None) -> orjson.Fragment:
    """The plan as serialised JSON, kept per dropout configuration and facts (traces whose arrays
    show the same facts share one); ``trace`` is the state's, if the caller has run it."""
    return _plan_text(replace(spec_of(s), seed=0), s.dropout, s.recurrent_dropout, *facts_of(s, trace))


def expand_mask(mask: model.dp.Mask, steps: int) -> np.ndarray:
    """Compact (nT, nG, D) keep-bits -> full (T, 4, D); other shapes are already full."""
    keep = mask.keep
    if keep.ndim == 3:
        keep = np.broadcast_to(keep, (steps, 4, keep.shape[2]))
    return keep


def trace_dict(s: State) -> dict:
    tr = run(s)
    steps = len(tr.tokens)
    layers = []
    for lt in tr.layers:
        masks = {}
        for name, mask in lt.masks.items():
            masks[name] = typed_array(expand_mask(mask, steps))
            masks[f"{name}_scale"] = f32(mask.scale)
        layers.append(
            {
                "x": typed_array(lt.x),
                "masks": masks,
                "gates": {g: typed_array(lt.record.gate(k)) for k, g in enumerate(GATES)},
                "c": typed_array(lt.c),
                "h": typed_array(lt.h),
            }
        )
    return {
        "version": TRACE_VERSION,
        "state": s.canonical(),
        "config": config(s, steps),
        "plan": plan_fragment(s, tr),
        "tokens": [{"id": int(t), "word": word(int(t))} for t in tr.tokens],
        "unknown_words": s.unknown_words(),
        "embedding": {
            "x": typed_array(tr.embedding),
            "mask": typed_array(tr.embedding_mask.keep),
            "mask_scale": f32(tr.embedding_mask.scale),
        },
        "layers": layers,
        "output": {
            "logit": f32(tr.logit),
            "probability": f32(tr.probability),
            "mask": typed_array(tr.output_mask.keep),
            "mask_scale": f32(tr.output_mask.scale),
        },
    }


def trace_json(s: State) -> str:
    return dumps(trace_dict(s))


def state_json(s: State) -> str:
    """/api/state: the canonical state, its resolved plan and notes, without arrays."""
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
