"""The stock nbgrader path: `nbgrader autograde` on the class, compared with in-process grading."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..course import Course, NbgraderError
from ..layout import Notebook, NotebookError
from ..notebooks import grade_meta
from ..suite import tests_for
from .report import Check, MutantResult, names, points


def _failing_outputs(notebook: Notebook) -> dict[str, str]:
    """grade_id -> error text of every test cell that raised, from an autograded notebook."""
    found = {}
    for cell in notebook["cells"]:
        errors = [o.get("evalue", "") for o in cell.get("outputs", [])
                  if o.get("output_type") == "error"]
        if errors and grade_meta(cell).get("grade"):
            found[grade_meta(cell)["grade_id"]] = "\n".join(errors)
    return found


def stock_checks(assignment: str, course: Course, notebooks: Mapping[str, Notebook],
                 students: Mapping[str, MutantResult], max_score: float) -> list[Check]:
    """Autograde `notebooks` (student -> notebook) in `course`, whose release is generated.

    "solution" must score `max_score`, "blank" zero, and each mutant student in `students`
    the same per-test scores as in-process, with its hint in the autograded notebook.
    """
    try:
        for student, notebook in notebooks.items():
            course.submit(assignment, student, notebook)
        scores = course.autograde(assignment)
        shown = {}
        for student in students:
            if student in scores:
                path = course.root / "autograded" / student / assignment / f"{assignment}.ipynb"
                shown[student] = _failing_outputs(json.loads(path.read_text(encoding="utf-8")))
    except (NbgraderError, NotebookError, OSError) as err:
        return [Check("FAIL", f"stock nbgrader: {err}")]

    graded = [t.name for t in tests_for(assignment)]  # not the written answers' cells
    solution, blank = scores.get("solution"), scores.get("blank")
    total = sum(solution.get(name, 0.0) for name in graded) if solution else None
    checks = [Check("ok" if total == max_score else "FAIL",
                    f"stock nbgrader: solution scores {points(total)}/{max_score:g}")]
    total = sum(blank.get(name, 0.0) for name in graded) if blank is not None else None
    checks.append(Check("ok" if total == 0 else "FAIL",
                        f"stock nbgrader: blank release scores {points(total)}/{max_score:g}"
                        + ("" if blank is not None else " (no row: the run did not complete)")))
    if not students:
        return checks
    problems = []
    for student, result in students.items():
        got = scores.get(student)
        if got is None:
            problems.append(f"{result.mutant.key} not graded")
            continue
        want = result.scores()
        differ = sorted(n for n in want if got.get(n) != want[n])
        if differ:
            problems.append(f"{result.mutant.key} scores differ on {names(differ)}")
        own = [r.name for r in result.own_failing]
        if not own or any(result.mutant.hint not in shown[student].get(name, "")
                          for name in own):
            problems.append(f"{result.mutant.key} hint not shown in the autograded notebook")
    keys = ", ".join(r.mutant.key for r in students.values())
    checks.append(Check("FAIL" if problems else "ok",
                        "stock nbgrader agrees with in-process grading, hints included, on "
                        f"{keys}" + (": " + "; ".join(problems) if problems else "")))
    return checks
