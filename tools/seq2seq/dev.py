"""Run `python -m autograder ...` with `seq2seq` registered in this process only.

    python tools/seq2seq/dev.py sync-tests seq2seq
    python tools/seq2seq/dev.py verify seq2seq

Until the assignment is registered in autograder/layout.py (when verify catches and names
every mistake), this lets its author use the autograder's commands on it.
"""

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import autograder.layout as layout  # noqa: E402

if "seq2seq" not in layout.ASSIGNMENTS:
    layout.ASSIGNMENTS = (*layout.ASSIGNMENTS, "seq2seq")
    layout.SHIPPED_LAYERS["seq2seq"] = ("rnn", "lstm", "char_lm")

sys.argv = ["autograder", *sys.argv[1:]]
runpy.run_module("autograder", run_name="__main__", alter_sys=True)
