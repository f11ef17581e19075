"""Where things are and the course-wide defaults: the one place that knows the layout.

Every other module asks here for paths, the list of assignments, which earlier solutions
a release ships as modules, and the grading defaults. It imports nothing of the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = REPO_ROOT / "assignments"      # nbgrader source notebooks, <a>/<a>.ipynb
BUILD_DIR = REPO_ROOT / "build" / "layers"  # generated <a>_layers.py modules (git-ignored)
RELEASE_DIR = REPO_ROOT / "release"         # `python -m autograder release` writes here
RELEASE_CACHE = REPO_ROOT / "build" / "releases"  # release notebooks the grader made (ignored)
DEADLINES_CACHE = REPO_ROOT / "build" / "gradebook-deadlines"  # deadlines read from gradebooks

# The assignments, in the order students meet them.
ASSIGNMENTS = ("rnn", "lstm", "char_lm", "captioning", "seq2seq")

# assignment -> the earlier assignments whose solutions its release ships as modules
# (`lstm` uses the RNN layers, `char_lm` the RNN, LSTM and GRU layers, `captioning` and
# `seq2seq` those and the char_lm layers: word embedding, temporal affine, temporal softmax
# loss; char_lm_layers imports lstm_layers, so both ship).
SHIPPED_LAYERS: dict[str, tuple[str, ...]] = {
    "lstm": ("rnn",),
    "char_lm": ("rnn", "lstm"),
    "captioning": ("rnn", "lstm", "char_lm"),
    "seq2seq": ("rnn", "lstm", "char_lm"),
}

# What a student's code may import besides the shipped layers: copied into every release
# and into every grading sandbox.
SUPPORT_PACKAGES = ("course_utils", "datasets")

# Grading defaults (`python -m autograder grade`, `grader.grade`, `sandbox.Limits`).
TIMEOUT = 20.0                 # wall-clock seconds per step: loading the cells, or one case
MEMORY_MB = 512                # address space a submission may add to the interpreter
MAX_NOTEBOOK_BYTES = 20 << 20  # a larger notebook is not read

# When a student may see a hidden test's result, in Gradescope's terms: "visible" (at
# once), "after_due_date", "after_published" (once grades are published) or "hidden"
# (never; staff only). A `Test` without its own `visibility` gets this one
# (docs/grader.md, "Visibility"). "visible" keeps the kit's feedback as it always was:
# every test and its hint at once.
VISIBILITY = "visible"

Notebook = dict[str, Any]      # a notebook as parsed JSON (nbformat 4)


class NotebookError(Exception):
    """A notebook cannot be used; the message is one line and names the file."""


def source_notebook(assignment: str) -> Path:
    """The instructor's source notebook of `assignment` (assignments/<name>/<name>.ipynb)."""
    if assignment not in ASSIGNMENTS:
        known = ", ".join(ASSIGNMENTS)
        raise NotebookError(f"unknown assignment {assignment!r} (known: {known})")
    return SOURCE_DIR / assignment / f"{assignment}.ipynb"


def available_assignments() -> list[str]:
    """The assignments whose source notebook exists, in course order."""
    return [a for a in ASSIGNMENTS if source_notebook(a).exists()]


def layer_module(assignment: str) -> str:
    """Name of the module that ships `assignment`'s solution to later assignments."""
    return f"{assignment}_layers"
