"""Built models read through their config (app/yourmodel/objects.py) open the same state as
their code (cases.py): Keras 3 and PyTorch built here, tf.keras 2 in its own environment
(tf_read.py, one process for every case). The app never runs code; these tests do, to build
the objects a notebook would hold. No model is called or trained.

Also: each case's state is a configuration the parity tests check against the frameworks
(tests/parity/cases.py), but for the few named in NOT_IN_PARITY.
"""

from __future__ import annotations

import json
import linecache
import subprocess
import sys
import warnings
from dataclasses import fields
from html import escape
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from app.link import compare
from app.link.state import State, parse
from app.yourmodel import read_code, read_model
from app.yourmodel.objects import read_object
from app.yourmodel.read import CodeRead, Mapped, ModelRead, Note, Reason
from app.yourmodel.state import to_reading
from tests.parity import cases as parity
from tests.parity.tf import TF_PYTHON
from tests.yourmodel.cases import CASES, KERAS3, PYTORCH, TFKERAS2, Case

pytestmark = pytest.mark.parity
ROOT = Path(__file__).parents[2]
TF_READ = Path(__file__).with_name("tf_read.py")
KERAS_NAMES = ("Embedding", "Dropout", "SpatialDropout1D", "LSTM", "GRU", "Dense", "Bidirectional")
# Cases whose configuration no parity case has (the same kinds of masks, more layers): the
# engine's layers are alike, so they follow from the cases with fewer; named here to be seen.
NOT_IN_PARITY = {"stacked_3", "torch_2_layers_no_dropout"}


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def keras(torch):
    keras = pytest.importorskip("keras")
    assert keras.backend.backend() == "torch"
    return keras


def states(link: str) -> list[State]:
    a, vs = compare.split(parse_qsl(link))
    first = parse(a)
    second = compare.parse_b(first, vs)
    return [first] if second is None else [first, second]


