"""Dependencies shared by the routers (Annotated aliases, as in the FastAPI template)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.api.cache import BodyCache
from app.core.config import Settings, get_settings

SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_cache(request: Request) -> BodyCache:
    return request.app.state.cache


CacheDep = Annotated[BodyCache, Depends(get_cache)]
