"""app/yourmodel/keras_code.py: Keras models read from code through ast, never executed.

The seed's two models, every form (Sequential list, add lines, functional, inside a function),
the framework reading, numbers bound to names or not known, one Reason per thing the lab cannot
show (with its line), the round trip through the app's own generated Keras 3 code, and a fuzz:
whatever Python is pasted, the reader answers with a CodeRead.
"""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.codegen import code
from app.link.state import parse
from app.yourmodel.keras_code import read_keras
from app.yourmodel.read import FRAMEWORKS, CodeRead, ModelRead
from tests.yourmodel.cases import SEED

HEAD = "model = Sequential()\nmodel.add(Embedding(64, 64))\n"  # lines 1 and 2
FIELDS = ("vocab", "emb", "length", "emb_dropout", "emb_mode", "dropout", "recurrent_dropout", "layers", "units")
STATE_FIELDS = {"vocab", "emb", "len", "emb_dropout", "emb_mode", "dropout", "recurrent_dropout", "layers", "units",
                "out_dropout", "preset"}  # fmt: skip


def read(text: str) -> CodeRead:
    return read_keras(ast.parse(text), text.splitlines())


def one(text: str) -> ModelRead:
    out = read(text)
    assert len(out.models) == 1, out
    return out.models[0]


def fields(m: ModelRead) -> dict:
    return {k: getattr(m, k) for k in (*FIELDS, "out_dropout")}


def mapping(m: ModelRead) -> dict[int, dict]:
    return {x.line: x.fields for x in m.mapping}


def clean(m: ModelRead) -> ModelRead:
    assert m.reasons == [], m.reasons
    return m


# -- the seed and the forms -------------------------------------------------------------------------


def test_the_seed_gives_its_two_models_line_by_line():
    out = read(SEED)
    assert out.reasons == [] and len(out.models) == 2
    first, second = (clean(m) for m in out.models)
    common = {"vocab": 64, "emb": 64, "length": 498, "emb_mode": "standard", "dropout": 0.5}
    common |= {"recurrent_dropout": 0.5, "layers": 1, "units": 100, "out_dropout": 0.0}
    assert fields(first) == common | {"emb_dropout": 0.0}
    assert fields(second) == common | {"emb_dropout": 0.25}
    assert first.framework == second.framework == "keras3"
    assert (first.first_line, first.last_line, second.first_line, second.last_line) == (1, 4, 7, 11)
    assert mapping(first) == {
        2: {"vocab": 64, "emb": 64, "len": 498},
        3: {"units": 100, "dropout": 0.5, "recurrent_dropout": 0.5},
    }
    assert mapping(second) == {
        8: {"vocab": 64, "emb": 64, "len": 498},
        9: {"emb_dropout": 0.25, "emb_mode": "standard"},
        10: {"units": 100, "dropout": 0.5, "recurrent_dropout": 0.5},
    }
    assert second.mapping[1].code == "model.add(Dropout(0.25))"
    assert first.notes == second.notes == []  # Dense(1, sigmoid) and compile say nothing
    # no import: one note on the code as a whole (the other readings are links: tests/yourmodel/test_state.py)
    (note,) = out.notes
    assert note.line == 0 and "No import names the Keras version" in note.message and "preset keras3" in note.message


def test_the_seed_in_the_question_text_lines():
    """The lines passed are the pasted text's: a model starting at line 10 maps lines from 10."""
    text = "\n" * 9 + SEED
    first, second = read(text).models
    assert (first.first_line, second.first_line) == (10, 16)
    assert list(mapping(second)) == [17, 18, 19]


def test_the_list_form():
    m = clean(
        one(
            """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(120,), dtype="int32"),
    layers.Embedding(500, 32),
    layers.Dropout(0.2),
    layers.LSTM(64, dropout=0.3),
    layers.Dense(1, activation="sigmoid"),
])
"""
        )
    )
    assert fields(m) == dict(
        vocab=500, emb=32, length=120, emb_dropout=0.2, emb_mode="standard", dropout=0.3, recurrent_dropout=0.0,
        layers=1, units=64, out_dropout=0.0,
    )  # fmt: skip
    assert mapping(m) == {
        1: {"preset": "keras3"},
        5: {"len": 120},
        6: {"vocab": 500, "emb": 32},
        7: {"emb_dropout": 0.2, "emb_mode": "standard"},
        8: {"units": 64, "dropout": 0.3, "recurrent_dropout": 0.0},
    }
    assert (m.first_line, m.last_line) == (4, 9)


@pytest.mark.parametrize("path", ["keras.models.Sequential", "tf.keras.models.Sequential", "models.Sequential"])
def test_any_module_path_to_sequential(path):
    m = clean(one(f"m = {path}()\nm.add(layers.Embedding(10, 8, input_length=5))\nm.add(keras.layers.LSTM(4))\n"))
    assert (m.vocab, m.emb, m.length, m.units) == (10, 8, 5, 4)


