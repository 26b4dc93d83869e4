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
    assert 'apt-get install -y -qq "${missing[@]}"' in CI
    assert "missing+=(chromium)" in CI and "missing+=(redis-server)" in CI  # the browser and Redis tests
    assert "tensorflow-cpu==2.15.1" in CI


def test_parity_pins_the_cpu_torch_wheel():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"torch==2.13.0"' in pyproject


def test_the_deployment_starts_what_the_cli_knows():
    """deploy/compose.yaml's web and worker commands are the CLI's; its image holds what the app
    reads beside app/ (an editable install, as a clone); nginx never caches nor buffers the lab's stream."""
    from app.cli import _parser

    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    serve = re.search(r'command: \["dropout-lab", "serve", (.*)\]', compose).group(1)
    args = _parser().parse_args(["serve", *re.findall(r'"([^"]+)"', serve)])
    assert (args.host, args.port) == ("0.0.0.0", 8000)
    assert 'command: ["dropout-lab", "worker", "--concurrency", "${CONCURRENCY:-1}"]' in compose
    assert _parser().parse_args(["worker", "--concurrency", "1"]).concurrency == 1
    assert "DROPOUT_LAB_REDIS_URL: ${REDIS_URL:-redis://redis:6379/0}" in compose
    assert 'FORWARDED_ALLOW_IPS: "*"' in compose  # the fair queue per student behind the proxy
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for folder in ("app", "static", "templates", "dropout_lab"):
        assert f"COPY {folder} ./{folder}" in dockerfile
    assert "pip install --no-cache-dir -e ." in dockerfile
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    train = nginx[nginx.index("location = /api/train") :]
    assert "proxy_buffering off;" in train and "proxy_cache off;" in train
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx  # never a client's own header
    assert "proxy_cache_key $scheme$host$request_uri;" in nginx  # an unknown Host never gets a cached body
