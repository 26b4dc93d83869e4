"""A state in, the engine's runs out: its weights (shipped or Keras-initialised, cached), its masks'
spec, its trace, the same model without dropout, and the facts of a trace (app/engine/facts.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from functools import lru_cache

from app.engine import model
from app.engine.facts import Facts, measure
from app.engine.init import Weights, keras_weights
from app.engine.lstm import Kernels
from app.engine.semantics import Plan
from app.link.state import RATE_FIELDS, State
from app.weights import trained

# At the largest sizes (vocab 1024, emb 256, 3 x 256 units) weights take 7.4 MB and their kernels
# 6.3 MB: 2 entries (model A and B of a comparison) bound what a stream of distinct shapes or
# init_seeds can hold to 28 MB (issue 21: 8 held 110 MB, more than the idle server's 85 MB);
# a class shares one or two anyway, and a miss costs one draw (a QR per layer).
WEIGHTS_CACHED = 2


@lru_cache(maxsize=WEIGHTS_CACHED)
def weights_for(vocab: int, emb: int, units: int, layers: int, init_seed: int) -> Weights:
    """Keras-initialised weights; cached, since one draw of them serves many masks."""
    return keras_weights(vocab, emb, units, layers, init_seed)


@lru_cache(maxsize=WEIGHTS_CACHED)
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


def without_dropout(s: State) -> State:
    """The same model, weights and input with every dropout rate at 0."""
    return replace(s, emb_dropout=0.0, out_dropout=0.0, **{name: 0.0 for name in RATE_FIELDS})


# A trace without masks takes 5.3 MB at the largest shape (390 steps x 3 layers x 256 units):
# 2 entries, 11 MB. Every seed and phase of a model shares its one.
@lru_cache(maxsize=2)
def _reference_run(s: State) -> model.Trace:
    return run(s)


def reference(s: State) -> model.Trace:
    """The same model and input with every rate 0: no mask at all, so the phase and the mask seed
    change nothing, and one run serves every seed and both phases (cached)."""
    return _reference_run(replace(without_dropout(s), phase="train", seed=0))


_FACTS: OrderedDict[State, tuple[Facts, Facts]] = OrderedDict()


# Facts are a few booleans and counts; the key, a State, holds at most a 10,000-character text and
# 1,000 token ids (about 20 KB): 256 entries hold at most about 5 MB, a few hundred KB in practice.
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