def test_the_functional_form_inside_a_function():
    text = """import tensorflow as tf
from tensorflow.keras import layers

VOCAB = 1000
units = 2 * 64

def build_model(length=200):
    inputs = tf.keras.Input(shape=(length,))
    x = layers.Embedding(VOCAB, 128)(inputs)
    x = layers.SpatialDropout1D(0.2)(x)
    x = layers.LSTM(units, dropout=0.1, recurrent_dropout=0.1, return_sequences=True)(x)
    x = layers.LSTM(units, dropout=0.1, recurrent_dropout=0.1)(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return tf.keras.Model(inputs=inputs, outputs=outputs)

model = build_model()
"""
    out = read(text)
    m = clean(out.models[0])
    assert fields(m) == dict(
        vocab=1000, emb=128, length=200, emb_dropout=0.2, emb_mode="spatial", dropout=0.1, recurrent_dropout=0.1,
        layers=2, units=128, out_dropout=0.3,
    )  # fmt: skip
    assert mapping(m)[10] == {"emb_dropout": 0.2, "emb_mode": "spatial"}
    assert mapping(m)[12] == {"units": 128, "dropout": 0.1, "recurrent_dropout": 0.1, "layers": 2}
    assert mapping(m)[13] == {"out_dropout": 0.3}
    assert (m.first_line, m.last_line) == (8, 15)
    assert [n.line for n in m.notes] == [8] and "default value" in m.notes[0].message  # length=200
    assert out.notes[0].line == 1 and "TensorFlow 2.16" in out.notes[0].message


def test_the_functional_form_nested_and_with_named_layers():
    m = clean(
        one(
            """inp = Input((30,))
lstm = LSTM(16, recurrent_dropout=0.4)
out = Dense(1, activation="sigmoid")(lstm(Embedding(20, 8)(inp)))
model = Model(inp, out)
"""
        )
    )
    assert (m.length, m.vocab, m.emb, m.units, m.recurrent_dropout, m.dropout) == (30, 20, 8, 16, 0.4, 0.0)
    assert mapping(m)[2] == {"units": 16, "dropout": 0.0, "recurrent_dropout": 0.4}


def test_sequential_inside_a_function_and_a_layer_bound_to_a_name():
    m = clean(
        one(
            """def build_model():
    emb = Embedding(64, 16)
    model = Sequential()
    model.add(emb)
    model.add(LSTM(32))
    model.add(Dense(1, activation="sigmoid"))
    return model
"""
        )
    )
    assert (m.vocab, m.emb, m.units, m.dropout, m.recurrent_dropout) == (64, 16, 32, 0.0, 0.0)
    assert mapping(m)[2] == {"vocab": 64, "emb": 16}
    assert (m.first_line, m.last_line) == (2, 6)


def test_an_attribute_model_in_a_method():
    m = clean(
        one(
            """class Builder:
    def build(self):
        self.model = keras.Sequential()
        self.model.add(layers.Embedding(64, 64))
        self.model.add(layers.LSTM(100, dropout=0.2))
"""
        )
    )
    assert (m.units, m.dropout) == (100, 0.2)


@pytest.mark.parametrize("layers", [2, 3])
def test_stacked_lstms(layers):
    lstm = "model.add(LSTM(50, dropout=0.2, recurrent_dropout=0.3{}))\n"
    text = HEAD + lstm.format(", return_sequences=True") * (layers - 1) + lstm.format("")
    m = clean(one(text))
    assert (m.layers, m.units, m.dropout, m.recurrent_dropout) == (layers, 50, 0.2, 0.3)
    last = 2 + layers
    assert mapping(m)[last]["layers"] == layers and "layers" not in mapping(m)[3]


def test_spatial_dropout_and_output_dropout():
    m = clean(
        one(
            """model = Sequential([
    Embedding(64, 64, input_length=40),
    SpatialDropout1D(0.3),
    LSTM(100),
    Dropout(0.4),
    Dense(1, activation="sigmoid"),
])"""
        )
    )
    assert (m.emb_dropout, m.emb_mode, m.out_dropout, m.length) == (0.3, "spatial", 0.4, 40)
    assert mapping(m)[3] == {"emb_dropout": 0.3, "emb_mode": "spatial"}
    assert mapping(m)[5] == {"out_dropout": 0.4}


@pytest.mark.parametrize(
    ("shape", "exact"),
    [("(None, 1, 64)", True), ("(batch_size, 1, EMB)", True), ("(32, 1, EMB)", True), ("(None, 1, None)", True),
     ("noise_shape=(None, 1, EMB)", True)],
)  # fmt: skip
def test_a_dropout_after_the_embedding_with_one_mask_per_feature_is_spatial(shape, exact):
    """noise_shape (batch, 1, output_dim) shares each mask over the steps: exactly SpatialDropout1D."""
    text = (
        "EMB = 64\nmodel = Sequential()\nmodel.add(Embedding(100, EMB))\n"
        f"model.add(Dropout(0.25, {shape}))\nmodel.add(LSTM(8))\n"
    )
    m = clean(one(text))
    assert (m.emb_dropout, m.emb_mode) == (0.25, "spatial")
    assert mapping(m)[4] == {"emb_dropout": 0.25, "emb_mode": "spatial"}
    (note,) = [n for n in m.notes if "SpatialDropout1D" in n.message]
    assert note.line == 4 and "emb_mode=spatial" in note.message
    assert ("not known from the code to be 1" in note.message) is not exact


