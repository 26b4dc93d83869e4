"""Recorded studies: lab trainings over seeds, shipped with the package, replayed at once.

Each study is declared in ``DECLARED`` (its arms, its comparisons, the lab knobs they train with)
and recorded by ``dropout-lab study NAME --record`` into ``app/studies/NAME.sse``: the events of
/api/train in a fixed order (start; every training's epochs, seed by seed and arm by arm; done),
without the machine's timings (no `progress`, no seconds), so a recording is a pure function of
the code and the declaration. ``manifest.json`` keeps, per study: the query and the arms, the
code version, the seeds, the seconds it took, the file's size and sha256.

``dropout-lab study NAME`` trains it again and compares every event with the shipped file, bit for
bit (on the machine that recorded it: float32 BLAS results can differ between CPUs); CI trains
one seed of one arm of one study and compares its epochs (tests/studies/test_recorded.py).

The lab replays a study when a link asks for it (``study=NAME``) or when its run is the very
training a study recorded (``run_key``): the lab's default link is the ``seed`` study.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from app.core.encoding import dumps
from app.lab.compare import points
from app.lab.study import Arm, Study, of_lab, run, start_event, summary
from app.link.lab_query import STUDIES, parse_lab

DIR = Path(__file__).parent
MANIFEST = DIR / "manifest.json"


def rates(**given: float | str) -> str:
    """A state query with every rate of the seed's model 0 but those given (other rates are 0 by default)."""
    values = {"emb_dropout": 0, "dropout": 0, "recurrent_dropout": 0, **given}
    return "&".join(f"{k}={v}" for k, v in values.items())


@dataclass(frozen=True)
class Declared:
    title: str
    question: str
    lab: str  # the lab link: its knobs (and, without arms, its configurations)
    arms: tuple[tuple[str, str, str], ...] = ()  # (name, title, state query); () = the lab's configurations
    pairs: tuple[tuple[str, str], ...] = ()  # () = the lab's (app/lab/study.py pairs_of)


DECLARED: dict[str, Declared] = {
    "seed": Declared(
        "The seed's two models",
        "LSTM(dropout=0.5, recurrent_dropout=0.5) alone, or with Dropout(0.25) after the Embedding: will it make "
        "any difference?",
        "",
    ),
    "seed-context": Declared(
        "The seed's two models, with no dropout and embedding dropout alone as context",
        "What does each dropout do on its own, and both together, against no dropout at all?",
        "configs=none,emb,cell,both",
    ),
    "recurrent-timing": Declared(
        "Recurrent mask once per sequence vs at every step",
        "Gal & Ghahramani (2016) keep one mask on h(t-1) for the whole sequence (variational); a naive "
        "recurrent dropout draws a new one at every step. Which trains better here?",
        "",
        (
            ("none", "no dropout", rates(preset="custom")),
            ("per-sequence", "recurrent mask once per sequence", rates(preset="custom", recurrent_dropout=0.5)),
            (
                "per-step",
                "recurrent mask at every step",
                rates(preset="custom", recurrent_dropout=0.5, rec_time="step"),
            ),
        ),
        (("per-step", "per-sequence"), ("none", "per-sequence"), ("none", "per-step")),
    ),
    "embedding-kinds": Declared(
        "Embedding dropout: standard vs spatial vs word",
        "Dropout(0.25) after the Embedding drops single features at each step; SpatialDropout1D drops whole "
        "features for the sequence; word dropout drops whole words. Does the kind matter?",
        "",
        (
            ("none", "no dropout", rates()),
            ("standard", "Dropout(0.25) on the embedding", rates(emb_dropout=0.25)),
            ("spatial", "SpatialDropout1D(0.25)", rates(emb_dropout=0.25, emb_mode="spatial")),
            ("word", "word dropout (0.25)", rates(emb_dropout=0.25, emb_mode="word")),
        ),
        (
            ("standard", "spatial"),
            ("standard", "word"),
            ("none", "standard"),
            ("none", "spatial"),
            ("none", "word"),
        ),
    ),
}
assert tuple(DECLARED) == STUDIES  # the lab link's choices (app/link/lab_query.py)


def study(name: str) -> Study:
    """The declared study ``name``, ready to train."""
    d = DECLARED[name]
    lab = parse_lab(d.lab)
    base = of_lab(lab)
    if d.arms:
        arms = tuple(Arm(n, t, parse_lab(f"{d.lab}&{q}" if d.lab else q).state) for n, t, q in d.arms)
        base = replace(base, arms=arms, pairs=d.pairs)
    return replace(base, name=name, title=d.title, question=d.question)


