"""read_torch: PyTorch code (parsed, never run) -> ModelReads with preset pytorch, reasons naming lines."""

from __future__ import annotations

import ast
import itertools
import textwrap
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.codegen import code
from app.link.state import parse
from app.yourmodel.read import CodeRead, ModelRead
from app.yourmodel.torch_code import read_torch

FIELDS = ("vocab", "emb", "emb_dropout", "emb_mode", "dropout", "layers", "units", "out_dropout")


def read(text: str) -> CodeRead:
    text = textwrap.dedent(text).strip("\n") + "\n"
    return read_torch(ast.parse(text), text.split("\n"))


def one(text: str) -> ModelRead:
    r = read(text)
    assert r.reasons == [] and len(r.models) == 1, (r.reasons, r.models)
    return r.models[0]


def fields(m: ModelRead) -> dict:
    return {k: getattr(m, k) for k in FIELDS}


def model(init: str, forward: str | None = None, head: str = "import torch\nfrom torch import nn\n\n") -> str:
    """A class Net with ``init`` as __init__'s body (after super) and ``forward`` as forward's body."""
    text = head + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    text += textwrap.indent(textwrap.dedent(init).strip("\n"), " " * 8) + "\n"
    if forward is not None:
        text += "\n    def forward(self, x):\n" + textwrap.indent(textwrap.dedent(forward).strip("\n"), " " * 8) + "\n"
    return text


BASIC = """
self.embedding = nn.Embedding(64, 32)
self.emb_drop = nn.Dropout(0.25)
self.lstm = nn.LSTM(32, 100, batch_first=True)
self.fc = nn.Linear(100, 1)
"""
BASIC_FORWARD = """
e = self.emb_drop(self.embedding(x))
out, (h, c) = self.lstm(e)
return torch.sigmoid(self.fc(h[-1]))
"""


def test_a_one_layer_lstm_without_dropout_and_its_mapping_lines():
    m = one(model(BASIC, BASIC_FORWARD))
    assert fields(m) == {"vocab": 64, "emb": 32, "emb_dropout": 0.25, "emb_mode": "standard", "dropout": 0.0,
                         "layers": 1, "units": 100, "out_dropout": 0.0}  # fmt: skip
    assert m.framework == "pytorch" and m.recurrent_dropout == 0.0 and m.length is None
    by_line = {x.line: x.fields for x in m.mapping}
    assert by_line == {
        7: {"vocab": 64, "emb": 32},
        8: {"emb_dropout": 0.25},
        9: {"preset": "pytorch", "layers": 1, "units": 100, "dropout": 0.0},
    }
    assert next(x for x in m.mapping if x.line == 9).code == "self.lstm = nn.LSTM(32, 100, batch_first=True)"
    assert (m.first_line, m.last_line) == (4, 15)


def test_dropout_with_one_layer_is_kept_as_read_the_preset_warns():
    m = one(model(BASIC.replace("batch_first=True", "batch_first=True, dropout=0.5"), BASIC_FORWARD))
    assert (m.layers, m.dropout) == (1, 0.5)


def test_a_two_layer_lstm_with_and_without_dropout():
    two = BASIC.replace("batch_first=True", "num_layers=2, batch_first=True, dropout=0.3")
    m = one(model(two, BASIC_FORWARD))
    assert (m.layers, m.dropout, m.units) == (2, 0.3, 100)
    m = one(model(BASIC.replace("100, batch_first", "100, 2, batch_first"), BASIC_FORWARD))
    assert (m.layers, m.dropout) == (2, 0.0)


def test_forward_decides_where_a_dropout_acts_not_the_order_declared():
    init = """
    self.drop = nn.Dropout(0.4)
    self.embedding = nn.Embedding(64, 64)
    self.lstm = nn.LSTM(64, 100, batch_first=True)
    self.fc = nn.Linear(100, 1)
    """
    m = one(model(init, "x = self.embedding(x)\nout, _ = self.lstm(x)\nreturn self.fc(self.drop(out[:, -1]))"))
    assert (m.emb_dropout, m.out_dropout) == (0.0, 0.4)
    assert {"out_dropout": 0.4} in [x.fields for x in m.mapping]
    m = one(model(init, "x = self.drop(self.embedding(x))\nout, _ = self.lstm(x)\nreturn self.fc(out[:, -1, :])"))
    assert (m.emb_dropout, m.out_dropout) == (0.4, 0.0)


