"""The dropout-lab command: trace, weights, --out, and the exit code of a bad state."""

from __future__ import annotations

import io
import json

from app.cli import main
from app.documents.trace import trace_json
from app.link.state import parse


def test_trace_prints_the_trace(capsys):
    assert main(["trace", "seed=2&units=5&weights=random"]) == 0
    assert capsys.readouterr().out == trace_json(parse("seed=2&units=5&weights=random")) + "\n"


def test_default_state(capsys):
    assert main(["trace"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "v=3"


def test_weights_to_file(tmp_path, capsys):
    out = tmp_path / "w.json"
    assert main(["weights", "units=4&weights=random", "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["layers"][0]["bias"]["dtype"] == "f4"


def test_bad_state_exit_2_and_readable_errors(capsys):
    assert main(["trace", "dropout=1&units=0&preset=pytorch"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert "invalid state" in err and "dropout:" in err and "units:" in err and "recurrent_dropout:" in err
    assert "Traceback" not in err


def test_train_writes_weights_and_one_json_object_per_epoch(tmp_path, capsys):
    out = tmp_path / "w.npz"
    args = ["train", "emb=8&units=6", "--epochs", "2", "--train-size", "40", "--val-size", "20", "--json"]
    assert main([*args, "--out", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["epoch"] for r in rows] == [1, 2]
    assert set(rows[0]) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "seconds"}
    from app.weights.trained import read

    w = read(out)
    assert w.embedding.shape == (64, 8) and w.layers[0].recurrent_kernel.shape == (6, 24)
    again = tmp_path / "again.json"
    assert main([*args, "--out", str(again)]) == 0
    capsys.readouterr()
    assert json.loads(again.read_text())["layers"][0]["kernel"]["shape"] == "8, 24"


def test_train_options_are_bounded(capsys):
    assert main(["train", "--epochs", "0", "--lr", "-1", "--label-noise", "0.7"]) == 2
    err = capsys.readouterr().err
    assert "invalid option" in err and "epochs" in err and "lr" in err and "label_noise" in err
    assert main(["train", "units=8&weights=trained"]) == 2
    assert "weights" in capsys.readouterr().err


def test_grads_in_the_weights_layout(capsys):
    assert main(["grads", "emb=8&units=6&weights=random&seed=3", "--label", "1"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["label"] == 1 and body["loss"] > 0 and 0 < body["probability"] < 1
    assert set(body) >= {"loss", "embedding", "layers", "dense_kernel", "dense_bias"}
    assert body["layers"][0]["recurrent_kernel"]["shape"] == "6, 24" and body["embedding"]["dtype"] == "f4"


def test_data_prints_labelled_sentences(capsys):
    assert main(["data", "--split", "val", "--size", "5", "--seed", "2"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 5 and all(set(r) == {"text", "tokens", "label"} for r in rows)
    from app.engine import data

    assert all(data.label(r["tokens"]) == r["label"] for r in rows)  # validation labels are clean
    assert main(["data", "--size", "0"]) == 2


def test_from_code_prints_the_link_and_the_explorers_answer(tmp_path, capsys, monkeypatch):
    from app.documents.trace import plan_json
    from tests.web.test_from_code import SEED_CODE

    path = tmp_path / "model.py"
    path.write_text(SEED_CODE, encoding="utf-8")
    assert main(["from-code", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "/?len=498&v=3&vs.emb_dropout=0"
    a, b = (plan_json(parse(q))["verdict"] for q in ("len=498&v=3", "emb_dropout=0&len=498&v=3"))
    assert f"Model A: {a['answer']}" in out and f"Model B: {b['answer']}" in out
    assert out.index("Model A") < out.index("Model B") and a["points"][0]["text"] in out
    assert "Written for Keras 3.0 to 3.7? /?len=498&preset=keras3-legacy&v=3&vs.emb_dropout=0" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(SEED_CODE))
    assert main(["from-code", "-", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] and body["link"] == "len=498&v=3&vs.emb_dropout=0" and body["verdict"]["a"] == a
    assert [m["role"] for m in body["models"]] == ["B", "A"]


def test_from_code_that_does_not_read_exits_2_with_its_reasons(tmp_path, capsys):
    from tests.web.test_from_code import GRU_CODE

    path = tmp_path / "gru.py"
    path.write_text(GRU_CODE, encoding="utf-8")
    assert main(["from-code", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "line 3:" in captured.err and "model.add(GRU(32, dropout=0.2))" in captured.err
    assert main(["from-code", str(tmp_path / "missing.py")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_worker_says_what_it_needs(capsys, monkeypatch):
    from tests.live_server import free_port

    monkeypatch.delenv("DROPOUT_LAB_REDIS_URL", raising=False)
    assert main(["worker"]) == 2
    assert "a worker needs Redis: --redis redis://host:6379/0" in capsys.readouterr().err
    assert main(["worker", "--redis", "http://x", "--concurrency", "1"]) == 2
    assert "DROPOUT_LAB_REDIS_URL='http://x': a Redis URL is needed: redis://host:6379/0" in capsys.readouterr().err
    assert main(["worker", "--redis", "redis://127.0.0.1:6379/0", "--concurrency", "0"]) == 2
    assert "invalid --concurrency 0: 1 to 64" in capsys.readouterr().err
    port = free_port()  # nothing listens there
    assert main(["worker", "--redis", f"redis://:secret@127.0.0.1:{port}/0"]) == 1
    err = capsys.readouterr().err
    assert f"Redis at 127.0.0.1:{port}/0: ConnectionError" in err and "secret" not in err