def test_a_noise_shape_whose_last_size_the_code_does_not_settle_is_a_reason_not_a_guess():
    text = "model = Sequential()\nmodel.add(Embedding(100, 64))\nmodel.add(Dropout(0.25, (None, 1, emb_dim)))\n"
    m = one(text + "model.add(LSTM(8))\n")
    (reason,) = m.reasons
    assert reason.line == 3 and "not known from the code" in reason.message and "whole sequences" in reason.message


def test_the_review_dropout_with_a_spatial_noise_shape_opens_spatial():
    from app.yourmodel import read_code

    text = """model = Sequential()
model.add(Embedding(64, 64, input_length=498))
model.add(Dropout(rate=0.25, noise_shape=(None, 1, 64)))
model.add(LSTM(100))
model.add(Dense(1, activation='sigmoid'))
"""
    reading = read_code(text)
    assert reading.ok and reading.a.emb_mode == "spatial" and reading.a.emb_dropout == 0.25


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (HEAD + "model.add(Dropout(0.2, noise_shape=(None, 1, 1)))\nmodel.add(LSTM(8))\n", 3),  # whole sequences
        (HEAD + "model.add(Dropout(0.2, noise_shape=(None, 1, 32)))\nmodel.add(LSTM(8))\n", 3),  # not output_dim
        (HEAD + "model.add(Dropout(0.2, noise_shape=(None, 2, 64)))\nmodel.add(LSTM(8))\n", 3),
        (HEAD + "model.add(Dropout(0.2, noise_shape=(1, 64)))\nmodel.add(LSTM(8))\n", 3),
        (HEAD + "model.add(Dropout(0.2, noise_shape=shape))\nmodel.add(LSTM(8))\n", 3),
        (HEAD + "model.add(Dropout(0.1))\nmodel.add(Dropout(0.2, noise_shape=(None, 1, 64)))\nmodel.add(LSTM(8))\n", 4),
        (HEAD + "model.add(LSTM(8, return_sequences=True))\nmodel.add(Dropout(0.2, noise_shape=(None, 1, 8)))\n"
         "model.add(LSTM(8))\n", 4),
        ("model = Sequential()\nmodel.add(Dropout(0.2, noise_shape=(None, 1, 64)))\nmodel.add(Embedding(64, 64))\n"
         "model.add(LSTM(8))\n", 2),
    ],
)  # fmt: skip
def test_other_noise_shapes_stay_a_reason(text, line):
    m = one(text)
    assert m.emb_mode == "standard"
    assert any(r.line == line and "noise_shape" in r.message for r in m.reasons), m.reasons


def test_output_dropout_at_the_end_without_dense_is_read_with_a_note():
    m = clean(one("model = Sequential([Embedding(64, 64), LSTM(100), Dropout(0.1)])"))
    assert m.out_dropout == 0.1
    assert any("no Dense" in n.message for n in m.notes)


def test_a_dense_other_than_the_labs_is_a_note():
    m = clean(one(HEAD + "model.add(LSTM(8))\nmodel.add(Dense(10, activation='softmax'))"))
    (note,) = m.notes
    assert note.line == 4 and "Dense(1, sigmoid)" in note.message


# -- which Keras --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "tail", "preset"),
    [
        ("import tf_keras as keras\n", "", "tfkeras2"),
        ("from tf_keras import layers, Sequential\n", "model.fit(x, y, epochs=3)\n", "tfkeras2-fit"),
    ],
)
def test_tf_keras_is_tf_keras_2(head, tail, preset):
    text = head + "model = Sequential([layers.Embedding(64, 64), layers.LSTM(100, recurrent_dropout=0.2)])\n" + tail
    out = read(text)
    m = clean(out.models[0])
    assert m.framework == preset and preset in FRAMEWORKS
    assert mapping(m)[1] == {"preset": preset}
    (note,) = out.notes
    assert note.line == 1 and f"(preset {preset})" in note.message
    if tail:
        assert "line 3" in note.message


@pytest.mark.parametrize(
    ("head", "word"),
    [("import keras\n", "keras is read"), ("from tensorflow import keras\n", "TensorFlow 2.16"),
     ("import tensorflow as tf\nimport numpy as np\n", "tf.keras 2 up to 2.15")],
)  # fmt: skip
def test_every_other_import_is_keras3_with_a_note(head, word):
    out = read(head + "model = keras.Sequential([keras.layers.Embedding(64, 64), keras.layers.LSTM(100)])\n")
    assert out.models[0].framework == "keras3"
    (note,) = out.notes
    assert note.line == 1 and word in note.message and "preset keras3" in note.message