def test_output_dropout_through_h_n_and_one_module_used_twice():
    init = """
    self.embedding = nn.Embedding(64, 64)
    self.drop = nn.Dropout(0.3)
    self.lstm = nn.LSTM(64, 100)
    self.drop2 = nn.Dropout(p=0.2)
    self.fc = nn.Linear(100, 1)
    """
    fwd = "e = self.drop(self.embedding(x))\nout, (h, c) = self.lstm(e)\nreturn self.fc(self.drop2(h[-1]))"
    m = one(model(init, fwd))
    assert (m.emb_dropout, m.out_dropout) == (0.3, 0.2)
    fwd = "e = self.drop(self.embedding(x))\n_, hidden = self.lstm(e)\nreturn self.fc(self.drop(hidden[0][-1]))"
    m = one(model(init, fwd))
    assert (m.emb_dropout, m.out_dropout) == (0.3, 0.3)
    assert {"emb_dropout": 0.3, "out_dropout": 0.3} in [x.fields for x in m.mapping]
    assert any("drop2" in n.message and "not use" in n.message for n in m.notes)


def test_without_forward_the_order_declared_with_a_note():
    init = """
    self.emb = nn.Embedding(64, 64)
    self.drop = nn.Dropout(0.25)
    self.lstm = nn.LSTM(64, 100)
    self.drop2 = nn.Dropout(0.4)
    self.fc = nn.Linear(100, 1)
    """
    m = one(model(init))
    assert (m.emb_dropout, m.out_dropout, m.units) == (0.25, 0.4, 100)
    assert any("no forward(): read in the order declared; paste forward() to be sure" in n.message for n in m.notes)


def test_names_bound_to_literals_module_level_init_defaults_and_the_models_call():
    text = """
    import torch.nn as nn
    HIDDEN = 50 * 2
    RATE = 0.1 + 0.2
    class Net(nn.Module):
        def __init__(self, vocab, emb=32, layers=2, p=-(-0.5)):
            super().__init__()
            self.hidden = HIDDEN
            n = layers
            self.embedding = nn.Embedding(vocab, emb)
            self.lstm = nn.LSTM(emb, self.hidden, n, dropout=p, batch_first=True)
            self.drop = nn.Dropout(RATE)
            self.fc = nn.Linear(self.hidden, 1)

        def forward(self, x):
            out, _ = self.lstm(self.embedding(x))
            return self.fc(self.drop(out[:, -1]))

    model = Net(5000, layers=3)
    """
    m = one(text)
    assert fields(m) == {"vocab": 5000, "emb": 32, "emb_dropout": 0.0, "emb_mode": "standard", "dropout": 0.5,
                         "layers": 3, "units": 100, "out_dropout": 0.1 + 0.2}  # fmt: skip


def test_an_unknown_expression_leaves_the_field_none_with_a_note_naming_it():
    text = """
    from torch import nn
    class Net(nn.Module):
        def __init__(self, vocab_size):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, 64)
            self.lstm = nn.LSTM(64, config.hidden, batch_first=True)
            self.fc = nn.Linear(100, 1)

        def forward(self, x):
            out, _ = self.lstm(self.embedding(x))
            return self.fc(out[:, -1])

    net = Net(len(tokenizer.word_index) + 1)
    """
    m = one(text)
    assert (m.vocab, m.emb, m.units) == (None, 64, None)
    texts = [(n.line, n.message) for n in m.notes]
    assert any(line == 5 and "len(tokenizer.word_index) + 1" in msg and "not known" in msg for line, msg in texts)
    assert any(line == 6 and "config.hidden" in msg and "not known" in msg for line, msg in texts)


def test_spatial_dropout_is_dropout1d_after_transpose():
    init = BASIC.replace("nn.Dropout(0.25)", "nn.Dropout1d(0.25)")
    fwd = BASIC_FORWARD.replace("e = self.emb_drop(self.embedding(x))",
                                "e = self.emb_drop(self.embedding(x).transpose(1, 2)).transpose(1, 2)")  # fmt: skip
    m = one(model(init, fwd))
    assert (m.emb_dropout, m.emb_mode) == (0.25, "spatial")
    assert {"emb_dropout": 0.25, "emb_mode": "spatial"} in [x.fields for x in m.mapping]
    fwd = "e = self.embedding(x).permute(1, 2, 0)\ne = self.emb_drop(e).permute(2, 0, 1)\n_, (h, c) = self.lstm(e)\n"
    m = one(model(init.replace("batch_first=True", "batch_first=False"), fwd + "return self.fc(h[-1])"))
    assert m.emb_mode == "spatial"


