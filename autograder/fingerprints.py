"""Name the mistake: compare a failing student's outputs with the catalog mutants'.

`diagnose` is called by `verdict.decide` (on both grading paths) for a failing case; it
returns a hint ("dWh matches what you get when ...") or None. The catalog lives in
`autograder.mutants`. It runs trusted code only (the reference solution with one catalog
bug), in the grader process or, on the stock nbgrader path, in the hidden-test cell: both
paths therefore phrase the same failure the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from . import precomputed, suite
from .execute import StudentError, run_case
from .mutants import Mutant, MutantError, for_function, mutant_functions
from .reference import reference_functions
from .spec import (
    DTYPE_PREFIX,
    ERROR_OUTPUT,
    HELPER_PREFIX,
    Case,
    Test,
    error_outputs,
    unchanged_key,
)


def _outputs(assignment: str, mutant: Mutant, case: Case) -> Mapping[str, np.ndarray] | None:
    """What the mutant produces on `case`: its outputs, the message it raises
    (`error_outputs`), or None if it cannot be built."""
    try:
        with np.errstate(all="ignore"):  # a mistake may overflow; the instructor's terminal
            return run_case(case, mutant_functions(assignment, mutant))  # need not hear it
    except StudentError as err:
        return error_outputs(str(err))
    except MutantError:
        return None


@functools.cache
def _cached_outputs(assignment: str, mutant: Mutant, test_name: str,
                    index: int) -> Mapping[str, np.ndarray] | None:
    stored = precomputed.active(assignment)
    if stored is not None:  # a grading bundle: computed when it was built
        return stored.mutant_output(mutant.key, test_name, index)
    return _outputs(assignment, mutant, suite.cases(assignment, test_name)[index])


def _index(assignment: str, test: Test, case: Case) -> int | None:
    for index, known in enumerate(suite.cases(assignment, test.name)):
        if known is case:
            return index
    return None


def mutant_outputs(assignment: str, mutant: Mutant, test: Test,
                   case: Case) -> Mapping[str, np.ndarray] | None:
    """The mutant's outputs on one of `test`'s cases, cached per (mutant, test, case)."""
    index = _index(assignment, test, case)
    if index is None:
        return _outputs(assignment, mutant, case)
    return _cached_outputs(assignment, mutant, test.name, index)


def _reference_outputs(assignment: str, test: Test, case: Case) -> Mapping[str, np.ndarray]:
    index = _index(assignment, test, case)
    if index is None:
        return run_case(case, reference_functions(assignment))
    return suite.expected(assignment, test.name, index)


def _subject(test: Test, outputs: tuple[str, ...]) -> str:
    # (a helper's outputs, recorded to judge a cache, are the grader's business, not named)
    names = [f"the change {test.function} makes to its inputs" if n == unchanged_key(
        test.function) else f"the dtype of {n[len(DTYPE_PREFIX):]}" if n.startswith(
        DTYPE_PREFIX) else n for n in outputs if not n.startswith(HELPER_PREFIX)]
    if len(names) <= 1:
        return f"{names[0] if names else test.function + ' result'} matches"
    return ", ".join(names[:-1]) + " and " + names[-1] + " match"


def matching_mutants(assignment: str, test: Test, case: Case,
                     got: Mapping[str, np.ndarray] | None,
                     outputs: tuple[str, ...] | None = None) -> list[Mutant]:
    """Catalog mutants of `test.function` whose `outputs` (default: the test's) on `case`
    equal `got`."""
    names = test.outputs if outputs is None else outputs
    if got is None:
        return []
    candidates = _candidates(assignment, test, case)
    if ERROR_OUTPUT in got:  # the student's run raised: mutants that raise the same way
        return [m for m in candidates
                if _same_error(got, mutant_outputs(assignment, m, test, case))]
    reference = _reference_outputs(assignment, test, case)
    found = []
    for mutant in candidates:
        theirs = mutant_outputs(assignment, mutant, test, case)
        if theirs is None or any(name not in theirs for name in names):
            continue
        if all(_same(name, theirs[name], reference[name], case) for name in names):
            continue  # right on this case: it cannot explain a wrong output
        if all(_same(name, got.get(name), theirs[name], case) for name in names):
            found.append(mutant)
    return found


def _candidates(assignment: str, test: Test, case: Case) -> list[Mutant]:
    """Mutants of the tested function, then of the other functions the case calls (a
    forward whose cache its backward's test blames)."""
    called = [call.function for call in case.calls if call.function != test.function]
    return [m for f in dict.fromkeys([test.function, *called])
            for m in _for_function(assignment, f)]


def _for_function(assignment: str, function: str) -> tuple[Mutant, ...]:
    stored = precomputed.active(assignment)
    if stored is None:
        return for_function(assignment, function)
    # a grading bundle ships each mistake's name and hint, not its patch
    return tuple(Mutant(f, name, hint, ((STORED, ""),), assignment)
                 for f, name, hint in stored.mutants if f == function)


STORED = "<not shipped: outputs stored in the bundle>"


def _same_error(got: Mapping[str, np.ndarray], theirs: Mapping[str, np.ndarray] | None
                ) -> bool:
    return theirs is not None and ERROR_OUTPUT in theirs and bool(
        np.array_equal(got[ERROR_OUTPUT], theirs[ERROR_OUTPUT]))


def _same(name: str, got: np.ndarray | None, theirs: np.ndarray, case: Case) -> bool:
    """Equal within the output's tolerance, NaN and inf included (an overflow is a symptom);
    for a `dtype:` output, the same dtype."""
    if name.startswith(DTYPE_PREFIX):
        return got is not None and got.dtype == theirs.dtype
    if got is None or got.shape != theirs.shape:
        return False
    if got.dtype.kind in "biu" and theirs.dtype.kind in "biu":
        return bool(np.array_equal(got, theirs))
    rtol, atol = case.tolerance(name)
    return bool(np.allclose(got.astype(np.float64), theirs.astype(np.float64),
                            rtol=rtol, atol=atol, equal_nan=True))


def diagnose(assignment: str, test: Test, case: Case, got: Mapping[str, np.ndarray] | None,
             outputs: tuple[str, ...] | None = None) -> str | None:
    """A hint naming the catalog mistake the student's `outputs` (default: the test's)
    match, if any."""
    names = test.outputs if outputs is None else outputs
    try:
        mutants = matching_mutants(assignment, test, case, got, names)
    except MutantError:
        return None  # a stale catalog must not change a grade; `verify` reports it
    if not mutants:
        return None
    hints = list(dict.fromkeys(m.hint for m in mutants))
    if ERROR_OUTPUT in got:  # type: ignore[operator]
        return "this error is what you get when " + ", or when ".join(hints)
    return f"{_subject(test, names)} what you get when " + ", or when ".join(hints)
