"""Build assignments/seq2seq/seq2seq.ipynb from tools/seq2seq/{solutions,text}.py.

    python tools/seq2seq/build.py      # then: python -m autograder sync-tests seq2seq

The work is done by tools/notebook_builder.py, shared by every assignment built this way.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This assignment's modules, then the shared builder (tools/) and the kit (the repository).
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent.parent)]

import solutions  # noqa: E402
import text  # noqa: E402
from expected_values import shifted  # noqa: E402
from notebook_builder import build  # noqa: E402

if __name__ == "__main__":
    # The layout this notebook's expected arrays were first written in (the default,
    # `aligned`, would move their continuation lines by a column).
    build("seq2seq", solutions, text, layout=shifted)