def test_functional_dropout_with_the_training_flag_reads_as_nn_dropout():
    init = BASIC.replace("self.emb_drop = nn.Dropout(0.25)\n", "")
    fwd = """
    e = F.dropout(self.embedding(x), 0.2, training=self.training)
    out, (h, c) = self.lstm(e)
    return self.fc(F.dropout(h[-1], p=0.3, training=self.training))
    """
    m = one(model(init, fwd, head="import torch.nn as nn\nimport torch.nn.functional as F\n\n"))
    assert (m.emb_dropout, m.out_dropout) == (0.2, 0.3)
    assert {x.line: x.fields for x in m.mapping}[12] == {"emb_dropout": 0.2}
    fwd = "e = self.embedding(x)\nif self.training:\n    e = F.dropout(e, 0.1)\n"
    fwd += "_, (h, c) = self.lstm(e)\nreturn self.fc(h[-1])"
    assert one(model(init, fwd)).emb_dropout == 0.1


def test_imports_torch_nn_lstm_from_torch_nn_import_and_an_alias():
    heads = [("import torch\n", "torch.nn."), ("from torch.nn import LSTM, Embedding, Linear, Dropout\n", "")]
    for head, prefix in [*heads, ("import torch.nn as tnn\n", "tnn.")]:
        init = BASIC.replace("nn.", prefix)
        text = head + model(init, BASIC_FORWARD, head="").replace("(nn.Module)", "(torch.nn.Module)")
        m = one(text)
        assert (m.units, m.emb_dropout, m.vocab) == (100, 0.25, 64), head


def test_two_classes_are_two_models_in_the_order_written():
    text = model(BASIC, BASIC_FORWARD) + "\n\n" + model(BASIC.replace("0.25", "0.5"), BASIC_FORWARD, head="")
    r = read(text)
    assert r.reasons == [] and [m.emb_dropout for m in r.models] == [0.25, 0.5]
    assert r.models[0].last_line < r.models[1].first_line
    third = read(text + "\n\n" + model(BASIC, BASIC_FORWARD, head=""))
    assert len(third.models) == 2 and len(third.reasons) == 1
    assert third.reasons[0].line == 32 and "third" in third.reasons[0].message


def test_statements_outside_a_class_are_one_model():
    text = """
    import torch
    from torch import nn
    emb = nn.Embedding(64, 32)
    drop = nn.Dropout(0.1)
    lstm = nn.LSTM(32, 50, batch_first=True)
    fc = nn.Linear(50, 1)
    tokens = torch.randint(0, 64, (2, 10))
    out, (h, c) = lstm(drop(emb(tokens)))
    y = fc(h[-1])
    """
    m = one(text)
    assert (m.vocab, m.emb, m.emb_dropout, m.units, m.first_line) == (64, 32, 0.1, 50, 3)
    m = one("from torch import nn\nlstm = nn.LSTM(64, 100, num_layers=2, dropout=0.2)\nemb = nn.Embedding(64, 64)\n")
    assert (m.layers, m.dropout) == (2, 0.2) and any("no forward()" in n.message for n in m.notes)


def test_two_lstm_modules_in_sequence_read_as_layers_with_the_dropout_between():
    init = """
    self.embedding = nn.Embedding(64, 64)
    self.lstm1 = nn.LSTM(64, 100, batch_first=True)
    self.drop = nn.Dropout(0.3)
    self.lstm2 = nn.LSTM(100, 100, batch_first=True)
    self.fc = nn.Linear(100, 1)
    """
    fwd = "x, _ = self.lstm1(self.embedding(x))\nx, _ = self.lstm2(self.drop(x))\nreturn self.fc(x[:, -1])"
    m = one(model(init, fwd))
    assert (m.layers, m.dropout, m.units, m.out_dropout) == (2, 0.3, 100, 0.0)
    assert any("num_layers=2" in n.message for n in m.notes)
    assert {x.line: x.fields for x in m.mapping}[9] == {"dropout": 0.3}
    m = one(model(init.replace("nn.Dropout(0.3)", "nn.Identity()"), fwd.replace("self.drop(x)", "x")))
    assert (m.layers, m.dropout) == (2, 0.0)
    m = one(model(init, fwd.replace("self.drop(x)", "x")))  # declared, unused
    assert (m.layers, m.dropout) == (2, 0.0)
    # a 2-layer module (dropout 0.3 inside) and a 1-layer one behind Dropout(0.3): three equal gaps
    init3 = init.replace(
        "100, batch_first=True)\n    self.drop", "100, 2, batch_first=True, dropout=0.3)\n    self.drop"
    )
    m = one(model(init3, fwd))
    assert (m.layers, m.dropout) == (3, 0.3)


