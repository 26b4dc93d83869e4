"""inputs.py: a reading's models kept as the page's "Read from your code" panel shows them."""

from __future__ import annotations

from app.web.pages.from_code import read_panel
from app.yourmodel import read_code
from dropout_lab.inputs import overridden, read_given
from tests.yourmodel.cases import SEED


def test_the_models_are_the_pages_panels():
    reading = read_code(SEED)
    given = read_given(SEED)
    assert given.models == read_panel(reading)["models"]
    assert [m["role"] for m in given.models] == ["A", "B"]
    by_role = {m["role"]: m for m in given.models}
    for role, m in zip(reading.roles, reading.as_dict()["models"], strict=True):
        assert by_role[role]["mapping"] == m["mapping"] and by_role[role]["first_line"] == m["first_line"]


def test_the_notes_are_in_the_order_of_the_code():
    code = "model = Sequential()\nmodel.add(Embedding(10000, 64))\nmodel.add(LSTM(100))\n"
    given = read_given(code)
    lines = [n.line for n in given.notes]
    assert len(lines) > 1 and lines == sorted(lines)
    assert [n["line"] for n in read_panel(read_code(code))["notes"]] == lines


def test_a_new_seed_keeps_the_models_a_link_has_none():
    given = read_given(SEED)
    assert overridden(given, 4, None).models == given.models
    assert overridden(given, None, "later").models == given.models  # problems: the lines still read
    assert read_given("len=498&vs.emb_dropout=0").models == []
