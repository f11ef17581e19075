"""Build assignments/captioning/captioning.ipynb from tools/captioning/{solutions,text}.py.

    python tools/captioning/build.py      # then: python -m autograder sync-tests captioning

The work is done by tools/notebook_builder.py, shared by every assignment built this way.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This assignment's modules, then the shared builder (tools/) and the kit (the repository).
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent.parent)]

import solutions  # noqa: E402
import text  # noqa: E402
from notebook_builder import build  # noqa: E402

if __name__ == "__main__":
    build("captioning", solutions, text)