KERAS2_IMPORTS = [
    ("from keras.layers.recurrent import LSTM\n", "keras.layers.recurrent"),
    ("from keras.layers.embeddings import Embedding\n", "keras.layers.embeddings"),
    ("from keras.layers.core import Dense, Dropout\n", "keras.layers.core"),
    ("import keras.engine.topology\n", "keras.engine"),
    ("from keras.engine import Layer\n", "keras.engine"),
    ("from keras.wrappers.scikit_learn import KerasClassifier\n", "keras.wrappers"),
    ("from keras.layers.cudnn_recurrent import CuDNNGRU\n", "keras.layers.cudnn_recurrent"),
    ("from keras.layers import CuDNNLSTM, LSTM\n", "keras.layers.CuDNNLSTM"),
    ("from keras.layers import recurrent\n", "keras.layers.recurrent"),
]


@pytest.mark.parametrize("fit", [False, True])
@pytest.mark.parametrize(("line", "module"), KERAS2_IMPORTS, ids=[i for _, i in KERAS2_IMPORTS])
def test_an_import_only_keras_2_has_is_tf_keras_2(line, module, fit):
    text = (
        "import keras\nfrom keras.models import Sequential\n"
        + line
        + "model = Sequential([Embedding(64, 64), LSTM(100, recurrent_dropout=0.2)])\n"
        + ("model.fit(x, y)\n" if fit else "")
    )
    out = read(text)
    m = clean(out.models[0])
    preset = "tfkeras2-fit" if fit else "tfkeras2"
    assert m.framework == preset
    assert mapping(m)[3] == {"preset": preset}
    (note,) = out.notes
    assert note.line == 3 and note.message.startswith(line.strip() + ":")
    assert f"{module} exists in Keras 2 only" in note.message and f"(preset {preset})" in note.message
    assert "Keras 2.3 to 2.15" in note.message and "Keras 2.0 to 2.2 is not modelled" in note.message
    assert ("line 5" in note.message) is fit


@pytest.mark.parametrize(
    "line",
    ["from keras.layers import LSTM, Embedding\n", "from keras.layers import core_utils\n",
     "from .keras.engine import Layer\n", "import keras_core.layers\n"],
)  # fmt: skip
def test_imports_keras_3_has_too_stay_keras3(line):
    out = read(line + "model = Sequential([Embedding(64, 64), LSTM(100)])\n")
    assert out.models[0].framework == "keras3"


def test_the_reviews_keras_2_code_is_read_as_tf_keras_2_fit():
    from app.yourmodel import read_code

    text = """from keras.models import Sequential
from keras.layers.embeddings import Embedding
from keras.layers.recurrent import LSTM
from keras.layers.core import Dense, Dropout
model = Sequential()
model.add(Embedding(64, 64, input_length=498))
model.add(Dropout(0.25))
model.add(LSTM(100, dropout=0.5))
model.add(Dense(1, activation='sigmoid'))
model.fit(X, y, epochs=3)
"""
    reading = read_code(text)
    assert reading.ok and reading.a.preset == "tfkeras2-fit"
    assert [n.line for n in reading.notes if "Keras 2 only" in n.message] == [2]


def test_unroll_is_a_reason_for_tf_keras_2_only():
    body = "model = Sequential([Embedding(64, 64), LSTM(100, dropout=0.2, unroll=True)])\n"
    k2 = read("import tf_keras\n" + body).models[0]
    assert [r.line for r in k2.reasons] == [2] and "unroll" in k2.reasons[0].message
    k3 = clean(read("import keras\n" + body).models[0])
    assert any("unroll" in n.message for n in k3.notes)


# -- numbers ------------------------------------------------------------------------------------------


def test_names_bound_to_literals_and_arithmetic():
    m = clean(
        one(
            """max_words = 500
embedding_dim = 2 ** 5
maxlen = 100 + 20
rate = 1 / 4
units = -(-64)
units += 0
model = Sequential()
model.add(Embedding(max_words, embedding_dim, input_length=maxlen))
model.add(Dropout(rate))
model.add(LSTM(units, dropout=rate * 2, recurrent_dropout=0))
"""
        )
    )
    assert (m.vocab, m.emb, m.length, m.emb_dropout, m.units, m.dropout, m.recurrent_dropout) == (
        500, 32, 120, 0.25, 64, 0.5, 0.0,
    )  # fmt: skip
    assert isinstance(m.recurrent_dropout, float)


def test_a_name_rebound_later_is_read_as_bound_where_the_layer_is_written():
    m = clean(one("u = 10\nlayer = LSTM(u)\nu = 20\nmodel = Sequential([Embedding(64, 64), layer])\n"))
    assert m.units == 10


def test_an_unknown_expression_leaves_the_field_none_with_a_note():
    m = clean(
        one(
            """vocab_size = len(tokenizer.word_index) + 1
model = Sequential()
model.add(Embedding(vocab_size, 100, input_length=X.shape[1]))
model.add(Dropout(cfg.rate))
model.add(LSTM(100))
"""
        )
    )
    assert (m.vocab, m.length, m.emb, m.emb_dropout) == (None, None, 100, None)
    assert mapping(m)[3] == {"emb": 100}
    assert 4 not in mapping(m) or "emb_dropout" not in mapping(m)[4]
    texts = [n.message for n in m.notes]
    assert any("input_dim = vocab_size" in t and "not known from the code" in t for t in texts)
    assert any("X.shape[1]" in t for t in texts)
    assert any("cfg.rate" in t for t in texts)
    assert [n.line for n in m.notes if "not known" in n.message] == [3, 3, 4]


