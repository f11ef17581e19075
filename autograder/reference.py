"""The reference solution as running code: the source notebook's setup and solutions.

Expected values of the hidden tests, the grader's answers to a retry's helper calls and
the hints' comparisons all come from this namespace.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import precomputed
from .namespaces import run_cells
from .solutions import setup_source, solution_sources


def reference_cells(assignment: str) -> list[tuple[str, str]]:
    """(name, source) of the setup cells and of the solution of every answer cell (in a
    grading bundle: of the helpers a retry needs, all it ships)."""
    stored = precomputed.active(assignment)
    if stored is not None:
        return [("setup", stored.setup), *stored.helpers.items()]
    return [("setup", setup_source(assignment)), *solution_sources(assignment).items()]


@functools.cache
def reference_namespace(assignment: str) -> dict[str, Any]:
    """Globals after running `reference_cells`."""
    return run_cells(assignment, reference_cells(assignment), f"reference_{assignment}")


def reference_functions(assignment: str) -> dict[str, Callable[..., Any]]:
    """The graded functions of the reference solution, keyed by name."""
    namespace = reference_namespace(assignment)
    stored = precomputed.active(assignment)
    names = stored.helpers if stored is not None else solution_sources(assignment)
    return {name: namespace[name] for name in names}
