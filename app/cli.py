"""``dropout-lab``: serve the app; print a state's trace, weights or gradients; train; the toy data.

    dropout-lab serve [--host 127.0.0.1] [--port 8000] [--workers 1]
    dropout-lab trace 'dropout=0.5&recurrent_dropout=0&preset=tfkeras2'
    dropout-lab weights 'units=32&weights=random' --out weights.json
    dropout-lab grads 'seed=3' --label 1                       # loss and every weight's gradient
    dropout-lab train 'emb_dropout=0' --epochs 40 --out w.npz  # train the state's model
    dropout-lab train --ship                                   # retrain the shipped weights
    dropout-lab data --split train --size 5 --seed 0           # JSON lines {text, tokens, label}
    dropout-lab from-code model.py [--json]                    # the link and answer of your model's code
    dropout-lab worker --redis redis://host:6379/0 --concurrency 2   # train lab runs from Redis's queue

A bad state or option prints every problem on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from dataclasses import asdict, replace
from pathlib import Path
from urllib.parse import parse_qsl

from app.core.problems import Problem, StateError
from app.documents.trace import trace_json
from app.documents.weights import weight_grads_json, weights_json
from app.engine.train import TrainConfig
from app.link.fields import Field, Int, Kind, Number
from app.link.lab_query import STUDIES as STUDY_NAMES
from app.link.state import SEED_MAX, format_value, parse

COMMANDS = {"trace": trace_json, "weights": weights_json}
# The options' kinds and bounds (app/link/fields.py), wider than the web lab's (app/link/lab_query.py):
# a local run may take longer. Each option is checked, and its problem worded, by its kind.
TRAIN_OPTIONS = {
    "epochs": Int(1, 500),
    "train_size": Int(10, 100_000),
    "val_size": Int(10, 100_000),
    "batch": Int(1, 1024),
    "lr": Number(1e-7, 10.0),
    "clipnorm": Number(1e-7, 1e6),
    "label_noise": Number(0.0, 0.49),
    "data_seed": Int(0, SEED_MAX),
    "seed": Int(0, SEED_MAX),
}
DATA_OPTIONS = {"size": Int(1, 100_000), "seed": Int(0, SEED_MAX), "label_noise": Number(0.0, 1.0)}


def _problems(problems: list[Problem], what: str = "state") -> int:
    print(f"dropout-lab: invalid {what}:", file=sys.stderr)
    for p in problems:
        print(f"  {p.field}: {p.message}", file=sys.stderr)
    return 2


def _write(text: str, out: Path | None) -> None:
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dropout-lab", description="LSTM Dropout Lab")
    sub = parser.add_subparsers(dest="command", required=True)
    query_help = "state as a query string, e.g. 'dropout=0.3&seed=7'"
    for name, help_text in (("trace", "print the trace JSON of a state"), ("weights", "print the weights JSON")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("query", nargs="?", default="", help=query_help)
        p.add_argument("--out", type=Path, help="write to this file instead of stdout")
    g = sub.add_parser("grads", help="loss and the gradient of every weight for the state's sequence and masks")
    g.add_argument("query", nargs="?", default="", help=query_help)
    g.add_argument("--label", type=int, choices=(0, 1), required=True, help="the sequence's label")
    g.add_argument("--out", type=Path, help="write to this file instead of stdout")
    t = sub.add_parser("train", help="train the state's model on the toy task (app/engine/data.py)")
    t.add_argument("query", nargs="?", default="", help=query_help + "; its dropout, preset and shape are trained")
    t.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    t.add_argument("--train-size", type=int, default=TrainConfig.train_size)
    t.add_argument("--val-size", type=int, default=TrainConfig.val_size)
    t.add_argument("--batch", type=int, default=TrainConfig.batch)
    t.add_argument("--optimizer", choices=("rmsprop", "adam"), default=TrainConfig.optimizer)
    t.add_argument(
        "--lr", type=float, default=TrainConfig.lr, help="learning rate (Keras's default 0.001 is slow here)"
    )
    t.add_argument("--clipnorm", type=float, default=None, help="global-norm gradient clipping")
    t.add_argument(
        "--label-noise", type=float, default=TrainConfig.label_noise, help="share of training labels flipped"
    )
    t.add_argument("--data-seed", type=int, default=0)
    t.add_argument("--seed", type=int, default=0, help="seed of the shuffling and of every mask")
    t.add_argument("--out", type=Path, default=Path("dropout-lab-weights.npz"), help=".npz, or .json (weights JSON)")
    t.add_argument("--json", action="store_true", help="one JSON object per epoch on stdout")
    t.add_argument("--ship", action="store_true", help="retrain the shipped weights (app/weights/) and manifest")
    d = sub.add_parser("data", help="the toy task's sentences as JSON lines {text, tokens, label}")
    d.add_argument("--split", choices=("train", "val", "test"), default="train")
    d.add_argument("--size", type=int, default=10)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--label-noise", type=float, default=0.0, help="train split only")
    st = sub.add_parser(
        "study", help="train a recorded lab study again and compare it with the shipped one, bit for bit"
    )
    st.add_argument("name", choices=STUDY_NAMES, help="the study (app/studies/recorded.py)")
    st.add_argument("--record", action="store_true", help="write the recording and its manifest entry instead")
    st.add_argument("--processes", type=int, default=2, help="trainings at once (the numbers do not depend on it)")
    fc = sub.add_parser(
        "from-code", help="read a Keras or PyTorch model's code (never run): its link and the explorer's answer"
    )
    fc.add_argument("file", help="a file of Python code, or - for stdin")
    fc.add_argument("--json", action="store_true", help="the reading as JSON (GET /api/from-code's), with the verdicts")
    serve = sub.add_parser("serve", help="serve the app and its API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (stateless: any number)")
    serve.add_argument("--access-log", action="store_true", help="log every request (off: it costs time)")
    serve.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)  # one worker of several
    w = sub.add_parser("worker", help="train lab runs from Redis's queue (More than one machine, in the README)")
    w.add_argument("--redis", help="Redis URL (default: DROPOUT_LAB_REDIS_URL), e.g. redis://localhost:6379/0")
    w.add_argument("--concurrency", type=int, default=1, help="lab runs trained at once by this worker (1 to 64)")
    return parser


def _bounded(args: argparse.Namespace, options: dict[str, Kind]) -> list[Problem]:
    """The problems of the options given, each checked by its kind (None: not given)."""
    out = []
    for name, kind in options.items():
        value = getattr(args, name)
        if value is not None:
            checked = Field(name, kind, None, "").parse(format_value(value))
            if isinstance(checked, Problem):
                out.append(replace(checked, message="--" + checked.message.replace("_", "-", name.count("_"))))
    return out


class Progress:
    """A progress bar on a terminal (stderr), one line per epoch otherwise, JSON with --json."""

    def __init__(self, epochs: int, batches: int, as_json: bool):
        self.epochs, self.batches, self.as_json = epochs, batches, as_json
        self.tty = sys.stderr.isatty() and not as_json

    def batch(self, epoch: int, n: int, loss: float) -> None:
        if self.tty:
            done = int(30 * (n + 1) / self.batches)
            bar = "#" * done + "." * (30 - done)
            sys.stderr.write(f"\repoch {epoch}/{self.epochs} [{bar}] loss {loss:.4f}")
            sys.stderr.flush()

    def epoch(self, log) -> None:
        row = asdict(log)
        if self.as_json:
            print(json.dumps(row), flush=True)
            return
        text = (
            f"epoch {log.epoch}/{self.epochs}: train loss {log.train_loss:.4f} acc {log.train_acc:.3f}, "
            f"val loss {log.val_loss:.4f} acc {log.val_acc:.3f} ({log.seconds:.2f} s)"
        )
        sys.stderr.write(("\r" if self.tty else "") + text + "\n")


def _train(args: argparse.Namespace) -> int:
    from app.core.compute import TRAIN_THREADS, one_blas_thread
    from app.engine import train as engine_train
    from app.weights import trained

    if problems := _bounded(args, TRAIN_OPTIONS):
        return _problems(problems, "option")
    if args.ship:
        progress = Progress(trained.SHIPPED.epochs, 0, args.json)
        doc = trained.ship(on_epoch=progress.epoch)
        sys.stderr.write(json.dumps([m["accuracy"] | {"layers": m["layers"]} for m in doc["models"]]) + "\n")
        return 0
    pairs = parse_qsl(args.query.removeprefix("?"), keep_blank_values=True)
    if not any(k == "weights" for k, _ in pairs):
        pairs.append(("weights", "random"))  # training starts from the Keras initialisation
    try:
        state = parse(pairs)
    except StateError as err:
        return _problems(err.problems)
    if state.weights != "random":
        return _problems([Problem("weights", state.weights, "random", "training starts from weights=random.")])
    cfg = TrainConfig(
        epochs=args.epochs,
        train_size=args.train_size,
        val_size=args.val_size,
        batch=args.batch,
        optimizer=args.optimizer,
        lr=args.lr,
        clipnorm=args.clipnorm,
        label_noise=args.label_noise,
        data_seed=args.data_seed,
        seed=args.seed,
        init_seed=state.init_seed,
        vocab=state.vocab,
        emb=state.emb,
        units=state.units,
        layers=state.layers,
        threads=TRAIN_THREADS,
    )
    progress = Progress(cfg.epochs, cfg.batches, args.json)
    with one_blas_thread():
        w, _ = engine_train.train(state.run_spec(), cfg, on_batch=progress.batch, on_epoch=progress.epoch)
    if args.out.suffix == ".json":
        from app.core.encoding import dumps
        from app.documents.weights import weights_layout

        args.out.write_text(dumps({"state": state.canonical(), **weights_layout(w)}) + "\n")
    else:
        trained.save(args.out, w)
    if not args.json:
        sys.stderr.write(f"wrote {args.out}\n")
    return 0


def _data(args: argparse.Namespace) -> int:
    from app.engine import data

    if problems := _bounded(args, DATA_OPTIONS):
        return _problems(problems, "option")
    ds = data.make_split(args.split, args.size, args.seed, replace(data.DEFAULT, label_noise=args.label_noise))
    for text, tokens, label in zip(ds.texts, ds.tokens, ds.labels, strict=True):
        sys.stdout.write(json.dumps({"text": text, "tokens": tokens.tolist(), "label": int(label)}) + "\n")
    return 0


def _study(args: argparse.Namespace) -> int:
    from app.studies import recorded

    if problems := _bounded(args, {"processes": Int(1, 64)}):
        return _problems(problems, "option")
    study = recorded.study(args.name)
    print(
        f"training {args.name}: {len(study.arms)} arms x {study.seeds} seeds x {study.train.epochs} epochs",
        file=sys.stderr,
    )
    body, seconds = recorded.record(study, args.processes)
    if args.record:
        recorded.save(args.name, study, body, seconds)
        print(f"wrote app/studies/{args.name}.sse ({len(body)} bytes, {seconds:.1f} s) and its manifest entry")
        return 0
    shipped = recorded.load(args.name)
    if body == shipped:
        print(f"{args.name}: the same {len(body)} bytes as the shipped recording ({seconds:.1f} s)")
        return 0
    print(
        f"{args.name}: differs from the shipped recording ({len(body)} against {len(shipped)} bytes)", file=sys.stderr
    )
    return 1


def _verdict_text(role: str, verdict: dict) -> list[str]:
    """A model's verdict in the explorer's words: the answer, its points, the difference."""
    lines = [f"Model {role}: {verdict['answer']}"]
    lines += [f"  {n}. {p['title']}. {p['text']}" for n, p in enumerate(verdict["points"], 1)]
    return [*lines, f"  {verdict['difference']}"]


def _from_code(args: argparse.Namespace) -> int:
    """The reading of a file's code: the link and each model's verdict (A first, as the explorer
    shows it); the reasons on stderr and exit 2 when it does not open."""
    from app.documents.trace import plan_json
    from app.yourmodel import read_code

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        print(f"dropout-lab: cannot read {args.file}: {err}", file=sys.stderr)
        return 2
    reading = read_code(text)
    states = {"a": reading.a, "b": reading.b}
    verdicts = {k: plan_json(s)["verdict"] if s is not None else None for k, s in states.items()}
    if args.json:
        print(json.dumps({"ok": reading.ok, **reading.as_dict(), "verdict": verdicts}, ensure_ascii=False))
    if not reading.ok:
        print("dropout-lab: the code does not open a model the lab can show:", file=sys.stderr)
        for r in reading.reasons:
            print(f"  {r}" + (f"\n      {r.code}" if r.code else ""), file=sys.stderr)
        return 2
    if not args.json:
        out = [f"/?{reading.link}", ""]
        for key in ("a", "b"):
            if verdicts[key] is not None:
                out += [*_verdict_text(key.upper(), verdicts[key]), ""]
        out += [f"Note: {n}" for n in reading.notes]
        out += [f"Written for {title}? /?{link}" for title, link in reading.alternatives.values()]
        sys.stdout.write("\n".join(out).rstrip("\n") + "\n")
    return 0


# Where a UDP socket is "connected" to find the address of the interface that reaches them: no
# packet is sent. A public address first (the default route), then the private ranges' (a
# classroom network without a way out).
PROBES = ("8.8.8.8", "10.255.255.255", "172.31.255.255", "192.168.255.255")


def lan_address() -> str:
    """This machine's address on its network (what students' phones reach), else 127.0.0.1."""
    for probe in PROBES:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                address = s.getsockname()[0]
        except OSError:
            continue
        if address != "0.0.0.0" and not address.startswith("127."):
            return address
    return "127.0.0.1"


def public_url_for(host: str, port: int) -> str:
    """The address students open, from the bind address: all interfaces (0.0.0.0, ::) -> this
    machine's LAN address; anything else (127.0.0.1, localhost, a given address or name) -> itself."""
    address = lan_address() if host in ("", "0.0.0.0", "::") else host
    if ":" in address:
        address = f"[{address}]"
    return f"http://{address}" + ("" if port == 80 else f":{port}")


