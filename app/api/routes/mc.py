"""Monte Carlo dropout: many mask draws of one state."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.cache import cached_json
from app.api.deps import CacheDep, SettingsDep
from app.api.params import SAMPLES, openapi_parameters, parse_request
from app.api.routes.trace import CACHED
from app.api.schemas import MCModel
from app.encoding import dumps, f32, typed_array
from app.engine.lstm import GATES
from app.engine.mc import monte_carlo
from app.state import Problem, State, StateError
from app.trace import TRACE_VERSION, spec_of, state_kernels, state_weights

router = APIRouter(prefix="/api", tags=["monte carlo"])


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


@router.get(
    "/mc",
    summary="Monte Carlo dropout: output probability per draw, mean and spread of h and each gate",
    responses={200: {"model": MCModel, "description": "Per-draw probabilities and per-step spreads."}, **CACHED},
    openapi_extra=openapi_parameters(SAMPLES),
)
async def get_mc(request: Request, cache: CacheDep, settings: SettingsDep) -> Response:
    s, extra = parse_request(request, SAMPLES)
    samples = extra["samples"]
    per_sample = s.layers * len(s.sequence())
    work = samples * per_sample
    if work > settings.mc_max_work:
        most = max(1, settings.mc_max_work // per_sample)
        raise StateError(
            [
                Problem(
                    "samples",
                    str(samples),
                    f"at most {most} for this state",
                    f"samples x layers x steps = {work} is more than one request may compute "
                    f"({settings.mc_max_work}); use at most {most} samples, or a shorter sentence.",
                )
            ]
        )
    key = f"mc|{samples}|{s.canonical()}"
    return await cached_json(request, key, lambda: mc_json(s, samples), cache, settings)
