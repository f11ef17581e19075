"""The hidden tests of an assignment, their cases and the reference's expected outputs.

Tests come from `autograder/cases/<assignment>.py`; cases are built once per process (with
per-output tolerances from the reference's own error, `tolerance`) and their expected
outputs computed once, by running the reference (`execute.run_case`).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import precomputed
from .execute import run_case
from .reference import reference_functions
from .spec import Case, Test
from .tolerance import with_tolerances


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
    """The hidden test called `name`."""
    for test in tests_for(assignment):
        if test.name == name:
            return test
    raise KeyError(f"no test named {name!r} in assignment {assignment!r}")


@functools.cache
def cases(assignment: str, test_name: str) -> tuple[Case, ...]:
    """A test's cases, built once per process (identity matters: see fingerprints), each
    with its outputs' tolerances (`tolerance`); stored ones in a grading bundle."""
    stored = precomputed.active(assignment)
    if stored is not None:
        return stored.cases_of(test_name)
    functions = reference_functions(assignment)
    return tuple(with_tolerances(case, functions)
                 for case in find_test(assignment, test_name).cases())


@functools.cache
def expected(assignment: str, test_name: str, index: int) -> Mapping[str, np.ndarray]:
    """The reference's outputs on case `index` of a test."""
    stored = precomputed.active(assignment)
    if stored is not None:
        return stored.expected_of(test_name, index)
    case = cases(assignment, test_name)[index]
    return run_case(case, reference_functions(assignment))


def cases_with_expected(assignment: str, test: Test) -> list[tuple[Case, Mapping[str, Any]]]:
    """The test's cases, each with the reference's outputs on it."""
    return [(case, expected(assignment, test.name, i))
            for i, case in enumerate(cases(assignment, test.name))]

