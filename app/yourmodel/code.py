"""Pasted code in, a reading out: tidy what copying from a forum or a notebook does to code,
parse it with ``ast`` (never run), hand it to the reader of its framework.

Copying code from a web page brings curly quotes and no-break spaces, from a console ``>>>``
prompts, from a notebook a common indentation; each is undone here, in place, so that line
numbers stay those of the pasted text. Code that mentions PyTorch (``import torch``, ``nn.``)
goes to torch_code.py, any other (Keras, or no import at all, as in the seed) to keras_code.py;
both when both are there, the models kept in the order written.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings

from app.yourmodel.keras_code import read_keras
from app.yourmodel.read import CodeRead, Note, Reason
from app.yourmodel.torch_code import read_torch

# Characters: a forum post's models take a tenth of it, a module with its forward() half. Its bound
# is the link's: 7,000 characters of any script, percent-encoded (9 bytes each at worst), stay
# within the 64 KiB a URL may have here (app/web/server.py), so the box's link always opens.
MAX_CODE = 7_000
PROMPT = re.compile(r"^(?:>>> ?|\.\.\. ?|In \[\d+\]: ?)", re.MULTILINE)
TYPOGRAPHY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " ", "\u2212": "-"})
TORCH = re.compile(r"^\s*(?:import|from)\s+torch\b|\bnn\.(?:LSTM|Module|Embedding)\b", re.MULTILINE)
KERAS = re.compile(
    r"^\s*(?:import|from)\s+(?:keras|tensorflow|tf_keras)\b|(?<!nn\.)\b(?:Sequential|Model)\s*\(|(?<![\w.])LSTM\s*\(",
    re.MULTILINE,
)


def tidy(text: str) -> tuple[str, list[Note]]:
    """The pasted text as Python: prompts, curly quotes and no-break spaces undone, dedented.
    Every change keeps the lines where they were; a note says what was changed."""
    notes = []
    if text.translate(TYPOGRAPHY) != text:
        text = text.translate(TYPOGRAPHY)
        notes.append(Note(0, "curly quotes, a minus sign or no-break spaces (from a web page) read as plain ones."))
    if PROMPT.search(text):
        text = PROMPT.sub("", text)
        notes.append(Note(0, "console prompts (>>>, ..., In [n]:) removed."))
    return textwrap.dedent(text.replace("\r\n", "\n").replace("\r", "\n")), notes


def read(text: str) -> CodeRead:
    """Every model in ``text``, in the order written; a reason instead when it is not Python."""
    source, notes = tidy(text)
    lines = source.split("\n")
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" and the like: not the lab's to print
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except SyntaxError as err:
        line = err.lineno or 0
        code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return CodeRead(reasons=[Reason(line, code, f"this is not Python the lab can read ({err.msg}).")], notes=notes)
    except (RecursionError, MemoryError, ValueError) as err:
        why = str(err).split("\n")[0][:200] or type(err).__name__
        return CodeRead(reasons=[Reason(0, "", f"this code cannot be read ({why}).")], notes=notes)
    readers = []
    if TORCH.search(source):
        readers.append(read_torch)
    if KERAS.search(source) or not readers:
        readers.append(read_keras)
    found = []
    for reader in readers:
        try:
            found.append(reader(tree, lines))
        except RecursionError:
            return CodeRead(reasons=[Reason(0, "", "this code is nested too deeply to read.")], notes=notes)
    if len(found) == 2 and not all(r.models for r in found):
        found = [r for r in found if r.models] or found[:1]  # one framework's code: the other reader saw none
    out = CodeRead(notes=notes)
    for r in found:
        out.models += r.models
        out.reasons += r.reasons
        out.notes += r.notes
    out.models.sort(key=lambda m: m.first_line)
    return out
