"""The one decision of a test's score, made from plain data.

Both grading paths call `decide`: stock nbgrader's hidden-test cell (attempts made in the
student's kernel, `grading.evaluate`) and the sandboxed grader (attempts made in
sandboxes, `grader.job`). What it sees of the student is an `Attempt`: plain numeric
arrays, or a reason phrased by the grader. It never calls student code.

The rules:
- a test passes when every case's compared outputs match the reference;
- a case that fails is retried with the test's `fallback` helpers correct; if the retry
  matches, the fault lies in a helper, which loses points in its own tests only; but when
  the helper's own outputs on the case (`helper:` outputs) are right, what the retry fixed
  is the cache the helper handed over: the test fails, and says so;
- a side condition (inputs left unchanged) earns credit only where the function's values
  are right too, so a function that returns zeros or its inputs scores nothing;
- the message shown is the first attempt's: the retry's only contribution is whether it
  passed, so nothing computed next to reference data is ever phrased back to a student.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .compare import mismatch
from .spec import HELPER_PREFIX, Case, Test, dtype_key, error_outputs


@dataclass(frozen=True)
class Attempt:
    """What one run of a case gave: its outputs as plain arrays, or why there are none.

    An attempt belongs to one case, so how each output compares with the reference is
    worked out once (`memo`), however many tests look at it.
    """

    outputs: Mapping[str, np.ndarray] | None
    error: str | None = None
    memo: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)


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


Lookup = Callable[[int], Attempt]
Hint = Callable[[Case, Mapping[str, np.ndarray] | None, tuple[str, ...]], str | None]


def compared_outputs(test: Test, case: Case) -> tuple[str, ...]:
    """The outputs a case must get right for `test`: its own, plus the values for a side
    condition (the case's value outputs are those of the function under test)."""
    if not test.side_condition:
        return test.outputs
    return (*(name for name in case.outputs if name not in test.outputs), *test.outputs)


def problem(attempt: Attempt, want: Mapping[str, np.ndarray], names: tuple[str, ...],
            case: Case) -> str | None:
    """One-line reason why `attempt` is wrong on `names`, or None when it is right."""
    if attempt.outputs is None:
        return attempt.error or "no result"
    for name in names:
        if name not in attempt.memo:
            attempt.memo[name] = mismatch(name, attempt.outputs.get(name), want[name], case)
        if attempt.memo[name]:
            return attempt.memo[name]
    return None


def _reason(test: Test, attempt: Attempt, want: Mapping[str, np.ndarray], case: Case
            ) -> tuple[str | None, tuple[str, ...]]:
    """Why the attempt fails `test` on `case`, and the outputs that reason is about."""
    names = compared_outputs(test, case)
    values = names[:len(names) - len(test.outputs)]
    if values and attempt.outputs is not None:
        wrong = problem(attempt, want, values, case)
        if wrong:
            return f"credited only when the values are right, and {wrong}", values
    return problem(attempt, want, names, case), test.outputs


CACHE_BLAME = ("returned the right values here, and with the reference's in its place "
               "this passes: the cache it returns does not give")


def cache_blame(functions: list[str]) -> str:
    """The words that blame the cache of `functions` (see `decide`, `blames_cache`)."""
    return f"your {' and '.join(functions)} {CACHE_BLAME}"


def blames_cache(message: str, function: str) -> bool:
    """Whether a failing test's message blames the cache `function` returned."""
    return f"your {function} {CACHE_BLAME}" in message


def _helpers_right(test: Test, got: Attempt, want: Mapping[str, np.ndarray], case: Case
                   ) -> list[str]:
    """The helpers whose `helper:` outputs on `case` (values and dtypes) the attempt got all
    right, when they are all of the test's fallback; none when the case has no such
    outputs, the attempt raised, one of them is wrong, or another fallback helper (one the
    case does not observe, e.g. a step function inside a sequence function) may be at
    fault."""
    names = tuple(name for name in case.outputs if name.startswith(HELPER_PREFIX))
    helpers = {case.calls[case.outputs[name].call].function for name in names}
    if not names or got.outputs is None or not set(test.fallback) <= helpers:
        return []
    checked = (*names, *(dtype_key(name) for name in names if dtype_key(name) in want))
    return [] if problem(got, want, checked, case) is not None else sorted(helpers)


def decide(test: Test, cases: Sequence[tuple[Case, Mapping[str, np.ndarray]]], first: Lookup,
           retry: Lookup | None = None, hint: Hint | None = None) -> TestResult:
    """Full points when every case matches (directly or with correct helpers), else 0.

    `first(i)` and `retry(i)` give the attempts on case i without and with the fallback
    helpers replaced; they are asked for lazily, in case order, and only when needed.
    """
    for index, (case, want) in enumerate(cases):
        got = first(index)
        reason, about = _reason(test, got, want, case)
        if reason and test.fallback and retry is not None:
            if problem(retry(index), want, compared_outputs(test, case), case) is None:
                right = _helpers_right(test, got, want, case)
                if not right:
                    continue  # the fault lies in a helper, charged in its own tests
                reason = (f"{reason}; yet {cache_blame(right)} "
                          f"{test.function} what it needs")
        if reason:
            message = f"{test.description}: {reason} (on {case.label})"
            shown = got.outputs if got.outputs is not None else error_outputs(got.error or "")
            found = hint(case, shown, about) if hint else None
            if found:
                message += f". Hint: {found}"
            return TestResult(test.name, test.function, 0.0, test.points, message)
    return TestResult(test.name, test.function, test.points, test.points,
                      f"{test.description}: passed")
