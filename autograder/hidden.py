"""Entry point of the hidden-test cells that stock `nbgrader autograde` runs.

A hidden-test cell holds nothing but::

    from autograder.hidden import run_test
    run_test("rnn", "test_rnn_backward_dWh", globals())

so the notebook never carries a second copy of a test case or an expected value.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Mapping
from typing import Any

from .grading import evaluate, namespace_runner
from .suite import find_test


def run_test(assignment: str, name: str, namespace: Mapping[str, Any]) -> None:
    """Print a pass line, or raise AssertionError with a one-line reason (nbgrader: 0 points)."""
    # nbgrader zeroes a test cell with any stderr output: warnings raised by student code
    # while it is being tested (overflow, deprecations) must not cost points.
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        result = evaluate(assignment, find_test(assignment, name),
                          namespace_runner(assignment, namespace))
    if not result.passed:
        raise AssertionError(result.message)
    print(f"PASSED {name} ({result.max_score:g} pt): {result.message}")
