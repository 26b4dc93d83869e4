"""Every preset: description, versions, source, and the masks it resolves to."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request, Response

from app.api.cache import cached_json
from app.api.deps import CacheDep, SettingsDep
from app.api.params import reject_params
from app.api.routes.trace import CACHED
from app.api.schemas import PresetsModel
from app.encoding import dumps
from app.engine.dropout import MaskSpec
from app.engine.semantics import PRESETS, LayerPlan, Rates, resolve

router = APIRouter(prefix="/api", tags=["presets"])


def _words(spec: MaskSpec | None) -> str:
    if spec is None:
        return "none"
    share = "one per gate" if spec.per_gate else "shared by the gates"
    return f"{share}, {'fresh every step' if spec.per_step else 'once per sequence'}"


def _masks(lp: LayerPlan) -> dict[str, str]:
    out = {"input": _words(lp.input), "recurrent": _words(lp.recurrent)}
    if lp.candidate:
        out["candidate"] = _words(lp.candidate)
    if lp.zoneout_c or lp.zoneout_h:
        out["zoneout"] = "per unit, every step"
    if lp.weight_drop:
        out["weight_drop"] = "per weight, once per forward pass"
    if lp.between:
        out["between"] = "per element, every step, on all layers but the last"
    return out


def _cases(name: str) -> list[tuple[str, Rates]]:
    knobs = PRESETS[name].knobs
    if name == "custom":
        return [("dropout, recurrent_dropout > 0 (in_*/rec_* choose sharing and timing)", Rates(0.5, 0.5))]
    if "recurrent_dropout" in knobs:
        return [
            ("dropout > 0, recurrent_dropout = 0", Rates(0.5, 0.0)),
            ("dropout > 0, recurrent_dropout > 0", Rates(0.5, 0.5)),
        ]
    extra = {k: 0.5 for k in knobs - {"dropout"}}
    return [("every rate > 0", Rates(dropout=0.5, **extra))]


@lru_cache(maxsize=1)
def presets_json() -> str:
    out = []
    for name, p in PRESETS.items():
        resolves = []
        for when, rates in _cases(name):
            layers = 2 if name == "pytorch" else 1
            resolves.append(
                {
                    "when": when + (" (2 layers)" if layers == 2 else ""),
                    "masks": _masks(resolve(name, rates, layers).layers[0]),
                }
            )
        out.append(
            {
                "name": name,
                "title": p.title,
                "versions": p.versions,
                "source": p.source,
                "summary": p.summary,
                "knobs": sorted(p.knobs),
                "resolves": resolves,
            }
        )
    return dumps({"presets": out})


@router.get(
    "/presets",
    summary="Every preset with its description, version range, source and the masks it resolves to",
    responses={200: {"model": PresetsModel, "description": "All presets."}, **CACHED},
)
async def get_presets(request: Request, cache: CacheDep, settings: SettingsDep) -> Response:
    reject_params(request)
    return await cached_json(request, "presets", presets_json, cache, settings)
