"""Project promises: the README's two commands, CI running exactly the test line, no skips."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text()


def test_readme_has_the_run_and_test_lines():
    lines = README.splitlines()
    run = [line for line in lines if line.startswith("python3 -m venv .venv && ") and "dropout-lab" in line]
    test = [line for line in lines if re.match(r"^python3 -m venv \.venv && .*pytest", line)]
    assert len(run) == 1 and len(test) == 1


def test_ci_runs_the_readme_test_line_with_everything_required():
    assert "grep -m1 -E '^python3 -m venv \\.venv && .*pytest' README.md" in CI
    assert "DROPOUT_LAB_REQUIRE_ALL=1" in CI
    assert "'.[parity]'" in CI
    assert "apt-get install -y -qq chromium" in CI
    assert "tensorflow-cpu==2.15.1" in CI


def test_parity_pins_the_cpu_torch_wheel():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"torch==2.13.0"' in pyproject
