"""Both external graders on one class: the solution, the blank release, sampled mutants.

Stock nbgrader (in a scratch course) and the kit's grader get the same submissions and
run side by side; their scores and hints must agree with in-process grading.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..course import Course, NbgraderError, solution_submission
from ..layout import Notebook, NotebookError
from ..mutants import Mutant
from .kit import kit_checks
from .mutation import mutant_submission
from .report import Check, MutantResult
from .stock import stock_checks


@dataclass
class External:
    """What one assignment's external grading runs found, and the release they graded."""

    checks: list[Check] = field(default_factory=list)
    release: Notebook | None = None


def sample(mutants: list[Mutant], count: int) -> list[Mutant]:
    """`count` mutants spread over the catalog (different functions when possible)."""
    if count <= 0 or not mutants:
        return []
    by_function: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_function.setdefault(mutant.function, []).append(mutant)
    functions = list(by_function)
    step = max(1, len(functions) // count)
    return [by_function[f][0] for f in functions[::step]][:count]


def external_checks(assignment: str, sampled: Mapping[str, MutantResult], kit: bool,
                    max_score: float) -> External:
    """Stock nbgrader (and the kit's grader) on solution, blank and sampled mutants."""
    external = External()
    with tempfile.TemporaryDirectory(prefix=f"verify-{assignment}-") as scratch:
        root = Path(scratch)
        course = Course(root / "nbgrader")
        try:
            released = course.generate(assignment)
            external.release = json.loads(released.read_text(encoding="utf-8"))
        except (NbgraderError, NotebookError, OSError) as err:
            external.checks.append(Check("FAIL", f"stock nbgrader: {err}"))
            if kit:
                external.checks.append(Check("skip", "kit grader: no release to grade"))
            return external
        release = external.release
        students = {f"mutant{index}": result for index, result in enumerate(sampled.values())}
        notebooks = {"solution": solution_submission(release, assignment), "blank": release}
        for student, result in students.items():
            notebooks[student] = mutant_submission(release, assignment, result.mutant)
        # The two graders are independent: let them share the wait.
        with ThreadPoolExecutor(max_workers=2) as pool:
            stock = pool.submit(stock_checks, assignment, course, notebooks, students,
                                max_score)
            kit_run = (pool.submit(kit_checks, assignment, root, notebooks, students,
                                   max_score) if kit else None)
            external.checks += stock.result()
            if kit_run is not None:
                external.checks += kit_run.result()
    return external
