"""The kit grader path: `grader.grade` on the class, compared with in-process grading."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from ..grader import grade
from ..layout import Notebook
from .report import Check, MutantResult, first_line, names, points


def _kit_feedback(out: Path, student: str) -> str | None:
    """The per-test outputs of a student's Gradescope-style results file, if written."""
    path = out / "results" / f"{student}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join(str(test.get("output", "")) for test in data.get("tests", []))


def kit_checks(assignment: str, root: Path, notebooks: Mapping[str, Notebook],
               students: Mapping[str, MutantResult], max_score: float) -> list[Check]:
    """Grade `notebooks` (student -> notebook) with the kit's grader in folders under `root`.

    "solution" must score `max_score`, "blank" zero, and each mutant student in `students`
    the same per-test scores as in-process, with its hint in the feedback and results.json.
    """
    submissions, out = root / "kit-submissions", root / "kit-out"
    for student, notebook in notebooks.items():
        path = submissions / student / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    try:  # no redirection of stdout here: this runs in a thread
        results = grade(assignment, submissions, out, force=True, progress=False,
                        log=lambda *_: None)
        rows = {r.student_id: r for r in results}
    except Exception as err:  # noqa: BLE001 - any failure of the grader is a FAIL line
        return [Check("FAIL", f"kit grader raised {type(err).__name__}: {first_line(err)}")]

    solution, blank = rows.get("solution"), rows.get("blank")
    lost = [t for t in getattr(solution, "tests", ()) if t.score < t.max_score]
    notes = getattr(solution, "notes", None) or [""]
    why = (f" ({len(lost)} tests lost, e.g. {lost[0].message}; {notes[0]})".replace("; )", ")")
           if lost else "")
    checks = [
        Check("ok" if solution and solution.score == max_score else "FAIL",
              f"kit grader: solution scores {points(solution and solution.score)}"
              f"/{max_score:g}" + (f", status {solution.status}" if solution else "") + why),
        Check("ok" if blank and blank.score == 0 else "FAIL",
              f"kit grader: blank release scores {points(blank and blank.score)}"
              f"/{max_score:g}"),
    ]
    if not students:
        return checks
    problems = []
    for student, result in students.items():
        row = rows.get(student)
        want = result.scores()
        got = {t.name: t.score for t in getattr(row, "tests", ())}
        differ = sorted(name for name in want if got.get(name) != want[name])
        if row is None or differ:
            problems.append(f"{result.mutant.key} scores differ on "
                            f"{names(differ) if row else 'everything'}")
            continue
        shown = {t.name: t.message for t in row.tests}
        if any(result.mutant.hint not in shown.get(r.name, "") for r in result.own_failing):
            problems.append(f"{result.mutant.key} hint not in the kit grader's feedback")
        feedback = _kit_feedback(out, student)
        if feedback is not None and result.mutant.hint not in feedback:
            problems.append(f"{result.mutant.key} hint not in the kit grader's results.json")
    checks.append(Check("FAIL" if problems else "ok",
                        "kit grader agrees with in-process grading, hints included, on "
                        f"{', '.join(r.mutant.key for r in students.values())}"
                        + (": " + "; ".join(problems) if problems else "")))
    return checks
