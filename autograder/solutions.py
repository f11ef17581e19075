"""The solution's text, read from the one place it is written: the source notebook.

Per answer cell (grade_id = function name) the instructor's code with the solution
regions kept and their markers removed, and the setup cells as Python. The reference
namespace (`reference`), the mistake catalog (`mutants`) and the layer modules shipped
with later assignments (`export`) are all built from these texts.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .layout import source_notebook
from .notebooks import (
    answer_cells,
    cell_source,
    python_source,
    read_notebook,
    setup_cells,
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