def test_huge_and_odd_numbers_are_read_as_given_or_refused():
    m = clean(one("model = Sequential([Embedding(10**30, 64), LSTM(2**40)])"))
    assert (m.vocab, m.units) == (10**30, 2**40)  # the state clamps, with a note
    bad = one("model = Sequential([Embedding('64', 64.0), LSTM(True, dropout='0.5')])")
    words = " ".join(r.message for r in bad.reasons)
    assert "whole number" in words and "a rate must be a number" in words
    assert (bad.vocab, bad.emb, bad.units, bad.dropout) == (None, None, None, None)


def test_arithmetic_that_would_explode_is_not_known():
    m = clean(one("a = 2 ** 2 ** 2 ** 2 ** 2 ** 2\nb = 10 ** 10 ** 10\nmodel = Sequential([Embedding(a, b), LSTM(8)])"))
    assert (m.vocab, m.emb) == (None, None)
    assert len([n for n in m.notes if "not known from the code" in n.message]) == 2


def test_star_arguments_are_notes():
    m = clean(one("model = Sequential([Embedding(64, 64), LSTM(**cfg)])"))
    assert m.units is None and m.dropout is None
    assert any("**cfg" in n.message for n in m.notes)


# -- what the lab cannot show -----------------------------------------------------------------------

UNSUPPORTED = [
    (HEAD + "model.add(GRU(100))\n", 3, "GRU"),
    (HEAD + "model.add(SimpleRNN(100))\n", 3, "LSTM layers only"),
    (HEAD + "model.add(ConvLSTM1D(8, 3))\nmodel.add(LSTM(8))\n", 3, "ConvLSTM1D"),
    (HEAD + "model.add(Bidirectional(LSTM(100)))\n", 3, "Bidirectional"),
    (HEAD + "model.add(Conv1D(32, 5))\nmodel.add(LSTM(8))\n", 3, "convolution"),
    (HEAD + "model.add(MaxPooling1D(2))\nmodel.add(LSTM(8))\n", 3, "pooling"),
    (HEAD + "model.add(LSTM(8, return_sequences=True))\nmodel.add(Dense(1))\n", 3, "return_sequences=True"),
    (
        HEAD + "model.add(LSTM(8, return_sequences=True))\nmodel.add(Dropout(0.2))\nmodel.add(LSTM(8))\n",
        4,
        "between stacked",
    ),
    (HEAD + "model.add(Dropout(0.2))\nmodel.add(Dropout(0.3))\nmodel.add(LSTM(8))\n", 4, "in a row"),
    (HEAD + "model.add(LSTM(8))\nmodel.add(Dropout(0.2))\nmodel.add(Dropout(0.3))\n", 5, "in a row"),
    (
        "model = Sequential()\nmodel.add(Dropout(0.2))\nmodel.add(Embedding(64, 64))\nmodel.add(LSTM(8))\n",
        2,
        "before the Embedding",
    ),
    (HEAD + "model.add(LSTM(8, activation='relu'))\n", 3, "tanh"),
    (HEAD + "model.add(LSTM(8, recurrent_activation='hard_sigmoid'))\n", 3, "sigmoid"),
    (HEAD + "model.add(LSTM(8, use_bias=False))\n", 3, "biases"),
    (HEAD + "model.add(LSTM(8, go_backwards=True))\n", 3, "forward in time"),
    (HEAD + "model.add(LSTM(8, stateful=True))\n", 3, "zero states"),
    ("import tf_keras\n" + HEAD + "model.add(LSTM(8, unroll=True))\n", 4, "unroll"),
    ("model = Sequential()\nmodel.add(Embedding(64, 64, mask_zero=True))\nmodel.add(LSTM(8))\n", 2, "mask_zero"),
    (HEAD + "model.add(Dropout(0.2, noise_shape=(None, None, 1)))\nmodel.add(LSTM(8))\n", 3, "noise_shape"),
    (HEAD + "model.add(Dense(1))\n", 1, "no LSTM"),
    ("model = Sequential()\nmodel.add(LSTM(8, input_shape=(10, 3)))\n", 1, "no Embedding"),
    (HEAD + "model.add(Dropout(1.5))\nmodel.add(LSTM(8))\n", 3, "below 1"),
    (HEAD + "model.add(LSTM(8, dropout=-0.1))\n", 3, "at least 0"),
    (HEAD + "model.add(GaussianDropout(0.2))\nmodel.add(LSTM(8))\n", 3, "Bernoulli"),
    (HEAD + "model.add(AlphaDropout(0.2))\nmodel.add(LSTM(8))\n", 3, "AlphaDropout"),
    (HEAD + "model.add(Lambda(lambda t: t * 2))\nmodel.add(LSTM(8))\n", 3, "custom function"),
    (HEAD + "model.add(MyAttention())\nmodel.add(LSTM(8))\n", 3, "MyAttention"),
    ("model = Sequential([\n    Embedding(64, 64),\n    lambda t: t,\n    LSTM(8),\n])\n", 3, "lambda"),
    (HEAD + "model.add(LSTM(8, return_sequences=True))\nmodel.add(LSTM(16))\n", 4, "different units"),
    (HEAD + "model.add(LSTM(8, return_sequences=True, dropout=0.1))\nmodel.add(LSTM(8))\n", 4, "different dropout"),
    (HEAD + "model.add(LSTM(8))\nmodel.add(LSTM(8))\n", 3, "return_sequences=False"),
    (HEAD + "model.add(LSTM(8, dropout_W=0.2))\n", 3, "Keras 1"),
    ("import keras\n" + HEAD + "model.add(LSTM(8, dropout=0.2, implementation=1))\n", 4, "four input masks"),
    (HEAD + "model.add(Masking())\nmodel.add(LSTM(8))\n", 3, "padding mask"),
    (HEAD + "model.add(CuDNNLSTM(8))\n", 3, "no dropout arguments"),
    (
        HEAD + "model.add(LSTM(8))\nmodel.add(Dense(4))\nmodel.add(Dropout(0.5))\nmodel.add(Dense(1))\n",
        5,
        "after Dense",
    ),
    (
        "x = Input((5,))\ny = Embedding(9, 4)(x)\nz = tf.expand_dims(y, -1)\nm = Model(x, LSTM(3)(z))\n",
        3,
        "cannot follow",
    ),
    ("a = Input((5,))\nb = Input((5,))\nm = Model([a, b], LSTM(3)(Embedding(9, 4)(a)))\n", 3, "several inputs"),
    (HEAD + "model.add(LSTM(8, go_backwards=flag_from_config))\n", 3, "True or False"),
    (HEAD + "model.add(LSTM(8, return_sequences=cfg.seq))\n", 3, "True or False"),
    (HEAD + "model.pop()\nmodel.add(LSTM(8))\n", 3, "pop"),
]


