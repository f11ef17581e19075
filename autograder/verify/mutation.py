"""In-process mutation scoring: each mutant graded like the hidden-test cells grade it.

A submission is graded by running its setup and answer cells as plain Python and then
`grading.evaluate` on every hidden test, which is what the hidden-test cells do in the
student's kernel. A mutant must lose points in its own function's tests only, and every
one of those tests must show its hint.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from ..course import with_answers
from ..grading import evaluate, namespace_runner
from ..layout import Notebook
from ..mutants import Mutant, mutant_source
from ..namespaces import run_cells
from ..notebooks import answer_cells, cell_source, grade_meta, python_source
from ..solutions import solution_sources
from ..suite import tests_for
from ..verdict import TestResult
from .report import MutantResult, Report


def quietly(function: Callable[[], Any]) -> Any:
    """Run student-like code without its prints and warnings cluttering the report."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        return function()


def submission_namespace(notebook: Notebook, assignment: str) -> dict[str, Any]:
    """Globals after running a notebook's setup and answer cells in order, as plain Python.

    This is what the hidden-test cells see, minus the labs (which graded functions must not
    need). A cell that raises is skipped, as it would be in an nbgrader run.
    """
    answers = answer_cells(notebook)
    cells = [(str(grade_meta(cell).get("grade_id")), python_source(cell_source(cell)))
             for cell in notebook["cells"] if cell.get("cell_type") == "code"
             and (grade_meta(cell).get("grade_id") in answers
                  or str(grade_meta(cell).get("grade_id", "")).startswith("setup"))]
    return quietly(lambda: run_cells(assignment, cells, f"submission_{assignment}",
                                      skip_errors=True))


def grade_in_process(notebook: Notebook, assignment: str,
                     skip: Mapping[str, TestResult] | None = None) -> list[TestResult]:
    """Every hidden test of `assignment` on `notebook`, graded like the hidden cells do.

    Tests named in `skip` are not run; their given result is reported instead.
    """
    run = namespace_runner(assignment, submission_namespace(notebook, assignment))
    skip = skip or {}
    return [skip[test.name] if test.name in skip else
            quietly(functools.partial(evaluate, assignment, test, run))
            for test in tests_for(assignment)]


def functions_reached(notebook: Notebook, assignment: str) -> dict[str, set[str]]:
    """For each test, the graded functions its cases call, directly or not, on `notebook`.

    A test that never reaches f on the solution runs exactly the same code when only f is
    wrong, so it gives the same result: mutants of f need not run it again.
    """
    namespace = submission_namespace(notebook, assignment)
    reached: set[str] = set()

    def recording(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def record(*args: Any, **kwargs: Any) -> Any:
            reached.add(name)
            return function(*args, **kwargs)
        return record

    for name in solution_sources(assignment):
        if callable(namespace.get(name)):
            namespace[name] = recording(name, namespace[name])
    run = namespace_runner(assignment, namespace)
    found = {}
    for test in tests_for(assignment):
        reached.clear()
        quietly(functools.partial(evaluate, assignment, test, run))
        found[test.name] = set(reached)
    return found


def mutant_submission(base: Notebook, assignment: str, mutant: Mutant) -> Notebook:
    """`base` (release or source notebook) with every answer correct but the mutant's."""
    answers = solution_sources(assignment)
    answers[mutant.function] = mutant_source(assignment, mutant)
    return with_answers(base, answers)


def grade_mutant(source: Notebook, assignment: str, mutant: Mutant,
                 solution: list[TestResult], reached: Mapping[str, set[str]]) -> MutantResult:
    """Every hidden test on `source` answered correctly but for `mutant`.

    `solution` holds the tests' results on the solution and `reached` what each test calls
    there (`functions_reached`; empty: run every test): a test that does not reach the
    mutant's function keeps its solution result.
    """
    unaffected = {r.name: r for r in solution
                  if r.name in reached and mutant.function not in reached[r.name]}
    return MutantResult(mutant, grade_in_process(
        mutant_submission(source, assignment, mutant), assignment, skip=unaffected))


def mutant_checks(report: Report) -> None:
    """Add to `report` a line per mutant missed or without its hint, then the scores."""
    for result in report.mutants:
        key = result.mutant.key
        if not result.failing:
            report.add("FAIL", f"mutant {key} is not caught: it scores full points")
        if result.elsewhere:
            report.add("FAIL", f"mutant {key} also loses points in {', '.join(result.elsewhere)}")
        if result.failing and not result.hinted:
            shown = next((r.message for r in result.failing if result.mutant.hint not in
                          r.message), "")
            report.add("FAIL", f"mutant {key} does not get its hint: {shown}")
    if not report.mutants:
        return
    total = len(report.mutants)
    caught = sum(r.caught for r in report.mutants)
    hinted = sum(r.hinted for r in report.mutants)
    report.add("ok" if caught == hinted == total else "FAIL",
               f"in-process: {caught}/{total} mutants caught, {hinted}/{total} with their own hint")
    for first, second in indistinguishable(report.mutants):
        report.add("note", f"{first} and {second} fail the same tests with the same "
                           "messages: their hints are always shown together")


def indistinguishable(results: list[MutantResult]) -> list[tuple[str, str]]:
    """Pairs of mutants no test tells apart (same scores and messages everywhere)."""
    seen: dict[tuple, str] = {}
    pairs = []
    for result in results:
        signature = (result.mutant.function,
                     tuple((r.name, r.score, r.message) for r in result.results))
        if signature in seen:
            pairs.append((seen[signature], result.mutant.key))
        else:
            seen[signature] = result.mutant.key
    return pairs
