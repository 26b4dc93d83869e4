"""The shipped trained weights (app/weights/): files, manifest, reproduction, and the claims the
explorer makes with them."""

from __future__ import annotations

import numpy as np
import pytest

from app.documents.run import run
from app.engine import data
from app.engine.train import evaluate
from app.link.state import parse
from app.weights import trained


def test_manifest_describes_every_shipped_file():
    doc = trained.manifest()
    assert [m["layers"] for m in doc["models"]] == [1, 2, 3]
    for m in doc["models"]:
        path = trained.WEIGHTS_DIR / m["file"]
        assert path.stat().st_size == m["bytes"] < 1_000_000
        assert trained.sha256(path) == m["sha256"]
        assert (m["vocab"], m["emb"], m["units"]) == (64, 64, 100)
        s = parse(m["training_query"])
        assert (s.preset, s.emb_dropout, s.dropout, s.recurrent_dropout, s.layers) == (
            "keras3",
            0.25,
            0.5,
            0.5,
            m["layers"],
        )
        assert m["epochs"] == m["config"]["epochs"] and set(m["accuracy"]) == {"train", "val", "test"}
        assert m["accuracy"]["test"] > 0.97


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_shipped_weights_load_and_reproduce_their_recorded_accuracy(layers):
    entry = next(m for m in trained.manifest()["models"] if m["layers"] == layers)
    w = trained.load(layers)
    assert len(w.layers) == layers and w.embedding.shape == (64, 64) and w.embedding.dtype == np.float32
    cfg = trained.SHIPPED
    val = data.make_split("val", cfg.val_size, cfg.data_seed, data.TaskConfig(label_noise=cfg.label_noise))
    acc = evaluate(w, val, parse(trained.training_query(layers)).run_spec())[1]
    assert acc == pytest.approx(entry["accuracy"]["val"], abs=0.002)


def test_a_tampered_file_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "weights"
    bad.mkdir()
    for name in ("manifest.json", trained.file_name(1)):
        (bad / name).write_bytes((trained.WEIGHTS_DIR / name).read_bytes())
    body = bytearray((bad / trained.file_name(1)).read_bytes())
    body[len(body) // 2] ^= 0xFF  # one byte of the weights changed
    (bad / trained.file_name(1)).write_bytes(bytes(body))
    monkeypatch.setattr(trained, "WEIGHTS_DIR", bad)
    monkeypatch.setattr(trained, "MANIFEST", bad / "manifest.json")
    trained.load.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="sha256"):
            trained.load(1)
    finally:
        trained.load.cache_clear()


def test_retraining_the_one_layer_model_lands_within_two_points():
    """From scratch, as `dropout-lab train --ship` did (about 15 s here)."""
    entry = next(m for m in trained.manifest()["models"] if m["layers"] == 1)
    _w, logs = trained.train_shipped(1)
    assert len(logs) == entry["epochs"]
    assert abs(logs[-1].val_acc - entry["accuracy"]["val"]) <= 0.02


SENTENCES = {
    "this film is wonderful": ">0.9",
    "i loved it": ">0.9",
    "the acting was bad": "<0.1",
    "it was great but the ending was not really good at all": "<0.1",
}


@pytest.mark.parametrize("text", sorted(SENTENCES))
def test_clear_sentences_are_classified_with_confidence(text):
    p = run(parse(f"phase=infer&text={text}")).probability
    assert p > 0.9 if SENTENCES[text] == ">0.9" else p < 0.1


def test_the_default_sentence_is_positive_under_the_rule_and_the_model():
    s = parse("phase=infer")
    assert data.label(s.sequence()) == 1 and run(s).probability > 0.5


def test_gates_move_with_trained_weights():
    """Over the default sentence the forget and input gates of the trained model span almost
    the whole range (0 to 1), against 0.02 to 0.03 with random weights (README figures)."""
    for name, k in (("input", 0), ("forget", 1)):
        trained_gate = run(parse("phase=infer")).layers[0].gates[:, k]
        random_gate = run(parse("phase=infer&weights=random")).layers[0].gates[:, k]
        assert np.ptp(trained_gate) > 0.9, name
        assert np.ptp(random_gate) < 0.05, name
