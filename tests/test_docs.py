"""docs/semantics.md cites the tests that check its statements: every one it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "semantics.md"


def cited() -> set[tuple[str, str]]:
    return set(re.findall(r"(tests/[\w/]+\.py)::(\w+)", DOC.read_text(encoding="utf-8")))


def test_every_test_the_reference_cites_exists():
    refs = cited()
    assert len(refs) >= 20
    missing = []
    for path, name in sorted(refs):
        source = ROOT / path
        tree = ast.parse(source.read_text(encoding="utf-8")) if source.exists() else None
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)} if tree else set()
        if name not in names:
            missing.append(f"{path}::{name}")
    assert not missing, missing


def test_the_reference_covers_every_preset():
    from app.engine.semantics import PRESETS

    text = DOC.read_text(encoding="utf-8")
    assert all(f"{name}" in text for name in PRESETS)
    assert "read from source" in text and "PR #20983" in text and "PR #20663" in text
