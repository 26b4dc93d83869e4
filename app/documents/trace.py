"""A state in, a trace out: the glue between the shareable state, the engine and the JSON.

``trace_json(state)`` is exactly what ``dropout-lab trace`` prints and ``/api/trace`` serves:

    version, state (canonical), config (resolved), plan (per mask), tokens [{id, word}],
    embedding {x (T,E), mask (T,E), mask_scale},
    layers [{x (T,in), masks {input (T,4,in), recurrent (T,4,H), candidate, zoneout_c,
             zoneout_h, weight_drop (H,4H), between (T,H) when used, each NAME with NAME_scale},
             gates {i, f, g, o} (T,H), c (T,H), h (T,H)}],
    output {logit, probability, mask (H,), mask_scale}: mask on the last h before Dense
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from functools import lru_cache

import numpy as np
import orjson

from app import __version__
from app.core.encoding import dumps, f32, typed_array
from app.engine import batch, model
from app.engine.explain import describe
from app.engine.facts import Facts, measure
from app.engine.init import Weights, keras_weights
from app.engine.lstm import GATES, Kernels
from app.engine.semantics import PRESETS, Plan
from app.engine.vocab import word
from app.link.state import RATE_FIELDS, State
from app.weights import trained

TRACE_VERSION = 1


# At the largest sizes (vocab 1024, emb 256, 3 x 256 units) weights and kernels take 14 MB:
# 8 entries bound what a stream of distinct init_seeds can hold to about 110 MB; a class
# shares one or two anyway.
@lru_cache(maxsize=8)
def weights_for(vocab: int, emb: int, units: int, layers: int, init_seed: int) -> Weights:
    """Keras-initialised weights; cached, since one draw of them serves many masks."""
    return keras_weights(vocab, emb, units, layers, init_seed)


@lru_cache(maxsize=8)
def kernels_for(vocab: int, emb: int, units: int, layers: int, init_seed: int) -> tuple[Kernels, ...]:
    """The same weights laid out for the loop (app.engine.lstm.prepare), cached alongside."""
    return model.prepare_layers(weights_for(vocab, emb, units, layers, init_seed))


@lru_cache(maxsize=len(trained.LAYERS))
def trained_kernels(layers: int) -> tuple[Kernels, ...]:
    return model.prepare_layers(trained.load(layers))


def state_weights(s: State) -> Weights:
    if s.weights == "trained":
        return trained.load(s.layers)
    return weights_for(s.vocab, s.emb, s.units, s.layers, s.init_seed)


def state_kernels(s: State) -> tuple[Kernels, ...]:
    if s.weights == "trained":
        return trained_kernels(s.layers)
    return kernels_for(s.vocab, s.emb, s.units, s.layers, s.init_seed)


def plan_of(s: State) -> Plan:
    return s.plan()


def spec_of(s: State) -> model.RunSpec:
    return s.run_spec()


def run(s: State) -> model.Trace:
    return model.run(s.sequence(), state_weights(s), spec_of(s), state_kernels(s))


def config(s: State, steps: int) -> dict:
    """The resolved configuration: every field with its value, and what follows from them."""
    return {
        **s.as_dict(),
        "steps": steps,
        "preset_title": PRESETS[s.preset].title,
        "app_version": __version__,
    }


@lru_cache(maxsize=8)
def _reference_run(s: State) -> model.Trace:
    return run(s)


def reference(s: State) -> model.Trace:
    """The same model and input with every rate 0: no mask at all, so the phase and the mask seed
    change nothing, and one run serves every seed and both phases (cached)."""
    return _reference_run(replace(without_dropout(s), phase="train", seed=0))


_FACTS: OrderedDict[State, tuple[Facts, Facts]] = OrderedDict()
FACTS_CACHED = 256
_FACTS_LOCK = threading.Lock()


def facts_of(s: State, trace: model.Trace | None = None) -> tuple[Facts, Facts]:
    """The facts of the state's trace (``trace``, if the caller has run it), and of the same state in
    training (app/engine/facts.py); the last FACTS_CACHED states' are kept."""
    with _FACTS_LOCK:
        hit = _FACTS.get(s)
        if hit is not None:
            _FACTS.move_to_end(s)
            return hit
    now = measure(trace or run(s), reference(s))
    train = now if s.train else measure(run(replace(s, phase="train")), reference(s))
    with _FACTS_LOCK:  # compute threads share it (app/core/compute.py)
        _FACTS[s] = (now, train)
        if len(_FACTS) > FACTS_CACHED:
            _FACTS.popitem(last=False)
    return now, train


