"""``dropout-lab``: serve the app, or print the trace or the weights of a state.

    dropout-lab serve [--host 127.0.0.1] [--port 8000] [--workers 1]
    dropout-lab trace 'dropout=0.5&recurrent_dropout=0&preset=tfkeras2'
    dropout-lab weights 'units=32' --out weights.json

A bad state prints every problem on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.state import StateError, parse
from app.trace import trace_json, weights_json

COMMANDS = {"trace": trace_json, "weights": weights_json}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dropout-lab", description="LSTM Dropout Lab")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("trace", "print the trace JSON of a state"),
        ("weights", "print the weights JSON of a state"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("query", nargs="?", default="", help="state as a query string, e.g. 'dropout=0.3&seed=7'")
        p.add_argument("--out", type=Path, help="write to this file instead of stdout")
    serve = sub.add_parser("serve", help="serve the app and its API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (stateless: any number)")
    serve.add_argument("--access-log", action="store_true", help="log every request (off: it costs time)")
    args = parser.parse_args(argv)

    if args.command == "serve":
        from app.server import serve

        serve(args.host, args.port, args.workers, args.access_log)
        return 0
    try:
        state = parse(args.query)
    except StateError as err:
        print("dropout-lab: invalid state:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem.field}: {problem.message}", file=sys.stderr)
        return 2
    text = COMMANDS[args.command](state)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
