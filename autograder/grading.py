"""Score one test on the stock nbgrader path: run its cases in the kernel, then `decide`.

A runner is any `run(case, replaced) -> outputs` callable: in the student's kernel for the
stock nbgrader path (`namespace_runner`), or a sandboxed worker for the kit's grader.
`replaced` names graded functions to swap for the reference (see `Test.fallback`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .execute import StudentError, rebind, run_case
from .fingerprints import diagnose
from .reference import reference_functions
from .spec import Case, Test
from .suite import cases_with_expected
from .verdict import Attempt, TestResult, decide

Runner = Callable[[Case, tuple[str, ...]], Mapping[str, np.ndarray]]


def _attempt(run: Runner, case: Case, replaced: tuple[str, ...]) -> Attempt:
    try:
        return Attempt(run(case, replaced))
    except StudentError as err:
        return Attempt(None, str(err))


def evaluate(assignment: str, test: Test, run: Runner) -> TestResult:
    """Run the test's cases through `run` (in the student's kernel) and decide its score."""
    cases = cases_with_expected(assignment, test)
    return decide(test, cases,
                  first=lambda i: _attempt(run, cases[i][0], ()),
                  retry=lambda i: _attempt(run, cases[i][0], test.fallback),
                  hint=lambda case, got, names: diagnose(assignment, test, case, got, names))


def namespace_runner(assignment: str, namespace: Mapping[str, Any]) -> Runner:
    """A runner calling the functions defined in a live namespace (a notebook's globals)."""

    def run(case: Case, replaced: tuple[str, ...]) -> Mapping[str, np.ndarray]:
        if not replaced:
            return run_case(case, namespace)
        reference = reference_functions(assignment)
        isolated = dict(namespace) | {name: reference[name] for name in replaced}
        functions = {name: rebind(value, isolated) for name, value in isolated.items()}
        return run_case(case, functions | {name: reference[name] for name in replaced})

    return run