def plan_json(s: State) -> dict:
    return describe(spec_of(s), s.dropout, s.recurrent_dropout, *facts_of(s))


@lru_cache(maxsize=256)
def _plan_text(spec: model.RunSpec, d: float, rd: float, now: Facts, train: Facts) -> orjson.Fragment:
    return orjson.Fragment(dumps(describe(spec, d, rd, now, train)))


def plan_fragment(s: State, trace: model.Trace | None = None) -> orjson.Fragment:
    """The plan as serialised JSON, kept per dropout configuration and facts (traces whose arrays
    show the same facts share one); ``trace`` is the state's, if the caller has run it."""
    return _plan_text(replace(spec_of(s), seed=0), s.dropout, s.recurrent_dropout, *facts_of(s, trace))


def _expand(mask: model.dp.Mask, steps: int) -> np.ndarray:
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
            masks[name] = typed_array(_expand(mask, steps))
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


def weights_layout(w: Weights) -> dict:
    """Weights (or gradients, which have the same shapes) in the weights JSON layout."""
    return {
        "embedding": typed_array(w.embedding),
        "layers": [
            {
                "kernel": typed_array(lw.kernel),
                "recurrent_kernel": typed_array(lw.recurrent_kernel),
                "bias": typed_array(lw.bias),
            }
            for lw in w.layers
        ],
        "dense_kernel": typed_array(w.dense_kernel),
        "dense_bias": typed_array(w.dense_bias),
    }


def weights_json(s: State) -> str:
    return dumps({"version": TRACE_VERSION, "state": s.canonical(), **weights_layout(state_weights(s))})


def grads(s: State, label: int) -> tuple[float, Weights, float]:
    """Loss, the gradient of every weight and the probability, for the state's one sequence with
    exactly the masks its trace shows (nothing dropped at phase=infer)."""
    tr = run(s)
    masks = batch.stack_masks([tr.draw], s.run_spec())
    labels = np.array([label], dtype=np.float32)
    loss, g, p = batch.loss_and_grads(state_weights(s), tr.tokens[None], labels, masks)
    return loss, g, float(p[0])


def without_dropout(s: State) -> State:
    """The same model, weights and input with every dropout rate at 0."""
    return replace(s, emb_dropout=0.0, out_dropout=0.0, **{name: 0.0 for name in RATE_FIELDS})


def through_time(s: State, label: int) -> dict:
    """Loss, probability and the gradients through time of the state's sequence with its masks:
    per layer the norm over units of dL/dh_t and dL/dc_t at every step, and dL/de_t of the
    embedding output (T, E), zero where embedding dropout dropped an element."""
    tr = run(s)
    out: dict = {}
    loss, _, p = batch.loss_and_grads(
        state_weights(s),
        tr.tokens[None],
        np.array([label], np.float32),
        batch.stack_masks([tr.draw], s.run_spec()),
        1,
        out,
    )
    return {
        "loss": f32(loss),
        "probability": f32(p[0]),
        "layers": [
            {
                "dh_norm": typed_array(np.linalg.norm(dh[:, 0], axis=1)),
                "dc_norm": typed_array(np.linalg.norm(dc[:, 0], axis=1)),
            }
            for dh, dc in zip(out["dh"], out["dc"], strict=True)
        ],
        "embedding": {
            "grad": typed_array(out["embedding"][:, 0]),
            "norm": typed_array(np.linalg.norm(out["embedding"][:, 0], axis=1)),
        },
    }


def grads_json(s: State, label: int) -> str:
    loss, g, p = grads(s, label)
    return dumps(
        {
            "version": TRACE_VERSION,
            "state": s.canonical(),
            "label": label,
            "loss": f32(loss),
            "probability": f32(p),
            **weights_layout(g),
        }
    )
