"""The modulepreload lists come from the JS import graph (app/web/pages/modules.py): each page's list
is the closure its entry's static imports reach, every module in it exists, and the pages render it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app
from app.web.pages.modules import JS_ROOT, preload_modules, static_imports
from app.web.static_files import STORE

STATIC_JS = Path(__file__).resolve().parents[3] / "static" / "js"
# what each page's template asks for: its entry, and for an embed the modules its view import()s
PAGES = {
    "/": ("pages/explorer",),
    "/lessons/seed-question/1": ("pages/explorer",),
    "/train": ("pages/train",),
    "/lessons": ("pages/lessons",),
    "/embed?view=cell": ("pages/embed", "embed/cell"),
    "/embed?view=fig-h": ("pages/embed", "embed/figure-of", "embed/fit", "embed/summary"),
}
ENTRIES = sorted(set(PAGES.values()))
TEMPLATES = {"explorer": "pages/explorer", "train": "pages/train", "lessons": "pages/lessons", "embed": "pages/embed"}


def walk(entries: tuple[str, ...], root: Path = STATIC_JS) -> set[str]:
    """An independent walk: every `from "./..."` / `import "./..."` of each file, resolved as paths."""
    seen, todo = set(), list(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = (root / f"{name}.js").read_text()
        for rel in re.findall(r"""^(?:import|export)\b[^;(]*?["'](\.\.?/[^"']+)["'];?\s*$""", text, re.M):
            path = ((root / name).parent / rel).resolve()
            todo.append(path.relative_to(root.resolve()).with_suffix("").as_posix())
    return seen


def test_each_template_walks_from_the_script_it_loads():
    for template, entry in TEMPLATES.items():
        html = (STATIC_JS.parents[1] / "templates" / f"{template}.html").read_text()
        assert f'{{{{ js.entry("{entry}"' in html, template  # templates/_entry.html: the script and its preloads


@pytest.mark.parametrize("entries", ENTRIES, ids="+".join)
def test_each_pages_closure_is_what_an_independent_walk_finds(entries):
    modules = preload_modules(*entries)
    assert modules[: len(entries)] == entries  # the entries first, in the order given
    assert len(set(modules)) == len(modules)  # each once
    assert set(modules) == walk(entries)
    assert preload_modules(*entries) is modules  # cached


@pytest.mark.parametrize("entries", ENTRIES, ids="+".join)
def test_every_listed_module_exists(entries):
    assert JS_ROOT == STATIC_JS
    for name in preload_modules(*entries):
        assert not name.endswith(".js") and not name.startswith(("/", "."))
        assert (STATIC_JS / f"{name}.js").is_file(), name


def test_the_closures_hold_what_the_pages_need():
    """Spot checks that a walk reading nothing would fail: the explorer reaches the lesson player
    through explorer/teaching.js; the embedded cell does not load the figures."""
    explorer = preload_modules("pages/explorer")
    assert {"explorer/store", "lesson/player", "cell/diagram", "figures/by-id", "model-line"} <= set(explorer)
    assert not any(m.startswith(("lab/", "embed/")) for m in explorer)
    cell = set(preload_modules("pages/embed", "embed/cell"))
    assert "cell/diagram" in cell and "figures/masks" not in cell
    assert "embed/cell" not in preload_modules("pages/embed")  # import("../embed/cell.js"): dynamic, not followed
    assert set(preload_modules("pages/lessons")) == {
        "pages/lessons",
        "classroom/present",
        "classroom/share",
        "keys",
        "cell/geometry",  # present.js fits the cell to the projector with its layouts
    }


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_chain_a_cycle_and_what_is_not_a_static_import(tmp_path):
    root = write(
        tmp_path,
        {
            "a.js": '// import { no } from "./comment.js";\nimport { b } from "./b.js";\nexport const a = b;\n',
            "b.js": (
                "/** Calls import() on demand. */\n"
                "import {\n  c,\n  cc as d,\n} from './c.js';\n"
                'import "./side/effect.js";\n'
                'export const b = () => import("./lazy.js");\n'
            ),
            "c.js": 'import { a } from "./a.js"; // the cycle\nexport * from "./side/more.js";\nexport const c = a;\n',
            "side/effect.js": 'import { c } from "../c.js";\nimport x from "https://example.org/x.js";\n',
            "side/more.js": 'export * as all from "./deeper/last.js";\n',
            "side/deeper/last.js": "export const last = 1;\n",
        },
    )
    assert preload_modules("a", root=root) == ("a", "b", "c", "side/effect", "side/more", "side/deeper/last")
    assert preload_modules("c", root=root) == ("c", "a", "side/more", "b", "side/deeper/last", "side/effect")
    assert preload_modules("side/deeper/last", root=root) == ("side/deeper/last",)
    assert set(preload_modules("b", "a", root=root)) == walk(("b", "a"), root)


def test_an_import_that_names_no_module_fails_loudly(tmp_path):
    root = write(tmp_path, {"a.js": 'import "./gone.js";\n', "b.js": 'import "../../outside.js";\n'})
    with pytest.raises(FileNotFoundError):
        preload_modules("a", root=root)
    with pytest.raises(ValueError, match=r"not a \.js module under static/js"):
        preload_modules("b", root=root)


def test_static_imports_skips_dynamic_imports_and_comments():
    source = (
        'import { x } from "./x.js";\n'
        '// import "./commented.js";\n'
        ' * import y from "./jsdoc.js";\n'
        'const lazy = await import("./lazy.js");\n'
        'export { z } from "../z.js";\n'
        "import def, * as ns from './ns.js';\n"
        'const s = "import q from \\"./string.js\\"";\n'
    )
    assert static_imports(source) == ["./x.js", "../z.js", "./ns.js"]


@pytest.fixture(scope="module")
def rendered():
    with TestClient(create_app()) as c:
        yield {url: c.get(url) for url in PAGES}


@pytest.mark.parametrize("url", PAGES)
def test_the_rendered_pages_preload_their_modules(rendered, url):
    response = rendered[url]
    assert response.status_code == 200
    js = re.escape(STORE.prefix + "js/")
    links = re.findall(rf'<link rel="modulepreload" href="{js}([^"]+)\.js">', response.text)
    assert links == list(preload_modules(*PAGES[url]))
    assert len(links) >= 4
    scripts = re.findall(rf'<script type="module" src="{js}([^"]+)\.js"></script>', response.text)
    assert scripts == [PAGES[url][0]]  # the entry, loaded once
