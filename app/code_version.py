"""The code version: the package version and a hash of every file of the ``app`` package (its
sources, the shipped weights, the recorded studies, the lessons), in path order.

A response that is a pure function of its URL is so for one code version: its ETag holds it
(app/web/cache.py), so two servers of the same code answer a link with the same bytes and ETag,
and a deploy of other code gives other ETags, never an old body under a new validator.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from app import __version__

PACKAGE = Path(__file__).parent


@functools.cache
def code_version() -> str:
    """``<version>+<12 hex digits>``, e.g. ``0.1.0+3f9c2a71b0de`` (about 5 ms, once per process)."""
    tree = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        tree.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        tree.update(hashlib.sha256(path.read_bytes()).digest())
    return f"{__version__}+{tree.hexdigest()[:12]}"
