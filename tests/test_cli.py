"""The dropout-lab command: trace, weights, --out, and the exit code of a bad state."""

from __future__ import annotations

import json

from app.cli import main
from app.state import parse
from app.trace import trace_json


def test_trace_prints_the_trace(capsys):
    assert main(["trace", "seed=2&units=5"]) == 0
    assert capsys.readouterr().out == trace_json(parse("seed=2&units=5")) + "\n"


def test_default_state(capsys):
    assert main(["trace"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "v=1"


def test_weights_to_file(tmp_path, capsys):
    out = tmp_path / "w.json"
    assert main(["weights", "units=4", "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["layers"][0]["bias"]["dtype"] == "f4"


def test_bad_state_exit_2_and_readable_errors(capsys):
    assert main(["trace", "dropout=1&units=0&preset=pytorch"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert "invalid state" in err and "dropout:" in err and "units:" in err and "recurrent_dropout:" in err
    assert "Traceback" not in err
