"""Run notebook cells into a namespace, as a notebook would: the one way it is done here.

The reference, each catalog mistake and verify's in-process grading all build the globals
of a notebook from its setup and answer cells. The setup cells of later assignments
import the earlier solutions (`rnn_layers`, ...), so the shipped layer modules are made
importable first, whoever asks. (The sandbox runs cells too, but in a process of its
own, with those modules already on its path: `grader/worker.py`.)
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from .execute import no_ipython
from .export import write_layers
from .layout import BUILD_DIR, SHIPPED_LAYERS


def make_shipped_layers_importable(assignment: str) -> None:
    """Later assignments import earlier solutions as `<a>_layers` modules (see export.py)."""
    for earlier in SHIPPED_LAYERS.get(assignment, ()):
        write_layers(earlier)
    if SHIPPED_LAYERS.get(assignment) and str(BUILD_DIR) not in sys.path:
        sys.path.insert(0, str(BUILD_DIR))


def run_cells(assignment: str, cells: Iterable[tuple[str, str]], label: str,
              skip_errors: bool = False) -> dict[str, Any]:
    """Globals after running `cells`, (name, Python source) pairs, in order.

    Trusted code (the reference, a mistake) stops at the first error; a student's
    notebook (`skip_errors`) goes on past a cell that raises, as a kernel would.
    """
    make_shipped_layers_importable(assignment)
    namespace: dict[str, Any] = {"__name__": label, "get_ipython": no_ipython}
    for name, source in cells:
        try:
            exec(compile(source, f"<{label} {name}>", "exec"), namespace)
        except Exception:
            if not skip_errors:
                raise
    return namespace
