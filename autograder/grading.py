"""Score one test: run its cases through a runner, compare with the reference, phrase it.

A runner is any `run(case, replaced) -> outputs` callable: in the student's kernel for the
stock nbgrader path (`namespace_runner`), or a sandboxed worker for the kit's grader.
`replaced` names graded functions to swap for the reference (see `Test.fallback`).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .compare import first_mismatch
from .execute import StudentError, rebind, run_case
from .fingerprints import diagnose
from .reference import reference_functions
from .spec import Case, Test

Runner = Callable[[Case, tuple[str, ...]], Mapping[str, np.ndarray]]


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest class

    name: str
    function: str
    score: float
    max_score: float
    message: str

    @property
    def passed(self) -> bool:
        return self.score == self.max_score


@functools.cache
def tests_for(assignment: str) -> tuple[Test, ...]:
    """The hidden tests of an assignment, from autograder/cases/<assignment>.py."""
    module = importlib.import_module(f"autograder.cases.{assignment}")
    tests = tuple(module.TESTS)
    names = [test.name for test in tests]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError(f"{assignment}: duplicated test names {duplicated}")
    return tests


def find_test(assignment: str, name: str) -> Test:
    for test in tests_for(assignment):
        if test.name == name:
            return test
    raise KeyError(f"no test named {name!r} in assignment {assignment!r}")


@functools.cache
def _cases(assignment: str, test_name: str) -> tuple[Case, ...]:
    return tuple(find_test(assignment, test_name).cases())


@functools.cache
def _expected(assignment: str, test_name: str, index: int) -> Mapping[str, np.ndarray]:
    case = _cases(assignment, test_name)[index]
    return run_case(case, reference_functions(assignment))


def cases_with_expected(assignment: str, test: Test) -> list[tuple[Case, Mapping[str, Any]]]:
    cases = _cases(assignment, test.name)
    return [(case, _expected(assignment, test.name, i)) for i, case in enumerate(cases)]


def _attempt(run: Runner, case: Case, replaced: tuple[str, ...]):
    try:
        return run(case, replaced), None
    except StudentError as err:
        return None, str(err)


def evaluate(assignment: str, test: Test, run: Runner) -> TestResult:
    """Full points when every case matches the reference, else 0 and a one-line reason."""
    for case, want in cases_with_expected(assignment, test):
        got, problem = _attempt(run, case, ())
        if problem is None:
            problem = first_mismatch(got, want, test.outputs, case)
        if problem and test.fallback:
            retry, retry_problem = _attempt(run, case, test.fallback)
            if retry_problem is None:
                retry_problem = first_mismatch(retry, want, test.outputs, case)
            if retry_problem is None:
                continue  # the fault lies in a helper, which is charged in its own tests
            problem = retry_problem  # what is still wrong with correct helpers is this function's
        if problem:
            message = f"{test.description}: {problem} (on {case.label})"
            hint = diagnose(assignment, test, case, got)
            if hint:
                message += f". Hint: {hint}"
            return TestResult(test.name, test.function, 0.0, test.points, message)
    return TestResult(test.name, test.function, test.points, test.points,
                      f"{test.description}: passed")



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