def run_key(name: str) -> str | None:
    """The lab run a study is the recording of (its lab link's), or None for declared arms."""
    d = DECLARED[name]
    return None if d.arms else parse_lab(d.lab).run_key()


def sse(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {dumps(data)}\n\n".encode()


def record(s: Study, processes: int) -> tuple[bytes, float]:
    """Train a study; its events in the fixed order of a recording, and the seconds it took."""
    rows: dict[tuple[str, int], list[dict]] = {}
    got: dict = {}

    def keep(name: str, data: dict) -> None:
        if name == "epoch":
            rows.setdefault((data["config"], data["seed"]), []).append(data)
        elif name in ("done", "error"):
            got[name] = data

    run(s, keep, processes)
    if "error" in got:
        raise RuntimeError(got["error"]["message"])
    return recording(s, rows), got["done"]["seconds"]


def recording(s: Study, rows: dict[tuple[str, int], list[dict]]) -> bytes:
    out = [sse("start", start_event(s))]
    for a, k in s.jobs:
        out += [sse("epoch", row) for row in rows[(s.arms[a].name, k)]]
    out.append(sse("done", summary(s, rows)))
    return b"".join(out)


def manifest() -> dict:
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {"format": 1, "studies": {}}


@lru_cache(maxsize=8)
def load(name: str) -> bytes:
    """A shipped recording, refused if its sha256 is not the manifest's."""
    entry = manifest()["studies"][name]
    body = (DIR / entry["file"]).read_bytes()
    if hashlib.sha256(body).hexdigest() != entry["sha256"]:
        raise ValueError(f"app/studies/{entry['file']} does not match its sha256 in manifest.json")
    return body


@lru_cache(maxsize=1)
def _keys() -> dict[str, str]:
    out = {}
    for name, entry in manifest()["studies"].items():
        out[f"study={name}"] = name
        if entry.get("run_key"):
            out[entry["run_key"]] = name
    return out


def recorded_events(key: str) -> bytes | None:
    """The server-sent events of the recorded study whose run key is ``key``, or None."""
    name = _keys().get(key)
    return load(name) if name else None


def done_of(name: str) -> dict:
    """The `done` event of a shipped study (its table, comparisons and sentence)."""
    body = load(name).decode()
    block = body.rstrip("\n").split("\n\n")[-1]
    return json.loads(block.split("\n", 1)[1].removeprefix("data: "))


def code_version() -> str:
    """The package version, and the git commit when recorded from a checkout."""
    from importlib.metadata import version

    out = version("lstm-dropout-lab")
    try:
        import subprocess

        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=DIR, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # the manifest aside: recording the studies one by one rewrites it
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "..", ":(exclude)manifest.json"],
            cwd=DIR,
            capture_output=True,
            text=True,
            timeout=5,
        )
        out += f" (git {commit}{' with changes' if dirty.stdout.strip() else ''})"
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def save(name: str, s: Study, body: bytes, seconds: float) -> None:
    """Write a recording and its manifest entry."""
    file = f"{name}.sse"
    (DIR / file).write_bytes(body)
    m = manifest()
    m["about"] = "Recorded lab studies (app/studies/recorded.py): how each was trained, its file, its sha256."
    m["studies"][name] = {
        "title": s.title,
        "question": s.question,
        "query": s.query,
        "run_key": run_key(name),
        "arms": [{"name": a.name, "title": a.title, "state": a.state.canonical()} for a in s.arms],
        "pairs": [list(p) for p in s.pairs],
        "seeds": s.seeds,
        "epochs": s.train.epochs,
        "code_version": code_version(),
        "seconds": seconds,
        "file": file,
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    m["studies"] = dict(sorted(m["studies"].items(), key=lambda kv: STUDIES.index(kv[0])))
    MANIFEST.write_text(json.dumps(m, indent=1) + "\n")
    load.cache_clear()
    _keys.cache_clear()


SAID = {"b better": "better with it", "a better": "worse with it", "no clear difference": "no clear difference"}


@lru_cache(maxsize=1)
def answer() -> str:
    """The recorded answer to "will it make any difference?", short: the seed study's headline
    comparison (cell against both: what the Dropout after the Embedding adds), read off its done
    event, for the verdict (app/documents/trace.py) and lesson 5."""
    c = done_of("seed")["comparisons"][0]
    lo, hi = c["interval"]
    return (
        f"in the training lab, on the seed's two models (the toy task), {c['seeds']} paired seeds give "
        f"{points(c['difference'])} with the extra Dropout after the Embedding (95% interval {100 * lo:+.1f} to "
        f"{100 * hi:+.1f}): {SAID[c['verdict']]}"
    )
