"""The reference solution, taken from the one place it is written: the source notebook.

The notebook's setup cells and its answer cells (with the solution regions kept) are run
as plain Python into a fresh namespace. Hidden tests, mutants and the layer modules
shipped with later assignments all derive from this namespace.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .execute import no_ipython
from .notebooks import (
    answer_cells,
    cell_source,
    python_source,
    read_notebook,
    setup_cells,
    source_notebook,
    strip_solution_markers,
)


@functools.lru_cache(maxsize=16)
def _parsed(path: Path, modified_ns: int) -> tuple[dict[str, str], str]:
    """Solution sources and setup source of a notebook file, as of one modification time."""
    notebook = read_notebook(path)
    solutions = {gid: strip_solution_markers(cell_source(cell))
                 for gid, cell in answer_cells(notebook).items()}
    setup = "\n\n".join(python_source(cell_source(cell)) for cell in setup_cells(notebook))
    return solutions, setup


def _source(assignment: str) -> tuple[dict[str, str], str]:
    path = source_notebook(assignment)
    try:
        modified_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        modified_ns = -1  # read_notebook then reports the missing file in one line
    return _parsed(path, modified_ns)


def solution_sources(assignment: str) -> dict[str, str]:
    """Solution code of every answer cell, keyed by function name (= grade_id)."""
    return dict(_source(assignment)[0])


def setup_source(assignment: str) -> str:
    return _source(assignment)[1]


def make_shipped_layers_importable(assignment: str) -> None:
    """Later assignments import earlier solutions as `<a>_layers` modules (see export.py)."""
    from .export import BUILD_DIR, SHIPPED_LAYERS, write_layers

    for earlier in SHIPPED_LAYERS.get(assignment, ()):
        write_layers(earlier)
    if SHIPPED_LAYERS.get(assignment) and str(BUILD_DIR) not in sys.path:
        sys.path.insert(0, str(BUILD_DIR))


@functools.cache
def reference_namespace(assignment: str) -> dict[str, Any]:
    """Globals after running the setup cells and the solution of every answer cell."""
    make_shipped_layers_importable(assignment)
    namespace: dict[str, Any] = {"__name__": f"reference_{assignment}",
                                 "get_ipython": no_ipython}
    exec(compile(setup_source(assignment), f"<{assignment} setup>", "exec"), namespace)
    for name, source in solution_sources(assignment).items():
        exec(compile(source, f"<{assignment} solution {name}>", "exec"), namespace)
    return namespace


def reference_functions(assignment: str) -> dict[str, Callable[..., Any]]:
    """The graded functions of the reference solution, keyed by name."""
    namespace = reference_namespace(assignment)
    return {name: namespace[name] for name in solution_sources(assignment)}