def _serve(args: argparse.Namespace) -> int:
    """The public URL in the environment before uvicorn starts (its workers inherit it), unless the
    user set it; every setting checked here, so a mistake is one clear line, not a traceback."""
    from app.web.config import PUBLIC_URL_VARIABLE
    from app.web.server import serve

    if not args.reuse_port:  # a worker of several: its supervisor did this
        os.environ.setdefault(PUBLIC_URL_VARIABLE, public_url_for(args.host, args.port))
        if (settings := _settings()) is None:
            return 2
        print(f"Students open {settings.public_url}", flush=True)
    serve(args.host, args.port, args.workers, args.access_log, args.reuse_port)
    return 0


def _settings(**given):
    """The settings from the environment (``given`` before it), or None after printing each
    invalid one in one line."""
    from pydantic import ValidationError

    from app.web.config import Settings

    try:
        return Settings(**given)
    except ValidationError as err:
        print("dropout-lab: invalid settings:", file=sys.stderr)
        for e in err.errors():
            name = "DROPOUT_LAB_" + "_".join(str(part) for part in e["loc"]).upper()
            message = e["msg"].removeprefix("Value error, ")
            if not message.startswith(name):
                message = f"{name}={e['input']!r}: {message}"
            print(f"  {message}", file=sys.stderr)
        return None


