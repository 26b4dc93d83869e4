"""A link is a promise: links of state version 1, recorded with the code of that version (before
trained weights became the default), still parse and show exactly the same numbers.

golden/v1_links.json holds the links, golden/v1_links.npz every array their traces showed
(masks, embedding, layer inputs, gates, c, h, the output), made with the landed v1 code."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.core.encoding import decode
from app.documents.trace import trace_dict
from app.link.state import parse

GOLDEN = Path(__file__).parent / "golden"
LINKS = json.loads((GOLDEN / "v1_links.json").read_text())


@pytest.fixture(scope="module")
def arrays():
    with np.load(GOLDEN / "v1_links.npz") as z:
        return {k: z[k] for k in z.files}


def shown(link: str) -> dict[str, np.ndarray]:
    d = trace_dict(parse(link))
    out = {"embedding.mask": decode(d["embedding"]["mask"]), "embedding.x": decode(d["embedding"]["x"])}
    for k, layer in enumerate(d["layers"]):
        for name in ("x", "c", "h"):
            out[f"layers.{k}.{name}"] = decode(layer[name])
        for g, a in layer["gates"].items():
            out[f"layers.{k}.gates.{g}"] = decode(a)
        for name, a in layer["masks"].items():
            if isinstance(a, dict):
                out[f"layers.{k}.masks.{name}"] = decode(a)
    out["output.probability"] = np.float32(d["output"]["probability"])
    out["output.logit"] = np.float32(d["output"]["logit"])
    return out


def test_the_fixture_covers_several_presets_and_phases():
    assert len(LINKS) >= 5 and all(link.endswith("v=1") or "&v=1&" in link for link in LINKS)
    assert any("pytorch" in link for link in LINKS) and any("phase=infer" in link for link in LINKS)


@pytest.mark.parametrize("n", range(len(LINKS)))
def test_v1_link_shows_the_same_numbers(arrays, n):
    link = LINKS[n]
    s = parse(link)
    assert s.v == 1 and s.weights == "random"
    assert s.canonical() == link  # the canonical form of a v1 link stays v1
    now = shown(link)
    recorded = {k.split(".", 1)[1]: a for k, a in arrays.items() if k.split(".", 1)[0] == str(n)}
    assert set(recorded) <= set(now)
    for key, a in recorded.items():
        np.testing.assert_array_equal(now[key], a, err_msg=f"{link}: {key}")
