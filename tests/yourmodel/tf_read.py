"""Build the tf.keras 2 cases (cases.py) in TF 2.15 and print how app.yourmodel.objects reads them.

    .venv-tf/bin/python tests/yourmodel/tf_read.py [CASE ...]

Runs in tf.keras 2's own environment (.venv-tf: TF 2.15.1, numpy 1.26, none of the app's web
dependencies), with the repository root on sys.path: it imports only app/yourmodel/read.py and
objects.py, which must import there. Prints one JSON object on the last line of stdout: per case,
``{"models": [ModelRead.as_dict()], "reasons": [...], "notes": [...], "keras": version}``, or
``{"error": ...}`` when the code does not build. test_objects_live.py maps it to states.

The cases import ``tf_keras``, the Keras 2 package that stands beside TF 2.16 and later; in
TF 2.15, ``tf.keras`` is that same Keras 2 (2.15), so ``tf_keras`` names it here.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import tensorflow as tf  # noqa: E402

from app.yourmodel.objects import read_object  # noqa: E402
from tests.yourmodel.cases import TFKERAS2  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
sys.modules.update({"tf_keras": tf.keras, "tf_keras.models": tf.keras.models, "tf_keras.layers": tf.keras.layers})


def read_case(code: str) -> dict:
    namespace: dict = {"__name__": "tf_case"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, "<tf case>", "exec"), namespace)
    except Exception as e:  # reported: the test names the case and the error
        return {"error": f"{type(e).__name__}: {e}"}
    read = read_object(namespace["model"])
    return {
        "models": [m.as_dict() for m in read.models],
        "reasons": [r.as_dict() for r in read.reasons],
        "notes": [n.as_dict() for n in read.notes],
        "keras": sys.modules["keras"].__version__,
    }


def main(names: list[str]) -> None:
    cases = [case for case in TFKERAS2 if not names or case.name in names]
    print(json.dumps({case.name: read_case(case.code) for case in cases}))


if __name__ == "__main__":
    main(sys.argv[1:])