PY = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n\n"
UNSUPPORTED = [  # (code, line, words in the message), lines counted in model()'s text
    (model(BASIC.replace("nn.LSTM(32", "nn.GRU(32"), BASIC_FORWARD), 9, ("GRU", "LSTM")),
    (model(BASIC.replace("nn.LSTM(32", "nn.RNN(32"), BASIC_FORWARD), 9, ("RNN",)),
    (
        model(BASIC.replace("batch_first=True", "batch_first=True, bidirectional=True"), BASIC_FORWARD),
        9,
        ("bidirectional",),
    ),
    (model(BASIC.replace("batch_first=True", "proj_size=50"), BASIC_FORWARD), 9, ("proj_size",)),
    (
        model(
            BASIC.replace("nn.LSTM(32, 100, batch_first=True)", "nn.LSTMCell(32, 100)"),
            "e = self.embedding(x)\nfor t in range(e.size(1)):\n    h, c = self.lstm(e[:, t])",
        ),
        9,
        ("LSTMCell",),
    ),
    (model(BASIC.replace("nn.Dropout(0.25)", "nn.Dropout1d(0.25)"), BASIC_FORWARD), 13, ("whole steps",)),
    (model(BASIC.replace("nn.Dropout(0.25)", "nn.Dropout2d(0.25)"), BASIC_FORWARD), 13, ("Dropout2d",)),
    (model(BASIC.replace("nn.Dropout(0.25)", "nn.AlphaDropout(0.25)"), BASIC_FORWARD), 13, ("AlphaDropout",)),
    (
        model(BASIC.replace("nn.Dropout(0.25)", "nn.FeatureAlphaDropout(0.25)"), BASIC_FORWARD),
        13,
        ("FeatureAlphaDropout",),
    ),
    (model(BASIC.replace("batch_first=True", "batch_first=True, bias=False"), BASIC_FORWARD), 9, ("bias",)),
    (model(BASIC.replace("nn.Dropout(0.25)", "nn.Dropout(1.0)"), BASIC_FORWARD), 8, ("below 1",)),
    (model(BASIC.replace("nn.Dropout(0.25)", "nn.Dropout(-0.1)"), BASIC_FORWARD), 8, ("at least 0",)),
    (model(BASIC.replace("batch_first=True", "batch_first=True, dropout=2"), BASIC_FORWARD), 9, ("rate",)),
    (model(BASIC.replace("nn.Embedding(64, 32)", "nn.Identity()"), BASIC_FORWARD), 4, ("Embedding",)),
    (model(BASIC, BASIC_FORWARD.replace("self.fc(h[-1])", "self.fc(out)")), 15, ("every step",)),
    (model(BASIC, BASIC_FORWARD.replace("self.fc(h[-1])", "self.fc(out[-1])")), 15, ("last h",)),
    (model(BASIC, BASIC_FORWARD.replace("self.fc(h[-1])", "self.fc(c[-1])")), 15, ("cell state",)),
    (
        model(
            BASIC.replace("self.emb_drop = nn.Dropout(0.25)\n", ""),
            BASIC_FORWARD.replace("self.emb_drop(", "F.dropout(").replace("(x))", "(x), 0.2)"),
        ),
        12,
        ("training=self.training",),
    ),
    (
        model(BASIC + "self.lstm = nn.utils.weight_norm(self.lstm, 'weight_hh_l0')", BASIC_FORWARD),
        11,
        ("normalisation", "plain weights"),
    ),
    (
        PY
        + "from awd import WeightDrop\n"
        + model(BASIC + "self.lstm = WeightDrop(self.lstm, ['weight_hh_l0'], 0.5)", BASIC_FORWARD, head=""),
        13,
        ("weight drop", "awd"),
    ),
    (
        model(BASIC.replace("batch_first=True", "batch_first=True, recurrent_dropout=0.2"), BASIC_FORWARD),
        9,
        ("recurrent_dropout",),
    ),
    (
        model(
            BASIC.replace(
                "self.lstm = nn.LSTM(32, 100, batch_first=True)",
                "self.lstms = nn.ModuleList([nn.LSTM(32, 100, batch_first=True)])",
            ),
            "x = self.embedding(x)\nfor lstm in self.lstms:\n    x, _ = lstm(x)\nreturn self.fc(x[:, -1])",
        ),
        9,
        ("ModuleList",),
    ),
    (model(BASIC.replace("nn.LSTM(32", "nn.LSTM(16"), BASIC_FORWARD), 9, ("input_size",)),
    (
        model(BASIC.replace("nn.LSTM(32, 100, batch_first=True)", "nn.LSTM(32, 100, **cfg)"), BASIC_FORWARD),
        9,
        ("kwargs",),
    ),
    (model(BASIC.replace("nn.Dropout(0.25)", "LockedDropout()"), BASIC_FORWARD), 13, ("LockedDropout",)),
    (
        model(
            BASIC, BASIC_FORWARD.replace("self.emb_drop(self.embedding(x))", "embedded_dropout(self.embedding, x, 0.1)")
        ),
        13,
        ("word",),
    ),
    (
        model(
            BASIC.replace("self.lstm2", "x").replace("self.fc =", "self.drop3 = nn.Dropout(0.2)\nself.fc ="),
            BASIC_FORWARD.replace("self.fc(h[-1])", "self.drop3(self.fc(h[-1]))"),
        ),
        16,
        ("no mask",),
    ),
    (
        model(
            BASIC.replace(
                "self.fc",
                "self.lstm2 = nn.LSTM(100, 100, batch_first=True, dropout=0.2, num_layers=2)\n"
                "self.drop = nn.Dropout(0.5)\nself.fc",
            ),
            "x, _ = self.lstm(self.emb_drop(self.embedding(x)))\nx, _ = self.lstm2(self.drop(x))\n"
            "return self.fc(x[:, -1])",
        ),
        10,
        ("differs",),
    ),
]


