"""Dependencies shared by the routers (Annotated aliases, as in the FastAPI template).

They are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool, a thread hop
per request for what is a dictionary lookup."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.api.cache import BodyCache
from app.core.config import Settings, get_settings


async def settings_dep() -> Settings:
    return get_settings()


async def cache_dep(request: Request) -> BodyCache:
    return request.app.state.cache


SettingsDep = Annotated[Settings, Depends(settings_dep)]
CacheDep = Annotated[BodyCache, Depends(cache_dep)]