@pytest.mark.parametrize(("text", "line", "word"), UNSUPPORTED, ids=[w for _, _, w in UNSUPPORTED])
def test_what_the_lab_cannot_show_is_a_reason_on_its_line(text, line, word):
    m = one(text)
    hits = [r for r in m.reasons if word in r.message]
    assert hits, m.reasons
    assert hits[0].line == line, hits
    assert hits[0].code == text.splitlines()[line - 1].strip()


MULTILINE = """import tensorflow as tf
model = tf.keras.Sequential([
    tf.keras.layers.Embedding(
        input_dim=1000,
        output_dim=64,
        mask_zero=True),
    tf.keras.layers.LSTM(
        64,
        dropout=1.5,
        return_sequences=True),
    tf.keras.layers.Dense(1, activation="sigmoid"),
])
"""


def test_a_reason_about_an_argument_of_a_call_over_several_lines_is_on_the_arguments_line():
    m = one(MULTILINE)
    got = {r.line: (r.code, r.message.split(":")[0]) for r in m.reasons}
    assert got == {
        6: ("mask_zero=True),", "mask_zero=True"),
        9: ("dropout=1.5,", "LSTM dropout = 1.5"),
        10: ("return_sequences=True),", "return_sequences=True on the last LSTM"),
    }
    assert (m.first_line, m.last_line) == (2, 11)
    # an argument on the call's own line keeps the call's line
    one_line = one("model = Sequential([Embedding(64, 64, mask_zero=True), LSTM(8)])\n")
    assert [r.line for r in one_line.reasons] == [1]


def test_a_third_model_is_a_reason_of_the_code():
    third = "model = Sequential([Embedding(64, 64), LSTM(100)])\n"
    out = read(SEED + third)
    assert len(out.models) == 2
    (reason,) = out.reasons
    assert reason.line == 13 and "third model" in reason.message


def test_a_subclassed_model_is_a_reason_and_no_model_is_one_too():
    out = read("class Net(keras.Model):\n    def call(self, x):\n        return self.lstm(x)\n")
    assert out.models == [] and [r.line for r in out.reasons] == [1] and "subclassed" in out.reasons[0].message
    out = read("import torch\nx = torch.zeros(3)\n")
    assert out.models == [] and "no Keras model" in out.reasons[0].message


def test_a_class_of_the_codes_own_named_model_is_not_keras():
    out = read("class Model(nn.Module):\n    pass\n\nmodel = Model(64, 100)\n")
    assert out.models == []


# -- the round trip through the app's own code --------------------------------------------------------