@pytest.mark.parametrize(("text", "line", "words"), UNSUPPORTED, ids=[w[0] for _, _, w in UNSUPPORTED])
def test_what_the_lab_cannot_show_is_a_reason_naming_its_line(text, line, words):
    r = read(text)
    reasons = r.reasons + [x for m in r.models for x in m.reasons]
    assert reasons, text
    hits = [x for x in reasons if x.line == line and all(w in x.message for w in words)]
    assert hits, [(x.line, x.message) for x in reasons]
    lines = text.split("\n")
    assert hits[0].code == lines[line - 1].strip()


def test_no_lstm_and_a_custom_lstm_are_reasons_of_the_code():
    r = read("import torch\nfrom torch import nn\nx = nn.Linear(3, 1)\n")
    assert r.models == [] and "no nn.LSTM" in r.reasons[0].message
    r = read(PY + "class MyLSTM(nn.Module):\n    pass\n")
    assert r.models == [] and r.reasons[0].line == 5 and "MyLSTM" in r.reasons[0].message


def test_padding_idx_is_a_note_only():
    m = one(model(BASIC.replace("nn.Embedding(64, 32)", "nn.Embedding(64, 32, padding_idx=0)"), BASIC_FORWARD))
    assert m.vocab == 64 and any(n.line == 7 and "padding_idx" in n.message for n in m.notes)


def test_an_initial_state_and_packed_sequences_are_notes():
    fwd = """
    e = nn.utils.rnn.pack_padded_sequence(self.emb_drop(self.embedding(x)), lengths, batch_first=True)
    out, (h, c) = self.lstm(e, (h0, c0))
    out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
    return self.fc(out[:, -1])
    """
    m = one(model(BASIC, fwd))
    assert m.emb_dropout == 0.25 and len(m.notes) == 2


# -- nn.Sequential: its modules in its order (the review's t9 read "line 2: no Embedding")

SEQ_T9 = """
import torch.nn as nn
model = nn.Sequential(
    nn.Embedding(64, 64),
    nn.Dropout(0.25),
    nn.LSTM(64, 100, num_layers=2, dropout=0.5, batch_first=True),
    nn.Linear(100, 1),
)
"""


