"""Settings from the environment (prefix DROPOUT_LAB_), as in the FastAPI full-stack template."""

from __future__ import annotations

import ipaddress
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.problems import shown

# The address students open (QR codes, the share panel's link): one public origin, never the Host
# header of a request (app/web/hosts.py). `dropout-lab serve` derives it from --host and --port.
PUBLIC_URL_VARIABLE = "DROPOUT_LAB_PUBLIC_URL"
ALLOWED_HOSTS_VARIABLE = "DROPOUT_LAB_ALLOWED_HOSTS"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # in-process (tests, uvicorn --factory) without the variable
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?")


def _address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _host_ok(host: str) -> bool:
    return bool(HOST_NAME.fullmatch(host)) or _address(host)


def check_public_url(value: str) -> str:
    """``value`` as ``scheme://host[:port]`` (lower-case), or a ValueError naming the variable, the
    value and what is allowed: a mistyped address would put a dead link in every QR code."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # a ValueError when not a number from 0 to 65535
    except ValueError:
        parts, port = None, None
    host = parts.hostname if parts else None
    if not (
        parts
        and parts.scheme in ("http", "https")
        and host
        and _host_ok(host)
        and port != 0
        and parts.username is None
        and parts.password is None
        and parts.path in ("", "/")
        and not any(c in text for c in "?#")
        and not any(c.isspace() or not c.isprintable() for c in text)
    ):
        raise ValueError(
            f"{PUBLIC_URL_VARIABLE}={shown(value)!r} is not allowed: give the address students open, an absolute "
            "http:// or https:// URL of a host (and port) with no path, query or fragment, such as "
            "http://192.168.1.20:8000 or https://lab.school.org"
        )
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + ("" if port is None else f":{port}")


def public_host(public_url: str) -> str:
    """The host name of a checked public URL (an IPv6 address without its brackets)."""
    return urlsplit(public_url).hostname


def check_allowed_hosts(value) -> tuple[str, ...]:
    """Comma-separated host names (or a list of them): lower-case, without brackets, each once; a
    ValueError naming the variable for a name with a scheme, a port or a path."""
    items = value.split(",") if isinstance(value, str) else list(value)
    hosts: list[str] = []
    for item in items:
        host = str(item).strip().lower()
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if not host:
            continue
        if not _host_ok(host):
            raise ValueError(
                f"{ALLOWED_HOSTS_VARIABLE}: {shown(str(item).strip())!r} is not allowed: give host names or "
                "addresses without scheme, port or path, comma-separated, such as lab.school.org,192.168.1.20"
            )
        if host not in hosts:
            hosts.append(host)
    return tuple(hosts)


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
    redis_url: str | None = Field(
        None,
        max_length=2048,
        description="Redis shared by every web process and `dropout-lab worker` (redis://host:6379/0): lab runs "
        "become jobs of its queue, their events and replays live in it (README: More than one machine). Unset: "
        "one machine, runs trained by the server processes, replays on disk.",
    )
    lab_max_wait: float = Field(
        300.0,
        ge=0,
        le=86_400,
        description="With Redis: a new lab run that would wait longer than this in the queue, seconds (its depth x "
        "the last runs' mean duration / the live workers), is refused with a 429 and Retry-After.",
    )
    public_url: str = Field(
        DEFAULT_PUBLIC_URL,
        description="The address students open (QR codes, the share panel's link): an absolute http(s) URL without "
        "a path. `dropout-lab serve` derives it from --host and --port when unset.",
    )
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Host names this server answers to, comma-separated; any other Host header gets a 400 "
        "(app/web/hosts.py). Default: the public URL's host, localhost, 127.0.0.1 and ::1; the public URL's host "
        "is always allowed.",
    )

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        return check_public_url(value)

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if not value:  # unset, or set empty: one machine
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"DROPOUT_LAB_REDIS_URL={value!r}: a Redis URL is needed: redis://host:6379/0, rediss://... (TLS) "
                "or unix:///path/to/redis.sock"
            )
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _check_allowed_hosts(cls, value) -> tuple[str, ...]:
        return check_allowed_hosts(value)

    @model_validator(mode="after")
    def _allow_the_public_host(self) -> Settings:
        """The public URL's host is always allowed: refusing it would refuse every QR code."""
        public = public_host(self.public_url)
        self.allowed_hosts = tuple(dict.fromkeys((public, *(self.allowed_hosts or LOOPBACK_HOSTS))))
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