def keras_models(keras, case: Case, monkeypatch) -> list:
    """Every model the case's code builds, in order (the seed builds two, both named model)."""
    made = []
    init = keras.Sequential.__init__

    def recording(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(self)

    namespace = {"Sequential": keras.Sequential, **{name: getattr(keras.layers, name) for name in KERAS_NAMES}}
    with monkeypatch.context() as m, warnings.catch_warnings():
        m.setattr(keras.Sequential, "__init__", recording)
        warnings.simplefilter("ignore")  # Keras 3: "Argument `input_length` is deprecated"
        exec(compile(case.code, f"<{case.name}>", "exec"), namespace)
        models = made or [namespace["model"]]
        for model in models:
            if case.keras3_length is not None:
                model.build((None, case.keras3_length))
    return models


def torch_model(case: Case):
    """The case's module, its source kept where inspect finds it (as a notebook cell's is)."""
    filename = f"<yourmodel case {case.name}>"
    linecache.cache[filename] = (len(case.code), None, case.code.splitlines(True), filename)
    namespace = {"__name__": f"yourmodel_case_{case.name}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nn.LSTM warns of dropout with one layer (a case does that)
        exec(compile(case.code, filename, "exec"), namespace)
    return namespace["model"]


def code_read(out: dict) -> CodeRead:
    """A CodeRead back from tf_read.py's JSON."""
    models = []
    for d in out["models"]:
        d = dict(d)
        mapping = [Mapped(**x) for x in d.pop("mapping")]
        notes = [Note(**x) for x in d.pop("notes")]
        reasons = [Reason(**x) for x in d.pop("reasons")]
        models.append(ModelRead(**d, mapping=mapping, notes=notes, reasons=reasons))
    return CodeRead(models, [Reason(**r) for r in out["reasons"]], [Note(**n) for n in out["notes"]])


@pytest.fixture(scope="module")
def tf_reads() -> dict:
    if not TF_PYTHON.exists():
        pytest.skip(f"no TF environment at {TF_PYTHON} (.ci/run makes it: tensorflow-cpu==2.15.1)")
    done = subprocess.run(
        [str(TF_PYTHON), str(TF_READ)], capture_output=True, text=True, timeout=300, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the cases: code and object give the case's link ----------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_case_link_is_canonical_and_its_code_reads_to_it(case):
    assert "&".join(sorted(case.link.split("&"))) == case.link
    a, *b = states(case.link)
    assert compare.canonical(a, b[0] if b else None) == case.link
    reading = read_code(case.code)
    assert reading.reasons == []
    assert reading.link == case.link
    assert len(reading.models) == case.models


@pytest.mark.parametrize("case", KERAS3, ids=lambda c: c.name)
def test_a_built_keras3_model_reads_as_its_code(keras, monkeypatch, case):
    models = keras_models(keras, case, monkeypatch)
    assert len(models) == case.models
    reading = read_model(models[0] if len(models) == 1 else models)
    assert reading.reasons == []
    assert reading.link == case.link
    assert all(m.framework == "keras3" for m in reading.models)  # Keras 3.15.1: 3.8 and later
    unbuilt = "len=" not in case.link  # Keras 3 forgets input_length: the length is known once built
    assert any("model.build((None, T))" in n.message for n in reading.notes) == unbuilt
    assert all(x.line == 0 and x.code for m in reading.models for x in m.mapping)  # layer names, no lines


@pytest.mark.parametrize("case", PYTORCH, ids=lambda c: c.name)
def test_a_built_torch_module_reads_as_its_code(torch, case):
    reading = read_model(torch_model(case))
    assert reading.reasons == []
    assert reading.link == case.link
    assert all(x.line == 0 and x.code for m in reading.models for x in m.mapping)


@pytest.mark.parametrize("case", TFKERAS2, ids=lambda c: c.name)
def test_a_built_tfkeras2_model_reads_as_its_code(tf_reads, case):
    out = tf_reads[case.name]
    assert "error" not in out, out.get("error")
    assert out["keras"].startswith("2.")
    reading = to_reading(code_read(out))
    assert reading.reasons == []
    assert reading.link == case.link
    assert any("preset tfkeras2" in n.message and "model.fit" in n.message for n in reading.notes)


def parity_keys(s: State) -> set[tuple]:
    """What the parity tests must have checked for ``s``: its preset's masks per layer (kinds,
    not rates), its embedding dropout's mode, its output dropout."""

    def kind(value):
        if isinstance(value, float):
            return value > 0  # a rate: there or not
        return (value.per_gate, value.per_step) if hasattr(value, "per_gate") else value

    plan = tuple(tuple(kind(getattr(lp, f.name)) for f in fields(lp)) for lp in s.plan().layers)
    keys = {("lstm", s.preset, plan)}
    if s.emb_dropout > 0:
        keys.add(("emb", s.preset, s.emb_mode))
    if s.out_dropout > 0:
        keys.add(("out", s.preset))
    return keys


def test_every_case_is_a_configuration_the_parity_tests_check():
    checked = set()
    for query in [*parity.KERAS_CASES.values(), *parity.TORCH_CASES.values(), *parity.TF_CASES.values()]:
        checked |= parity_keys(parity.state(query))
    for name in parity.CODE_CASES:
        checked |= parity_keys(parity.code_state(name))
    missing = {case.name for case in CASES for s in states(case.link) if parity_keys(s) - checked}
    assert missing == NOT_IN_PARITY


# --- what a built model cannot show -----------------------------------------------------------


def reasons_of(obj) -> list[Reason]:
    read = read_object(obj)
    return read.reasons + [r for m in read.models for r in m.reasons]


def test_keras_layers_the_lab_cannot_show_are_reasons_naming_the_layer(keras):
    layers = keras.layers
    gru = keras.Sequential([layers.Embedding(64, 8), layers.GRU(4), layers.Dense(1, activation="sigmoid")])
    both = keras.Sequential([layers.Embedding(64, 8), layers.Bidirectional(layers.LSTM(4)), layers.Dense(1)])
    between = keras.Sequential(
        [layers.Embedding(64, 8), layers.LSTM(4, return_sequences=True), layers.Dropout(0.2), layers.LSTM(4)]
    )
    last_seq = keras.Sequential([layers.Embedding(64, 8), layers.LSTM(4, return_sequences=True), layers.Dense(1)])
    masked = keras.Sequential([layers.Embedding(64, 8, mask_zero=True), layers.LSTM(4), layers.Dense(1)])
    unrolled = keras.Sequential([layers.Embedding(64, 8), layers.LSTM(4, unroll=True), layers.Dense(1)])
    expected = {
        id(gru): ("gru", "LSTM layers only"),
        id(both): ("bidirectional", "forwards"),
        id(between): ("dropout", "between stacked LSTMs"),
        id(last_seq): ("lstm", "return_sequences=True"),
        id(masked): ("embedding", "mask_zero"),
        id(unrolled): ("lstm", "unroll"),
    }
    for model in (gru, both, between, last_seq, masked, unrolled):
        (reason,) = reasons_of(model)
        name, words = expected[id(model)]
        assert reason.line == 0 and reason.code.startswith(name) and words in reason.message, reason
        assert read_model(model).link is None


def test_a_functional_model_with_branches_is_a_reason(keras):
    layers = keras.layers
    tokens = keras.Input(shape=(10,))
    x = layers.Embedding(64, 8)(tokens)
    merged = layers.Concatenate()([layers.LSTM(4)(x), layers.LSTM(4)(x)])
    reasons = reasons_of(keras.Model(tokens, layers.Dense(1)(merged)))
    assert len(reasons) == 1 and "one chain" in reasons[0].message


def test_a_subclassed_keras_model_is_a_reason_and_a_dense_other_than_the_labs_a_note(keras):
    class Classifier(keras.Model):
        def call(self, x):
            return x

    (reason,) = reasons_of(Classifier())
    assert reason.code == "Classifier" and "subclassed" in reason.message
    softmax = keras.Sequential([keras.Input((12,)), keras.layers.Embedding(64, 8), keras.layers.LSTM(4),
                                keras.layers.Dense(10, activation="softmax")])  # fmt: skip
    reading = read_model(softmax)
    assert reading.link == "dropout=0&emb=8&emb_dropout=0&len=12&recurrent_dropout=0&units=4&v=3&weights=random"
    assert any("Dense(10, softmax)" in n.message for n in reading.notes)


def test_a_keras_input_of_any_length_reads_the_whole_sentence_with_a_note(keras):
    tokens = keras.Input(shape=(None,))
    h = keras.layers.LSTM(100)(keras.layers.Embedding(64, 64)(tokens))
    reading = read_model(keras.Model(tokens, keras.layers.Dense(1, activation="sigmoid")(h)))
    assert reading.link == "dropout=0&emb_dropout=0&recurrent_dropout=0&v=3"
    assert any("no fixed length" in n.message for n in reading.notes)


def test_the_keras_version_decides_the_preset(keras, monkeypatch):
    model = keras.Sequential([keras.layers.Embedding(64, 64), keras.layers.LSTM(100), keras.layers.Dense(1)])
    monkeypatch.setattr(sys.modules["keras"], "__version__", "3.7.0")
    assert read_object(model).models[0].framework == "keras3-legacy"
    monkeypatch.setattr(sys.modules["keras"], "__version__", "3.8.0")
    assert read_object(model).models[0].framework == "keras3"
    monkeypatch.setattr(sys.modules["keras"], "__version__", "4.0.0")
    (m,) = read_object(model).models
    assert m.framework == "keras3" and "4.0.0" in m.notes[0].message


def test_torch_modules_the_lab_cannot_show_are_reasons_naming_the_module(torch):
    nn = torch.nn

    class Gated(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(64, 8)
            self.rnn = nn.GRU(8, 4, batch_first=True)

    class Locked(nn.Module):  # a dropout of one's own (AWD-LSTM's LockedDropout, say): not readable
        def forward(self, x):
            return x

    class WithOwnDropout(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(64, 8)
            self.locked = Locked()
            self.lstm = nn.LSTM(8, 4, batch_first=True)

    gru, own = reasons_of(Gated()), reasons_of(WithOwnDropout())
    assert any(r.code == "rnn" and "GRU" in r.message for r in gru), gru
    assert any(r.code == "locked" and "Locked" in r.message for r in own), own
    both = nn.LSTM(8, 4, bidirectional=True)
    assert any("bidirectional" in r.message.lower() for r in reasons_of(both))


def test_a_torch_module_without_its_source_is_read_in_the_order_declared_with_a_note(torch):
    case = next(c for c in PYTORCH if c.name == "torch_embedding_dropout")
    namespace: dict = {"__name__": "no_source"}
    exec(compile(case.code, "<no file>", "exec"), namespace)  # no linecache entry: no source to read
    reading = read_model(namespace["model"])
    assert reading.link == case.link  # declared in the order forward() uses them
    assert any("order declared" in n.message and "forward()" in n.message for n in reading.notes)


def test_nn_sequential_runs_in_the_order_declared_without_a_note(torch):
    nn = torch.nn
    read = read_object(nn.Sequential(nn.Embedding(64, 64), nn.Dropout(0.1), nn.LSTM(64, 100, batch_first=True)))
    (m,) = read.models
    assert (m.vocab, m.emb, m.emb_dropout, m.units) == (64, 64, 0.1, 100)
    assert not any("forward" in n.message for n in m.notes + read.notes)


def test_two_objects_are_b_and_a_and_anything_else_is_a_reason(torch):
    first, second = (torch_model(c) for c in PYTORCH if c.name in ("torch_2_layers", "torch_embedding_dropout"))
    reading = read_model([first, second])
    assert reading.link == "layers=2&preset=pytorch&recurrent_dropout=0&v=3&vs.dropout=0.4&vs.emb_dropout=0"
    (reason,) = read_object(object()).reasons
    assert reason.code == "object" and "not a Keras model or a PyTorch nn.Module" in reason.message


def test_objects_imports_no_framework():
    """read_object must import in tf.keras 2's environment, and never load a framework itself."""
    code = (
        "import sys; from app.yourmodel.objects import read_object; read_object(object()); "
        "assert not {'torch', 'keras', 'tensorflow', 'fastapi', 'numpy'} & set(sys.modules), sorted(sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_forward_that_is_no_python_of_its_own_is_read_in_the_order_declared(torch, monkeypatch):
    """inspect may give a forward that does not parse alone (a one-line lambda in a call, say)."""
    from app.yourmodel import objects

    model = torch_model(next(c for c in PYTORCH if c.name == "torch_embedding_dropout"))
    monkeypatch.setattr(objects, "_forward_source", lambda obj: ("forward = (lambda self, x:\n", ""))
    reading = read_model(model)
    assert reading.link is not None
    assert any(n.message == objects.NO_SOURCE for n in reading.notes)


def test_explain_of_the_seeds_two_built_keras_models_shows_the_seeds_compare_view(keras, monkeypatch):
    from dropout_lab import explain

    case = next(c for c in KERAS3 if c.name == "seed")
    e = explain(keras_models(keras, case, monkeypatch))
    assert e.ok and e.query == case.link and e.compared is not None
    html = e._repr_html_()
    assert escape(e.verdict.split("\n")[0]) in html and "<svg" in html and "Read from your model" in html


def test_explain_of_a_built_torch_module_is_its_states_view(torch):
    from dropout_lab import explain

    case = PYTORCH[0]
    e = explain(torch_model(case))
    assert e.ok and e.query == case.link and e.link("http://lab") == f"http://lab/?{case.link}"
