"""The engine is pure NumPy: it imports nothing web, nothing from the app around it."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).parents[2] / "app" / "engine"
ALLOWED = {
    "__future__",
    "collections.abc",
    "concurrent.futures",
    "dataclasses",
    "functools",
    "math",
    "numpy",
    "app.engine",
    "time",
    "typing",
}


def test_engine_imports_only_numpy_and_itself():
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name in ALLOWED or name.startswith("app.engine."), f"{path.name} imports {name}"


def test_engine_uses_no_global_numpy_random():
    for path in ENGINE.glob("*.py"):
        text = path.read_text()
        for banned in (
            "np.random.seed",
            "np.random.rand(",
            "np.random.randn",
            "np.random.random(",
            "np.random.uniform",
        ):
            assert banned not in text, f"{path.name} uses {banned}"
