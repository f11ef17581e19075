"""Build an assignment's source notebook from its outline in tools/<a>/text.py.

    python tools/<a>/build.py      # then: python -m autograder sync-tests <a>

Each tools/<a>/build.py hands `build` the assignment's two modules:

- solutions.py: SETUP and DECODER, the source of the setup cells, and SOLUTIONS, function
  name -> answer cell source (kept as text: once built, the notebook is the one place where
  the solution lives, and autograder.solutions reads it from there);
- text.py: CHECK_HELPERS, the visible tests' imports, and CELLS, the notebook in order, one
  tuple per cell: ("md", text), ("setup", grade_id, source or "SETUP"/"DECODER"),
  ("locked", grade_id, source), ("answer", function), ("visible", function, template),
  ("code", source), ("written", grade_id, points, model answer). The helpers `opening`,
  `exercise`, `section` and `question` write the runs of cells every notebook repeats.

A visible template's expected values are filled in from the reference solution
(tools/expected_values.py).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from expected_values import Layout, aligned, fill, reference

from autograder import authoring as au
from autograder.layout import source_notebook

Cell = tuple[Any, ...]


def opening(intro: str, check_helpers: str) -> list[Cell]:
    """The introduction, the setup cell, then the helpers every visible test calls."""
    return [("md", intro), ("setup", "setup", "SETUP"), ("locked", "check_helpers", check_helpers)]


def exercise(function: str, visible: str) -> list[Cell]:
    """A graded function's answer cell and, right after it, its visible test."""
    return [("answer", function), ("visible", function, visible)]


def section(markdown: str, *code: str) -> list[Cell]:
    """A markdown cell and the code cells under it (the data, a lab, an experiment)."""
    return [("md", markdown), *(("code", source) for source in code)]


def question(prompt: str, grade_id: str, points: float, model_answer: str) -> list[Cell]:
    """A written question: its prompt, then the answer cell graded by hand."""
    return [("md", prompt), ("written", grade_id, points, model_answer)]


def build(assignment: str, solutions: ModuleType, text: ModuleType,
          layout: Layout = aligned) -> Path:
    """Write assignments/<a>/<a>.ipynb without its hidden tests (sync-tests adds those);
    `layout` lays out the expected arrays written into the visible tests."""
    # What the solution notebook has defined when a visible test runs: the setup cells, the
    # visible tests' helpers (their setup parts call check_contracts, check_runs), the answers.
    ns = reference(assignment, [solutions.SETUP, solutions.DECODER, text.CHECK_HELPERS,
                                *solutions.SOLUTIONS.values()])
    cells = [nbgrader_cell(cell, solutions, ns, layout) for cell in text.CELLS]
    path = source_notebook(assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    au.save(au.new_notebook(cells), path)
    print(f"wrote {path}")
    return path


def nbgrader_cell(cell: Cell, solutions: ModuleType, ns: dict[str, Any],
                  layout: Layout) -> dict[str, Any]:
    """The notebook cell of one CELLS entry; `ns` is the reference the visible tests run on."""
    match cell:
        case ("md", text):
            return au.markdown(text)
        case ("setup", grade_id, source):
            # A name stands for that text of solutions.py, where the setup code is written.
            return au.setup(getattr(solutions, source) if source.isidentifier() else source,
                            grade_id=grade_id)
        case ("locked", grade_id, source):
            # Locked and ungraded like a setup cell, but the grader skips it: it runs only the
            # cells whose grade_id starts with "setup".
            return au.setup(source, grade_id=grade_id)
        case ("answer", function):
            return au.answer(function, solutions.SOLUTIONS[function])
        case ("visible", function, template):
            return au.visible(function, fill(template, ns, layout))
        case ("code", source):
            return au.code(source)
        case ("written", grade_id, points, model_answer):
            return au.written(grade_id, points, model_answer=model_answer)
    raise ValueError(f"not a notebook cell: {cell[:2]!r}")
