"""The reference solution, taken from the one place it is written: the source notebook.

The notebook's setup cells and its answer cells (with the solution regions kept) are run
as plain Python into a fresh namespace. Hidden tests, mutants and the layer modules
shipped with later assignments all derive from this namespace.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .notebooks import (
    answer_cells,
    cell_source,
    read_notebook,
    setup_cells,
    source_notebook,
    strip_magics,
    strip_solution_markers,
)


def solution_sources(assignment: str) -> dict[str, str]:
    """Solution code of every answer cell, keyed by function name (= grade_id)."""
    notebook = read_notebook(source_notebook(assignment))
    return {gid: strip_solution_markers(cell_source(cell))
            for gid, cell in answer_cells(notebook).items()}


def setup_source(assignment: str) -> str:
    notebook = read_notebook(source_notebook(assignment))
    return "\n\n".join(strip_magics(cell_source(cell)) for cell in setup_cells(notebook))


@functools.cache
def reference_namespace(assignment: str) -> dict[str, Any]:
    """Globals after running the setup cells and the solution of every answer cell."""
    namespace: dict[str, Any] = {"__name__": f"reference_{assignment}"}
    exec(compile(setup_source(assignment), f"<{assignment} setup>", "exec"), namespace)
    for name, source in solution_sources(assignment).items():
        exec(compile(source, f"<{assignment} solution {name}>", "exec"), namespace)
    return namespace


def reference_functions(assignment: str) -> dict[str, Callable[..., Any]]:
    """The graded functions of the reference solution, keyed by name."""
    namespace = reference_namespace(assignment)
    return {name: namespace[name] for name in solution_sources(assignment)}
