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
    gzip_level: int = Field(1, ge=0, le=3, description="gzip level (ISA-L: 0 to 3; 1 is fast and small enough).")
    compute_threads: int = Field(2, ge=1, le=64, description="Traces computed at once per worker process.")
    mc_max_work: int = Field(20_000, ge=1, description="Most samples x layers x steps per Monte Carlo request.")
    lab_workers: int = Field(
        2, ge=1, le=64, description="Lab runs training at once per server process (one process each)."
    )
    lab_cache_mb: int = Field(16, ge=0, le=1024, description="Finished lab runs kept for replay, MiB.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
