"""Settings from the environment (prefix DROPOUT_LAB_), as in the FastAPI full-stack template."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DROPOUT_LAB_")

    cache_mb: int = Field(64, ge=0, le=4096, description="Size of the in-process response cache, MiB.")
    max_age: int = Field(86_400, ge=0, description="Cache-Control max-age of state-derived responses, seconds.")
    gzip_min_bytes: int = Field(1024, ge=0, description="Responses at least this large are gzipped when accepted.")
    gzip_level: int = Field(6, ge=1, le=9, description="zlib compression level.")
    mc_max_samples: int = Field(100, ge=1, le=1000, description="Most Monte Carlo draws per request.")
    mc_max_work: int = Field(20_000, ge=1, description="Most samples x layers x steps per Monte Carlo request.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
