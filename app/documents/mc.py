"""/api/mc: Monte Carlo dropout, ``samples`` draws of the state's masks (seeds seed, seed + 1, ...), the
mean and spread of the output, the gates and h."""

from __future__ import annotations

from app.core.encoding import dumps, f32, typed_array
from app.documents.run import spec_of, state_kernels, state_weights
from app.documents.trace import TRACE_VERSION
from app.engine.lstm import GATES
from app.engine.mc import monte_carlo
from app.link.state import State


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