def _worker(args: argparse.Namespace) -> int:
    """``dropout-lab worker``: RQ workers on the lab's queue (app/lab/jobs.py), until SIGINT/SIGTERM."""
    if (settings := _settings(**({"redis_url": args.redis} if args.redis else {}))) is None:
        return 2
    if not 1 <= args.concurrency <= 64:
        print(f"dropout-lab: invalid --concurrency {args.concurrency}: 1 to 64 lab runs at once", file=sys.stderr)
        return 2
    if not settings.redis_url:
        needs = "dropout-lab: a worker needs Redis: --redis redis://host:6379/0, or DROPOUT_LAB_REDIS_URL"
        print(needs, file=sys.stderr)
        return 2
    from redis.exceptions import RedisError

    from app.lab.jobs import work
    from app.lab.redis_runner import redis_address

    where = redis_address(settings.redis_url)
    print(f"Training lab runs from {where} ({args.concurrency} at once)", flush=True)
    try:
        work(settings.redis_url, args.concurrency)
    except RedisError as err:
        print(f"dropout-lab: Redis at {where}: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "train":
        return _train(args)
    if args.command == "data":
        return _data(args)
    if args.command == "study":
        return _study(args)
    if args.command == "from-code":
        return _from_code(args)
    if args.command == "worker":
        return _worker(args)
    try:
        state = parse(args.query)
    except StateError as err:
        return _problems(err.problems)
    if args.command == "grads":
        _write(weight_grads_json(state, args.label), args.out)
    else:
        _write(COMMANDS[args.command](state), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