def test_an_embedding_and_its_dropout_in_a_sequential_are_read_and_an_lstm_before_a_linear_is_the_true_reason():
    (m,) = read(SEQ_T9).models
    assert {x.line: x.fields for x in m.mapping} == {
        3: {"vocab": 64, "emb": 64},
        4: {"emb_dropout": 0.25},
        5: {"preset": "pytorch", "layers": 2, "units": 100, "dropout": 0.5},
    }
    # PyTorch: nn.Linear gets the LSTM's (output, (h_n, c_n)) and raises TypeError
    lstm = "nn.LSTM(64, 100, num_layers=2, dropout=0.5, batch_first=True),"
    assert [(r.line, r.code) for r in m.reasons] == [(5, lstm)]
    assert all(w in m.reasons[0].message for w in ("tuple", "nn.Linear (line 6)", "raises"))
    assert m.notes == []  # an nn.Sequential's order is its forward(): no "no forward()" note
    # the same modules without the Linear run in PyTorch: read whole
    m = one(SEQ_T9.replace("    nn.Linear(100, 1),\n", ""))
    assert fields(m) == {"vocab": 64, "emb": 64, "emb_dropout": 0.25, "emb_mode": "standard", "dropout": 0.5,
                         "layers": 2, "units": 100, "out_dropout": 0.0}  # fmt: skip
    custom = read(SEQ_T9.replace("nn.Linear(100, 1)", "LastStep()")).models[0].reasons
    assert [r.line for r in custom] == [5] and "LastStep (line 6)" in custom[0].message
    assert "not known from the code" in custom[0].message


def test_a_sequential_in_a_class_is_applied_in_its_order_also_as_an_ordered_dict():
    init = """
    self.features = nn.Sequential(nn.Embedding(64, 32), nn.Dropout(0.25))
    self.lstm = nn.LSTM(32, 100, batch_first=True)
    self.fc = nn.Linear(100, 1)
    """
    m = one(model(init, "out, (h, c) = self.lstm(self.features(x))\nreturn self.fc(h[-1])"))
    assert (m.vocab, m.emb, m.emb_dropout, m.units) == (64, 32, 0.25, 100)
    assert {x.line: x.fields for x in m.mapping}[7] == {"vocab": 64, "emb": 32, "emb_dropout": 0.25}
    init = """
    self.enc = nn.Sequential(OrderedDict([
        ("emb", nn.Embedding(64, 32)),
        ("drop", nn.Dropout(0.25)),
        ("lstm", nn.LSTM(32, 100, num_layers=2, dropout=0.3, batch_first=True)),
    ]))
    self.drop = nn.Dropout(0.4)
    self.fc = nn.Linear(100, 1)
    """
    head = "import torch\nfrom torch import nn\nfrom collections import OrderedDict\n\n"
    m = one(model(init, "out, (h, c) = self.enc(x)\nreturn self.fc(self.drop(h[-1]))", head=head))
    assert fields(m) == {"vocab": 64, "emb": 32, "emb_dropout": 0.25, "emb_mode": "standard", "dropout": 0.3,
                         "layers": 2, "units": 100, "out_dropout": 0.4}  # fmt: skip
    assert {x.line: x.fields for x in m.mapping}[10] == {"emb_dropout": 0.25}
    # declared, never called: said of the Sequential, not "no nn.Embedding"
    r = read(model(init, "return self.fc(x)", head=head)).models[0].reasons
    assert [(x.line, "self.enc is declared" in x.message) for x in r] == [(9, True), (11, True)]


def test_an_embedding_built_inside_a_list_is_named_not_missing():
    text = """
    import torch.nn as nn
    layers = [nn.Embedding(64, 64), nn.Dropout(0.25)]
    model = nn.Sequential(*layers, nn.LSTM(64, 100, batch_first=True))
    """
    (m,) = read(text).models
    assert [(x.line, "nn.Embedding built inside another expression" in x.message) for x in m.reasons] == [(2, True)]


# -- forward() slips the review met: each read as what PyTorch does with it


def test_the_last_sequence_of_the_batch_is_not_the_last_step():
    seq_first = model(BASIC.replace(", batch_first=True", ""), "out, _ = self.lstm(self.embedding(x))\n"
                      "return self.fc(out[:, -1, :])")  # fmt: skip
    batch_first = model(BASIC, "out, _ = self.lstm(self.embedding(x))\nreturn self.fc(out[-1])")
    for text, shape, right in ((seq_first, "(steps, batch, features)", "out[-1]"),
                               (batch_first, "(batch, steps, features)", "out[:, -1]")):  # fmt: skip
        (r,) = read(text).models[0].reasons
        assert r.line == 14 and all(w in r.message for w in (shape, "last sequence of the batch", right)), r
    m = one(model(BASIC.replace(", batch_first=True", ""), "out, _ = self.lstm(self.embedding(x))\n"
                  "return self.fc(out[-1])"))  # fmt: skip
    assert m.units == 100


