"""Read nbgrader notebooks and find their cells by grade_id.

Every failure is a `NotebookError` with a one-line message naming the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from .layout import NotebookError

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def read_notebook(path: Path) -> dict[str, Any]:
    """Parse a notebook file as JSON, checking only what every later step relies on."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise NotebookError(f"{path}: cannot read ({type(err).__name__})") from None
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(f"{path}: not valid JSON (line {err.lineno})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{path}: not a notebook (no list of cells)")
    if notebook.get("nbformat") != 4:
        raise NotebookError(f"{path}: nbformat {notebook.get('nbformat')!r}, expected 4")
    return notebook


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def grade_meta(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {})
    nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbgrader if isinstance(nbgrader, dict) else {}


def cells_by_grade_id(notebook: dict[str, Any]) -> dict[str, dict[str, Any]]:
    cells: dict[str, dict[str, Any]] = {}
    for cell in notebook["cells"]:
        grade_id = grade_meta(cell).get("grade_id")
        if isinstance(grade_id, str):
            cells[grade_id] = cell
    return cells


def answer_cells(notebook: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Autograded-answer cells (solution, not graded), keyed by grade_id = function name."""
    return {
        gid: cell
        for gid, cell in cells_by_grade_id(notebook).items()
        if grade_meta(cell).get("solution") and not grade_meta(cell).get("grade")
        and cell.get("cell_type") == "code"
    }


def setup_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    """Locked code cells whose grade_id starts with 'setup': imports and shared helpers."""
    return [
        cell
        for gid, cell in cells_by_grade_id(notebook).items()
        if gid.startswith("setup") and cell.get("cell_type") == "code"
    ]


def test_cells(notebook: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Autograder test cells (graded, not solution), keyed by grade_id."""
    return {
        gid: cell
        for gid, cell in cells_by_grade_id(notebook).items()
        if grade_meta(cell).get("grade") and not grade_meta(cell).get("solution")
        and cell.get("cell_type") == "code"
    }


_SOLUTION_REGION = re.compile(
    rf"^([ \t]*){re.escape(SOLUTION_BEGIN)}[^\n]*\n(.*?)^[ \t]*{re.escape(SOLUTION_END)}[^\n]*$",
    re.S | re.M,
)


def strip_solution_markers(source: str) -> str:
    """The cell as the instructor wrote it, with the solution and without the markers."""
    return _SOLUTION_REGION.sub(lambda m: m.group(2).rstrip("\n"), source)


def solution_regions(source: str) -> list[str]:
    """The code between each BEGIN/END SOLUTION pair of a cell."""
    return [m.group(2) for m in _SOLUTION_REGION.finditer(source)]


# Cell magics that run their body in the notebook's namespace (IPython's `%%timeit` runs
# it in a function of its own); any other cell magic runs nothing here.
BODY_MAGICS = ("time", "capture", "prun")


ESCAPES = ("%", "!", "?", ";", ",", "/")  # IPython's line escapes (magic, shell, help, autocall)


def escape_lines(source: str) -> int:
    """Lines that may carry IPython syntax: an escape at their start or a `?` at their end."""
    count = 0
    for line in source.splitlines():
        stripped = line.strip()
        count += stripped.startswith(ESCAPES) or stripped.endswith("?")
    return count


def _cleaned(source: str) -> list[str]:
    """The lines after IPython's clean-up steps (prompts, common indentation, blank start)."""
    from IPython.core.inputtransformer2 import TransformerManager

    lines = source.splitlines(keepends=True)
    cleanups = cast(list[Callable[[list[str]], list[str]]],
                    TransformerManager().cleanup_transforms)
    for cleanup in cleanups:
        lines = cleanup(lines)
    return lines


def _plain_python(source: str) -> bool:
    """Python that IPython's transformation leaves as it is: no line could carry IPython
    syntax, its clean-up steps (prompts, indentation) change nothing, and it compiles."""
    if escape_lines(source):
        return False
    lines = source.splitlines(keepends=True)
    while lines and lines[0].isspace():  # (dropping blank first lines changes nothing)
        lines.pop(0)
    if _cleaned(source) != lines:
        return False
    try:
        compile(source, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return False
    return True


def python_source(source: str) -> str:
    """A cell as the Python that IPython would run: IPython's own input transformation.

    `%magic` and `!shell` lines become calls on `get_ipython()` (outside a kernel,
    `execute.no_ipython`: `%time` and `%prun` run their statement, other magics nothing);
    continuation lines, form feeds and other line separators stay exactly as Python reads
    them. A cell IPython cannot transform is returned unchanged, so compiling it fails
    just as it would in a kernel.
    """
    import warnings

    from IPython.core.inputtransformer2 import TransformerManager

    if _plain_python(source):
        return source  # what IPython would make of it too, at a fraction of the cost
    manager = TransformerManager()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(10):  # `%%time` on `%%capture` on ...: each runs the body below
                lines = _cleaned(source)  # as IPython does: indents, prompts, blank lines
                first = lines[0].strip() if lines else ""
                if not (first.startswith("%%") and first[2:].split(" ", 1)[0] in BODY_MAGICS):
                    break
                source = "".join(lines[1:])
            return manager.transform_cell(source)
    except Exception:  # noqa: BLE001 - a cell that is not valid IPython stays as it is
        return source
