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


@functools.cache
def reference_namespace(assignment: str) -> dict[str, Any]:
    """Globals after running the setup cells and the solution of every answer cell (in a
    grading bundle: of the helpers a retry needs, all it ships)."""
    stored = precomputed.active(assignment)
    if stored is not None:
        return run_cells(assignment, [("setup", stored.setup), *stored.helpers.items()],
                         f"reference_{assignment}")
    cells = [("setup", setup_source(assignment)), *solution_sources(assignment).items()]
    return run_cells(assignment, cells, f"reference_{assignment}")


def reference_functions(assignment: str) -> dict[str, Callable[..., Any]]:
    """The graded functions of the reference solution, keyed by name."""
    namespace = reference_namespace(assignment)
    stored = precomputed.active(assignment)
    names = stored.helpers if stored is not None else solution_sources(assignment)
    return {name: namespace[name] for name in names}
