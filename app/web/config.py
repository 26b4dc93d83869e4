"""Settings from the environment (prefix DROPOUT_LAB_), as in the FastAPI full-stack template."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dropout-lab, or ~/.cache/dropout-lab."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dropout-lab"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DROPOUT_LAB_")

    cache_mb: int = Field(64, ge=0, le=4096, description="Size of the in-process response cache, MiB.")
    max_age: int = Field(86_400, ge=0, description="Cache-Control max-age of state-derived responses, seconds.")
    gzip_min_bytes: int = Field(1024, ge=0, description="Responses at least this large are gzipped when accepted.")
    gzip_level: int = Field(1, ge=0, le=3, description="gzip level (ISA-L: 0 to 3; 1 is fast and small enough).")
    compute_threads: int = Field(2, ge=1, le=64, description="Traces computed at once per worker process.")
    mc_max_work: int = Field(20_000, ge=1, description="Most samples x layers x steps per Monte Carlo request.")
    lab_workers: int = Field(
        2, ge=1, le=64, description="Lab runs training at once on the machine, all server processes together."
    )
    lab_cache_dir: Path = Field(
        default_factory=lambda: default_cache_dir() / "lab",
        description="The lab's finished runs, runs in progress and locks, shared by the server processes.",
    )
    lab_cache_mb: int = Field(64, ge=0, le=65_536, description="Finished lab runs kept on disk for replay, MiB.")
    lab_processes: int = Field(
        2,
        ge=1,
        le=64,
        description="Training processes of one lab run (its configurations x seeds share them); the worker reads "
        "DROPOUT_LAB_LAB_PROCESSES itself (app/lab/study.py), at most the machine's cores.",
    )
    lab_grace: float = Field(
        60.0, ge=0, description="Seconds a lab run keeps training after its last listener left (a reload rejoins it)."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
