"""The JS modules a page preloads, read from the import graph of its entry (static/js/pages/*.js).

A page's ``<link rel="modulepreload">`` list is every module its entry imports, directly or not,
so the browser fetches the whole graph at once instead of one level of imports after another.
Only static ``import ... from "./x.js"`` / ``export ... from "../y.js"`` statements are followed;
a dynamic ``import("...")`` loads on demand, so a page that knows it will need one (an embed's
view) names that module as another entry. Modules are named as the templates write them: the path
under static/js without ``.js`` ("explorer/store"). Templates call :func:`preload_modules`.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from pathlib import Path

JS_ROOT = Path(__file__).resolve().parents[3] / "static" / "js"

# a static import or re-export at the start of a line: import x, {a, b} from "./m.js" / import * as
# ns from / import "./m.js" / export {a} from / export * from; never import("./m.js") (dynamic)
STATIC_IMPORT = re.compile(
    r"""^[ \t]*(?:import|export)\s*"""
    r"""(?:(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+|\*)?\s*from\s*)?"""
    r"""(["'])([^"'\n]+)\1""",
    re.M,
)


def static_imports(source: str) -> list[str]:
    """The specifiers of a module's static imports and re-exports, in the order they appear."""
    return [spec for _, spec in STATIC_IMPORT.findall(source)]


def resolve(name: str, spec: str) -> str | None:
    """The module a relative specifier of module ``name`` names ("explorer/store" + "../api.js" ->
    "api"); None for a bare or absolute specifier (not a file under static/js)."""
    if not spec.startswith(("./", "../")):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(name), spec))
    if path.startswith("../") or not path.endswith(".js"):
        raise ValueError(f"{name}.js imports {spec!r}: not a .js module under static/js")
    return path.removesuffix(".js")


@lru_cache(maxsize=64)  # a few pages, each with one or two sets of entries
def preload_modules(*entries: str, root: Path = JS_ROOT) -> tuple[str, ...]:
    """The entries and every module they import, directly or not (static imports only), each once:
    breadth-first from the entries, each module's imports in the order it writes them."""
    order = list(dict.fromkeys(entries))
    seen = set(order)
    for name in order:  # grows while it is walked: a queue
        for spec in static_imports((root / f"{name}.js").read_text(encoding="utf-8")):
            found = resolve(name, spec)
            if found is not None and found not in seen:
                seen.add(found)
                order.append(found)
    return tuple(order)