def test_a_linear_on_every_step_flattened_is_one_reason_saying_so():
    init = BASIC.replace("self.emb_drop", "self.drop").replace("self.embedding", "self.emb")
    fwd = """
    out, _ = self.lstm(self.emb(x))
    out = self.drop(out.contiguous().view(-1, 100))
    out = torch.sigmoid(self.fc(out))
    return out.view(x.size(0), -1)[:, -1]
    """
    (r,) = read(model(init, fwd)).models[0].reasons  # the dropout is not also "where the lab has no mask"
    assert r.line == 15 and "every step (out.contiguous().view(-1, 100), line 14)" in r.message


# -- the round trip: the code this app writes reads back to the state


PYTORCH_STATES = [
    f"preset=pytorch&recurrent_dropout=0&vocab={v}&emb={e}&units={u}&layers={n}&dropout={d}&emb_dropout={ed}"
    f"&emb_mode={mode}&out_dropout={od}&weights=random{phase}"
    for (v, e, u), n, d, ed, mode, od, phase in itertools.product(
        [(64, 64, 100), (30, 8, 5)],
        [1, 2, 3],
        [0, 0.3],
        [0, 0.25],
        ["standard", "spatial"],
        [0, 0.4],
        ["", "&phase=infer"],
    )
]


@pytest.mark.parametrize("query", PYTORCH_STATES[::3] + PYTORCH_STATES[1::7])
def test_the_pytorch_code_of_a_pytorch_state_reads_back_to_its_fields(query):
    s = parse(query)
    m = one(code(s)["pytorch"])
    want = {k: getattr(s, k) for k in FIELDS}
    if not s.emb_dropout:
        want["emb_mode"] = "standard"  # no layer: the mode is not in the code
    assert fields(m) == want


OTHER_STATES = [
    "preset=pytorch&recurrent_dropout=0&emb_mode=word",
    "preset=keras3&dropout=0.3&recurrent_dropout=0",
    "preset=keras3&dropout=0&recurrent_dropout=0&layers=2&out_dropout=0.1",
    "preset=keras3",
    "preset=tfkeras2&recurrent_dropout=0&layers=2",
    "preset=zaremba&recurrent_dropout=0&layers=2",
    "preset=semeniuta&recurrent_dropout=0&candidate_dropout=0.2",
    "preset=awd&recurrent_dropout=0&weight_drop=0.3",
    "preset=gal-tied&emb_mode=word",
    "preset=custom&zoneout_c=0.1&dropout=0&recurrent_dropout=0",
    "preset=forum",
    "preset=gal-untied&dropout=0&recurrent_dropout=0&emb_mode=spatial",
]


@pytest.mark.parametrize("query", OTHER_STATES)
def test_code_with_custom_layers_gives_a_reason_or_the_right_fields_never_a_wrong_reading(query):
    s = parse(query)
    r = read(code(s)["pytorch"])
    reasons = r.reasons + [x for m in r.models for x in m.reasons]
    if reasons:
        return
    (m,) = r.models
    assert s.rates() == type(s.rates())() or s.preset == "pytorch", "in-cell masks read as plain nn.LSTM"
    want = {k: getattr(s, k) for k in FIELDS} | {"dropout": 0.0 if s.preset != "pytorch" else s.dropout}
    if not s.emb_dropout:
        want["emb_mode"] = "standard"
    assert fields(m) == want


def test_word_dropout_and_masked_lstm_code_give_reasons():
    queries = ["preset=pytorch&recurrent_dropout=0&emb_mode=word", "preset=keras3"]
    for query in [*queries, "preset=awd&weight_drop=0.3&recurrent_dropout=0"]:
        r = read(code(parse(query))["pytorch"])
        assert r.reasons + [x for m in r.models for x in m.reasons], query


# -- robustness: any Python gives a CodeRead


PIECES = ["64", "'64'", "10**100", "2**2**2**2**2", "-3", "0", "1e308*10", "*args", "**kw", "x", "len(v) + 1",
          "None", "True", "0.5", "[1]", "lambda: 1", "self.forward(x)", "1/0", "(-8)**0.5", "9" * 400,
          "p=2", "dropout=x", "num_layers='a'", "batch_first=None", "bidirectional=b", "proj_size=-1"]  # fmt: skip