ROUND_TRIP = [
    {"len": 498},
    {"len": 498, "emb_dropout": 0},
    {"len": 300, "emb_dropout": 0, "dropout": 0.2, "recurrent_dropout": 0},
    {"len": 20, "emb_mode": "spatial", "emb_dropout": 0.3},
    {"len": 64, "layers": 2},
    {"len": 64, "layers": 3, "dropout": 0, "recurrent_dropout": 0.4},
    {"len": 10, "out_dropout": 0.2},
    {"len": 100, "weights": "random", "vocab": 1000, "emb": 128, "units": 50},
    {"len": 7, "weights": "random", "vocab": 2, "emb": 1, "units": 1, "dropout": 0.05, "recurrent_dropout": 0.95},
    {"len": 30, "weights": "random", "units": 256, "layers": 2, "emb_mode": "spatial", "out_dropout": 0.5},
    {"len": 250, "dropout": 0, "recurrent_dropout": 0, "emb_dropout": 0},
    {"len": 1000, "weights": "random", "units": 16, "layers": 3, "emb_dropout": 0.1, "out_dropout": 0.1},
    {"len": 498, "phase": "infer"},
]


@pytest.mark.parametrize("query", ROUND_TRIP, ids=[urlencode(q) for q in ROUND_TRIP])
def test_the_apps_own_keras3_code_reads_back_to_its_state(query):
    s = parse(urlencode(query))
    out = code(s)
    assert out["fidelity"]["keras3"]["exact"], out["fidelity"]["keras3"]
    read_back = read(out["keras3"])
    assert read_back.reasons == []
    m = clean(read_back.models[0])
    assert m.framework == "keras3" == s.preset
    emb_mode = s.emb_mode if s.emb_dropout else "standard"
    assert fields(m) == {"vocab": s.vocab, "emb": s.emb, "length": s.len, "emb_dropout": s.emb_dropout,
                         "emb_mode": emb_mode, "dropout": s.dropout, "recurrent_dropout": s.recurrent_dropout,
                         "layers": s.layers, "units": s.units, "out_dropout": s.out_dropout}  # fmt: skip
    assert m.notes == []


@pytest.mark.parametrize(
    ("query", "word"),
    [({"emb_mode": "word"}, "WordDropout"), ({"preset": "keras3-legacy"}, "MaskedLSTM"),
     ({"preset": "semeniuta", "candidate_dropout": 0.3, "recurrent_dropout": 0}, "MaskedLSTM"),
     ({"preset": "custom", "zoneout_c": 0.1}, "MaskedLSTM")],
)  # fmt: skip
def test_the_apps_code_with_custom_layers_is_a_reason_not_a_wrong_reading(query, word):
    s = parse(urlencode({"len": 40, **query}))
    out = code(s)
    assert not out["fidelity"]["keras3"]["exact"]
    m = read(out["keras3"]).models[0]
    assert any(word in r.message and r.line for r in m.reasons), m.reasons


def test_the_tf_keras_2_code_of_the_app_is_read_too():
    """Its import is `tensorflow`: read as keras3 with the note naming tf.keras 2, never an error."""
    s = parse("len=50&preset=tfkeras2&recurrent_dropout=0.3")
    out = read(code(s)["tfkeras2"])
    assert out.models[0].framework == "keras3" and "tf.keras 2 up to 2.15" in out.notes[0].message


# -- robustness and cost ----------------------------------------------------------------------------

VALUES = ["64", "0.5", "-1", "0", "1e308", "1e400", "10**400", "2**2**2**2", "'abc'", "None", "True", "x",
          "len(t) + 1", "[1, 2]", "(None,)", "(498,)", "(3, 4)", "lambda q: q", "float('nan')", "1 / 0", "0.5 * 2",
          "units", "-0.0", "1j", "b'x'", "...", "{}", "(498,) * 3", "units ** units", "'a' * 10**9"]  # fmt: skip
KINDS = ["Embedding", "LSTM", "Dropout", "SpatialDropout1D", "Dense", "Input", "InputLayer", "GRU", "Bidirectional",
         "Lambda", "Conv1D", "Activation", "Foo", "layers.LSTM", "keras.layers.Embedding", "Sequential",
         "Model"]  # fmt: skip
KEYWORDS = ["units", "dropout", "recurrent_dropout", "rate", "input_dim", "output_dim", "input_length", "shape",
            "return_sequences", "activation", "noise_shape", "mask_zero", "unroll", "implementation", "inputs",
            "outputs", "layers", "batch_input_shape", "input_shape"]  # fmt: skip

values = st.sampled_from(VALUES)
argument = st.one_of(
    values,
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(KEYWORDS), values),
    st.sampled_from(["*args", "**kw"]),
)
layer_call = st.builds(lambda k, a: f"{k}({', '.join(a)})", st.sampled_from(KINDS), st.lists(argument, max_size=4))
statement = st.one_of(
    st.just("model = Sequential()"),
    st.builds("model.add({})".format, layer_call),
    st.builds("x = {}(x)".format, layer_call),
    st.builds("x = {}".format, layer_call),
    st.builds("model = Sequential([{}])".format, st.lists(layer_call, max_size=4).map(", ".join)),
    st.builds("units = {}".format, values),
    st.builds("inputs = Input(shape={})".format, values),
    st.just("m = Model(inputs, x)"),
    st.just("m = Model(inputs=[inputs], outputs=x)"),
    st.just("import tf_keras"),
    st.just("model.fit(x, y)"),
    st.just("class M(keras.Model): pass"),
    st.builds("def f(units={}):\n    model = Sequential()\n    model.add(LSTM(units))".format, values),
    st.builds("for x in {}:\n    model.add(x)".format, values),
    st.just("x, (y, z) = 1, (2, 3)"),
    st.just("model.pop()"),
)


