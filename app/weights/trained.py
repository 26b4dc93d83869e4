"""The shipped trained weights: how they were trained, their files, their manifest.

``dropout-lab train --ship`` (``ship``) trains the seed's model for 1, 2 and 3 layers with the
seed's dropout (keras3, emb_dropout 0.25, dropout 0.5, recurrent_dropout 0.5) on the toy task,
deterministically from the seeds in ``SHIPPED``, and writes ``app/weights/keras3-seed-lN.npz``
and ``app/weights/manifest.json`` (the training query, configuration, epochs, seeds,
train / validation / test accuracy, size and sha256 of each file). ``load`` reads a shipped
file and refuses one whose sha256 is not the manifest's.

A weights file is an ``.npz`` of float32 arrays in Keras layout: ``embedding`` (V, E),
``layers.N.kernel`` (in, 4H), ``layers.N.recurrent_kernel`` (H, 4H), ``layers.N.bias`` (4H,),
``dense_kernel`` (H, 1), ``dense_bias`` (1,). numpy writes zip entries with a fixed date, so
the same weights give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.core.compute import TRAIN_THREADS, one_blas_thread
from app.engine import data
from app.engine.init import LayerWeights, Weights
from app.engine.train import TrainConfig, evaluate, train
from app.link.state import TRAINED_SHAPE, parse

WEIGHTS_DIR = Path(__file__).parent
MANIFEST = WEIGHTS_DIR / "manifest.json"
LAYERS = (1, 2, 3)
# The seed's second model: Embedding -> Dropout(0.25) -> LSTM(100, dropout=0.5, recurrent_dropout=0.5).
TRAINING_QUERY = "preset=keras3&emb_dropout=0.25&dropout=0.5&recurrent_dropout=0.5&weights=random&v=2"
# Enough data for a model whose gates mean something; a 5% label noise (training split only)
# keeps its probabilities away from 0 and 1, so Monte Carlo dropout has a spread to show.
SHIPPED = TrainConfig(
    epochs=30,
    train_size=2000,
    val_size=1000,
    label_noise=0.05,
    optimizer="adam",
    lr=0.003,
    threads=TRAIN_THREADS,
    **TRAINED_SHAPE,
)
TEST_SIZE = 2000


def file_name(layers: int) -> str:
    return f"keras3-seed-l{layers}.npz"


def arrays(w: Weights) -> dict[str, np.ndarray]:
    out = {"embedding": w.embedding}
    for n, lw in enumerate(w.layers):
        out |= {f"layers.{n}.kernel": lw.kernel, f"layers.{n}.recurrent_kernel": lw.recurrent_kernel}
        out[f"layers.{n}.bias"] = lw.bias
    return out | {"dense_kernel": w.dense_kernel, "dense_bias": w.dense_bias}


def save(path: Path, w: Weights) -> None:
    with path.open("wb") as f:
        np.savez(f, **{k: np.asarray(v, dtype=np.float32) for k, v in arrays(w).items()})


def read(path: Path) -> Weights:
    with np.load(path) as z:
        layers = sum(1 for k in z.files if k.endswith(".recurrent_kernel"))
        return Weights(
            embedding=z["embedding"],
            layers=tuple(
                LayerWeights(z[f"layers.{n}.kernel"], z[f"layers.{n}.recurrent_kernel"], z[f"layers.{n}.bias"])
                for n in range(layers)
            ),
            dense_kernel=z["dense_kernel"],
            dense_bias=z["dense_bias"],
        )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


@lru_cache(maxsize=len(LAYERS))
def load(layers: int) -> Weights:
    """The shipped weights with ``layers`` layers, checked against the manifest's sha256."""
    entry = next(m for m in manifest()["models"] if m["layers"] == layers)
    path = WEIGHTS_DIR / entry["file"]
    if sha256(path) != entry["sha256"]:
        raise RuntimeError(f"{path} does not match its sha256 in {MANIFEST}; reinstall the package")
    w = read(path)
    for a in arrays(w).values():
        a.setflags(write=False)  # shared by every request: nobody may change them
    return w


def training_query(layers: int) -> str:
    return f"{TRAINING_QUERY}&layers={layers}"


def accuracies(w: Weights, cfg: TrainConfig) -> dict[str, float]:
    """Accuracy at inference on the training split (its noisy labels), validation and test."""
    spec = parse(training_query(cfg.layers)).run_spec()
    task = data.TaskConfig(label_noise=cfg.label_noise)
    sets = {
        "train": data.make_split("train", cfg.train_size, cfg.data_seed, task),
        "val": data.make_split("val", cfg.val_size, cfg.data_seed, task),
        "test": data.make_split("test", TEST_SIZE, cfg.data_seed, task),
    }
    return {name: round(evaluate(w, ds, spec)[1], 4) for name, ds in sets.items()}


def train_shipped(layers: int, on_epoch=None) -> tuple[Weights, list]:
    """Train the shipped model with ``layers`` layers from scratch, exactly as ``ship`` does."""
    with one_blas_thread():
        return train(parse(training_query(layers)).run_spec(), replace(SHIPPED, layers=layers), on_epoch=on_epoch)


def ship(on_epoch=None) -> dict:
    """Train every shipped model and write the files and the manifest."""
    WEIGHTS_DIR.mkdir(exist_ok=True)
    models = []
    for layers in LAYERS:
        w, logs = train_shipped(layers, on_epoch)
        path = WEIGHTS_DIR / file_name(layers)
        save(path, w)
        cfg = replace(SHIPPED, layers=layers)
        models.append(
            {
                "file": path.name,
                "layers": layers,
                **TRAINED_SHAPE,
                "training_query": training_query(layers),
                "config": asdict(cfg),
                "epochs": len(logs),
                "seeds": {"data_seed": cfg.data_seed, "seed": cfg.seed, "init_seed": cfg.init_seed},
                "accuracy": accuracies(w, cfg),
                "test_size": TEST_SIZE,
                "bytes": path.stat().st_size,
                "sha256": sha256(path),
            }
        )
    doc = {"format": 1, "about": (__doc__ or "").split("\n\n")[0], "models": models}
    MANIFEST.write_text(json.dumps(doc, indent=1) + "\n")
    return doc
