"""Build nbgrader source notebooks: cells with schema-v3 metadata, and hidden-test cells
derived from `autograder.cases` so that a test is written in exactly one place.

Typical use while writing an assignment::

    cells = [markdown("# The vanilla RNN"), setup("import numpy as np"),
             answer("rnn_step_forward", "def rnn_step_forward(...):\\n    ### BEGIN SOLUTION ..."),
             visible("rnn_step_forward", "next_h, _ = rnn_step_forward(...)")]
    save(new_notebook(cells), path)
    sync_hidden_tests("rnn")   # inserts/refreshes test cells after each function's cells
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .layout import available_assignments, source_notebook
from .notebooks import HIDDEN_BEGIN, HIDDEN_END, cell_source, grade_meta, read_notebook
from .suite import tests_for

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool,
              points: float | None = None, task: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                            "schema_version": 3, "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return meta


def _lines(text: str) -> list[str]:
    lines = text.strip("\n").splitlines(keepends=True)
    return lines


def markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def code(text: str) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": _lines(text)}


def setup(text: str, grade_id: str = "setup") -> dict[str, Any]:
    """Locked imports/helpers; the grader runs these (and answer cells) and nothing else."""
    cell = code(text)
    cell["metadata"]["nbgrader"] = _nbgrader(grade_id, grade=False, solution=False, locked=True)
    return cell


def answer(function: str, text: str) -> dict[str, Any]:
    """Autograded answer cell for one student function (grade_id = function name)."""
    cell = code(text)
    cell["metadata"]["nbgrader"] = _nbgrader(function, grade=False, solution=True, locked=False)
    return cell


def visible(function: str, text: str, what: str = "visible") -> dict[str, Any]:
    """Locked, ungraded cell with the visible test and gradient check of a function."""
    cell = code(text)
    cell["metadata"]["nbgrader"] = _nbgrader(f"test_{function}_{what}", grade=False,
                                             solution=False, locked=True)
    return cell


def written(grade_id: str, points: float, placeholder: str = "YOUR ANSWER HERE",
            model_answer: str = "") -> dict[str, Any]:
    """Manually graded markdown answer cell (formgrader); the model answer is the solution."""
    cell = markdown(model_answer or placeholder)
    cell["metadata"]["nbgrader"] = _nbgrader(grade_id, grade=True, solution=True, locked=False,
                                             points=points)
    return cell


def hidden_test(assignment: str, test_name: str, points: float, description: str) -> dict:
    text = (f"# Hidden test (run by the autograder): {description}\n"
            f"{HIDDEN_BEGIN}\n"
            f"from autograder.hidden import run_test\n"
            f"run_test({assignment!r}, {test_name!r}, globals())\n"
            f"{HIDDEN_END}\n")
    cell = code(text)
    cell["metadata"]["nbgrader"] = _nbgrader(test_name, grade=True, solution=False, locked=True,
                                             points=points)
    return cell


def new_notebook(cells: list[dict[str, Any]]) -> dict[str, Any]:
    return {"cells": cells, "metadata": {"kernelspec": KERNELSPEC,
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def save(notebook: dict[str, Any], path: Path) -> None:
    """Write with no outputs or execution counts and stable cell ids."""
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        gid = grade_meta(cell).get("grade_id")
        cell["id"] = (gid or f"cell-{index}").replace("_", "-")[:64]
    Path(path).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")


def _is_generated_test(cell: dict[str, Any]) -> bool:
    return grade_meta(cell).get("grade") is True and "autograder.hidden" in cell_source(cell)


def sync_hidden_tests(assignment: str, path: Path | None = None) -> Path:
    """Regenerate every hidden-test cell of a source notebook from `autograder.cases`.

    The cells for function f go right after the last cell whose grade_id is f or starts
    with `test_f_` (its answer cell and visible test); old generated cells are dropped.
    """
    path = Path(path or source_notebook(assignment))
    notebook = read_notebook(path)
    cells = [c for c in notebook["cells"] if not _is_generated_test(c)]
    by_function: dict[str, list[dict[str, Any]]] = {}
    for test in tests_for(assignment):
        by_function.setdefault(test.function, []).append(
            hidden_test(assignment, test.name, test.points, test.description))
    for function, new_cells in by_function.items():
        anchor = max((i for i, c in enumerate(cells)
                      if grade_meta(c).get("grade_id") == function
                      or str(grade_meta(c).get("grade_id", "")).startswith(f"test_{function}_")),
                     default=None)
        if anchor is None:
            raise ValueError(f"{path}: no answer cell with grade_id {function!r}")
        cells[anchor + 1:anchor + 1] = new_cells
    notebook["cells"] = cells
    save(notebook, path)
    return path


def add_arguments(parser) -> None:
    parser.add_argument("assignments", nargs="*", help="default: every assignment with a source")


def main(args) -> int:
    for assignment in args.assignments or available_assignments():
        print(f"synced hidden tests of {sync_hidden_tests(assignment)}")
    return 0