def check_answer(out: CodeRead, lines: list[str]) -> None:
    assert isinstance(out, CodeRead) and len(out.models) <= 2
    json.dumps([m.as_dict() for m in out.models] + [r.as_dict() for r in out.reasons])
    for m in out.models:
        assert m.framework in FRAMEWORKS
        for item in [*m.reasons, *m.notes, *m.mapping]:
            assert 0 <= item.line <= len(lines)
        for x in m.mapping:
            assert set(x.fields) <= STATE_FIELDS and x.fields
            for k in ("emb_dropout", "dropout", "recurrent_dropout", "out_dropout"):
                if k in x.fields:
                    assert 0 <= x.fields[k] < 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statement, min_size=1, max_size=12))
def test_any_python_gives_a_code_read(statements):
    text = "\n".join(statements) + "\n"
    try:
        tree = ast.parse(text)
    except SyntaxError:
        assume(False)
    lines = text.splitlines()
    check_answer(read_keras(tree, lines), lines)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_the_seed_with_any_argument_replaced_gives_a_code_read(data):
    text = SEED
    for _ in range(data.draw(st.integers(1, 4))):
        old = data.draw(st.sampled_from(["64", "498", "100", "0.5", "0.25", "1", "'sigmoid'", "Dropout", "LSTM"]))
        text = text.replace(old, data.draw(st.one_of(values, st.sampled_from(KINDS))), 1)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        assume(False)
    check_answer(read_keras(tree, text.splitlines()), text.splitlines())


def test_odd_code_gives_a_code_read():
    for text in [
        "",
        "model.add(LSTM(8))",  # add to nothing
        "Sequential()",
        "Model()",
        "x = x = Embedding(3, 4)(x)\nModel(x, x)",
        "m = Model(*a)",
        "m = Model(inputs={'a': i}, outputs={'b': o})",
        "try:\n    model = Sequential()\nexcept E:\n    model.add(LSTM(1))\nfinally:\n    pass",
        "match p:\n    case 1:\n        model = Sequential([Embedding(3, 2), LSTM(1)])",
        "async def f():\n    m = Sequential([LSTM(5)])",
        "lambda: Sequential([LSTM(5)])",
        "model = Sequential(layer_list)",
        "x = Input((5,))\nfor i in range(3):\n    x = LSTM(4, return_sequences=True)(x)\nm = Model(x, x)",
        "é = 'ü'; model = Sequential([Embedding(64, 64, name='é'), LSTM(3, name='ü')])",
    ]:
        lines = text.splitlines()
        check_answer(read_keras(ast.parse(text), lines), lines)


def test_deep_nesting_and_long_code_are_read_in_linear_time():
    sums = "1" + " + 1" * 500  # a left-deep BinOp 500 levels deep (ast.parse itself fails near 1000)
    calls = "x = Input((5,))\n" + "".join(f"x = LSTM(4, return_sequences=True)(x)  # {i}\n" for i in range(400))
    cases = {
        "sums": f"units = {sums}\nmodel = Sequential([Embedding(3, 2), LSTM(units)])\n",
        "one line": "model = Sequential([Embedding(3, 2), " + "Dropout(0.1), " * 1400 + "LSTM(1)])\n",
        "chain": calls + "m = Model(x, x)\n",
        "adds": "model = Sequential()\n" + "model.add(LSTM(100, return_sequences=True))\n" * 450,
        "nested": "x = Input((5,))\ny = " + "LSTM(2)(" * 90 + "x" + ")" * 90 + "\nm = Model(x, y)\n",
        "blocks": "".join("    " * i + "if a:\n" for i in range(90)) + "    " * 90 + "m = Sequential()\n",
    }
    for name, text in cases.items():
        tree = ast.parse(text)
        start = time.perf_counter()
        out = read_keras(tree, text.splitlines())
        assert time.perf_counter() - start < 1.0, name
        check_answer(out, text.splitlines())


@pytest.mark.parametrize("path", ["app/yourmodel/keras_code.py", "app/yourmodel/keras_scan.py"])
def test_the_module_imports_no_framework(path):
    source = Path(path).read_text()
    assert "import keras" not in source and "import tensorflow" not in source and "exec(" not in source
    assert "import tf_keras" not in source and "eval(" not in source


def test_unroll_under_keras3_offers_no_tf_keras_2_reading():
    from app.yourmodel import read_code

    reading = read_code(
        "import keras\nmodel = keras.Sequential([keras.layers.Embedding(64, 64), "
        "keras.layers.LSTM(100, dropout=0.2, unroll=True), keras.layers.Dense(1, activation='sigmoid')])\n"
    )
    assert reading.ok and list(reading.alternatives) == ["keras3-legacy"]