FORWARD_LINES = ["return self.forward(x)", "x = self.helper(x)", "out, (h, c) = self.lstm(self.drop(self.emb(x)))",
                 "return self.fc(h[-1])", "x = x.transpose(*dims)", "x = self.drop(x)[x]", "h = out[:, -1:, ::2]",
                 "out, *rest = self.lstm(x)", "x += 1", "if self.training:\n    x = F.dropout(x)",
                 "for i in range(3):\n    x, _ = self.lstm(x)", "x = (y := self.emb(x))", "del x",
                 "return self.fc(h.squeeze(0))", "x = x.permute(0, 2, 1)", "x = self.fc(x)[0][1][2]"]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=0, max_size=4), st.lists(st.sampled_from(PIECES), max_size=3),
       st.lists(st.sampled_from(FORWARD_LINES), max_size=6), st.booleans())  # fmt: skip
def test_any_arguments_and_forward_give_a_code_read(lstm_args, drop_args, forward, with_helper):
    init = f"""
    self.emb = nn.Embedding({", ".join(drop_args)})
    self.drop = nn.Dropout({", ".join(drop_args)})
    self.lstm = nn.LSTM({", ".join(lstm_args)})
    self.fc = nn.Linear({", ".join(lstm_args)})
    """
    text = model(init, "\n".join(forward) or "pass", head=PY)
    if with_helper:
        text += "\n    def helper(self, x):\n        return self.forward(self.helper(x))\n"
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        assume(False)
    r = read_torch(tree, text.split("\n"))
    assert isinstance(r, CodeRead)
    for m in r.models:
        assert m.as_dict()["framework"] == "pytorch"
        assert all(0 <= getattr(m, k) < 1 for k in ("emb_dropout", "dropout", "out_dropout"))
        for x in (*m.reasons, *m.notes, *m.mapping):
            assert 0 <= x.line <= len(text.split("\n"))


def test_deep_nesting_and_mutual_recursion_give_a_code_read():
    deep = model(BASIC.replace("nn.LSTM(32, 100", "nn.LSTM(32, " + "+".join(["1"] * 3000)), BASIC_FORWARD)
    try:
        tree = ast.parse(deep)
    except RecursionError:
        tree = None
    if tree is not None:
        assert isinstance(read_torch(tree, deep.split("\n")), CodeRead)
    rec = model(BASIC, "return self.a(x)") + "\n    def a(self, x):\n        return self.b(self.b(x))\n"
    rec += "\n    def b(self, x):\n        return self.a(self.a(x))\n"
    assert isinstance(read(rec), CodeRead)


def test_the_cost_is_bounded_on_long_code():
    # forward through self methods each calling the next ten times: 10**20 paths; the budget stops it
    methods = "".join(
        f"\n    def m{i}(self, x):\n        return {f'self.m{i + 1}(' * 10}x{')' * 10}\n" for i in range(20)
    )
    text = model(BASIC, "return self.m0(x)") + methods + "\n    def m20(self, x):\n        return x\n"
    start = time.perf_counter()
    r = read(text)
    assert time.perf_counter() - start < 5
    assert any("too long" in x.message for m in r.models for x in m.reasons)
    long = model(BASIC, "e = self.emb_drop(self.embedding(x))\n" + "y = e\n" * 3000 + "out, (h, c) = self.lstm(y)\n"
                 "return self.fc(h[-1])")  # fmt: skip
    start = time.perf_counter()
    m = one(long)
    assert time.perf_counter() - start < 5 and m.emb_dropout == 0.25


POOL = [text for text, _, _ in UNSUPPORTED] + [code(parse(q))["pytorch"] for q in OTHER_STATES[:4]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(POOL), st.lists(st.integers(0, 60), max_size=6), st.sampled_from(PIECES), st.integers(0, 30))
def test_real_code_with_lines_dropped_or_numbers_replaced_gives_a_code_read(text, dropped, piece, nth):
    lines = text.split("\n")
    kept = [line for i, line in enumerate(lines) if i not in dropped]
    numbers = [i for i, ch in enumerate("\n".join(kept)) if ch.isdigit()]
    joined = "\n".join(kept)
    if numbers:
        at = numbers[nth % len(numbers)]
        joined = joined[:at] + piece + joined[at + 1 :]
    try:
        tree = ast.parse(joined)
    except (SyntaxError, ValueError):
        assume(False)
    r = read_torch(tree, joined.split("\n"))
    assert isinstance(r, CodeRead) and len(r.models) <= 2
    for m in r.models:
        assert all(0 <= getattr(m, k) < 1 for k in ("emb_dropout", "dropout", "out_dropout"))
        assert m.units is None or isinstance(m.units, int)
